/**
 * IKEv1 / ISAKMP payload bodies (RFC 2408 §3, IPsec DOI RFC 2407 §4, RFC 2409
 * Appendix A, NAT-D RFC 3947 §3.2). Each Transform payload becomes one IkeProposal
 * because in IKEv1 every transform is a complete alternative suite.
 */
import type { IkeProposal, IkeTransform } from '../evidence/packet-types.js';
import { hex, ipv4String, ipv6String, u16, u32 } from './addr.js';
import type { PayloadContext } from './ike.js';
import { vendorId } from './ikev2.js';
import {
  DH_GROUP, IKE_PROTOCOL, IKEV1_AH_TRANSFORM, IKEV1_AUTH, IKEV1_ENCRYPTION, IKEV1_ESP_TRANSFORM, IKEV1_HASH, IKEV1_NOTIFY,
  IKEV1_P1_ATTR, IKEV1_P2_ATTR, IKEV1_P2_AUTH, ID_TYPE, nameOf,
} from './iana.js';

const MAX_PROPOSALS = 32;
const MAX_TRANSFORMS = 64;
const MAX_ATTRIBUTES = 64;
const MAX_ID_TEXT = 128;

export function decodeV1Payload(type: number, d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  const { msg } = ctx;
  switch (type) {
    case 1:
      decodeSa(d, off, end, ctx);
      return;
    case 5: // ID: type, protocol, port, data (RFC 2407 §4.6.2)
      if (end - off >= 4) msg.identities.push({ type: d[off], value: identityValue(d[off], d, off + 4, end) });
      return;
    case 6:
      msg.certs++;
      return;
    case 7:
      msg.certReqs++;
      return;
    case 11:
      decodeNotify(d, off, end, ctx);
      return;
    case 13:
      msg.vendorIds.push(vendorId(d, off, end));
      return;
    case 20:
    case 130: {
      // RFC 3947 §3.2: the first NAT-D is the remote (destination) address, the others are the sender's own
      const first = !ctx.natd.length;
      ctx.natd.push({ kind: first ? 'destination' : 'source', hash: d.subarray(off, end) });
      return;
    }
    case 132: // IKE fragment (Cisco / strongSwan / libreswan): id(2) number(1) flags(1, 1 = last)
      if (end - off >= 4) msg.ikeFragment = { number: d[off + 2], last: (d[off + 3] & 1) === 1 };
      else ctx.problems.push('IKEv1 fragment payload shorter than its 4-byte fixed part');
      return;
    default:
      return;
  }
}

function decodeNotify(d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  // DOI(4) protocol(1) spi size(1) type(2) spi data
  if (end - off < 8) {
    ctx.problems.push('Notification payload shorter than its 8-byte fixed part');
    return;
  }
  const protocolId = d[off + 4];
  const spiSize = d[off + 5];
  const type = u16(d, off + 6);
  const dataOff = off + 8 + spiSize;
  if (dataOff > end) {
    ctx.problems.push(`Notification ${nameOf(IKEV1_NOTIFY, type)}: SPI size ${spiSize} runs past the payload`);
    return;
  }
  const n: PayloadContext['msg']['notifies'][number] = { type, name: nameOf(IKEV1_NOTIFY, type), error: type < 16384, dataLength: end - dataOff };
  if (protocolId) n.protocolId = protocolId;
  if (spiSize) n.spi = hex(d, off + 8, Math.min(spiSize, 16));
  ctx.msg.notifies.push(n);
}

function decodeSa(d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  // DOI(4) Situation(4) for the IPsec DOI, then Proposal payloads
  if (end - off < 8) return void ctx.problems.push('SA payload shorter than DOI + situation');
  let p = off + 8;
  for (let i = 0; p < end; i++) {
    if (i >= MAX_PROPOSALS) return void ctx.problems.push(`more than ${MAX_PROPOSALS} proposals: stopped`);
    if (p + 8 > end) return void ctx.problems.push('Proposal payload header cut short');
    const next = d[p];
    const plen = u16(d, p + 2);
    if (plen < 8 || p + plen > end) return void ctx.problems.push(`malformed Proposal payload: length ${plen} (${end - p} bytes left)`);
    const number = d[p + 4];
    const protocolId = d[p + 5];
    const spiSize = d[p + 6];
    const count = d[p + 7];
    const spi = spiSize ? hex(d, p + 8, Math.min(spiSize, 8)) : undefined;
    let t = p + 8 + spiSize;
    for (let j = 0; j < count && j < MAX_TRANSFORMS && t < p + plen; j++) {
      if (t + 8 > p + plen) {
        ctx.problems.push('Transform payload header cut short');
        break;
      }
      const tlen = u16(d, t + 2);
      if (tlen < 8 || t + tlen > p + plen) {
        ctx.problems.push(`malformed Transform payload: length ${tlen}`);
        break;
      }
      const proposal = transformToProposal(number, protocolId, d[t + 4], d[t + 5], d, t + 8, t + tlen);
      if (spi) proposal.spi = spi;
      ctx.msg.proposals.push(proposal);
      t += tlen;
    }
    p += plen;
    if (next !== 2) break;
  }
}

