/**
 * Which IKE messages of a capture are kept, and what is only counted: the first and
 * the last messages of each IKE SA (RFC 7296 §2.6: the SPI pair names it) are kept,
 * the middle of a long-lived SA is counted per exchange type (IkeNotKept), so memory
 * follows IKE SAs, not packets. Byte-identical retransmissions share one decode; the
 * encrypted steady state of a long SA is kept as raw bytes in reused records and only
 * the survivors are decoded at the end.
 */
import type { FrameRef, IkeMessage, IkeNotKept, IkeTransport, IpFragmentation, PacketCounters, PacketEndpoint } from './packet-types.js';
import { IKE_PORT, NAT_T_PORT, type UdpInfo } from '../decoders/udp.js';
import { ikeMessageEnd, opaqueAfterHeader, validIkeHeader, type IkeDecoded } from '../decoders/ike.js';
import { IKEV1_EXCHANGE, IKEV2_EXCHANGE, nameOf } from '../decoders/iana.js';
import { frameRefOf, readI32, touchFrameRef } from '../decoders/frame-ref.js';
import { hex } from '../decoders/addr.js';
import { IkeDecodeCache, type DecodeCacheHost } from './ike-decode-cache.js';

/** safety net over all SAs together; the per-SA bound below is what normally applies */
const MAX_IKE_MESSAGES = 200_000;
/**
 * Per IKE SA: the first messages (the initial exchanges, their first retransmissions)
 * and the latest ones (where rekeys, DPD and late failures show). A gateway's SA that
 * lives for days sends thousands of INFORMATIONAL/CREATE_CHILD_SA exchanges; the
 * middle is only counted (IkeNotKept).
 */
export const IKE_SA_HEAD = 64;
export const IKE_SA_TAIL = 64;

/** What the keeper needs from the collector that feeds it: the decode cache's frame and diagnostics, and the counters. */
export interface IkeKeeperHost extends DecodeCacheHost {
  readonly counters: PacketCounters;
}

export interface IkeKeeper {
  /** messages kept at the start and at the end of each IKE SA */
  readonly head: number;
  readonly tail: number;
  /** One IKE message (after any non-ESP marker) of the current frame, or of a reassembled datagram. */
  add(d: Uint8Array, u: UdpInfo, src: Uint8Array, dst: Uint8Array, version: 4 | 6, frag: IpFragmentation | undefined, truncated: boolean, ipLength: number): void;
  /** The kept messages as IkeMessage objects in arrival order, and the gaps placed among them (repeatable: live snapshots). */
  kept(): { messages: IkeMessage[]; notKept: IkeNotKept[] };
  /** End of capture: diagnostics of malformed messages get the count of their byte-identical copies. */
  finish(): void;
}

