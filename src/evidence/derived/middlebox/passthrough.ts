/**
 * What a box between the IPsec peers (F5 BIG-IP AFM in passthrough) shows about the tunnel:
 * its firewall events, its flow table, its configuration. The model (seed "Passthrough IPSec
 * with AFM"; F5 K31591013, K93873214, K97997482, K04116537):
 * - a flow is created only for a packet a rule allows; later packets of the flow pass;
 * - with `ipsec.lookupspi` enabled (the default) each ESP direction is its own flow and needs a
 *   rule of its own; disabled, one ESP flow serves both directions;
 * - the IPsec ALG (ipsecalg profile, Standard virtual servers only) needs lookupspi enabled,
 *   pre-creates outbound AH and ESP flows (the one never answered stays: normal), and does not
 *   handle UDP 4500;
 * - only the peer whose IKE is allowed in can start the tunnel.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { LogEvent } from '../../log-events.js';
import type { MiddleBoxFacts, MiddleBoxValue, VirtualService } from '../../middlebox-types.js';
import type { SaTable, TableFlow } from '../../sa-table-types.js';
import { eventsOf } from '../../log-events.js';
import { derived } from '../memo.js';
import { oneWayRefs, tableOneWay } from '../tables/counters.js';
import { oneWayPairs } from '../wire/esp.js';

export type Decision = LogEvent<'firewall-decision'>;

/** The box's configuration facts, from every tmsh input given (rules, virtual servers and the DB key may be separate listings). */
export const boxFacts = derived((evidence: Evidence): MiddleBoxFacts | undefined => {
  const all = (evidence.rulesets ?? []).flatMap((r) => (r.middleBox ? [r.middleBox] : []));
  if (!all.length) return undefined;
  const written = all.map((f) => f.espFlows).find((v) => v && !v.implicit);
  return {
    product: all[0].product,
    espFlows: written ?? all.find((f) => f.espFlows)?.espFlows,
    virtualServers: all.flatMap((f) => f.virtualServers),
    ruleHosts: [...new Set(all.flatMap((f) => f.ruleHosts))],
  };
});

export const decisions = derived((evidence: Evidence): Decision[] => eventsOf(evidence.logEvents, 'firewall-decision'));

/** Flow tables (F5 Sys::Connections) given. */
export function flowTables(evidence: Evidence): Array<SaTable & { flows: TableFlow[] }> {
  return (evidence.saTables ?? []).filter((t): t is SaTable & { flows: TableFlow[] } => t.flows !== undefined);
}

const IPSEC_UDP = new Set([500, 4500]);
export function isEsp(d: Decision): boolean {
  return d.data.protocol === 'ESP';
}
export function isIke(d: Decision): boolean {
  return d.data.protocol === 'UDP' && (IPSEC_UDP.has(d.data.dst.port ?? -1) || IPSEC_UDP.has(d.data.src.port ?? -1));
}

/** A decision about the tunnel's own packets: IKE or NAT-T (UDP 500/4500), ESP or AH. */
export function isIpsecDecision(d: Decision): boolean {
  return isIke(d) || isEsp(d) || d.data.protocol === 'AH';
}

/** A flow-table row of the tunnel's own packets (the client side as the box first saw it). */
export function isIpsecFlow(f: TableFlow): boolean {
  if (f.protocol === 'esp' || f.protocol === 'ah') return true;
  return f.protocol === 'udp' && [f.client.srcPort, f.client.dstPort].some((p) => p === '500' || p === '4500');
}

export function boxName(d: Decision | undefined, facts?: MiddleBoxFacts): string {
  const product = facts?.product ?? 'F5 BIG-IP';
  return d?.data.box ? `${product} ${d.data.box}` : product;
}

/** "the (Default) rule of virtual server /Common/VS-FWD (drop reason Policy)" */
export function ruleText(d: Decision): string {
  const where = d.data.contextType ? `${d.data.contextType === 'Global' ? 'the global context' : `${d.data.contextType.toLowerCase()} ${d.data.context ?? ''}`.trim()}` : 'its context';
  const rule = d.data.defaultRule ? `the default rule (Default) of ${where}` : d.data.rule ? `rule ${d.data.rule} in ${where}` : `a rule in ${where}`;
  return `${rule}${d.data.reason ? ` (drop reason ${d.data.reason})` : ''}`;
}

