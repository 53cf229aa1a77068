import { defineCheck } from '../src/engine/define-check.js';
import type { EvidenceRef } from '../src/evidence/types.js';
import type { EspFlow, PacketEvidence } from '../src/evidence/packet-types.js';
import { espFlowRefs, espFlowSummary, ikeRef, secondsBetween } from '../src/evidence/derived/wire/refs.js';
import { childSaAnswers, oneWayPairs, pairKey, type OneWayPair } from '../src/evidence/derived/wire/esp.js';
import { listedFirst } from '../src/evidence/derived/aggregate.js';
import { idleData, idleRefs, oneWayData, oneWayRefs, tableIdle, tableOneWay, trafficEvidence } from '../src/evidence/derived/tables/counters.js';
import { corroborate } from '../src/engine/corroborate.js';
import { ONE_WAY_CONTEXT } from '../src/evidence/derived/words.js';
import { counted } from '../src/engine/template.js';
import type { CheckContext, FindingInput } from '../src/engine/types.js';
import { explainedOneWay } from '../src/evidence/derived/middlebox/passthrough.js';

/** Fewer packets than this in one direction is too little to call a flow one-way; how long the capture must go on after a Child SA came up before "no ESP" means something. */
const [MIN_ONE_WAY_PACKETS, MIN_QUIET_SECONDS] = [3, 10];

export default defineCheck({
  meta: {
    id: 'esp-flows',
    title: 'ESP/UDP-4500 seen', stage: 'traffic',
    description:
      'Counts ESP (RFC 4303) and AH (RFC 4302) per SPI and direction, including ESP in UDP 4500 (RFC 3948): traffic in one direction only ' +
      'while IKE still works both ways, Child SAs negotiated with no ESP at all, and loss from sequence-number gaps (RFC 4303 §2.2; ' +
      'an SA shared by several destinations counts once per sender). From SA tables with counters (swanctl --list-sas, ip -s xfrm state, ' +
      'ipsec trafficstatus): an installed Child SA counting packets out and none in, or nothing either way; two peers\' tables tell loss on the path from a silent peer.',
    requires: ['packets', 'saTables'],
    codes: {
      ESP_ONE_WAY: {
        severity: 'error',
        message: `IPsec traffic (ESP/AH) flows only {direction} ({amount} on {spis}); nothing comes back from {silent}${ONE_WAY_CONTEXT}.`,
        hint: 'ESP from {silent} is missing{basis=SA counters?{peerTable? although both ends hold the SAs| although the SA is installed}|{ikeBothWays? although IKE works both ways| if the tunnel should carry replies}}: check the return route into the tunnel on {silent}, its xfrm policy and SA for the reverse direction, and any firewall or NAT rule that passes IKE but not ESP (IP protocol 50, or UDP 4500 for ESP in UDP) in that direction. If the capture point only sees one direction (asymmetric routing, a one-way SPAN port), capture on the peer too, with IKE (udp port 500 or udp port 4500).',
      },
      NO_ESP: {
        severity: 'warning',
        message:
          'A Child SA between {a} and {b} was {basis=SA counters?installed ({installedIn}) but no ESP or AH was counted by its SAs ({spis})|negotiated ({exchange} answered, frame {frame}) but no ESP or AH was captured} in the {seconds} s that followed' +
          '{basis=SA counters? (counters as the table printed them)|{version=2? (as far as the wire shows: a Child SA refused inside the encrypted answer looks the same; the daemon log tells)}}.',
        hint: 'No traffic matched the tunnel\'s traffic selectors, or it is not routed into it: check the policy (`ip xfrm policy`) and routes on both sides, that the selectors cover the hosts that should talk (strongSwan `local_ts`/`remote_ts`, libreswan `leftsubnet`/`rightsubnet`), and that the capture filter includes ESP (ip proto 50) and UDP 4500.',
      },
      ESP_SEQUENCE_GAPS: {
        severity: 'warning',
        message: '{missing} of {expected} {expected|packet|packets} missing from {sender} to {receiver} on SPI 0x{spi} (sequence {minSeq}..{maxSeq}, {lossPercent}% loss, {duplicates} {duplicates|duplicate|duplicates}).',
        hint: 'Packets are lost between the sender and the capture point: check the path (MTU, fragment drops, congestion, a firewall rate limit). Capture closer to {sender} to see where they disappear.',
      },
    },
  },
  run(ctx) {
    const packets = ctx.evidence.packets;
    // a capture of other traffic with an ICMP error about it (path-mtu's evidence) holds no ESP or IKE to judge
    ctx.judged('IPsec packets or Child SAs with counters', trafficEvidence(ctx.evidence));
    // an SA table's one-way counters and a capture of the same SPI are one finding, led by the table (it knows the Child SA); one a middle box's logged refusal explains is middle-box's
    const fromTables: FindingInput[] = tableOneWay(ctx.evidence).map((o) => ({ code: 'ESP_ONE_WAY', ...(o.spiMismatch ? { severity: 'info' as const } : {}), data: oneWayData(o), evidence: oneWayRefs(o) }));
    const fromCapture = packets ? oneWay(ctx) : [];
    const spisOf = (f: FindingInput) => (f.data?.sending ? [String((f.data.sending as { spi: string }).spi)] : ((f.data?.flows as { spi: string }[] | undefined) ?? []).map((x) => x.spi));
    for (const f of corroborate(fromTables, fromCapture, spisOf, 'SA table')) if (!explainedOneWay(ctx.evidence, f.data?.sender as string, f.data?.silent as string)) ctx.report(f);
    for (const group of tableIdle(ctx.evidence)) ctx.report({ code: 'NO_ESP', data: idleData(group), evidence: idleRefs(group) });
    if (!packets) return;
    reportNoEsp(ctx, packets);
    reportGaps(ctx, packets);
  },
});

