import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { IcmpError, PacketEvidence } from '../src/evidence/packet-types.js';
import { SIZE_BUCKETS } from '../src/evidence/packet-types.js';
import { espFlowLabel, frameRef, icmpRef, trafficFlowLabel } from '../src/evidence/derived/wire/refs.js';
import { findPmtuBlackholes, largeDfCount, smallCount, type EspBlackhole, type TrafficBlackhole } from '../src/evidence/derived/wire/pmtu-blackholes.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';
import { counted } from '../src/engine/template.js';

const BUCKET_LIMITS = SIZE_BUCKETS.map((b) => (b === Infinity ? 'more' : b));

export default defineCheck({
  meta: {
    id: 'path-mtu',
    title: 'Path MTU',
    stage: 'traffic',
    description:
      'Path MTU discovery (RFC 1191, RFC 8201) relies on ICMP "fragmentation needed" (type 3 code 4) and ICMPv6 Packet Too Big reaching the sender. ' +
      'Reports those messages with the MTU they announce, and the black hole when they never come: large DF packets of a flow are resent or ' +
      'unanswered while small ones of the same flow get through. For an IPsec tunnel this is judged from outside (the inner packets are encrypted): ' +
      'large DF ESP/AH packets are repeated and the other side never speaks after them, while it answers the small ones. IPsec overhead (RFC 4303 ESP, RFC 3948 UDP encapsulation) lowers the usable MTU.',
    requires: ['packets'],
    codes: {
      PMTU_BLACKHOLE: {
        severity: 'error',
        message: 'Large packets from {from} to {to} ({largeDfPackets} with DF set, up to {largest} bytes; {protocol}) go unanswered while {answered}, and no ICMP fragmentation-needed / Packet Too Big came back.',
        hint: 'A link on the path has a smaller MTU than these packets (often because of the tunnel: ESP adds 50–80 bytes, UDP encapsulation 8 more) and drops them, and the ICMP that should say so is filtered. ' +
          'Let ICMP type 3 code 4 (and ICMPv6 type 2) through every firewall on the path, in both directions; clamp TCP MSS on the tunnel (iptables `-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`, ' +
          'nftables `tcp flags syn tcp option maxseg size set rt mtu`); or lower the tunnel MTU (e.g. 1400 or less): strongSwan `charon.plugins.kernel-libipsec.mtu` in strongswan.conf or the MTU of the XFRM/VTI interface, libreswan `mtu=` in the conn.',
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
    ctx.judged('IP packets', ipPackets(packets));
    reportFragNeeded(ctx, packets.icmpErrors);
    reportBlackholes(ctx, packets);
  },
});

function reportFragNeeded(ctx: CheckContext, errors: IcmpError[]): void {
  const groups = new Map<string, IcmpError[]>();
  for (const e of errors) {
    if (e.kind !== 'frag-needed' && e.kind !== 'packet-too-big') continue;
    const key = `${e.from}|${e.mtu}|${e.quoted?.src}|${e.quoted?.dst}|${e.quoted?.protocol}`;
    pushTo(groups, key, e);
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

function reportBlackholes(ctx: CheckContext, packets: PacketEvidence): void {
  const { traffic, esp } = findPmtuBlackholes(packets);
  const byPair = new Map<string, TrafficBlackhole[]>();
  for (const x of traffic) pushTo(byPair, `${x.flow.src}|${x.flow.dst}`, x);
  for (const list of byPair.values()) {
    const { flow: f } = list[0];
    const largest = Math.max(...list.map((x) => x.flow.maxDfSize));
    ctx.report({
      code: 'PMTU_BLACKHOLE',
      data: {
        from: f.src, to: f.dst, protocol: list.map((x) => trafficFlowLabel(x.flow)).join(', '), largest, answered: 'small ones of the same flows get through',
        largeDfPackets: list.reduce((n, x) => n + largeDfCount(x.flow), 0),
        // on the sending host, TSO/GSO hands the capture segments larger than the MTU
        offloadCoalesced: largest > 1514,
        flows: list.map(({ flow, reverse }) => ({
          flow: trafficFlowLabel(flow), largeDfPackets: largeDfCount(flow), smallPackets: smallCount(flow), largeRetransmits: flow.tcp?.largeRetransmits,
          reversePackets: reverse.packets, reverseMaxSize: reverse.maxSize, sizeBuckets: flow.sizeBuckets, dfBuckets: flow.dfBuckets,
        })),
        bucketLimits: BUCKET_LIMITS,
      },
      evidence: list.flatMap(({ flow, reverse }) => [
        ...flow.largeDfFrames.slice(0, 4).map((frame) => frameRef({ ...flow.first, frame }, `${trafficFlowLabel(flow)} large DF packet, no answer`)),
        frameRef(reverse.last, `${trafficFlowLabel(reverse)} last packet back (${counted(reverse.packets, 'packet', 'packets')}, largest ${reverse.maxSize} bytes)`),
      ]),
    });
  }
  for (const hole of esp) reportEspBlackhole(ctx, hole);
}

/** Seen from outside the tunnel: the outer ESP packets carry the sizes, the SPIs name the SAs. */
function reportEspBlackhole(ctx: CheckContext, { flow, reverse, reverseQuietAfter, spanSeconds }: EspBlackhole): void {
  const z = flow.size;
  const answerer = reverse.length ? `SPI ${reverse.map((r) => `0x${r.spiHex}`).join(', ')}` : 'the other side';
  const answered = `${z.smallAnswered} of ${z.small} of its packets of ≤ 1280 bytes were answered by ${answerer}${reverseQuietAfter ? ', which went quiet after the first large one' : ''}`;
  ctx.report({
    code: 'PMTU_BLACKHOLE',
    data: {
      from: flow.src, to: flow.dst, protocol: espFlowLabel(flow), largest: z.maxDfSize, answered, largeDfPackets: z.largeDf,
      spi: `0x${flow.spiHex}`, reverseSpis: reverse.map((r) => `0x${r.spiHex}`), encap: flow.encap, srcPort: flow.srcPort, dstPort: flow.dstPort,
      smallPackets: z.small, smallAnswered: z.smallAnswered, largeDfAnswered: z.largeDfAnswered, reverseQuietAfter, spanSeconds,
      largeDfFrames: z.largeDfFrames, sizeBuckets: z.buckets, dfBuckets: z.dfBuckets, bucketLimits: BUCKET_LIMITS,
      reversePackets: reverse.reduce((n, r) => n + r.packets, 0), reverseMaxSize: Math.max(0, ...reverse.map((r) => r.size.maxSize)),
    },
    evidence: [
      ...z.largeDfFrames.slice(0, 4).map((frame) => frameRef({ ...flow.first, frame }, `${espFlowLabel(flow)} large DF packet (up to ${z.maxDfSize} bytes), nothing came back`)),
      ...reverse.map((r) => frameRef(r.last, `${espFlowLabel(r)} last packet back (${counted(r.packets, 'packet', 'packets')}, largest ${r.size.maxSize} bytes)`)),
    ],
  });
}

/** Path MTU is judged on any IP traffic (big DF packets unanswered) and the ICMP errors about the MTU, IPsec or not. */
function ipPackets(packets: PacketEvidence): number {
  const c = packets.counters;
  return c.ike + c.esp + c.espInUdp + c.ah + c.natKeepalives + c.nonIpsec + packets.icmpErrors.filter((e) => e.kind === 'frag-needed' || e.kind === 'packet-too-big').length;
}