export function createIkeKeeper(bound: { head: number; tail: number } | undefined, host: IkeKeeperHost): IkeKeeper {
  const counters = host.counters;
  // kept IKE messages as cheap records, built into IkeMessage objects by keptIkeMessages()
  const ikeHeads: KeptIke[] = [];
  // SAs by a hash of their header words (collisions chained through nextInBucket), and all of them in order
  const ikeBounds = new Map<number, SaBound>();
  const allSas: SaBound[] = [];
  let ikeKept = 0;
  let ikeSeq = 0;
  const saHead = Math.max(0, bound?.head ?? IKE_SA_HEAD);
  // at least one tail record: the latest message of an SA is always kept
  const saTail = Math.max(1, bound?.tail ?? IKE_SA_TAIL);
  const cache = new IkeDecodeCache(host);
  const frameRef = (): FrameRef => frameRefOf(host.frame());

  function add(d: Uint8Array, u: UdpInfo, src: Uint8Array, dst: Uint8Array, version: 4 | 6, frag: IpFragmentation | undefined, truncated: boolean, ipLength: number): void {
    if (ikeKept >= MAX_IKE_MESSAGES) {
      // past the cap only the count grows: memory stays bounded whatever the capture
      counters.ike++;
      counters.capped++;
      return;
    }
    const len = src.length;
    const off = u.innerOff;
    const cut = truncated || u.payloadEnd < u.payloadOff + u.wirePayload;
    const msgEnd = ikeMessageEnd(d, off, u.payloadEnd);
    // RFC 7296 §2.6: the SPI pair names the IKE SA (a zero responder SPI groups an IKE_SA_INIT request per initiator SPI)
    const sa = validIkeHeader(d, off, u.payloadEnd) ? saOf(d, off) : undefined;
    const transport: IkeTransport = u.srcPort === NAT_T_PORT || u.dstPort === NAT_T_PORT ? 'udp4500' : u.srcPort === IKE_PORT || u.dstPort === IKE_PORT ? 'udp500' : 'udp-other';
    if (sa && sa.head >= saHead && sa.ring.length >= saTail && opaqueAfterHeader(d, off, u.payloadEnd)) {
      // The steady state of a long-lived SA: encrypted exchanges that may never be reported.
      // The oldest tail record is counted into the gap and overwritten with the raw bytes (a
      // copy costs less than confirming a decode-cache hit); only the (≤ IKE_SA_TAIL) records
      // still in the ring at the end are decoded.
      counters.ike++;
      const slot = sa.ring[sa.ringNext];
      sa.ringNext = sa.ringNext + 1 === saTail ? 0 : sa.ringNext + 1;
      dropIke(sa, slot);
      keepRaw(slot, d, off, msgEnd, src, dst, len, u.srcPort, u.dstPort, cut);
      slot.frag = frag;
      slot.ipVersion = version;
      slot.seq = ikeSeq++;
      slot.transport = transport;
      slot.nonEspMarker = u.nonEspMarker;
      slot.ipLength = ipLength;
      touchFrameRef(slot.at, host.frame());
      return;
    }
    const cached = cache.decode(d, off, u.payloadEnd, msgEnd, src, dst, len, u.srcPort, u.dstPort, cut, frag);
    const r = cached.r;
    if (r.problems.length) cache.reportProblems(cached);
    if (!r.message || !sa) {
      counters.undecodable++;
      return;
    }
    counters.ike++;
    let slot: KeptIke;
    if (sa.head < saHead || sa.ring.length < saTail) {
      if (ikeKept >= MAX_IKE_MESSAGES) {
        counters.capped++;
        return;
      }
      ikeKept++;
      slot = newKeptIke(r.message, frag, cached.srcEp, cached.dstEp, frameRef());
      if (sa.head < saHead) {
        sa.head++;
        ikeHeads.push(slot);
      } else sa.ring.push(slot);
    } else {
      // the tail is full: the oldest tail message joins the dropped middle and its record is reused (no allocation per message)
      slot = sa.ring[sa.ringNext];
      sa.ringNext = sa.ringNext + 1 === saTail ? 0 : sa.ringNext + 1;
      dropIke(sa, slot);
      slot.m = r.message;
      slot.exchange = r.message.exchange;
      slot.flags = r.message.flags;
      slot.src = cached.srcEp;
      slot.dst = cached.dstEp;
      slot.frag = frag;
      touchFrameRef(slot.at, host.frame());
    }
    slot.seq = ikeSeq++;
    slot.ipVersion = version;
    slot.transport = transport;
    slot.nonEspMarker = u.nonEspMarker;
    slot.excerpt = cached.excerpt;
    slot.ipLength = ipLength;
  }

  /** The IKE SA record of the header at `off` (RFC 7296 §2.6 SPI pair, per IKE version); created on first sight. */
  function saOf(d: Uint8Array, off: number): SaBound {
    const v = d[off + 17] >> 4;
    // signed 32-bit words: small integers in V8, where unsigned ones above 2^31 would be heap numbers
    const w0 = readI32(d, off);
    const w1 = readI32(d, off + 4);
    const w2 = readI32(d, off + 8);
    const w3 = readI32(d, off + 12);
    // 30 bits: a small-integer Map key (no heap number, no string per message)
    const key = (Math.imul(Math.imul(Math.imul(w0 ^ v, 0x9e3779b1) ^ w1, 0x85ebca6b) ^ w2, 0xc2b2ae35) ^ w3) >>> 2;
    const first = ikeBounds.get(key);
    for (let sa = first; sa; sa = sa.nextInBucket) {
      if (sa.w0 === w0 && sa.w1 === w1 && sa.w2 === w2 && sa.w3 === w3 && sa.version === v) return sa;
    }
    const sa: SaBound = {
      // every field from the start (gap too): an SA that gains a property later changes shape, and the optimised code that read SAs is thrown away
      head: 0, ring: [], ringNext: 0, gap: undefined, lastDroppedSeq: -1, version: v as 1 | 2, w0, w1, w2, w3, spiI: hex(d, off, 8), spiR: hex(d, off + 8, 8), nextInBucket: first,
    };
    ikeBounds.set(key, sa);
    allSas.push(sa);
    return sa;
  }

  /** Counts an evicted tail record into its SA's gap: typed-array counters and in-place frame refs, no allocation per message. */
  function dropIke(sa: SaBound, k: KeptIke): void {
    let g = sa.gap;
    if (!g) {
      sa.gap = g = {
        version: sa.version, spiI: sa.spiI, spiR: sa.spiR, messages: 0, dropped: new Uint32Array(256), responses: new Uint32Array(512),
        // dense from the start: a sparse array written at index 34 turns into a dictionary
        names: new Array<string>(256).fill(''),
        // frameRefOf, not a spread: one object shape for every FrameRef keeps touchFrameRef monomorphic
        first: frameRefOf(k.at), last: frameRefOf(k.at),
      };
      ikeGaps.push(sa);
    }
    g.messages++;
    const x = k.exchange;
    const flags = k.flags;
    if (g.dropped[x]++ === 0) g.names[x] = nameOf(sa.version === 2 ? IKEV2_EXCHANGE : IKEV1_EXCHANGE, x);
    // IKEv2 responses by sender (RFC 7296 §3.1 R flag): the original initiator's (I flag) in the upper half
    if (sa.version === 2 && flags & 0x20) g.responses[x + (flags & 0x08 ? 256 : 0)]++;
    touchFrameRef(g.last, k.at);
    sa.lastDroppedSeq = k.seq;
  }

  /** A raw tail record becomes a decoded one (once: live snapshots build the evidence again and again). */
  function decodeRaw(k: KeptIke): void {
    if (k.m) return;
    const len = k.addrLen;
    const c = cache.decode(k.bytes, 0, k.byteLen, k.byteLen, k.wireSrc.subarray(0, len), k.wireDst.subarray(0, len), len, k.srcPort, k.dstPort, k.cut, k.frag);
    // opaqueAfterHeader() admitted only messages that decode without a problem
    k.m = c.r.message;
    k.src = c.srcEp;
    k.dst = c.dstEp;
    k.excerpt = c.excerpt;
  }

  const ikeGaps: SaBound[] = [];

  /** The kept messages as IkeMessage objects in arrival order, and the gaps placed among them. */
  function keptIkeMessages(): { messages: IkeMessage[]; notKept: IkeNotKept[] } {
    let kept = ikeHeads;
    if (ikeGaps.length || allSas.some((b) => b.ring.length)) {
      kept = ikeHeads.slice();
      for (const b of allSas) for (const k of b.ring) kept.push(k);
      kept.sort((a, b) => a.seq - b.seq);
    }
    for (const k of kept) decodeRaw(k);
    const messages = kept.map((k, i) => ikeMessage(k, i));
    const notKept = ikeGaps.map((sa): IkeNotKept => {
      const gap = sa.gap!;
      // messages of other SAs arrive during the gap: it ends before the first kept message that came after its last dropped one
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (kept[mid].seq < sa.lastDroppedSeq) lo = mid + 1;
        else hi = mid;
      }
      const byExchange: Record<string, number> = {};
      const responsesByExchange: IkeNotKept['responsesByExchange'] = { initiator: {}, responder: {} };
      gap.names.forEach((name, x) => {
        if (!gap.dropped[x]) return;
        byExchange[name] = (byExchange[name] ?? 0) + gap.dropped[x];
        if (gap.responses[x]) responsesByExchange.responder[name] = (responsesByExchange.responder[name] ?? 0) + gap.responses[x];
        if (gap.responses[x + 256]) responsesByExchange.initiator[name] = (responsesByExchange.initiator[name] ?? 0) + gap.responses[x + 256];
      });
      return { version: gap.version, spiI: gap.spiI, spiR: gap.spiR, messages: gap.messages, byExchange, responsesByExchange, first: { ...gap.first }, last: { ...gap.last }, resumesAt: lo };
    });
    return { messages, notKept };
  }

  /** One literal with every field in a fixed order (one hidden class; cheaper than a spread). */
  function ikeMessage(k: KeptIke, index: number): IkeMessage {
    const m = k.m!;
    const frag = k.frag;
    const msg: IkeMessage = {
      // a copy: tail records (and their frame refs) are reused when evicted
      index, at: { source: k.at.source, frame: k.at.frame, ts: k.at.ts }, src: k.src!, dst: k.dst!, ipVersion: k.ipVersion, transport: k.transport, nonEspMarker: k.nonEspMarker,
      ipLength: k.ipLength, truncated: m.truncated,
      version: m.version, versionByte: m.versionByte, spiI: m.spiI, spiR: m.spiR, exchange: m.exchange, exchangeName: m.exchangeName,
      flags: m.flags, messageId: m.messageId, length: m.length, nextPayload: m.nextPayload,
      payloads: m.payloads, proposals: m.proposals, notifies: m.notifies, vendorIds: m.vendorIds, natDetection: m.natDetection,
      identities: m.identities, certs: m.certs, certReqs: m.certReqs, digest: m.digest, excerpt: k.excerpt,
    };
    if (m.response !== undefined) msg.response = m.response;
    if (m.initiatorFlag !== undefined) msg.initiatorFlag = m.initiatorFlag;
    if (m.encryptedV1 !== undefined) msg.encryptedV1 = m.encryptedV1;
    if (m.keGroup !== undefined) msg.keGroup = m.keGroup;
    if (m.encrypted) msg.encrypted = m.encrypted;
    if (m.ikeFragment) msg.ikeFragment = m.ikeFragment;
    if (m.malformed) msg.malformed = m.malformed;
    if (frag) msg.ipFragmentation = frag;
    return msg;
  }

  return {
    head: saHead,
    tail: saTail,
    add,
    kept: keptIkeMessages,
    finish: () => cache.finish(),
  };
}