export interface ReturnRefused {
  /** the refusal of the return direction, and the evidence that the other direction passes */
  refused: Decision;
  passes: EvidenceRef[];
  /** the far peer whose ESP is refused, and the peer it is sent to */
  from: string;
  to: string;
  how: string;
  /** a peer's SA table or capture shows the same direction missing (ESP one way) */
  peerEvidence: EvidenceRef[];
  peerBasis?: string;
}

/**
 * ESP refused one way while it passes the other: an accept event of the opposite direction, a
 * flow of it in the box's table, or a peer's SA/capture counting traffic that way.
 */
export const returnEspRefused = derived((evidence: Evidence): ReturnRefused[] => {
  const out: ReturnRefused[] = [];
  const seen = new Set<string>();
  const tables = flowTables(evidence);
  const oneWay = peersOneWay(evidence);
  for (const d of decisions(evidence)) {
    if (!isEsp(d) || d.data.verdict === 'accept') continue;
    const from = d.data.src.address;
    const to = d.data.dst.address;
    if (seen.has(`${from}>${to}`)) continue;
    const accepted = decisions(evidence).filter((a) => isEsp(a) && a.data.verdict === 'accept' && a.data.src.address === to && a.data.dst.address === from);
    const flows = tables.flatMap((t) => t.flows.filter((f) => f.protocol === 'esp' && f.client.src === to && f.client.dst === from));
    // a capture of another day is another incident: its one-way ESP is not this refusal's doing
    const peer = oneWay.filter((o) => o.sender === to && o.silent === from && !o.encap && !(o.ts && daysApart(d.time, o.ts)! > 1));
    if (!accepted.length && !flows.length && !peer.length) continue;
    seen.add(`${from}>${to}`);
    const how = [
      accepted.length ? `the box accepts ESP from ${to} to ${from} (${accepted[0].data.rule ?? 'a rule'}, line ${accepted[0].at.line})` : undefined,
      flows.length ? `its flow table holds an ESP flow from ${to} to ${from} only` : undefined,
      peer.length ? `${peer[0].basis} ${peer[0].basis.startsWith('the SA tables') ? 'show' : 'shows'} ESP from ${to} with nothing back${peer[0].lost ? `, though ${from} counts its answers sent` : ''}` : undefined,
    ].filter(Boolean).join('; ');
    out.push({
      refused: d, from, to, how,
      passes: [...accepted.slice(0, 1).map((a) => ({ ...a.at, excerpt: a.excerpt })), ...flows.slice(0, 1).map((f) => f.at)],
      peerEvidence: peer.flatMap((p) => p.refs).filter((r, i, all) => all.findIndex((x) => x.source === r.source && x.line === r.line && x.frame === r.frame) === i).slice(0, 8),
      ...(peer.length ? { peerBasis: peer[0].basis } : {}),
    });
  }
  return out;
});

interface PeerOneWay {
  sender: string;
  silent: string;
  /** ESP in UDP 4500 (NAT-T): the box sees UDP, not ESP, so an ESP refusal does not explain it */
  encap: boolean;
  /** the silent peer's own table counts what it sent: lost on the path */
  lost?: boolean;
  basis: string;
  refs: EvidenceRef[];
  /** a capture's first ESP frame (seconds since the epoch), to be compared with the box's log */
  ts?: number;
}

/** One-way ESP as the peers' own evidence shows it: SA counters (one table is enough) or a capture with IKE both ways. */
const peersOneWay = derived((evidence: Evidence): PeerOneWay[] => {
  const out: PeerOneWay[] = [];
  for (const o of tableOneWay(evidence)) {
    if (!o.sending.src || !o.sending.dst) continue;
    out.push({ sender: o.sending.src, silent: o.sending.dst, encap: Boolean(o.sa.child.udpEncap), basis: o.peerSilent ? `the SA tables ${o.sa.table.source} and ${o.peerSilent.sa.table.source}` : `the SA table ${o.sa.table.source}`, lost: Boolean(o.peerSilent && (o.peerSilent.dir.packets ?? o.peerSilent.dir.bytes ?? 0) > 0), refs: oneWayRefs(o) });
  }
  for (const p of oneWayPairs(evidence, 3)) {
    if (!p.ikeBothWays) continue;
    out.push({ sender: p.sender, silent: p.receiver, encap: p.flows.some((f) => f.encap === 'udp'), basis: `the capture ${p.flows[0].first.source}`, ts: p.flows[0].first.ts || undefined, refs: p.flows.slice(0, 2).map((f) => ({ ...f.first, excerpt: `ESP ${f.src} → ${f.dst} SPI 0x${f.spiHex}, ${f.packets} packets` })) });
  }
  return out;
});

