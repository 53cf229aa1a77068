/**
 * Frame-by-frame collector behind --pcap and --live: link → IP → UDP/ESP/AH/ICMP →
 * IKE. Keeps the first and the last IKE messages of each IKE SA and aggregates the
 * rest, so memory grows with flows and SAs, not with packets. The per-frame path
 * reuses its header structs; an ESP packet only updates its flow aggregate.
 */
import type { Diagnostic } from './types.js';
import type {
  CapturedFrame, FrameRef, IcmpError, IkeMessage, IkeNotKept, IkeTransport, IpFragmentation, NatKeepalives, PacketCollector, PacketEndpoint,
  PacketCollectorOptions, PacketCounters, PacketEvidence,
} from './packet-types.js';
import { decodeLink, newLinkResult } from '../decoders/link.js';
import { decodeIp, IP_PROTOCOL_NAMES, newIpHeader, type IpHeader } from '../decoders/ip.js';
import { decodeUdp, IKE_PORT, NAT_T_PORT, newUdpInfo, type UdpInfo } from '../decoders/udp.js';
import { decodeAh, decodeEsp, newSpiSeq } from '../decoders/esp.js';
import { decodeIcmp } from '../decoders/icmp.js';
import { decodeIke, IKE_HEADER_LENGTH, ikeMessageEnd, type IkeDecoded, type IkeDecodeResult } from '../decoders/ike.js';
import { IKEV1_EXCHANGE, IKEV2_EXCHANGE, nameOf } from '../decoders/iana.js';
import { ikeExcerpt } from '../decoders/ike-excerpt.js';
import { FragmentReassembler, type FragmentSet } from '../decoders/ip-fragments.js';
import { EspAggregator } from '../decoders/esp-aggregate.js';
import { TrafficAggregator } from '../decoders/traffic-flows.js';
import { frameRefOf, readU32, sameBytes, touchFrameRef } from '../decoders/frame-ref.js';
import { hex, hex32, ipString, u16, u32 } from '../decoders/addr.js';

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
const MAX_ICMP_ERRORS = 10_000;
const MAX_DIAGNOSTICS = 2_000;
const IKE_CACHE = 4096;

