/**
 * ESP/AH aggregation per (protocol, SPI, src, dst, encapsulation) and per sender
 * (protocol, SPI, src): a packet updates counters and a sequence tracker, nothing
 * else is kept. Flows are found through a Map keyed by SPI and compared by raw
 * address bytes, so the per-packet path allocates nothing once a flow exists.
 */
import { LARGE_PACKET_BYTES as LARGE, SIZE_BUCKETS, type EspFlow, type EspSender } from '../../evidence/packet-types.js';
import type { IpHeader } from '../ip.js';
import { SequenceTracker } from './esp-sequence.js';
import { hex32, ipString } from '../addr.js';
import { frameRefOf, readI32, sameBytes, touchFrameRef, type FrameCursor } from './frame-ref.js';

const MAX_ESP_FLOWS = 100_000;
const MAX_DESTINATIONS = 64;
const SAMPLE_FRAMES = 4;
const MAX_LARGE_FRAMES = 8;
/** flows of one side that can share a burst (several CHILD SAs, rekeying overlap) */
const MAX_BURST_FLOWS = 16;
/** slots of the recent-flow cache (a power of two) */
const RECENT = 256;

interface EspState {
  flow: EspFlow;
  /** the flow's key fields, on the state itself: one object to load per compare, not two */
  spi: number;
  protocol: 'esp' | 'ah';
  encap: 'ip' | 'udp';
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 addresses as signed 32-bit numbers (small integers to V8; 0 for IPv6): one compare instead of a byte loop per packet */
  src32: number;
  dst32: number;
  /** UDP ports, 0 for IP protocol 50/51 */
  sp: number;
  dp: number;
  seq: SequenceTracker;
  sender: SenderState;
  /** ring of the last SAMPLE_FRAMES frames after the first ones (a shift per packet would move the array) */
  lastFrames: number[];
  lastCount: number;
  pair: PairState;
  /** 0 when this flow goes from the pair's first endpoint, 1 otherwise */
  dir: 0 | 1;
  /** packets of the pair's current burst (see PairState) sent by this flow */
  inBurst: boolean;
  burstLargeDf: number;
  burstSmall: number;
  /** capture time of this flow's latest large DF packet in the burst, and of its latest packet */
  burstLargeTs: number;
  burstLastTs: number;
}

/**
 * The two endpoints of a tunnel (addresses, ports, encapsulation). A burst is the
 * run of ESP/AH packets one side sent since the other side's last one; when the
 * other side speaks, the burst was answered.
 */
interface PairState {
  burstDir: number;
  /** the flows of the current burst: burst[0, burstLen); the array is reused (truncating it would free and reallocate its store at every turn) */
  burst: EspState[];
  burstLen: number;
}

interface SenderState {
  protocol: 'esp' | 'ah';
  spi: number;
  encap: 'ip' | 'udp';
  src: Uint8Array;
  srcText: string;
  dsts: Uint8Array[];
  dstTexts: string[];
  /** the sender's sequence accounting over all its flows; while it has one flow, that flow's own tracker (no second count per packet) */
  seq: SequenceTracker;
  firstFlowSeq: SequenceTracker;
  /** more than one flow (destination or port pair) uses this SPI from this source */
  shared: boolean;
}

export class EspAggregator {
  private readonly byKey = new Map<number, EspState[]>();
  private readonly list: EspState[] = [];
  private readonly sendersByKey = new Map<number, SenderState[]>();
  private readonly senders: SenderState[] = [];
  private readonly pairs = new Map<string, PairState>();
  private readonly recent: (EspState | undefined)[] = new Array<EspState | undefined>(RECENT).fill(undefined);
  /** packets not aggregated because MAX_ESP_FLOWS was reached */
  capped = 0;

  /**
   * Accounts one ESP/AH packet. `seq` < 0 when the sequence number is unusable
   * (header cut by the snap length, or an IP fragment). Returns the flow, if kept.
   */
  add(protocol: 'esp' | 'ah', spi: number, seq: number, d: Uint8Array, h: IpHeader, encap: 'ip' | 'udp', sp: number, dp: number, fragment: boolean, at: FrameCursor): EspFlow | undefined {
    const st = this.state(protocol, spi, d, h, encap, sp, dp, at);
    if (!st) return undefined;
    const f = st.flow;
    f.packets++;
    f.bytes += h.totalLength;
    touchFrameRef(f.last, at);
    if (f.sampleFrames.length < SAMPLE_FRAMES) f.sampleFrames.push(at.frame);
    else st.lastFrames[st.lastCount++ % SAMPLE_FRAMES] = at.frame;
    if (fragment) f.ipFragments++;
    else if (seq < 0) f.snaplenCut++;
    accountSize(st, h.totalLength, h.df, at);
    if (seq >= 0) {
      st.seq.add(seq, at.frame);
      if (st.sender.shared) st.sender.seq.add(seq, at.frame);
      noteDestination(st.sender, st.dst, f.dst);
    }
    return f;
  }