/** One-way ESP (sender → silent peer) that a middle box's refusal explains: the merged finding leads, the bare symptom is not repeated. */
export function explainedOneWay(evidence: Evidence, sender: string | undefined, silent: string | undefined): boolean {
  return returnEspRefused(evidence).some((r) => r.peerEvidence.length > 0 && r.to === sender && r.from === silent);
}

export interface IkeOneWay {
  refused: Decision;
  /** the peer that can start the tunnel, and the one that cannot */
  starter: string;
  blocked: string;
  passes: EvidenceRef[];
}

/** IKE refused from one peer while the other's IKE passes (an accept event, or an IKE flow it created). */
export const ikeOneWay = derived((evidence: Evidence): IkeOneWay[] => {
  const out: IkeOneWay[] = [];
  const seen = new Set<string>();
  const tables = flowTables(evidence);
  for (const d of decisions(evidence)) {
    if (!isIke(d) || d.data.verdict === 'accept') continue;
    const blocked = d.data.src.address;
    const starter = d.data.dst.address;
    if (seen.has(blocked)) continue;
    const accepted = decisions(evidence).filter((a) => isIke(a) && a.data.verdict === 'accept' && a.data.src.address === starter && a.data.dst.address === blocked);
    const flows = tables.flatMap((t) => t.flows.filter((f) => f.protocol === 'udp' && f.client.src === starter && f.client.dst === blocked && (f.client.dstPort === '500' || f.client.dstPort === '4500')));
    seen.add(blocked);
    out.push({ refused: d, starter, blocked, passes: [...accepted.slice(0, 1).map((a) => ({ ...a.at, excerpt: a.excerpt })), ...flows.slice(0, 1).map((f) => f.at)] });
  }
  return out;
});

/** The IPsec ALG's virtual servers. */
export function algServers(facts: MiddleBoxFacts | undefined): VirtualService[] {
  return facts?.virtualServers.filter((v) => v.ipsecAlg && !v.disabled) ?? [];
}

/** A virtual server that carries IKE: its destination port is 500, 4500, isakmp or any, or it has the ALG. */
export function carriesIke(v: VirtualService): boolean {
  return Boolean(v.ipsecAlg) || v.destinationPort === undefined || /^(500|4500|isakmp|ipsec-nat-t|any|0)$/.test(v.destinationPort);
}

/** The ALG's pre-created rows in a flow table: AH/ESP with any client-side ports whose server-side port is 500 (seed). */
export function algRows(t: SaTable & { flows: TableFlow[] }): TableFlow[] {
  return t.flows.filter((f) => (f.protocol === 'ah' || f.protocol === 'esp') && f.client.srcPort === 'any' && f.server.dstPort === '500');
}

export type { MiddleBoxValue };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Whole days between a log line's date and a capture's, undefined when the line's time does not
 * say. BSD syslog prints no year (RFC 3164 §4.1.2), so the nearest year is taken; the line is in
 * the box's local time and the capture in UTC, so a day apart is still the same night.
 */
export function daysApart(time: string | undefined, ts: number): number | undefined {
  if (!time || !Number.isFinite(ts) || ts <= 0) return undefined;
  const at = new Date(ts * 1000);
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(time);
  const bsd = /^([A-Z][a-z]{2}) +(\d{1,2})\b/.exec(time);
  const candidates = iso
    ? [Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]))]
    : bsd && MONTHS.includes(bsd[1])
      ? [-1, 0, 1].map((y) => Date.UTC(at.getUTCFullYear() + y, MONTHS.indexOf(bsd[1]), Number(bsd[2])))
      : [];
  if (!candidates.length) return undefined;
  return Math.min(...candidates.map((c) => Math.abs(c - day) / 86_400_000));
}