function oneWay(ctx: CheckContext): FindingInput[] {
  const out: FindingInput[] = [];
  const pairs = oneWayPairs(ctx.evidence, MIN_ONE_WAY_PACKETS);
  for (const p of pairs.filter((x) => x.ikeBothWays)) {
    const lastReply = p.ike.filter((m) => m.src.address === p.receiver).at(-1)!;
    out.push({
      code: 'ESP_ONE_WAY',
      data: { ...summary(p.flows), silent: p.receiver, ikeSeen: true, ikeBothWays: true, lastIkeFrame: lastReply.at.frame },
      evidence: [...p.flows.flatMap((f) => espFlowRefs(f, 2)), ikeRef(lastReply)],
    });
  }
  const withoutIke = pairs.filter((x) => !x.ikeBothWays);
  if (withoutIke.length) out.push(oneWayWithoutIke(withoutIke));
  return out;
}

/** Without IKE both ways, one-way ESP may be the capture point's view (a SPAN of one direction, asymmetric routing), not a fault. */
function oneWayWithoutIke(pairs: OneWayPair[]): FindingInput {
  const flows = pairs.flatMap((p) => p.flows);
  return {
    code: 'ESP_ONE_WAY',
    severity: 'warning',
    data: {
      ...summary(flows), silent: listedFirst([...new Set(pairs.map((p) => p.receiver))], 4), ikeSeen: pairs.some((p) => p.ike.length > 0), ikeBothWays: false, pairs: pairs.length,
      severityReason: 'no IKE in both directions in the capture',
    },
    evidence: flows.slice(0, 20).map((f) => espFlowRefs(f, 1)[0]),
  };
}