/**
 * A kept IKE message before it becomes an IkeMessage: tail records are overwritten in
 * place when evicted. Decoded (m set) or raw: the message bytes and wire addressing
 * in buffers owned by the record, decoded only if it is still kept at the end.
 */
interface KeptIke {
  /** arrival order among all decoded IKE messages */
  seq: number;
  m: IkeDecoded | undefined;
  frag: IpFragmentation | undefined;
  src: PacketEndpoint | undefined;
  dst: PacketEndpoint | undefined;
  ipVersion: 4 | 6;
  transport: IkeTransport;
  nonEspMarker: boolean;
  excerpt: string;
  ipLength: number;
  at: FrameRef;
  /** header exchange type and flags, read when the record is evicted (here: IkeDecoded objects come in many shapes) */
  exchange: number;
  flags: number;
  bytes: Uint8Array;
  byteLen: number;
  wireSrc: Uint8Array;
  wireDst: Uint8Array;
  addrLen: number;
  srcPort: number;
  dstPort: number;
  cut: boolean;
}

const NO_BYTES = new Uint8Array(0);

function newKeptIke(m: IkeDecoded, frag: IpFragmentation | undefined, src: PacketEndpoint, dst: PacketEndpoint, at: FrameRef): KeptIke {
  return {
    seq: 0, m, frag, src, dst, ipVersion: 4, transport: 'udp500', nonEspMarker: false, excerpt: '', ipLength: 0, at, exchange: m.exchange, flags: m.flags,
    bytes: NO_BYTES, byteLen: 0, wireSrc: NO_BYTES, wireDst: NO_BYTES, addrLen: 0, srcPort: 0, dstPort: 0, cut: false,
  };
}

