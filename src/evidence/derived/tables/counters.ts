/**
 * What SA counters say about a tunnel that is up: traffic in one direction only, or
 * none at all. After setup IPsec has no acknowledgement (RFC 4301 §4.1: an SA is
 * simplex), so "packets out grow, packets in stay 0" is how an endpoint sees a lost
 * return path — the seeds' "tunnel up, no return traffic" — whoever printed the table.
 *
 * Given both peers' tables, an SPI one host counts outbound and the other inbound
 * tells where the packets went missing: sent N, received 0 is loss on the path
 * between the two (a firewall or NAT that passes IKE but not ESP), not a routing
 * fault on either end.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import { carried, resolvedChildSas, spiText, type ResolvedChildSa, type ResolvedDirection } from './child-sas.js';
import { derived } from '../memo.js';
import { pushTo } from '../aggregate.js';
import { spiMismatches } from './peers.js';
import { ipsecFrames } from '../../coverage.js';

/** Fewer than this in one direction is too little to call a flow one-way (as for captures). */
export const MIN_ONE_WAY_PACKETS = 3;
/** libreswan's trafficstatus counts bytes only: three minimal ESP packets. */
const MIN_ONE_WAY_BYTES = 3 * 64;
/** How long an installed Child SA must have carried nothing before "no ESP" means something (as for captures). */
export const MIN_IDLE_SECONDS = 10;

/** One host's view of one SPI. */
export interface SpiView {
  sa: ResolvedChildSa;
  dir: ResolvedDirection;
}

export interface TableOneWay {
  /** the table whose counters show it, and the direction that carries traffic / the silent one */
  sa: ResolvedChildSa;
  sending: ResolvedDirection;
  silent: ResolvedDirection;
  /** the other host's view of the silent SPI: what it sent (lost on the path) or that it sent nothing */
  peerSilent?: SpiView;
  /** the other host's view of the sending SPI: what it received of it */
  peerSending?: SpiView;
  /** the peer's table has another SA for the sending direction: the one-way traffic is SA_SPI_MISMATCH's symptom */
  spiMismatch?: boolean;
}

function oneWayAmount(n: { value: number; unit: 'packets' | 'bytes' }): boolean {
  return n.value >= (n.unit === 'packets' ? MIN_ONE_WAY_PACKETS : MIN_ONE_WAY_BYTES);
}

/** Views of each SPI in every table, to join two hosts' tables. */
const spiViews = derived((evidence): Map<string, SpiView[]> => {
  const out = new Map<string, SpiView[]>();
  for (const sa of resolvedChildSas(evidence)) {
    for (const dir of sa.directions) if (dir.spi !== undefined) pushTo(out, dir.spi, { sa, dir });
  }
  return out;
});

/** The other table's view of this direction's SPI (the other end of the same simplex SA). */
export function otherView(evidence: Evidence, view: SpiView): SpiView | undefined {
  if (view.dir.spi === undefined) return undefined;
  return (spiViews(evidence).get(view.dir.spi) ?? []).find((v) => v.sa.table !== view.sa.table && (v.dir.dst === undefined || view.dir.dst === undefined || v.dir.dst === view.dir.dst));
}

/**
 * Child SAs whose counters show traffic one way only: one direction counted enough,
 * the other none. Each tunnel once, led by the table that shows the silence (both
 * peers' tables of the same Child SA make one finding).
 */
