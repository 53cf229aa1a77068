/**
 * IKEv2 payload bodies (RFC 7296 §3.3–§3.16, RFC 7383 §2.5 for SKF). Called by
 * ike.ts with the body bounds already checked against the payload length.
 */
import type { IkeProposal, IkeTransform, TransformKind } from '../evidence/packet-types.js';
import { hex, u16 } from './addr.js';
import type { PayloadContext } from './ike.js';
import { identityValue } from './ikev1.js';
import {
  DH_GROUP, IKE_PROTOCOL, IKEV2_ENCR, IKEV2_ESN, IKEV2_INTEG, IKEV2_NOTIFY, IKEV2_PRF, IKEV2_TRANSFORM_TYPE, nameOf, vendorName,
} from './iana.js';

const MAX_PROPOSALS = 64;
const MAX_TRANSFORMS = 64;
const MAX_VID_BYTES = 32;
const NOTIFY_NAT_SOURCE = 16388;
const NOTIFY_NAT_DESTINATION = 16389;
const NOTIFY_INVALID_KE = 17;

export function decodeV2Payload(type: number, d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  const { msg } = ctx;
  switch (type) {
    case 33: // SA
      decodeSa(d, off, end, ctx);
      return;
    case 34: // KE: DH group, reserved, data (data never kept)
      if (end - off >= 2) msg.keGroup = u16(d, off);
      return;
    case 35: // IDi
    case 36: // IDr
      if (end - off >= 4) msg.identities.push({ type: d[off], value: identityValue(d[off], d, off + 4, end) });
      return;
    case 37:
      msg.certs++;
      return;
    case 38:
      msg.certReqs++;
      return;
    case 41:
      decodeNotify(d, off, end, ctx);
      return;
    case 43:
      msg.vendorIds.push(vendorId(d, off, end));
      return;
    case 46: // SK: opaque (RFC 7296 §3.14)
      msg.encrypted = { payload: 'SK', size: end - off };
      return;
    case 53: // SKF: fragment number, total fragments, then ciphertext (RFC 7383 §2.5)
      if (end - off >= 4) msg.ikeFragment = { number: u16(d, off), total: u16(d, off + 2) };
      else ctx.problems.push('SKF payload shorter than its fragment number/total fields');
      msg.encrypted = { payload: 'SKF', size: Math.max(0, end - off - 4) };
      return;
    default:
      return;
  }
}

export function vendorId(d: Uint8Array, off: number, end: number): { hex: string; name?: string } {
  const h = hex(d, off, Math.min(end - off, MAX_VID_BYTES));
  const name = vendorName(h) ?? printableVid(d, off, end);
  return name ? { hex: h, name } : { hex: h };
}

/** Some vendors send plain text VIDs (Cisco "FLEXVPN-SUPPORTED", "CISCO-DELETE-REASON"). */
function printableVid(d: Uint8Array, off: number, end: number): string | undefined {
  const len = end - off;
  if (len < 4 || len > 64) return undefined;
  let s = '';
  for (let i = off; i < end; i++) {
    if (d[i] < 0x20 || d[i] > 0x7e) return undefined;
    s += String.fromCharCode(d[i]);
  }
  return s;
}

function decodeNotify(d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  if (end - off < 4) {
    ctx.problems.push('Notify payload shorter than its 4-byte fixed part');
    return;
  }
  const protocolId = d[off];
  const spiSize = d[off + 1];
  const type = u16(d, off + 2);
  const dataOff = off + 4 + spiSize;
  if (dataOff > end) {
    ctx.problems.push(`Notify ${nameOf(IKEV2_NOTIFY, type)}: SPI size ${spiSize} runs past the payload`);
    return;
  }
  const notify: PayloadContext['msg']['notifies'][number] = {
    type,
    name: nameOf(IKEV2_NOTIFY, type),
    error: type < 16384,
    dataLength: end - dataOff,
  };
  if (protocolId) notify.protocolId = protocolId;
  if (spiSize) notify.spi = hex(d, off + 4, spiSize);
  if (type === NOTIFY_INVALID_KE && end - dataOff >= 2) notify.group = u16(d, dataOff);
  ctx.msg.notifies.push(notify);
  if (type === NOTIFY_NAT_SOURCE || type === NOTIFY_NAT_DESTINATION) {
    ctx.natd.push({ kind: type === NOTIFY_NAT_SOURCE ? 'source' : 'destination', hash: d.subarray(dataOff, end) });
  }
}

const KIND_BY_TYPE: Record<number, TransformKind> = { 1: 'encr', 2: 'prf', 3: 'integ', 4: 'dh', 5: 'esn' };
const NAMES_BY_TYPE: Record<number, Record<number, string>> = { 1: IKEV2_ENCR, 2: IKEV2_PRF, 3: IKEV2_INTEG, 4: DH_GROUP, 5: IKEV2_ESN };

function decodeSa(d: Uint8Array, off: number, end: number, ctx: PayloadContext): void {
  let p = off;
  for (let i = 0; p < end; i++) {
    if (i >= MAX_PROPOSALS) return void ctx.problems.push(`more than ${MAX_PROPOSALS} proposals: stopped`);
    if (p + 8 > end) return void ctx.problems.push('SA proposal header cut short');
    const last = d[p];
    const plen = u16(d, p + 2);
    if (plen < 8 || p + plen > end) return void ctx.problems.push(`malformed SA proposal: length ${plen} (${end - p} bytes left)`);
    const spiSize = d[p + 6];
    const numTransforms = d[p + 7];
    const protocolId = d[p + 5];
    const proposal: IkeProposal = { number: d[p + 4], protocolId, protocol: nameOf(IKE_PROTOCOL, protocolId), transforms: [] };
    if (spiSize) proposal.spi = hex(d, p + 8, Math.min(spiSize, 8));
    let t = p + 8 + spiSize;
    for (let j = 0; j < numTransforms && t < p + plen; j++) {
      if (j >= MAX_TRANSFORMS) break;
      if (t + 8 > p + plen) {
        ctx.problems.push('SA transform header cut short');
        break;
      }
      const tlen = u16(d, t + 2);
      if (tlen < 8 || t + tlen > p + plen) {
        ctx.problems.push(`malformed SA transform: length ${tlen}`);
        break;
      }
      proposal.transforms.push(transform(d[t + 4], u16(d, t + 6), d, t + 8, t + tlen));
      t += tlen;
    }
    ctx.msg.proposals.push(proposal);
    p += plen;
    // RFC 7296 §3.3.1: 0 = last proposal, 2 = more follow
    if (last === 0) break;
  }
}

function transform(type: number, id: number, d: Uint8Array, off: number, end: number): IkeTransform {
  const names = NAMES_BY_TYPE[type];
  const out: IkeTransform = {
    kind: KIND_BY_TYPE[type] ?? 'other',
    id,
    name: names ? nameOf(names, id) : `${nameOf(IKEV2_TRANSFORM_TYPE, type)}:${nameOf(DH_GROUP, id)}`,
  };
  // attributes: only Key Length (14, TV format) is defined (RFC 7296 §3.3.5)
  for (let a = off; a + 4 <= end; ) {
    const at = u16(d, a);
    if (at & 0x8000) {
      if ((at & 0x7fff) === 14) out.keyLength = u16(d, a + 2);
      a += 4;
    } else {
      a += 4 + u16(d, a + 2);
    }
  }
  return out;
}
