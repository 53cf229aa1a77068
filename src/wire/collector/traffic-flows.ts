/**
 * Non-IPsec flows (TCP, UDP, ICMP echo) per direction for path-MTU reasoning:
 * size buckets with DF counts, the largest DF packets' frames and, for TCP, how far
 * the large and small segments reached and the highest ACK (RFC 1191, RFC 8201,
 * RFC 4821: a black hole shows as large DF segments retransmitted, never ACKed).
 */
import { LARGE_PACKET_BYTES as LARGE, SIZE_BUCKETS, type TrafficFlow } from '../../evidence/packet-types.js';
import { IP_PROTOCOL_NAMES, type IpHeader } from '../ip.js';
import { ipString } from '../addr.js';
import { frameRefOf, readU32, sameBytes, touchFrameRef, type FrameCursor } from './frame-ref.js';

const MAX_TRAFFIC_FLOWS = 50_000;
const MAX_LARGE_FRAMES = 8;
const RECENT_LARGE = 8;

interface TrafficState {
  flow: TrafficFlow;
  src: Uint8Array;
  dst: Uint8Array;
  recentLargeSeqs: Uint32Array;
  recentCount: number;
}

export class TrafficAggregator {
  private readonly byKey = new Map<number, TrafficState[]>();
  private readonly list: TrafficState[] = [];
  /** packets not aggregated because MAX_TRAFFIC_FLOWS was reached */
  capped = 0;

  /** `sp`/`dp`: UDP ports (TCP ports are read here; 0 for ICMP). */
  add(d: Uint8Array, h: IpHeader, protocol: number, sp: number, dp: number, at: FrameCursor): void {
    let tcpSeq = 0;
    let tcpAck = 0;
    let tcpFlags = 0;
    let tcpPayload = 0;
    if (protocol === 6) {
      if (h.end - h.payloadOff < 20) return;
      const p = h.payloadOff;
      sp = (d[p] << 8) | d[p + 1];
      dp = (d[p + 2] << 8) | d[p + 3];
      tcpSeq = readU32(d, p + 4);
      tcpAck = readU32(d, p + 8);
      tcpFlags = d[p + 13];
      tcpPayload = h.totalLength - (p - h.start) - (d[p + 12] >> 4) * 4;
    }
    const st = this.state(d, h, protocol, sp, dp, tcpSeq, at);
    if (!st) return;
    const f = st.flow;
    const size = h.totalLength;
    f.packets++;
    f.bytes += size;
    touchFrameRef(f.last, at);
    if (size > f.maxSize) f.maxSize = size;
    let b = 0;
    while (size > SIZE_BUCKETS[b]) b++;
    f.sizeBuckets[b]++;
    if (h.df) {
      f.dfBuckets[b]++;
      if (size > f.maxDfSize) f.maxDfSize = size;
      if (size > LARGE) {
        if (f.largeDfFrames.length >= MAX_LARGE_FRAMES) f.largeDfFrames.shift();
        f.largeDfFrames.push(at.frame);
      }
    }
    if (f.tcp) tcpAccount(st, tcpSeq, tcpAck, tcpFlags, tcpPayload, size);
  }

  flows(): TrafficFlow[] {
    return this.list.map((t) => t.flow);
  }

  private state(d: Uint8Array, h: IpHeader, protocol: number, sp: number, dp: number, tcpSeq: number, at: FrameCursor): TrafficState | undefined {
    let hsh = (protocol * 31 + sp * 65599 + dp) >>> 0;
    for (let i = 0; i < h.addrLen; i++) hsh = (Math.imul(hsh ^ d[h.srcOff + i], 16777619) + d[h.dstOff + i]) >>> 0;
    hsh &= 0x3fffffff; // a small-integer Map key, no heap number per lookup
    let list = this.byKey.get(hsh);
    if (list) {
      for (const t of list) {
        if (t.flow.protocol === protocol && (t.flow.srcPort ?? 0) === sp && (t.flow.dstPort ?? 0) === dp && sameBytes(t.src, d, h.srcOff, h.addrLen) && sameBytes(t.dst, d, h.dstOff, h.addrLen)) return t;
      }
    }
    if (this.list.length >= MAX_TRAFFIC_FLOWS) {
      this.capped++;
      return undefined;
    }
    const src = d.slice(h.srcOff, h.srcOff + h.addrLen);
    const dst = d.slice(h.dstOff, h.dstOff + h.addrLen);
    const flow: TrafficFlow = {
      protocol, protocolName: IP_PROTOCOL_NAMES[protocol] ?? String(protocol), src: ipString(src, 0, h.addrLen), dst: ipString(dst, 0, h.addrLen),
      ipVersion: h.version as 4 | 6, packets: 0, bytes: 0, maxSize: 0, maxDfSize: 0, sizeBuckets: [0, 0, 0, 0, 0], dfBuckets: [0, 0, 0, 0, 0],
      first: frameRefOf(at), last: frameRefOf(at), largeDfFrames: [],
    };
    if (protocol === 6 || protocol === 17) {
      flow.srcPort = sp;
      flow.dstPort = dp;
    }
    if (protocol === 6) flow.tcp = { largeSegments: 0, largeRetransmits: 0, firstSeqRaw: tcpSeq };
    const st: TrafficState = { flow, src, dst, recentLargeSeqs: new Uint32Array(RECENT_LARGE), recentCount: 0 };
    if (!list) this.byKey.set(hsh, (list = []));
    list.push(st);
    this.list.push(st);
    return st;
  }
}

function tcpAccount(st: TrafficState, seq: number, ack: number, flags: number, payload: number, size: number): void {
  const t = st.flow.tcp!;
  // ACK flag; serial-number comparison of 32-bit sequence space (RFC 1982)
  if (flags & 0x10) {
    if (t.maxAckRaw === undefined || ((ack - t.maxAckRaw) | 0) > 0) t.maxAckRaw = ack;
  }
  if (payload <= 0) return;
  const end = ((seq - (t.firstSeqRaw ?? seq)) >>> 0) + payload;
  if (size > LARGE) {
    t.largeSegments++;
    let seen = false;
    for (let i = 0; i < Math.min(st.recentCount, RECENT_LARGE); i++) if (st.recentLargeSeqs[i] === seq) seen = true;
    if (seen) t.largeRetransmits++;
    else st.recentLargeSeqs[st.recentCount++ % RECENT_LARGE] = seq;
    if (t.largeSeqEnd === undefined || end > t.largeSeqEnd) t.largeSeqEnd = end;
  } else if (t.smallSeqEnd === undefined || end > t.smallSeqEnd) {
    t.smallSeqEnd = end;
  }
}