/** Turns a record into a raw one holding these bytes; its buffers are reused from one eviction to the next. */
function keepRaw(k: KeptIke, d: Uint8Array, off: number, end: number, src: Uint8Array, dst: Uint8Array, addrLen: number, srcPort: number, dstPort: number, cut: boolean): void {
  const n = end - off;
  if (k.bytes.length < n) k.bytes = new Uint8Array(Math.max(n, 256));
  k.bytes.set(d.subarray(off, end));
  k.byteLen = n;
  k.exchange = d[off + 18];
  k.flags = d[off + 19];
  if (k.wireSrc === NO_BYTES) {
    k.wireSrc = new Uint8Array(16);
    k.wireDst = new Uint8Array(16);
  }
  for (let i = 0; i < addrLen; i++) {
    k.wireSrc[i] = src[i];
    k.wireDst[i] = dst[i];
  }
  k.addrLen = addrLen;
  k.srcPort = srcPort;
  k.dstPort = dstPort;
  k.cut = cut;
  k.m = undefined;
  k.src = undefined;
  k.dst = undefined;
  k.excerpt = '';
}

interface SaBound {
  /** messages kept at the start (≤ IKE_SA_HEAD) */
  head: number;
  /** the latest messages, a ring of ≤ IKE_SA_TAIL once full */
  ring: KeptIke[];
  ringNext: number;
  gap: GapCounts | undefined;
  lastDroppedSeq: number;
  version: 1 | 2;
  /** the SPI pair as four 32-bit words (compared per message) and as text (for the gap record) */
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  spiI: string;
  spiR: string;
  nextInBucket: SaBound | undefined;
}

/** The dropped middle while capturing: counts per exchange type number (names kept per number seen). */
interface GapCounts {
  version: 1 | 2;
  spiI: string;
  spiR: string;
  messages: number;
  dropped: Uint32Array;
  /** IKEv2 responses per exchange type: [0, 256) sent by the responder, [256, 512) by the original initiator */
  responses: Uint32Array;
  names: string[];
  first: FrameRef;
  last: FrameRef;
}
