/**
 * Which IKE messages of a capture are kept, and what is only counted: the first and
 * the last messages of each IKE SA (RFC 7296 §2.6: the SPI pair names it) are kept,
 * the middle of a long-lived SA is counted per exchange type (IkeNotKept), so memory
 * follows IKE SAs, not packets. Byte-identical retransmissions share one decode; the
 * encrypted steady state of a long SA is kept as raw bytes in reused records and only
 * the survivors are decoded at the end.
 */
import type { FrameRef, IkeMessage, IkeNotKept, IkeTransport, IpFragmentation, PacketCounters } from '../../evidence/packet-types.js';
import { IKE_PORT, NAT_T_PORT, type UdpInfo } from '../udp.js';
import { ikeMessageEnd, opaqueAfterHeader, validIkeHeader } from '../ike.js';
import { IKEV1_EXCHANGE, IKEV2_EXCHANGE, nameOf } from '../iana.js';
import { frameRefOf, readI32 } from './frame-ref.js';
import { hex } from '../addr.js';
import { IkeDecodeCache, type DecodeCacheHost, type DecodedIke } from './ike-decode-cache.js';
import { SaRing, type KeptIke, type RawDecoder, type SlotInfo } from './ike-ring.js';

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
  // the first messages of each SA as records, built into IkeMessage objects by keptIkeMessages()
  const ikeHeads: KeptIke[] = [];
  // SAs by a hash of their header words (collisions chained through nextInBucket), and all of them in order
  const ikeBounds = new Map<number, SaBound>();
  const allSas: SaBound[] = [];
  const ikeGaps: SaBound[] = [];
  let ikeKept = 0;
  let ikeSeq = 0;
  const saHead = Math.max(0, bound?.head ?? IKE_SA_HEAD);
  // at least one tail record: the latest message of an SA is always kept
  const saTail = Math.max(1, bound?.tail ?? IKE_SA_TAIL);
  const cache = new IkeDecodeCache(host);
  // ring slots name their capture file by index (frames of one file come in long runs)
  const sources: string[] = [];
  let lastSource = '';
  let lastSourceIndex = -1;
  // what is written into a ring slot with each message: one reused record, no allocation per message
  const info: SlotInfo = { exchange: 0, flags: 0, seq: 0, frame: 0, ts: 0.5, source: 0, ipVersion: 4, transport: 'udp500', nonEspMarker: false, ipLength: 0, frag: undefined };
  const decodeRaw: RawDecoder = (bytes, src, dst, len, srcPort, dstPort, cut, frag) => cache.decode(bytes, 0, bytes.length, bytes.length, src, dst, len, srcPort, dstPort, cut, frag);

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
    if (sa?.ring?.full && opaqueAfterHeader(d, off, u.payloadEnd)) {
      // The steady state of a long-lived SA: encrypted exchanges that may never be reported.
      // The oldest slot is counted into the gap and overwritten with the raw bytes (a copy
      // costs less than confirming a decode-cache hit); only the (≤ IKE_SA_TAIL) slots still
      // in the ring at the end are decoded.
      counters.ike++;
      const ring = sa.ring;
      dropOldest(sa, ring);
      ring.writeRaw(ring.claim(), slotInfo(d[off + 18], d[off + 19], version, transport, u.nonEspMarker, ipLength, frag), d, off, msgEnd, src, dst, len, u.srcPort, u.dstPort, cut);
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
    if (sa.head < saHead) {
      if (ikeKept >= MAX_IKE_MESSAGES) {
        counters.capped++;
        return;
      }
      ikeKept++;
      sa.head++;
      ikeHeads.push(keptOf(cached, ikeSeq++, version, transport, u.nonEspMarker, ipLength, frag));
      return;
    }
    const ring = (sa.ring ??= new SaRing(saTail));
    if (ring.full) dropOldest(sa, ring);
    else if (ikeKept >= MAX_IKE_MESSAGES) {
      counters.capped++;
      return;
    } else ikeKept++;
    ring.writeDecoded(ring.claim(), slotInfo(r.message.exchange, r.message.flags, version, transport, u.nonEspMarker, ipLength, frag), cached);
  }

  /** The reused slot record for the current frame and the next arrival number. */
  function slotInfo(exchange: number, flags: number, version: 4 | 6, transport: IkeTransport, nonEspMarker: boolean, ipLength: number, frag: IpFragmentation | undefined): SlotInfo {
    const f = host.frame();
    if (f.source !== lastSource) {
      lastSource = f.source;
      lastSourceIndex = sources.indexOf(f.source);
      if (lastSourceIndex < 0) lastSourceIndex = sources.push(f.source) - 1;
    }
    info.exchange = exchange;
    info.flags = flags;
    info.seq = ikeSeq++;
    info.frame = f.frame;
    info.ts = f.ts;
    info.source = lastSourceIndex;
    info.ipVersion = version;
    info.transport = transport;
    info.nonEspMarker = nonEspMarker;
    info.ipLength = ipLength;
    info.frag = frag;
    return info;
  }

  function keptOf(c: DecodedIke, seq: number, ipVersion: 4 | 6, transport: IkeTransport, nonEspMarker: boolean, ipLength: number, frag: IpFragmentation | undefined): KeptIke {
    return { seq, m: c.r.message!, frag, src: c.srcEp, dst: c.dstEp, ipVersion, transport, nonEspMarker, excerpt: c.excerpt, ipLength, at: frameRefOf(host.frame()) };
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
      // every field from the start (gap and ring too): an SA that gains a property later changes shape, and the optimised code that read SAs is thrown away
      head: 0, ring: undefined, gap: undefined, lastDroppedSeq: -1, version: v as 1 | 2, w0, w1, w2, w3, spiI: hex(d, off, 8), spiR: hex(d, off + 8, 8), nextInBucket: first,
    };
    ikeBounds.set(key, sa);
    allSas.push(sa);
    return sa;
  }

  /** Counts the ring's oldest slot into its SA's gap before it is overwritten: typed-array counters and in-place frame refs, no allocation per message. */
  function dropOldest(sa: SaBound, ring: SaRing): void {
    const i = ring.oldest;
    let g = sa.gap;
    if (!g) {
      sa.gap = g = {
        version: sa.version, spiI: sa.spiI, spiR: sa.spiR, messages: 0, dropped: new Uint32Array(256), responses: new Uint32Array(512),
        // dense from the start: a sparse array written at index 34 turns into a dictionary
        names: new Array<string>(256).fill(''),
        first: ring.frameInto(i, { source: '', frame: 0, ts: 0.5 }, sources), last: { source: '', frame: 0, ts: 0.5 },
      };
      ikeGaps.push(sa);
    }
    g.messages++;
    const x = ring.exchange(i);
    const flags = ring.flags(i);
    if (g.dropped[x]++ === 0) g.names[x] = nameOf(sa.version === 2 ? IKEV2_EXCHANGE : IKEV1_EXCHANGE, x);
    // IKEv2 responses by sender (RFC 7296 §3.1 R flag): the original initiator's (I flag) in the upper half
    if (sa.version === 2 && flags & 0x20) g.responses[x + (flags & 0x08 ? 256 : 0)]++;
    ring.frameInto(i, g.last, sources);
    sa.lastDroppedSeq = ring.seq(i);
  }

  /** The kept messages as IkeMessage objects in arrival order, and the gaps placed among them. */
  function keptIkeMessages(): { messages: IkeMessage[]; notKept: IkeNotKept[] } {
    let kept = ikeHeads;
    if (allSas.some((b) => b.ring?.count)) {
      kept = ikeHeads.slice();
      for (const b of allSas) {
        const ring = b.ring;
        if (!ring) continue;
        for (let i = 0; i < ring.count; i++) {
          const k = ring.kept(i, sources, decodeRaw);
          // a message decoded only now whose decode failed (ike-decode-cache.ts: never a throw) has nothing to show
          if (k.m) kept.push(k);
        }
      }
      kept = inArrivalOrder(kept);
    }
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
    const m = k.m;
    const frag = k.frag;
    const msg: IkeMessage = {
      index, at: { source: k.at.source, frame: k.at.frame, ts: k.at.ts }, src: k.src, dst: k.dst, ipVersion: k.ipVersion, transport: k.transport, nonEspMarker: k.nonEspMarker,
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
 * The kept messages sorted by arrival (seq is unique): a native numeric sort of
 * seq · 2^18 + position instead of Array#sort's comparator, called ~15 times per
 * message (16 ms of the end on the bench capture's 19k kept messages, now ~2 ms).
 */
function inArrivalOrder(kept: readonly KeptIke[]): KeptIke[] {
  // MAX_IKE_MESSAGES keeps this below 2^18; a position must fit below the seq
  if (kept.length > POSITIONS) return kept.slice().sort((a, b) => a.seq - b.seq);
  const keys = new Float64Array(kept.length);
  for (let i = 0; i < kept.length; i++) keys[i] = kept[i].seq * POSITIONS + i;
  keys.sort();
  const out: KeptIke[] = [];
  for (let i = 0; i < keys.length; i++) out.push(kept[keys[i] % POSITIONS]);
  return out;
}

const POSITIONS = 2 ** 18;

interface SaBound {
  /** messages kept at the start (≤ IKE_SA_HEAD) */
  head: number;
  /** the latest messages once the head is full (≤ IKE_SA_TAIL), created then */
  ring: SaRing | undefined;
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
