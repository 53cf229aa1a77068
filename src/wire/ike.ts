/**
 * IKE message decoder (RFC 7296 §3 for IKEv2, RFC 2408 §3 for IKEv1/ISAKMP).
 * Total and bounded in the style of Suricata's rust/src/ike/parser.rs: a payload
 * length that does not fit stops the walk with a problem string; what was decoded
 * so far is kept. Never throws on any input.
 *
 * Key exchange data, nonces, hashes, signatures and encrypted payloads are never
 * copied: only their sizes (or, for NAT-D, the public hash of header values).
 */
import { createHash } from 'node:crypto';
import type { IkeMessage, NatDetection } from '../evidence/packet-types.js';
import { hex, u16, u32 } from './addr.js';
import { IKEV1_EXCHANGE, IKEV1_PAYLOAD, IKEV2_EXCHANGE, IKEV2_PAYLOAD, nameOf } from './iana.js';
import { decodeV2Payload } from './ikev2.js';
import { decodeV1Payload } from './ikev1.js';

export const IKE_HEADER_LENGTH = 28;
const MAX_PAYLOADS = 64;

/** The outer addressing a NAT-D hash is compared with: as captured. */
export interface IkeWire {
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
}

export type IkeDecoded = Omit<IkeMessage, 'index' | 'at' | 'src' | 'dst' | 'ipVersion' | 'transport' | 'nonEspMarker' | 'ipFragmentation' | 'ipLength' | 'excerpt'>;

export interface IkeDecodeResult {
  /** undefined when the bytes are not an IKE header at all (too short, bad version, length < 28) */
  message?: IkeDecoded;
  problems: string[];
}

/** Raw NAT-D hashes collected while walking; compared once the SPIs are known. */
export interface PendingNatD {
  kind: 'source' | 'destination';
  hash: Uint8Array;
}

export interface PayloadContext {
  msg: IkeDecoded;
  natd: PendingNatD[];
  problems: string[];
}

/**
 * Decodes one IKE message starting at `off` (after any non-ESP marker) up to `end`
 * (end of the UDP payload as captured). `truncated`: the capture cut the datagram.
 */
export function decodeIke(d: Uint8Array, off: number, end: number, wire: IkeWire, truncated: boolean): IkeDecodeResult {
  const problems: string[] = [];
  if (end - off < IKE_HEADER_LENGTH) {
    problems.push(`IKE header cut short: ${Math.max(0, end - off)} of ${IKE_HEADER_LENGTH} bytes`);
    return { problems };
  }
  const versionByte = d[off + 17];
  const major = versionByte >> 4;
  if (major !== 1 && major !== 2) {
    problems.push(`not an IKE header: version byte 0x${versionByte.toString(16).padStart(2, '0')}`);
    return { problems };
  }
  const length = u32(d, off + 24);
  if (length < IKE_HEADER_LENGTH) {
    problems.push(`malformed IKE header: length field ${length} is below the ${IKE_HEADER_LENGTH}-byte header`);
    return { problems };
  }
  const version = major as 1 | 2;
  const exchange = d[off + 18];
  const flags = d[off + 19];
  const spiIRaw = d.subarray(off, off + 8);
  const spiRRaw = d.subarray(off + 8, off + 16);
  const msg: IkeDecoded = {
    truncated,
    version,
    versionByte,
    spiI: hex(d, off, 8),
    spiR: hex(d, off + 8, 8),
    exchange,
    exchangeName: nameOf(version === 2 ? IKEV2_EXCHANGE : IKEV1_EXCHANGE, exchange),
    flags,
    messageId: u32(d, off + 20),
    length,
    nextPayload: d[off + 16],
    payloads: [],
    proposals: [],
    notifies: [],
    vendorIds: [],
    natDetection: [],
    identities: [],
    certs: 0,
    certReqs: 0,
    digest: '',
  };
  if (version === 2) {
    // RFC 7296 §3.1: only R says request/response; I says who created the IKE SA
    msg.response = (flags & 0x20) !== 0;
    msg.initiatorFlag = (flags & 0x08) !== 0;
  } else {
    msg.encryptedV1 = (flags & 0x01) !== 0;
  }

  let msgEnd = off + length;
  if (msgEnd > end) {
    // the frame was captured short: a snap length, or the last record of a file that ends early (the reader says which)
    if (truncated) problems.push(`IKE message cut short in the capture: ${end - off} of ${length} bytes captured`);
    else problems.push(`IKE length field ${length} exceeds the ${end - off} bytes of the UDP payload`);
    msgEnd = end;
  }
  msg.digest = ikeDigest(d, off, msgEnd);

  const ctx: PayloadContext = { msg, natd: [], problems };
  if (version === 1 && msg.encryptedV1) {
    // everything after the header is ciphertext (RFC 2408 §3.1 E flag)
    msg.encrypted = { payload: 'v1', size: length - IKE_HEADER_LENGTH };
    msg.payloads.push({ type: msg.nextPayload, name: nameOf(IKEV1_PAYLOAD, msg.nextPayload), length: length - IKE_HEADER_LENGTH });
  } else {
    walkPayloads(d, off + IKE_HEADER_LENGTH, msgEnd, ctx);
  }
  msg.natDetection = compareNatD(ctx.natd, spiIRaw, spiRRaw, wire, version);
  if (problems.length) msg.malformed = problems[0];
  return { message: msg, problems };
}