export const tableOneWay = derived((evidence): TableOneWay[] => {
  const out: TableOneWay[] = [];
  const reported = new Set<string>();
  for (const sa of resolvedChildSas(evidence)) {
    if (!sa.child.installed || sa.directions.length !== 2) continue;
    const [a, b] = sa.directions;
    const ca = carried(a);
    const cb = carried(b);
    if (!ca || !cb || ca.unit !== cb.unit) continue;
    const sending = ca.value > 0 && cb.value === 0 && oneWayAmount(ca) ? a : cb.value > 0 && ca.value === 0 && oneWayAmount(cb) ? b : undefined;
    if (!sending) continue;
    const silent = sending === a ? b : a;
    // both peers' tables of one Child SA once (a table without SPIs: each on its own)
    const key = a.spi !== undefined && b.spi !== undefined ? [a.spi, b.spi].sort().join('/') : undefined;
    if (key !== undefined && reported.has(key)) continue;
    if (key !== undefined) reported.add(key);
    const spiMismatch = spiMismatches(evidence).some((m) => m.has.dirs.some((d) => d.spi === sending.spi || d.spi === silent.spi));
    out.push({ sa, sending, silent, peerSilent: otherView(evidence, { sa, dir: silent }), peerSending: otherView(evidence, { sa, dir: sending }), spiMismatch });
  }
  return out;
});

/**
 * Installed Child SAs that carried nothing either way for at least MIN_IDLE_SECONDS of
 * their life, grouped by their SPIs: both peers' tables of one idle Child SA are one group.
 */
export const tableIdle = derived((evidence): ResolvedChildSa[][] => {
  const groups = new Map<string, ResolvedChildSa[]>();
  for (const sa of resolvedChildSas(evidence)) {
    if (!sa.child.installed || !sa.directions.length || (sa.child.ageSeconds ?? 0) < MIN_IDLE_SECONDS) continue;
    if (!sa.directions.every((d) => carried(d)?.value === 0)) continue;
    const key = sa.directions.every((d) => d.spi !== undefined) ? sa.directions.map((d) => d.spi).sort().join('/') : `${sa.table.source}:${sa.child.at.line}`;
    pushTo(groups, key, sa);
  }
  return [...groups.values()];
});

/** "0x8356d647 (out, 5 packets)" for evidence and data. */
export function directionText(d: ResolvedDirection): string {
  const n = carried(d);
  const role = d.role ? `${d.role}, ` : '';
  return `${spiText(d.spi)} (${role}${n ? `${n.value} ${n.unit}` : 'not counted'})`;
}

/** The evidence lines of one-way counters: the lead table's two directions, then the peer's lines for the same SPIs. */
export function oneWayRefs(o: TableOneWay): EvidenceRef[] {
  const refs = [o.silent, o.sending, o.peerSilent?.dir, o.peerSending?.dir].flatMap((d) => d?.refs ?? []);
  return refs.filter((r, i, all) => all.findIndex((x) => x.source === r.source && x.line === r.line) === i);
}

/** "in on 0x…" when the table says which way the SPI points, else "on 0x… (A → B)"; "in" alone when the table prints no SPI. */
function onSpi(d: ResolvedDirection): string {
  if (d.spi === undefined) return d.role ?? `from ${d.src ?? '?'} to ${d.dst ?? '?'}`;
  return d.role ? `${d.role} on ${spiText(d.spi)}` : `on ${spiText(d.spi)} (${d.src ?? '?'} → ${d.dst ?? '?'})`;
}

/** The SPI, or the Child SA's name and number where the table prints no SPI (libreswan trafficstatus). */
function saLabel(sa: ResolvedChildSa, d: ResolvedDirection): string {
  if (d.spi !== undefined) return spiText(d.spi);
  return [sa.child.uniqueId && `#${sa.child.uniqueId.replace(/^#/, '')}`, sa.child.name && `"${sa.child.name}"`].filter(Boolean).join(' ') || 'its Child SA';
}

/** The table's input path as given: the redactor replaces input paths wherever they appear. */
function sourceName(sa: ResolvedChildSa): string {
  return sa.table.source;
}

function amountText(d: ResolvedDirection): string {
  const n = carried(d);
  return n ? `${n.value} ${n.unit}` : 'not counted';
}