export function createPacketCollector(opts: PacketCollectorOptions): PacketCollector {
  const counters: PacketCounters = {
    frames: 0, bytes: 0, truncatedRecords: 0, snaplenCut: 0, undecodable: 0, nonIp: 0, nonIpsec: 0, ike: 0, esp: 0, espInUdp: 0, ah: 0,
    natKeepalives: 0, icmpErrors: 0, ipFragments: 0, reassembled: 0, fragmentsIncomplete: 0, capped: 0,
  };
  const diagnostics: Diagnostic[] = [];
  let diagnosticsDropped = 0;
  const sources: string[] = [];
  // kept IKE messages as cheap records, built into IkeMessage objects by keptIkeMessages()
  const ikeHeads: KeptIke[] = [];
  // SAs by a hash of their header words (collisions chained through nextInBucket), and all of them in order
  const ikeBounds = new Map<number, SaBound>();
  const allSas: SaBound[] = [];
  let ikeKept = 0;
  let ikeSeq = 0;
  const saHead = Math.max(0, opts.ikeSaBound?.head ?? IKE_SA_HEAD);
  // at least one tail record: the latest message of an SA is always kept
  const saTail = Math.max(1, opts.ikeSaBound?.tail ?? IKE_SA_TAIL);
  const esp = new EspAggregator();
  const icmpErrors: IcmpError[] = [];
  const keepalives: NatKeepalives[] = [];
  const traffic = new TrafficAggregator();
  const linkKeys: string[] = [];
  const ikeCache = new Map<number, DecodedIke>();
  const unsupportedLinkReported = new Set<number>();
  // first and last timestamp in a Float64Array: a fractional number stored in a closure
  // variable is a fresh heap object per frame (16 MB of garbage per million frames)
  const tsRange = new Float64Array([Number.NaN, Number.NaN]);
  let finished: PacketEvidence | undefined;

  const link = newLinkResult();
  const ip = newIpHeader();
  const udp = newUdpInfo();
  const spiSeq = newSpiSeq();
  // the frame being decoded: set once per addFrame, read by the handlers
  let cur: CapturedFrame = { source: '', frame: 0, linktype: 0, ts: 0.5, caplen: 0, origlen: 0, data: new Uint8Array(0), offset: 0 };

  const reassembler = new FragmentReassembler(
    { incomplete: (set) => onIncompleteFragments(set) },
    (first, protocol) => protocol === 17 && worthReassembling(first),
  );

  function diag(decoder: string, message: string, frame = cur.frame, source = cur.source): void {
    if (diagnostics.length >= MAX_DIAGNOSTICS) {
      diagnosticsDropped++;
      return;
    }
    diagnostics.push({ at: { source, frame }, decoder, message });
  }

  const frameRef = (): FrameRef => frameRefOf(cur);

  let runLinktype = -1;
  let runLinkFrames = 0;
  function flushLinkRun(): void {
    if (!runLinkFrames) return;
    const lk = (linkKeys[runLinktype & 0xffff] ??= `linktype:${runLinktype}`);
    counters[lk] = (counters[lk] ?? 0) + runLinkFrames;
    runLinkFrames = 0;
  }

  function addFrame(f: CapturedFrame): void {
    // Buffer#slice is a view, not a copy: the aggregates' d.slice() of a libpcap Buffer (live
    // capture) would keep addresses that the next packet overwrites. A plain view slices by copy.
    if (f.data.constructor !== Uint8Array) f.data = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    cur = f;
    if (sources[sources.length - 1] !== f.source && !sources.includes(f.source)) sources.push(f.source);
    counters.frames++;
    counters.bytes += f.origlen;
    if (f.caplen < f.origlen) counters.snaplenCut++;
    // frames per link type, counted as runs: a keyed store per frame costs more than the rest of addFrame
    if (f.linktype !== runLinktype) {
      flushLinkRun();
      runLinktype = f.linktype;
    }
    runLinkFrames++;
    if (f.ts > 0 || Number.isNaN(tsRange[0])) {
      if (Number.isNaN(tsRange[0]) || f.ts < tsRange[0]) tsRange[0] = f.ts;
      if (Number.isNaN(tsRange[1]) || f.ts > tsRange[1]) tsRange[1] = f.ts;
    }
    const d = f.data;
    const start = f.offset ?? 0;
    // a caller's caplen is trusted only as far as the bytes it handed over
    const end = Math.min(start + f.caplen, d.length);
    decodeLink(f.linktype, d, link, start, end);
    if (link.offset < 0) {
      if (link.reason === 'unsupported-linktype') {
        counters.undecodable++;
        if (!unsupportedLinkReported.has(f.linktype)) {
          unsupportedLinkReported.add(f.linktype);
          diag('link', `link-layer type ${f.linktype} is not supported; frames of this type are counted only`);
        }
      } else if (link.reason === 'short') {
        counters.undecodable++;
      } else {
        counters.nonIp++;
      }
      return;
    }
    decodeIp(d, link.offset, ip, end);
    if (!ip.ok) {
      counters.undecodable++;
      if (ip.reason !== 'short' || f.caplen === f.origlen) diag('ip', `undecodable IPv${link.ipVersion} header: ${ip.reason}`);
      return;
    }
    handleIp(d, ip);
  }

  function handleIp(d: Uint8Array, h: IpHeader): void {
    if (h.fragmented) {
      counters.ipFragments++;
      handleFragment(d, h);
      return;
    }
    switch (h.protocol) {
      case 17:
        handleUdp(d, h.payloadOff, h.end, h.totalLength - (h.payloadOff - h.start), h, undefined);
        return;
      case 50:
        handleEsp(d, h, h.payloadOff, 'ip', 0, 0, false);
        return;
      case 51:
        handleAh(d, h);
        return;
      case 1:
      case 58:
        handleIcmp(d, h);
        return;
      default:
        counters.nonIpsec++;
        traffic.add(d, h, h.protocol, 0, 0, cur);
    }
  }

  function handleFragment(d: Uint8Array, h: IpHeader): void {
    if (h.protocol === 17) {
      if (h.fragOffset === 0 && h.end - h.payloadOff >= 8) {
        const sp = (d[h.payloadOff] << 8) | d[h.payloadOff + 1];
        const dp = (d[h.payloadOff + 2] << 8) | d[h.payloadOff + 3];
        // a first fragment of ESP-in-UDP shows its SPI (tcpdump esp_truncated.pcap); its sequence is not used
        if ((sp === NAT_T_PORT || dp === NAT_T_PORT) && h.end - h.payloadOff >= 12 && readU32(d, h.payloadOff + 8) !== 0) {
          handleEsp(d, h, h.payloadOff + 8, 'udp', sp, dp, true);
        }
      }
      const done = reassembler.add(d, h, cur.source, cur.frame, cur.ts);
      if (done) {
        counters.reassembled++;
        const set = done.set;
        const frag: IpFragmentation = { fragments: set.fragments, complete: true, totalLength: done.payload.length + (set.version === 4 ? 20 : 40), frames: set.frames.slice(), df: set.df };
        reassembledUdp(done.payload, set, frag);
      }
      return;
    }
    if ((h.protocol === 50 || h.protocol === 51) && h.fragOffset === 0) {
      // Vita selftest: a first fragment's ESP header is real; a non-first fragment's "header" is payload
      if (h.protocol === 50) handleEsp(d, h, h.payloadOff, 'ip', 0, 0, true);
      else handleAh(d, h, true);
      return;
    }
    if (h.protocol !== 50 && h.protocol !== 51) counters.nonIpsec++;
  }

  const wireSrc = new Uint8Array(16);
  const wireDst = new Uint8Array(16);
  // the addresses of the IKE message being decoded, copied here instead of a subarray per message
  const srcAddr4 = new Uint8Array(4);
  const dstAddr4 = new Uint8Array(4);
  const srcAddr16 = new Uint8Array(16);
  const dstAddr16 = new Uint8Array(16);

  function reassembledUdp(payload: Uint8Array, set: FragmentSet, frag: IpFragmentation): void {
    const u = decodeUdp(payload, 0, payload.length, payload.length, newUdpInfo());
    if (u.kind === 'ike') ike(payload, u, set.src, set.dst, set.version, frag, false);
    else if (u.kind !== 'esp-in-udp') counters.nonIpsec++;
  }

  function onIncompleteFragments(set: FragmentSet): void {
    counters.fragmentsIncomplete++;
    const first = set.pieces.find((p) => p.off === 0);
    const saved = cur;
    cur = { ...cur, source: set.source, frame: set.firstFrame, ts: set.firstTs };
    const frag: IpFragmentation = { fragments: set.fragments, complete: false, totalLength: (set.total ?? 0) + (set.version === 4 ? 20 : 40), frames: set.frames.slice(), df: set.df };
    if (first) {
      const u = decodeUdp(first.data, 0, first.data.length, 65535, newUdpInfo());
      if (u.kind === 'ike') ike(first.data, u, set.src, set.dst, set.version, frag, true);
    } else {
      diag('ip-fragments', `${set.fragments} IP fragment(s) of a UDP datagram ${ipString(set.src, 0, set.src.length as 4 | 16)} → ${ipString(set.dst, 0, set.dst.length as 4 | 16)} (IP ID ${set.id}) without the first fragment: never reassembled`);
    }
    cur = saved;
  }

  function handleUdp(d: Uint8Array, off: number, end: number, ipPayloadLength: number, h: IpHeader, frag: IpFragmentation | undefined): void {
    decodeUdp(d, off, end, ipPayloadLength, udp);
    switch (udp.kind) {
      case 'ike':
        ike(d, udp, addrView(d, h.srcOff, h.addrLen, srcAddr4, srcAddr16), addrView(d, h.dstOff, h.addrLen, dstAddr4, dstAddr16), h.version as 4 | 6, frag, h.truncated);
        return;
      case 'esp-in-udp':
        handleEsp(d, h, udp.payloadOff, 'udp', udp.srcPort, udp.dstPort, false);
        return;
      case 'nat-keepalive':
        keepalive(d, h);
        return;
      case 'short':
        counters.undecodable++;
        return;
      default:
        counters.nonIpsec++;
        traffic.add(d, h, 17, udp.srcPort, udp.dstPort, cur);
    }
  }

  function ike(d: Uint8Array, u: UdpInfo, src: Uint8Array, dst: Uint8Array, version: 4 | 6, frag: IpFragmentation | undefined, truncated: boolean): void {
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
    const ipLength = frag ? frag.totalLength : ip.totalLength;
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
      touchFrameRef(slot.at, cur);
      return;
    }
    const cached = decodeCached(d, off, u.payloadEnd, msgEnd, src, dst, len, u.srcPort, u.dstPort, cut, frag);
    const r = cached.r;
    if (r.problems.length) problemsOf(cached);
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
      touchFrameRef(slot.at, cur);
    }
    slot.seq = ikeSeq++;
    slot.ipVersion = version;
    slot.transport = transport;
    slot.nonEspMarker = u.nonEspMarker;
    slot.excerpt = cached.excerpt;
    slot.ipLength = ipLength;
  }

  /**
   * Retransmissions are byte-identical: one decode per (bytes, addressing, fragmentation),
   * the immutable result shared by every copy. A hit is confirmed on the whole message.
   */
  function probeCache(
    key: number, d: Uint8Array, off: number, msgEnd: number, src: Uint8Array, dst: Uint8Array, len: number, srcPort: number, dstPort: number, cut: boolean, fragBits: number,
  ): DecodedIke | undefined {
    const hit = ikeCache.get(key);
    if (hit && hit.srcPort === srcPort && hit.dstPort === dstPort && hit.cut === cut && hit.frag === fragBits && sameBytes(hit.src, src, 0, len) && sameBytes(hit.dst, dst, 0, len)
      && hit.bytes.length === msgEnd - off && hit.bytes.compare(d, off, msgEnd) === 0) return hit;
    return undefined;
  }

  function decodeInto(
    key: number, d: Uint8Array, off: number, end: number, msgEnd: number, src: Uint8Array, dst: Uint8Array, len: number, srcPort: number, dstPort: number, cut: boolean,
    frag: IpFragmentation | undefined,
  ): DecodedIke {
    wireSrc.set(src);
    wireDst.set(dst);
    const r = decodeIke(d, off, end, { src: wireSrc.subarray(0, len), dst: wireDst.subarray(0, len), srcPort, dstPort }, cut);
    const srcEp = { address: ipString(src, 0, len as 4 | 16), port: srcPort };
    const dstEp = { address: ipString(dst, 0, len as 4 | 16), port: dstPort };
    const entry: DecodedIke = {
      r, srcEp, dstEp, excerpt: r.message ? ikeExcerpt(r.message, srcEp, dstEp, frag) : '', src: src.slice(0, len), dst: dst.slice(0, len), srcPort, dstPort, cut,
      frag: fragKey(frag), bytes: Buffer.from(d.subarray(off, msgEnd)), reported: undefined, copies: 0, lastCopyFrame: 0,
    };
    if (ikeCache.size >= IKE_CACHE) ikeCache.clear();
    ikeCache.set(key, entry);
    return entry;
  }

  /**
   * A malformed message is reported once per distinct bytes: its retransmissions (a peer
   * repeats an unanswered request for minutes) are counted into that diagnostic instead of
   * burying every other one.
   */
  function problemsOf(c: DecodedIke): void {
    if (!c.reported) {
      c.reported = [];
      for (const p of c.r.problems) {
        diag('ike', p);
        const last = diagnostics[diagnostics.length - 1];
        if (last?.message === p && last.at.frame === cur.frame) c.reported.push(last);
      }
      return;
    }
    if (c.copies++ === 0) repeatedProblems.push(c);
    c.lastCopyFrame = cur.frame;
  }

  function decodeCached(
    d: Uint8Array, off: number, end: number, msgEnd: number, src: Uint8Array, dst: Uint8Array, len: number, srcPort: number, dstPort: number, cut: boolean,
    frag: IpFragmentation | undefined,
  ): DecodedIke {
    const fragBits = fragKey(frag);
    const key = cacheKey(d, off, msgEnd, src, dst, srcPort, dstPort, (cut ? 1 : 0) + fragBits);
    return probeCache(key, d, off, msgEnd, src, dst, len, srcPort, dstPort, cut, fragBits) ?? decodeInto(key, d, off, end, msgEnd, src, dst, len, srcPort, dstPort, cut, frag);
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
    const c = decodeCached(k.bytes, 0, k.byteLen, k.byteLen, k.wireSrc.subarray(0, len), k.wireDst.subarray(0, len), len, k.srcPort, k.dstPort, k.cut, k.frag);
    // opaqueAfterHeader() admitted only messages that decode without a problem
    k.m = c.r.message;
    k.src = c.srcEp;
    k.dst = c.dstEp;
    k.excerpt = c.excerpt;
  }

  const ikeGaps: SaBound[] = [];
  const repeatedProblems: DecodedIke[] = [];

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

  function handleAh(d: Uint8Array, h: IpHeader, fragment = false): void {
    decodeAh(d, h.payloadOff, h.end, spiSeq);
    counters.ah++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    const next = spiSeq.next;
    const nextOff = spiSeq.nextOff;
    const flow = esp.add('ah', spiSeq.spi, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, d, h, 'ip', 0, 0, fragment, cur);
    if (flow) flow.innerProtocol = next;
    // AH protecting ESP (Wireshark IPsec_ESP-AH_tunnel_mode.cap): the ESP SA is real too
    if (next === 50 && !fragment && nextOff < h.end) handleEsp(d, h, nextOff, 'ip', 0, 0, false);
  }

  function handleEsp(d: Uint8Array, h: IpHeader, off: number, encap: 'ip' | 'udp', sp: number, dp: number, fragment: boolean): void {
    decodeEsp(d, off, h.end, spiSeq);
    if (encap === 'udp') counters.espInUdp++;
    else counters.esp++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    esp.add('esp', spiSeq.spi, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, d, h, encap, sp, dp, fragment, cur);
  }

  function keepalive(d: Uint8Array, h: IpHeader): void {
    counters.natKeepalives++;
    const src = ipString(d, h.srcOff, h.addrLen);
    const dst = ipString(d, h.dstOff, h.addrLen);
    let k = keepalives.find((x) => x.src.address === src && x.dst.address === dst && x.src.port === udp.srcPort && x.dst.port === udp.dstPort);
    if (!k) {
      k = { src: { address: src, port: udp.srcPort }, dst: { address: dst, port: udp.dstPort }, count: 0, first: frameRef(), last: frameRef() };
      keepalives.push(k);
    }
    k.count++;
    touchFrameRef(k.last, cur);
  }

  function handleIcmp(d: Uint8Array, h: IpHeader): void {
    const r = decodeIcmp(d, h.payloadOff, h.end, h.version === 6);
    if (!r) {
      counters.undecodable++;
      return;
    }
    if (!r.kind) {
      counters.nonIpsec++;
      if (r.echo) traffic.add(d, h, h.protocol, 0, 0, cur);
      return;
    }
    counters.icmpErrors++;
    if (icmpErrors.length >= MAX_ICMP_ERRORS) {
      counters.capped++;
      return;
    }
    const e: IcmpError = {
      at: frameRef(), ipVersion: h.version as 4 | 6, from: ipString(d, h.srcOff, h.addrLen), to: ipString(d, h.dstOff, h.addrLen),
      type: r.type, code: r.code, kind: r.kind, excerpt: '',
    };
    if (r.mtu !== undefined) e.mtu = r.mtu;
    if (r.quoted) e.quoted = r.quoted;
    e.excerpt = icmpExcerpt(e);
    icmpErrors.push(e);
  }

  function finish(): PacketEvidence {
    if (finished) return finished;
    reassembler.flush();
    for (const c of repeatedProblems) {
      for (const dg of c.reported ?? []) dg.message += ` (also in ${c.copies} byte-identical cop${c.copies === 1 ? 'y' : 'ies'}, the last in frame ${c.lastCopyFrame})`;
    }
    repeatedProblems.length = 0;
    if (diagnosticsDropped) diagnostics.push({ at: { source: sources[0] ?? '(capture)' }, decoder: 'packets', message: `${diagnosticsDropped} more decoder diagnostics were counted but not kept` });
    flushLinkRun();
    counters.capped += esp.capped + traffic.capped;
    const kept = keptIkeMessages();
    if (kept.notKept.length) {
      counters.ikeNotKept = kept.notKept.reduce((n, g) => n + g.messages, 0);
      // say what the evidence lacks: checks see only counts for the middle of these SAs
      diagnostics.unshift({
        at: { source: kept.notKept[0].first.source, frame: kept.notKept[0].first.frame }, decoder: 'packets',
        message: `${counters.ikeNotKept} IKE messages of ${kept.notKept.length} long-lived IKE SA${kept.notKept.length === 1 ? '' : 's'} were counted per exchange but not kept `
          + `(the first ${saHead} and the last ${saTail} messages of each IKE SA are): findings cite only the kept ones`,
      });
    }
    finished = {
      sources: [...sources],
      ikeMessages: kept.messages,
      espFlows: esp.flows(),
      espSenders: esp.espSenders(),
      icmpErrors,
      natKeepalives: keepalives,
      trafficFlows: traffic.flows(),
      counters: { ...counters },
      local: opts.local,
      peer: opts.peer,
    };
    if (!Number.isNaN(tsRange[0])) finished.firstTs = tsRange[0];
    if (!Number.isNaN(tsRange[1])) finished.lastTs = tsRange[1];
    if (kept.notKept.length) finished.ikeNotKept = kept.notKept;
    return finished;
  }

  /**
   * finish()'s result for the frames so far, leaving the collector as it was (live mode
   * re-runs the checks on it while frames keep arriving): copies of what later frames
   * would change, so the cost follows flows and IKE messages, not packets. IP fragment
   * sets still waiting for fragments are not reported incomplete yet: they may complete.
   */
  function snapshot(): PacketEvidence {
    if (finished) return finished;
    flushLinkRun();
    const kept = keptIkeMessages();
    const snap: PacketEvidence = {
      sources: [...sources],
      ikeMessages: kept.messages,
      espFlows: structuredClone(esp.flows()),
      espSenders: structuredClone(esp.espSenders()),
      icmpErrors: icmpErrors.slice(),
      natKeepalives: structuredClone(keepalives),
      trafficFlows: structuredClone(traffic.flows()),
      counters: { ...counters, capped: counters.capped + esp.capped + traffic.capped },
      local: opts.local,
      peer: opts.peer,
    };
    if (!Number.isNaN(tsRange[0])) snap.firstTs = tsRange[0];
    if (!Number.isNaN(tsRange[1])) snap.lastTs = tsRange[1];
    if (kept.notKept.length) {
      snap.ikeNotKept = kept.notKept;
      snap.counters.ikeNotKept = kept.notKept.reduce((n, g) => n + g.messages, 0);
    }
    return snap;
  }

  return {
    addFrame,
    addDiagnostic: (d) => {
      if (diagnostics.length < MAX_DIAGNOSTICS) diagnostics.push(d);
      else diagnosticsDropped++;
    },
    count: (key, n = 1) => {
      counters[key] = (counters[key] ?? 0) + n;
    },
    counters: () => {
      flushLinkRun();
      return { ...counters };
    },
    diagnostics: () => diagnostics,
    snapshot,
    finish,
  };
}