function walkPayloads(d: Uint8Array, start: number, end: number, ctx: PayloadContext): void {
  const { msg } = ctx;
  const names = msg.version === 2 ? IKEV2_PAYLOAD : IKEV1_PAYLOAD;
  let type = msg.nextPayload;
  let off = start;
  for (let i = 0; type !== 0; i++) {
    if (i >= MAX_PAYLOADS) {
      ctx.problems.push(`more than ${MAX_PAYLOADS} payloads: stopped`);
      return;
    }
    if (off + 4 > end) {
      // a chain that ends without NONE (tcpdump isakmp-no-none-np.pcapng) is reported, not fatal
      if (off < end || msg.truncated) ctx.problems.push(`payload ${nameOf(names, type)} header cut at offset ${off - start + 28}`);
      else ctx.problems.push(`payload chain ends without NONE: next payload ${nameOf(names, type)} announced after the last byte`);
      return;
    }
    const next = d[off];
    const plen = u16(d, off + 2);
    if (plen < 4) {
      ctx.problems.push(`malformed ${nameOf(names, type)} payload: length ${plen} below its 4-byte header`);
      return;
    }
    if (off + plen > end) {
      ctx.problems.push(`malformed ${nameOf(names, type)} payload: length ${plen} runs past the message end (${end - off} bytes left)`);
      msg.payloads.push({ type, name: nameOf(names, type), length: plen });
      return;
    }
    msg.payloads.push({ type, name: nameOf(names, type), length: plen });
    const body = off + 4;
    const bodyEnd = off + plen;
    if (msg.version === 2) {
      decodeV2Payload(type, d, body, bodyEnd, ctx);
      // SK / SKF are last by definition: their "next payload" names the first inner payload (RFC 7296 §3.14)
      if (type === 46 || type === 53) return;
    } else {
      decodeV1Payload(type, d, body, bodyEnd, ctx);
    }
    off = bodyEnd;
    type = next;
  }
}

/**
 * 64-bit FNV-1a of the message bytes (two 32-bit lanes): identifies byte-identical
 * retransmissions (RFC 7296 §2.1) cheaply; not a security hash.
 */
export function ikeDigest(d: Uint8Array, off: number, end: number): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = off; i < end; i++) {
    a = Math.imul(a ^ d[i], 0x01000193);
    b = Math.imul(b ^ d[i] ^ (a >>> 24), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The end of the message bytes as the header announces them, bounded by what was captured. */
export function ikeMessageEnd(d: Uint8Array, off: number, end: number): number {
  if (end - off < IKE_HEADER_LENGTH) return end;
  const length = u32(d, off + 24);
  return length >= IKE_HEADER_LENGTH && off + length < end ? off + length : end;
}

/** What decodeIke() accepts as a message at all: a full header, major version 1 or 2, a length field of at least the header. */
export function validIkeHeader(d: Uint8Array, off: number, end: number): boolean {
  if (end - off < IKE_HEADER_LENGTH) return false;
  const major = d[off + 17] >> 4;
  return (major === 1 || major === 2) && u32(d, off + 24) >= IKE_HEADER_LENGTH;
}

/**
 * True when decodeIke() would find nothing but the header and ciphertext, without a
 * problem: an IKEv1 message with the E flag (RFC 2408 §3.1), or an IKEv2 message whose
 * first payload is a well-formed SK or SKF (RFC 7296 §3.14, RFC 7383 §2.5), all inside
 * the captured bytes. Such a message may be kept raw and decoded later.
 */
export function opaqueAfterHeader(d: Uint8Array, off: number, end: number): boolean {
  const length = u32(d, off + 24);
  if (off + length > end) return false;
  if (d[off + 17] >> 4 === 1) return (d[off + 19] & 0x01) !== 0;
  const first = d[off + 16];
  if (first !== 46 && first !== 53) return false;
  if (length < IKE_HEADER_LENGTH + 4) return false;
  const plen = u16(d, off + IKE_HEADER_LENGTH + 2);
  return plen >= (first === 53 ? 8 : 4) && IKE_HEADER_LENGTH + plen <= length;
}

const HASH_BY_LENGTH: Record<number, string> = { 16: 'md5', 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

/**
 * H(SPIi | SPIr | IP | port). IKEv2 always SHA-1 (RFC 7296 §2.23); IKEv1 uses the
 * negotiated hash (RFC 3947 §3.2), recognised from the digest length.
 */
function compareNatD(pending: PendingNatD[], spiI: Uint8Array, spiR: Uint8Array, wire: IkeWire, version: 1 | 2): NatDetection[] {
  const out: NatDetection[] = [];
  for (const p of pending) {
    const algorithm = version === 2 ? 'sha1' : HASH_BY_LENGTH[p.hash.length];
    const entry: NatDetection = { kind: p.kind, hash: hex(p.hash, 0, p.hash.length) };
    if (algorithm && (version === 1 || p.hash.length === 20)) {
      const addr = p.kind === 'source' ? wire.src : wire.dst;
      const port = p.kind === 'source' ? wire.srcPort : wire.dstPort;
      const h = createHash(algorithm).update(spiI).update(spiR).update(addr).update(Uint8Array.of(port >> 8, port & 0xff)).digest();
      entry.algorithm = algorithm;
      entry.matches = Buffer.compare(h, Buffer.from(p.hash.buffer, p.hash.byteOffset, p.hash.length)) === 0;
    }
    out.push(entry);
  }
  return out;
}
