/**
 * What a box between the peers shows when nothing is refused — and what a table shows that is
 * not proof either way: its flow table read per tunnel (seed "Passthrough IPSec with AFM": an
 * IKE flow; an ESP flow per direction with ipsec.lookupspi enabled, one `any`-port flow with it
 * disabled; the IPsec ALG's pre-created AH flow that stays unanswered when the tunnel uses ESP),
 * and a tunnel state without counters.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import { eventsOf } from '../../log-events.js';
import { derived } from '../memo.js';
import { algRows, boxFacts, boxName, decisions, flowTables, ikeOneWay, isEsp, isIke, returnEspRefused } from './passthrough.js';

export interface PassthroughView {
  box: string;
  peers: string;
  /** healthy: everything seen passes; one-way: ESP has a flow one way only */
  kind: 'healthy' | 'one-way';
  seen: string[];
  refs: EvidenceRef[];
  /** one-way: the peer whose ESP has no flow, and the other */
  silent?: string;
  sender?: string;
}

export const passthroughSeen = derived((evidence: Evidence): PassthroughView[] => {
  const out: PassthroughView[] = [];
  const refused = returnEspRefused(evidence).length + ikeOneWay(evidence).length > 0;
  const facts = boxFacts(evidence);
  for (const t of flowTables(evidence)) {
    const ike = t.flows.filter((f) => f.protocol === 'udp' && (f.client.dstPort === '500' || f.client.dstPort === '4500'));
    if (!ike.length) continue;
    const [a, b] = [ike[0].client.src, ike[0].client.dst];
    const between = (f: (typeof t.flows)[number]) => (f.client.src === a && f.client.dst === b) || (f.client.src === b && f.client.dst === a);
    const alg = algRows(t);
    const esp = t.flows.filter((f) => f.protocol === 'esp' && between(f) && !alg.includes(f));
    const anyPort = esp.filter((f) => f.client.srcPort === 'any' && f.client.dstPort === 'any');
    const perDir = esp.filter((f) => !anyPort.includes(f));
    const ways = new Set(perDir.map((f) => f.client.src));
    const seen = [`an IKE flow from ${a} to ${b} (UDP ${ike[0].client.dstPort})`];
    if (anyPort.length) seen.push('one ESP flow for both directions (ipsec.lookupspi disabled)');
    if (ways.size === 2) seen.push('an ESP flow each way (ipsec.lookupspi enabled: one flow per direction)');
    const ahAlone = alg.filter((f) => f.protocol === 'ah' && !t.flows.some((g) => g.protocol === 'ah' && g.client.src === f.client.dst));
    if (alg.length) seen.push(`the IPsec ALG's pre-created ${alg.map((f) => f.protocol.toUpperCase()).join(' and ')} flows${ahAlone.length ? ', the AH one unanswered as expected when the tunnel uses ESP' : ''}`);
    const refs = [...ike, ...esp, ...alg].map((f) => f.at);
    const box = boxName(undefined, facts);
    if (!anyPort.length && ways.size === 1 && !(alg.length && esp.length)) {
      const sender = [...ways][0];
      out.push({ box, peers: `${a} and ${b}`, kind: 'one-way', seen, refs, sender, silent: sender === a ? b : a });
    } else if (!refused && (anyPort.length || ways.size === 2)) out.push({ box, peers: `${a} and ${b}`, kind: 'healthy', seen, refs });
  }
  // the firewall's own events: IKE and ESP accepted both ways, nothing refused
  const acc = decisions(evidence).filter((d) => d.data.verdict === 'accept' && (isEsp(d) || isIke(d)));
  const espWays = new Set(acc.filter(isEsp).map((d) => `${d.data.src.address}>${d.data.dst.address}`));
  if (!refused && !out.length && acc.length && !decisions(evidence).some((d) => d.data.verdict !== 'accept' && (isEsp(d) || isIke(d)))) {
    const peers = [...new Set(acc.flatMap((d) => [d.data.src.address, d.data.dst.address]))];
    const seen = [`${acc.length} IKE/ESP packets accepted (${[...new Set(acc.map((d) => d.data.rule ?? '?'))].join(', ')})`];
    if (espWays.size === 1 && acc.some((d) => isEsp(d) && d.data.src.port === 0 && d.data.dst.port === 0)) seen.push('ESP one way only in the log, with ports 0: one flow for both directions (ipsec.lookupspi disabled), so the return needs no rule');
    else if (espWays.size === 1) seen.push('ESP accepted one way only: the other direction made no logged decision here');
    out.push({ box: boxName(acc[0], facts), peers: peers.join(' and '), kind: 'healthy', seen, refs: acc.slice(0, 6).map((d) => ({ ...d.at, excerpt: d.excerpt })) });
  }
  return out;
});

/** Tables that hold tunnel states and nothing else (`tmsh show net ipsec | grep State`). */
export function tunnelStatesOnly(evidence: Evidence): Array<{ table: string; states: string; refs: EvidenceRef[] }> {
  const out: Array<{ table: string; states: string; refs: EvidenceRef[] }> = [];
  for (const t of evidence.saTables ?? []) {
    if (t.platform !== 'f5' || !t.childSas.length) continue;
    const bare = t.childSas.filter((c) => /^Tunnel State:/.test(c.state) && !c.in && !c.out && !c.unpaired);
    if (bare.length !== t.childSas.length) continue;
    const counts = new Map<string, number>();
    for (const c of bare) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    out.push({ table: t.source, states: [...counts].map(([s, n]) => (n > 1 ? `${s}, ${n} times` : s)).join('; '), refs: bare.map((c) => c.at) });
  }
  return out;
}

/** IPsec ALG teardown lines, all in one. */
export function teardowns(evidence: Evidence): { box: string; what: string; refs: EvidenceRef[] } | undefined {
  const t = eventsOf(evidence.logEvents, 'flow-teardown');
  if (!t.length) return undefined;
  const what = [...new Set(t.map((e) => (e.data.what === 'ike' ? 'IKE' : `IPsec ${e.data.protocol ?? ''}`.trim())))].join(', ');
  return { box: boxName(undefined, boxFacts(evidence)), what, refs: t.slice(0, 6).map((e) => ({ ...e.at, excerpt: e.excerpt })) };
}
