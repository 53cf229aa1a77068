import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { IcmpError, PacketEvidence, TrafficFlow } from '../src/evidence/packet-types.js';
import { SIZE_BUCKETS } from '../src/evidence/packet-types.js';
import { frameRef, icmpRef, trafficFlowLabel } from '../src/evidence/derived/wire-refs.js';

/** Packets up to 576 bytes (the IPv4 minimum reassembly size, RFC 791) pass any path: they are the "small ones". */
const SMALL_BUCKET = SIZE_BUCKETS.indexOf(576);
/** Retransmitted large segments / repeated large DF probes before calling it a black hole rather than one loss. */
const MIN_LARGE_REPEATS = 2;

export default defineCheck({
  meta: {
    id: 'path-mtu',
    title: 'Path MTU',
    description:
      'Path MTU discovery (RFC 1191, RFC 8201) relies on ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 Packet Too Big reaching the sender. ' +
      'Reports those messages with the MTU they announce, and the black hole when they never come: large DF packets of a flow are resent or ' +
      'unanswered while small ones of the same flow get through. IPsec overhead (RFC 4303 ESP, RFC 3948 UDP encapsulation) lowers the usable MTU.',
    requires: ['packets'],
    codes: {
      PMTU_BLACKHOLE: {
        severity: 'error',
        message: 'Large packets from {from} to {to} ({largeDfPackets} with DF set, up to {largest} bytes; {protocol}) go unanswered while small ones get through, and no ICMP fragmentation-needed / Packet Too Big came back.',
        hint: 'A link on the path has a smaller MTU than these packets (often the tunnel itself: ESP adds 50–80 bytes) and drops them, and the ICMP that should say so is filtered. Let ICMP type 3 code 4 / ICMPv6 type 2 through, or clamp TCP MSS on the tunnel (iptables `-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`, nftables `tcp option maxseg size set rt mtu`), or lower the MTU of the inner interface (e.g. 1400).',
      },
      ICMP_FRAG_NEEDED_SEEN: {
        severity: 'info',
        message: '{from} says the path MTU toward {quotedDst} is {mtu} bytes ({kind}, {count}×): it refused a {quotedLength}-byte {quotedKind} packet from {quotedSrc}.',
        hint: 'PMTU discovery is working: the sender should lower its packet size to {mtu}. If packets of that size still fail, check that the sender accepts the ICMP (rp_filter, firewall). For traffic inside the tunnel, an MTU this low means IPsec overhead on a small path: consider MSS clamping.',
      },
    },
  },
  run(ctx) {
    const packets = ctx.evidence.packets;
    if (!packets) return;
    reportFragNeeded(ctx, packets.icmpErrors);
    reportBlackholes(ctx, packets);
  },
});

function reportFragNeeded(ctx: CheckContext, errors: IcmpError[]): void {
  const groups = new Map<string, IcmpError[]>();
  for (const e of errors) {
    if (e.kind !== 'frag-needed' && e.kind !== 'packet-too-big') continue;
    const key = `${e.from}|${e.mtu}|${e.quoted?.src}|${e.quoted?.dst}|${e.quoted?.protocol}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const group of groups.values()) {
    const e = group[0];
    const q = e.quoted;
    ctx.report({
      code: 'ICMP_FRAG_NEEDED_SEEN',
      data: {
        from: e.from, to: e.to, mtu: e.mtu ?? 'unknown', kind: e.kind === 'frag-needed' ? 'ICMP type 3 code 4' : 'ICMPv6 Packet Too Big',
        count: group.length, quotedSrc: q?.src ?? 'unknown', quotedDst: q?.dst ?? 'unknown', quotedLength: q?.totalLength ?? 'unknown',
        quotedKind: q?.kind ?? 'unknown', quotedProtocol: q?.protocol, quotedDf: q?.df, quotedSpi: q?.spi !== undefined ? `0x${q.spi.toString(16).padStart(8, '0')}` : undefined,
        frames: group.map((x) => x.at.frame),
      },
      evidence: group.map(icmpRef),
    });
  }
}

function flowKey(f: Pick<TrafficFlow, 'protocol' | 'src' | 'dst' | 'srcPort' | 'dstPort'>): string {
  return `${f.protocol}|${f.src}|${f.srcPort ?? ''}|${f.dst}|${f.dstPort ?? ''}`;
}

function largeDfCount(f: TrafficFlow): number {
  return f.dfBuckets.slice(SMALL_BUCKET + 1).reduce((a, b) => a + b, 0);
}

function smallCount(f: TrafficFlow): number {
  return f.sizeBuckets[SMALL_BUCKET];
}

function reportBlackholes(ctx: CheckContext, packets: PacketEvidence): void {
  const flows = new Map(packets.trafficFlows.map((f) => [flowKey(f), f]));
  const byPair = new Map<string, { flow: TrafficFlow; reverse: TrafficFlow }[]>();
  for (const f of packets.trafficFlows) {
    const reverse = flows.get(flowKey({ protocol: f.protocol, src: f.dst, dst: f.src, srcPort: f.dstPort, dstPort: f.srcPort }));
    if (!reverse || reverse.packets === 0) continue; // nothing got through at all: reachability, not MTU
    if (!unansweredLarge(f, reverse) || toldByIcmp(packets.icmpErrors, f)) continue;
    byPair.set(`${f.src}|${f.dst}`, [...(byPair.get(`${f.src}|${f.dst}`) ?? []), { flow: f, reverse }]);
  }
  for (const list of byPair.values()) {
    const { flow: f } = list[0];
    const largest = Math.max(...list.map((x) => x.flow.maxDfSize));
    ctx.report({
      code: 'PMTU_BLACKHOLE',
      data: {
        from: f.src, to: f.dst, protocol: list.map((x) => trafficFlowLabel(x.flow)).join(', '), largest,
        largeDfPackets: list.reduce((n, x) => n + largeDfCount(x.flow), 0),
        // on the sending host, TSO/GSO hands the capture segments larger than the MTU
        offloadCoalesced: largest > 1514,
        flows: list.map(({ flow, reverse }) => ({
          flow: trafficFlowLabel(flow), largeDfPackets: largeDfCount(flow), smallPackets: smallCount(flow), largeRetransmits: flow.tcp?.largeRetransmits,
          reversePackets: reverse.packets, reverseMaxSize: reverse.maxSize, sizeBuckets: flow.sizeBuckets, dfBuckets: flow.dfBuckets,
        })),
        bucketLimits: SIZE_BUCKETS.map((b) => (b === Infinity ? 'more' : b)),
      },
      evidence: list.flatMap(({ flow, reverse }) => [
        ...flow.largeDfFrames.slice(0, 4).map((frame) => frameRef({ ...flow.first, frame }, `${trafficFlowLabel(flow)} large DF packet, no answer`)),
        frameRef(reverse.last, `${trafficFlowLabel(reverse)} last packet back (${reverse.packets} packets, largest ${reverse.maxSize} bytes)`),
      ]),
    });
  }
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

function toldByIcmp(errors: IcmpError[], f: TrafficFlow): boolean {
  return errors.some((e) => (e.kind === 'frag-needed' || e.kind === 'packet-too-big') && (e.to === f.src || (e.quoted?.src === f.src && e.quoted?.dst === f.dst)));
}