/** A decoded IKE message with its addressing: shared by byte-identical copies (decodeCached). */
interface DecodedIke {
  r: IkeDecodeResult;
  srcEp: PacketEndpoint;
  dstEp: PacketEndpoint;
  excerpt: string;
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  cut: boolean;
  frag: number;
  /** a Buffer: a hit is confirmed by Buffer#compare on the frame's range, natively and without a view per probe */
  bytes: Buffer;
  /** the diagnostics of its problems, once reported; later byte-identical copies are counted into them */
  reported: Diagnostic[] | undefined;
  copies: number;
  lastCopyFrame: number;
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

/** What decodeIke() accepts as a message at all: a full header, major version 1 or 2, a length field of at least the header. */
function validIkeHeader(d: Uint8Array, off: number, end: number): boolean {
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
function opaqueAfterHeader(d: Uint8Array, off: number, end: number): boolean {
  const length = u32(d, off + 24);
  if (off + length > end) return false;
  if (d[off + 17] >> 4 === 1) return (d[off + 19] & 0x01) !== 0;
  const first = d[off + 16];
  if (first !== 46 && first !== 53) return false;
  if (length < IKE_HEADER_LENGTH + 4) return false;
  const plen = u16(d, off + IKE_HEADER_LENGTH + 2);
  return plen >= (first === 53 ? 8 : 4) && IKE_HEADER_LENGTH + plen <= length;
}

function readI32(d: Uint8Array, o: number): number {
  return (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
}

function fragKey(frag: IpFragmentation | undefined): number {
  return frag ? 2 + frag.fragments * 4 + (frag.complete ? 1 << 20 : 0) : 0;
}

function addrView(d: Uint8Array, off: number, len: number, four: Uint8Array, sixteen: Uint8Array): Uint8Array {
  const out = len === 4 ? four : sixteen;
  for (let i = 0; i < len; i++) out[i] = d[off + i];
  return out;
}

/** Only IKE is reassembled: UDP 500, or 4500 with the zero non-ESP marker (ESP-in-UDP is counted at its first fragment). */
function worthReassembling(udpStart: Uint8Array): boolean {
  if (udpStart.length < 4) return false;
  const sp = (udpStart[0] << 8) | udpStart[1];
  const dp = (udpStart[2] << 8) | udpStart[3];
  if (sp === NAT_T_PORT || dp === NAT_T_PORT) return udpStart.length < 12 || readU32(udpStart, 8) === 0;
  return sp === IKE_PORT || dp === IKE_PORT;
}

/**
 * Key of the IKE decode cache: a 30-bit FNV-style hash of the message's first bytes
 * (header: SPIs, exchange, message ID, length), its length and its addressing. A hit
 * is confirmed by comparing the whole message natively (sameMessage), so the key
 * only has to be cheap, not collision-free.
 */
function cacheKey(d: Uint8Array, off: number, end: number, src: Uint8Array, dst: Uint8Array, sp: number, dp: number, extra: number): number {
  let a = 0x811c9dc5 ^ (end - off);
  let b = 0x9747b28c ^ extra;
  // the 28-byte header (SPIs, exchange, flags, message ID, length) and the first payload header tell messages apart
  const stop = Math.min(end, off + 32);
  for (let i = off; i < stop; i++) {
    a = Math.imul(a ^ d[i], 0x01000193);
    b = Math.imul(b ^ d[i] ^ (a >>> 24), 0x01000193);
  }
  for (let i = 0; i < src.length; i++) a = Math.imul(a ^ src[i] ^ (dst[i] << 8), 0x01000193);
  b = Math.imul(b ^ sp ^ (dp << 16), 0x01000193);
  // 30 bits: a small integer key (a wider one is a heap number, allocated and hashed per lookup)
  return (a ^ Math.imul(b, 0x9e3779b1)) >>> 2;
}

function icmpExcerpt(e: IcmpError): string {
  const head = `${e.from} → ${e.to} ICMP${e.ipVersion === 6 ? 'v6' : ''} ${e.type}/${e.code} ${e.kind}${e.mtu !== undefined ? ` mtu ${e.mtu}` : ''}`;
  const q = e.quoted;
  if (!q) return head;
  const port = (a: string, p?: number) => (p === undefined ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  const proto = IP_PROTOCOL_NAMES[q.protocol] ?? String(q.protocol);
  const what = `${q.kind === proto ? '' : ` ${q.kind}`}${q.spi !== undefined ? ` spi 0x${hex32(q.spi)}` : ''}${q.ikeSpiI ? ` spi ${q.ikeSpiI}` : ''}`;
  return `${head} quoting ${port(q.src, q.srcPort)} → ${port(q.dst, q.dstPort)} ${proto}${what} len ${q.totalLength}${q.df ? ' DF' : ''}`;
}

