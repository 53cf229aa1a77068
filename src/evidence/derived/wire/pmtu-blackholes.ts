/**
 * Path-MTU black holes (RFC 2923 §2.1, RFC 8201 §5.2): large DF packets of a flow
 * die on a narrower link and the ICMP fragmentation-needed / Packet Too Big that
 * should tell the sender (RFC 1191, RFC 4443 §3.2) never comes back.
 *
 * Cleartext flows (TCP, UDP, ICMP echo) are judged by their own replies/ACKs.
 * An IPsec tunnel is judged from outside: its inner packets are encrypted, so the
 * only signs are the outer sizes, DF and whether the other side of the tunnel
 * spoke after them (EspSizeStats, counted per burst by the aggregator).
 */
import type { Evidence } from '../../types.js';
import { SIZE_BUCKETS, type EspFlow, type IcmpError, type PacketEvidence, type TrafficFlow } from '../../packet-types.js';
import { derived } from '../memo.js';

/** Packets up to 576 bytes (the IPv4 minimum reassembly size, RFC 791) pass any path: they are the "small ones". */
const SMALL_BUCKET = SIZE_BUCKETS.indexOf(576);
/** Retransmitted large segments / repeated large DF probes before calling it a black hole rather than one loss. */
const MIN_LARGE_REPEATS = 2;
/**
 * Unanswered large ESP packets must be spread over this long: a sender retries
 * (TCP's minimum RTO is 200 ms on Linux, ping sends every 200 ms–1 s), whereas a
 * burst sent within a few milliseconds at the end of a capture proves nothing.
 */
const MIN_ESP_SPAN_SECONDS = 0.2;
/** With zeroed capture clocks the span is unknown: ask for one more repeat instead. */
const MIN_ESP_REPEATS_NO_CLOCK = 3;

export interface TrafficBlackhole {
  flow: TrafficFlow;
  reverse: TrafficFlow;
}

export interface EspBlackhole {
  flow: EspFlow;
  /** ESP/AH flows of the same encapsulation from the destination back to the source */
  reverse: EspFlow[];
  /** every reverse packet came before the first large DF packet (same capture file) */
  reverseQuietAfter: boolean;
  /** seconds from the first to the last large DF packet (undefined with zeroed clocks) */
  spanSeconds?: number;
}

export interface PmtuBlackholes {
  traffic: TrafficBlackhole[];
  esp: EspBlackhole[];
}

export const pmtuBlackholes = derived((evidence: Evidence): PmtuBlackholes => findPmtuBlackholes(evidence.packets));

export function findPmtuBlackholes(p: PacketEvidence | undefined): PmtuBlackholes {
  if (!p) return { traffic: [], esp: [] };
  return { traffic: trafficBlackholes(p), esp: espBlackholes(p) };
}

export function largeDfCount(f: TrafficFlow): number {
  return f.dfBuckets.slice(SMALL_BUCKET + 1).reduce((a, b) => a + b, 0);
}

export function smallCount(f: TrafficFlow): number {
  return f.sizeBuckets[SMALL_BUCKET];
}

function flowKey(protocol: number, src: string, srcPort: number | undefined, dst: string, dstPort: number | undefined): string {
  return `${protocol}|${src}|${srcPort ?? ''}|${dst}|${dstPort ?? ''}`;
}

function trafficBlackholes(p: PacketEvidence): TrafficBlackhole[] {
  const flows = new Map(p.trafficFlows.map((f) => [flowKey(f.protocol, f.src, f.srcPort, f.dst, f.dstPort), f]));
  const out: TrafficBlackhole[] = [];
  for (const flow of p.trafficFlows) {
    const reverse = flows.get(flowKey(flow.protocol, flow.dst, flow.dstPort, flow.src, flow.srcPort));
    if (!reverse || reverse.packets === 0) continue; // nothing got through at all: reachability, not MTU
    if (unansweredLarge(flow, reverse) && !toldByIcmp(p.icmpErrors, flow.src, flow.dst)) out.push({ flow, reverse });
  }
  return out;
}

/**
 * TCP: large segments were retransmitted and the reverse direction's ACKs never
 * passed the small data (RFC 2923 §2.1, "stretch ACK" aside). Echo/UDP: repeated
 * large DF probes while every reply is small.
 */
function unansweredLarge(f: TrafficFlow, reverse: TrafficFlow): boolean {
  if (largeDfCount(f) < MIN_LARGE_REPEATS || smallCount(f) === 0) return false;
  if (f.tcp) {
    if (f.tcp.largeSegments === 0 || f.tcp.largeRetransmits < MIN_LARGE_REPEATS) return false;
    const ackRaw = reverse.tcp?.maxAckRaw;
    const largeEnd = f.tcp.largeSeqEnd;
    if (ackRaw === undefined || largeEnd === undefined || f.tcp.firstSeqRaw === undefined) return true;
    // sequence numbers wrap (RFC 9293 §3.4): compare relative to this direction's first sequence number
    return ((ackRaw - f.tcp.firstSeqRaw) >>> 0) < largeEnd;
  }
  const isEcho = f.protocolName === 'icmp' || f.protocolName === 'icmpv6';
  // echo replies are as large as the requests: only small replies means the large requests died
  return isEcho && largeDfCount(reverse) + reverse.sizeBuckets.slice(SMALL_BUCKET + 1).reduce((a, b) => a + b, 0) === 0 && reverse.packets < f.packets;
}

/**
 * A tunnel's large DF packets were repeated over time and the other side never
 * spoke after any of them, while it did answer this flow's small packets: the
 * reverse path works, only the size fails.
 */
function espBlackholes(p: PacketEvidence): EspBlackhole[] {
  const out: EspBlackhole[] = [];
  for (const flow of p.espFlows) {
    const z = flow.size;
    if (z.largeDf < MIN_LARGE_REPEATS || z.largeDfAnswered > 0 || z.smallAnswered === 0 || !z.firstLargeDf || !z.lastLargeDf) continue;
    const span = z.firstLargeDf.ts > 0 && z.lastLargeDf.ts >= z.firstLargeDf.ts ? z.lastLargeDf.ts - z.firstLargeDf.ts : undefined;
    if (span === undefined ? z.largeDf < MIN_ESP_REPEATS_NO_CLOCK : span < MIN_ESP_SPAN_SECONDS) continue;
    if (toldByIcmp(p.icmpErrors, flow.src, flow.dst)) continue;
    const reverse = p.espFlows.filter((r) => r.src === flow.dst && r.dst === flow.src && r.encap === flow.encap && r.srcPort === flow.dstPort && r.dstPort === flow.srcPort);
    const first = z.firstLargeDf;
    const reverseQuietAfter = reverse.every((r) => r.last.source === first.source && r.last.frame < first.frame);
    const hole: EspBlackhole = { flow, reverse, reverseQuietAfter };
    if (span !== undefined) hole.spanSeconds = Math.round(span * 1000) / 1000;
    out.push(hole);
  }
  return out;
}

/**
 * PMTU discovery did its job if a frag-needed / Packet Too Big reached the sender
 * or quoted this source and destination (for ESP-in-UDP the quote's outer
 * addresses): the sender was told, whatever it made of it.
 */
export function toldByIcmp(errors: IcmpError[], src: string, dst: string): boolean {
  return errors.some((e) => (e.kind === 'frag-needed' || e.kind === 'packet-too-big') && (e.to === src || (e.quoted?.src === src && e.quoted?.dst === dst)));
}