function transformToProposal(number: number, protocolId: number, tNumber: number, tId: number, d: Uint8Array, off: number, end: number): IkeProposal {
  const proposal: IkeProposal = { number, transformNumber: tNumber, protocolId, protocol: nameOf(IKE_PROTOCOL, protocolId), transforms: [] };
  const phase1 = protocolId === 1;
  let encr: IkeTransform | undefined;
  let keyLength: number | undefined;
  let lifeType = 0;
  if (protocolId === 3) {
    encr = { kind: 'encr', id: tId, name: nameOf(IKEV1_ESP_TRANSFORM, tId) };
    proposal.transforms.push(encr);
  } else if (protocolId === 2) {
    proposal.transforms.push({ kind: 'integ', id: tId, name: nameOf(IKEV1_AH_TRANSFORM, tId) });
  }
  let a = off;
  for (let i = 0; i < MAX_ATTRIBUTES && a + 4 <= end; i++) {
    const raw = u16(d, a);
    const attr = raw & 0x7fff;
    let value: number;
    if (raw & 0x8000) {
      value = u16(d, a + 2);
      a += 4;
    } else {
      const len = u16(d, a + 2);
      if (a + 4 + len > end) break;
      value = len === 0 ? 0 : readNumber(d, a + 4, len);
      a += 4 + len;
    }
    if (phase1) {
      switch (attr) {
        case IKEV1_P1_ATTR.ENCRYPTION:
          encr = { kind: 'encr', id: value, name: nameOf(IKEV1_ENCRYPTION, value) };
          proposal.transforms.push(encr);
          break;
        case IKEV1_P1_ATTR.HASH:
          proposal.transforms.push({ kind: 'hash', id: value, name: nameOf(IKEV1_HASH, value) });
          break;
        case IKEV1_P1_ATTR.AUTH:
          proposal.transforms.push({ kind: 'auth', id: value, name: nameOf(IKEV1_AUTH, value) });
          break;
        case IKEV1_P1_ATTR.GROUP:
          proposal.transforms.push({ kind: 'dh', id: value, name: nameOf(DH_GROUP, value) });
          break;
        case IKEV1_P1_ATTR.PRF:
          proposal.transforms.push({ kind: 'prf', id: value, name: String(value) });
          break;
        case IKEV1_P1_ATTR.KEY_LENGTH:
          keyLength = value;
          break;
        case IKEV1_P1_ATTR.LIFE_TYPE:
          lifeType = value;
          break;
        case IKEV1_P1_ATTR.LIFE_DURATION:
          setLifetime(proposal, lifeType, value);
          break;
      }
    } else {
      switch (attr) {
        case IKEV1_P2_ATTR.AUTH_ALG:
          proposal.transforms.push({ kind: 'integ', id: value, name: nameOf(IKEV1_P2_AUTH, value) });
          break;
        case IKEV1_P2_ATTR.GROUP:
          proposal.transforms.push({ kind: 'dh', id: value, name: nameOf(DH_GROUP, value) });
          break;
        case IKEV1_P2_ATTR.KEY_LENGTH:
          keyLength = value;
          break;
        case IKEV1_P2_ATTR.ENCAPSULATION:
          proposal.encapsulationMode = value;
          break;
        case IKEV1_P2_ATTR.LIFE_TYPE:
          lifeType = value;
          break;
        case IKEV1_P2_ATTR.LIFE_DURATION:
          setLifetime(proposal, lifeType, value);
          break;
      }
    }
  }
  if (encr && keyLength !== undefined) encr.keyLength = keyLength;
  return proposal;
}

function setLifetime(p: IkeProposal, lifeType: number, value: number): void {
  // life type 1 = seconds, 2 = kilobytes (RFC 2409 App. A, RFC 2407 §4.5)
  if (lifeType === 2) p.lifetimeKilobytes = value;
  else p.lifetimeSeconds = value;
}

function readNumber(d: Uint8Array, off: number, len: number): number {
  if (len === 4) return u32(d, off);
  let v = 0;
  // longer values (rare) keep their low 48 bits
  for (let i = Math.max(0, len - 6); i < len; i++) v = v * 256 + d[off + i];
  return v;
}

/** Identities are not secrets; shown bounded. DNs and key IDs as a size/hex hint only. */
export function identityValue(type: number, d: Uint8Array, off: number, end: number): string {
  const len = end - off;
  switch (type) {
    case 1:
      return len >= 4 ? ipv4String(d, off) : `[${len} bytes]`;
    case 5:
      return len >= 16 ? ipv6String(d, off) : `[${len} bytes]`;
    case 4:
      return len >= 8 ? `${ipv4String(d, off)}/${ipv4String(d, off + 4)}` : `[${len} bytes]`;
    case 7:
      return len >= 8 ? `${ipv4String(d, off)}-${ipv4String(d, off + 4)}` : `[${len} bytes]`;
    case 6:
      return len >= 32 ? `${ipv6String(d, off)}/${ipv6String(d, off + 16)}` : `[${len} bytes]`;
    case 2:
    case 3: {
      let s = '';
      for (let i = off; i < end && s.length < MAX_ID_TEXT; i++) s += d[i] >= 0x20 && d[i] < 0x7f ? String.fromCharCode(d[i]) : '?';
      return s;
    }
    case 11:
      return `keyid:${hex(d, off, Math.min(len, 32))}`;
    default:
      return `${nameOf(ID_TYPE, type)} [${len} bytes]`;
  }
}