  flows(): EspFlow[] {
    return this.list.map((st) => {
      const f = st.flow;
      const s = st.seq;
      f.seqPackets = s.packets;
      if (s.packets) Object.assign(f, { firstSeq: s.first, lastSeq: s.last, minSeq: s.min, maxSeq: s.max });
      Object.assign(f, { missing: s.missing, gaps: s.gaps, duplicates: s.duplicates, outOfOrder: s.outOfOrder, stale: s.stale });
      // the ring holds the last SAMPLE_FRAMES frames, oldest at lastCount % SAMPLE_FRAMES once it wrapped
      const kept = Math.min(st.lastCount, SAMPLE_FRAMES);
      // a new list: the flow's own holds the first frames only, so a live snapshot can call flows() again
      const sampleFrames = f.sampleFrames.slice(0, SAMPLE_FRAMES);
      for (let i = st.lastCount - kept; i < st.lastCount; i++) {
        const fr = st.lastFrames[i % SAMPLE_FRAMES];
        if (!sampleFrames.includes(fr)) sampleFrames.push(fr);
      }
      return { ...f, sampleFrames };
    });
  }

  espSenders(): EspSender[] {
    return this.senders.map((s) => {
      const q = s.shared ? s.seq : s.firstFlowSeq;
      const out: EspSender = {
        protocol: s.protocol, spi: s.spi, src: s.srcText, encap: s.encap, destinations: s.dstTexts, seqPackets: q.packets,
        missing: q.missing, duplicates: q.duplicates, outOfOrder: q.outOfOrder,
      };
      if (q.packets) {
        out.minSeq = q.min;
        out.maxSeq = q.max;
      }
      return out;
    });
  }

  private state(protocol: 'esp' | 'ah', spi: number, d: Uint8Array, h: IpHeader, encap: 'ip' | 'udp', sp: number, dp: number, at: FrameCursor): EspState | undefined {
    // 30 bits: a small-integer Map key (SPIs above 2^30 would be heap numbers, allocated per lookup)
    const key = (spi ^ (protocol === 'ah' ? 0x5a5a5a5a : 0) ^ (encap === 'udp' ? 0x3c3c3c3c : 0)) & 0x3fffffff;
    // a tunnel's two directions and a gateway's several SAs interleave packet by packet: a
    // direct-mapped cache of recent flows answers most packets without the Map
    const slot = (key ^ (key >>> 8) ^ (key >>> 16)) & (RECENT - 1);
    const recent = this.recent[slot];
    if (recent !== undefined && matches(recent, protocol, spi, d, h, encap, sp, dp)) return recent;
    let list = this.byKey.get(key);
    if (list) {
      for (const st of list) if (matches(st, protocol, spi, d, h, encap, sp, dp)) return (this.recent[slot] = st);
    }
    if (this.list.length >= MAX_ESP_FLOWS) {
      this.capped++;
      return undefined;
    }
    const src = d.slice(h.srcOff, h.srcOff + h.addrLen);
    const dst = d.slice(h.dstOff, h.dstOff + h.addrLen);
    const flow: EspFlow = {
      protocol, spi, spiHex: hex32(spi), src: ipString(src, 0, h.addrLen), dst: ipString(dst, 0, h.addrLen), encap, ipVersion: h.version as 4 | 6,
      packets: 0, bytes: 0, first: frameRefOf(at), last: frameRefOf(at), seqPackets: 0, missing: 0, gaps: [], duplicates: 0, outOfOrder: 0, stale: 0,
      ipFragments: 0, snaplenCut: 0, sampleFrames: [],
      size: { maxSize: 0, maxDfSize: 0, buckets: [0, 0, 0, 0, 0], dfBuckets: [0, 0, 0, 0, 0], largeDf: 0, largeDfAnswered: 0, small: 0, smallAnswered: 0, largeDfFrames: [] },
    };
    if (encap === 'udp') {
      flow.srcPort = sp;
      flow.dstPort = dp;
    }
    const a = `${flow.src}|${sp}`;
    const b = `${flow.dst}|${dp}`;
    const dir = a < b ? 0 : 1;
    const pairKey = `${encap}|${dir === 0 ? a : b}|${dir === 0 ? b : a}`;
    let pair = this.pairs.get(pairKey);
    if (!pair) this.pairs.set(pairKey, (pair = { burstDir: -1, burst: [], burstLen: 0 }));
    const seq = new SequenceTracker();
    const st: EspState = {
      flow, spi, protocol, encap, src, dst, src32: h.addrLen === 4 ? readI32(src, 0) : 0, dst32: h.addrLen === 4 ? readI32(dst, 0) : 0,
      sp: encap === 'udp' ? sp : 0, dp: encap === 'udp' ? dp : 0, seq, sender: this.sender(protocol, spi, encap, src, flow.src, seq),
      lastFrames: new Array<number>(SAMPLE_FRAMES).fill(0), lastCount: 0, pair, dir, inBurst: false, burstLargeDf: 0, burstSmall: 0, burstLargeTs: 0, burstLastTs: 0,
    };
    if (!list) this.byKey.set(key, (list = []));
    list.push(st);
    this.list.push(st);
    return (this.recent[slot] = st);
  }