/** ESP_ONE_WAY's data from SA counters: the same fields as the capture's, with the tables' figures. */
export function oneWayData(o: TableOneWay): Record<string, unknown> {
  const silentPeer = o.silent.src ?? o.sa.remote ?? 'the peer';
  const sentByPeer = o.peerSilent ? carried(o.peerSilent.dir) : undefined;
  const got = o.peerSilent && sentByPeer && sentByPeer.value === 0 && o.peerSending ? carried(o.peerSending.dir) : undefined;
  // the words are the template's (derived/words.ts ONE_WAY_CONTEXT): here only the values it reads
  const context = {
    silentAmount: amountText(o.silent), silentOn: onSpi(o.silent), age: o.sa.child.ageSeconds,
    ...(sentByPeer && sentByPeer.value > 0 ? { peerSentAmount: `${sentByPeer.value} ${sentByPeer.unit}` } : sentByPeer ? { peerSentNothing: true } : {}),
    ...(got ? { peerGot: got.value, peerGotNothing: got.value === 0 } : {}),
  };
  return {
    direction: `from ${o.sending.src ?? 'this host'} to ${o.sending.dst ?? 'the peer'}`,
    sender: o.sending.src, silent: silentPeer, amount: amountText(o.sending), spis: saLabel(o.sa, o.sending),
    ...context,
    basis: 'SA counters', table: o.sa.table.source, connection: o.sa.child.name,
    sending: { spi: spiText(o.sending.spi), src: o.sending.src, dst: o.sending.dst, packets: o.sending.packets, bytes: o.sending.bytes },
    silentSa: { spi: spiText(o.silent.spi), src: o.silent.src, dst: o.silent.dst, packets: o.silent.packets, bytes: o.silent.bytes },
    ...(o.peerSilent ? { peerTable: o.peerSilent.sa.table.source, peerSent: o.peerSilent.dir.packets ?? o.peerSilent.dir.bytes } : {}),
    ...(o.peerSending ? { peerReceived: o.peerSending.dir.packets ?? o.peerSending.dir.bytes } : {}),
    ...(o.spiMismatch ? { explainedBy: 'SA_SPI_MISMATCH', severityReason: "the peer's table holds another SA for this direction: the traffic is sent on an SA the peer does not have" } : {}),
  };
}

/** NO_ESP's data from SA counters: one idle Child SA, as one or both peers' tables show it. */
export function idleData(group: ResolvedChildSa[]): Record<string, unknown> {
  const [sa] = group;
  const spis = sa.directions.map(directionText).join(', ');
  return {
    a: sa.local ?? sa.directions[0]?.src ?? 'this host', b: sa.remote ?? sa.directions[0]?.dst ?? 'the peer',
    installedIn: group.map((g) => `${sourceName(g)}${g.child.name ? `: ${g.child.name}` : ''}`).join(', '), spis,
    seconds: Math.min(...group.map((g) => g.child.ageSeconds ?? 0)), basis: 'SA counters', tables: group.map((g) => g.table.source),
  };
}

/** The lines of an idle Child SA: each table's child line and counter lines. */
export function idleRefs(group: ResolvedChildSa[]): EvidenceRef[] {
  return group.flatMap((sa) => sa.directions.flatMap((d) => d.refs)).filter((r, i, all) => all.findIndex((x) => x.source === r.source && x.line === r.line) === i);
}

/**
 * What the traffic checks can judge beside SA tables: the tables' Child SAs that print packet
 * or byte counters (`show vpn ike-sa`, `ip xfrm state` without -s print none) and the IPsec
 * packets of the captures. 0: the tables say nothing about traffic (esp-flows: not applicable).
 */
export function trafficEvidence(evidence: Evidence): number {
  const counted = (evidence.saTables ?? []).reduce((n, t) => n + t.childSas.filter((c) => [c.in, c.out, c.unpaired].some((d) => d?.packets !== undefined || d?.bytes !== undefined)).length, 0);
  return counted + (evidence.packets ? ipsecFrames(evidence.packets.counters) : 0);
}