function summary(flows: EspFlow[]): Record<string, unknown> {
  const senders = [...new Set(flows.map((f) => f.src))];
  const packets = flows.reduce((n, f) => n + f.packets, 0);
  return {
    direction: `from ${listedFirst(senders, 4)} to ${listedFirst([...new Set(flows.map((f) => f.dst))], 4)}`,
    sender: listedFirst(senders, 4),
    packets,
    amount: counted(packets, 'packet', 'packets'),
    spis: listedFirst([...new Set(flows.map((f) => `${f.protocol === 'ah' ? 'AH ' : ''}0x${f.spiHex}`))], 6),
    flows: flows.slice(0, 32).map(flowData),
  };
}

function flowData(f: EspFlow): Record<string, unknown> {
  return {
    protocol: f.protocol, spi: `0x${f.spiHex}`, src: f.src, dst: f.dst, encap: f.encap, srcPort: f.srcPort, dstPort: f.dstPort,
    packets: f.packets, bytes: f.bytes, minSeq: f.minSeq, maxSeq: f.maxSeq, missing: f.missing, firstFrame: f.first.frame, lastFrame: f.last.frame,
  };
}

function reportNoEsp(ctx: CheckContext, packets: PacketEvidence): void {
  const seen = new Set<string>();
  const liveEnd = ctx.evidence.inputs.filter((i) => i.kind === 'live').map((i) => i.counters?.endedAt ?? 0);
  const lastTs = Math.max(packets.lastTs ?? 0, ...liveEnd);
  for (const m of childSaAnswers(ctx.evidence)) {
    const key = pairKey(m.src.address, m.dst.address);
    if (seen.has(key)) continue;
    if (packets.espFlows.some((f) => pairKey(f.src, f.dst) === key)) continue;
    const quiet = secondsBetween(m.at, { ...m.at, ts: lastTs });
    if (quiet === undefined || quiet < MIN_QUIET_SECONDS) continue;
    seen.add(key);
    ctx.report({
      code: 'NO_ESP',
      data: {
        a: m.dst.address, b: m.src.address, exchange: m.exchangeName, frame: m.at.frame, seconds: Math.round(quiet), espFlowsInCapture: packets.espFlows.length,
        // IKEv2 carries a refused Child SA (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN) inside the encrypted IKE_AUTH answer: the message says so
        version: m.version, basis: 'capture',
      },
      evidence: [ikeRef(m)],
    });
  }
}

/**
 * Loss per flow (src, dst, SPI: an SA is identified by SPI and destination, RFC 4301 §4.1),
 * confirmed by the sender's counter across destinations: a flow's "gap" that the
 * sender's other destinations fill is a shared SA (multicast, manual keying), not loss.
 */
function reportGaps(ctx: CheckContext, packets: PacketEvidence): void {
  for (const f of packets.espFlows) {
    if (f.missing <= 0 || f.minSeq === undefined || f.maxSeq === undefined) continue;
    const sender = packets.espSenders.find((s) => s.spi === f.spi && s.src === f.src && s.protocol === f.protocol && s.encap === f.encap);
    if (sender && sender.missing === 0) continue;
    const expected = f.maxSeq - f.minSeq + 1;
    const gapRefs: EvidenceRef[] = f.gaps.map((g) => ({ source: f.first.source, frame: g.frame, excerpt: `${espFlowSummary(f)}: sequence jumps from ${g.after} to ${g.next}` }));
    ctx.report({
      code: 'ESP_SEQUENCE_GAPS',
      data: {
        sender: f.src, receiver: f.dst, protocol: f.protocol, encap: f.encap, spi: f.spiHex,
        missing: f.missing, expected, received: f.seqPackets, minSeq: f.minSeq, maxSeq: f.maxSeq,
        lossPercent: Math.round((f.missing / expected) * 1000) / 10, duplicates: f.duplicates, outOfOrder: f.outOfOrder, ipFragments: f.ipFragments,
        gaps: f.gaps.map((g) => ({ after: g.after, next: g.next, frame: g.frame })),
      },
      evidence: gapRefs.length ? gapRefs : espFlowRefs(f, 2),
    });
  }
}