  /** The sender of a new flow; `flowSeq` is that flow's tracker. */
  private sender(protocol: 'esp' | 'ah', spi: number, encap: 'ip' | 'udp', src: Uint8Array, srcText: string, flowSeq: SequenceTracker): SenderState {
    const key = (spi ^ (protocol === 'ah' ? 0x5a5a5a5a : 0)) & 0x3fffffff;
    let list = this.sendersByKey.get(key);
    if (list) {
      for (const s of list) {
        if (s.spi === spi && s.protocol === protocol && s.encap === encap && sameBytes(s.src, src, 0, src.length)) {
          // a second destination for this SPI: from now on the sender keeps its own count, starting from what its only flow saw
          if (!s.shared) {
            s.seq = s.firstFlowSeq.clone();
            s.shared = true;
          }
          return s;
        }
      }
    }
    const s: SenderState = { protocol, spi, encap, src, srcText, dsts: [], dstTexts: [], seq: flowSeq, firstFlowSeq: flowSeq, shared: false };
    if (!list) this.sendersByKey.set(key, (list = []));
    list.push(s);
    this.senders.push(s);
    return s;
  }
}

/**
 * Linux's minimum TCP retransmission timeout (200 ms; RFC 6298 §2.4 asks for at least 1 s): a sender
 * that heard nothing for longer after a packet has given up waiting for that packet's answer.
 */
const UNANSWERED_AFTER_SECONDS = 0.2;

function accountSize(st: EspState, size: number, df: boolean, at: FrameCursor): void {
  const z = st.flow.size;
  if (size > z.maxSize) z.maxSize = size;
  let b = 0;
  while (size > SIZE_BUCKETS[b]) b++;
  z.buckets[b]++;
  const pair = st.pair;
  if (pair.burstDir !== st.dir) {
    // the other side spoke: the burst's packets count as answered (a reply cannot be matched to one packet from
    // outside) — but not its large DF ones when this side went on sending for longer than a retransmission timer
    // after the last of them, unanswered, before the reply came: the reply then answers what came later (the small
    // ones), and counting it for the large ones hid a black hole whenever they came first (RFC 2923 §2.1)
    for (let i = 0; i < pair.burstLen; i++) {
      const x = pair.burst[i];
      if (x.burstLastTs - x.burstLargeTs <= UNANSWERED_AFTER_SECONDS) x.flow.size.largeDfAnswered += x.burstLargeDf;
      x.flow.size.smallAnswered += x.burstSmall;
      x.burstLargeDf = x.burstSmall = 0;
      x.inBurst = false;
    }
    pair.burstLen = 0;
    pair.burstDir = st.dir;
  }
  if (!st.inBurst && pair.burstLen < MAX_BURST_FLOWS) {
    st.inBurst = true;
    pair.burst[pair.burstLen++] = st;
  }
  st.burstLastTs = at.ts;
  if (size <= LARGE) {
    z.small++;
    st.burstSmall++;
  }
  if (!df) return;
  z.dfBuckets[b]++;
  if (size > z.maxDfSize) z.maxDfSize = size;
  if (size <= LARGE) return;
  z.largeDf++;
  st.burstLargeDf++;
  st.burstLargeTs = at.ts;
  if (z.firstLargeDf) touchFrameRef(z.lastLargeDf!, at);
  else {
    z.firstLargeDf = frameRefOf(at);
    z.lastLargeDf = frameRefOf(at);
  }
  if (z.largeDfFrames.length < MAX_LARGE_FRAMES) z.largeDfFrames.push(at.frame);
}

function matches(st: EspState, protocol: 'esp' | 'ah', spi: number, d: Uint8Array, h: IpHeader, encap: 'ip' | 'udp', sp: number, dp: number): boolean {
  if (st.spi !== spi || st.protocol !== protocol || st.encap !== encap || st.sp !== (encap === 'udp' ? sp : 0) || st.dp !== (encap === 'udp' ? dp : 0)) return false;
  if (h.addrLen === 4) return st.src.length === 4 && st.src32 === readI32(d, h.srcOff) && st.dst32 === readI32(d, h.dstOff);
  return sameBytes(st.src, d, h.srcOff, h.addrLen) && sameBytes(st.dst, d, h.dstOff, h.addrLen);
}

function noteDestination(s: SenderState, dst: Uint8Array, dstText: string): void {
  for (const x of s.dsts) if (x === dst) return;
  if (s.dsts.length >= MAX_DESTINATIONS) return;
  s.dsts.push(dst);
  if (!s.dstTexts.includes(dstText)) s.dstTexts.push(dstText);
}
