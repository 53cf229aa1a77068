/**
 * Child SAs of every SA table with their directions resolved: which SPI carries
 * traffic from which address to which, and what each direction's counters say.
 *
 * swanctl and libreswan print both directions with their direction; `ip xfrm state`
 * prints one kernel state per direction and does not say which is inbound. Two
 * states of one reqid whose addresses mirror each other are one Child SA; which end
 * is this host is decided from --local, or from the local address another table of
 * the same evidence names (an SA table is read on one host), and stays open otherwise
 * — the direction of travel (src → dst) is known either way, and "flows only from A
 * to B" needs no more.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { SaDirection, SaTable, TableChildSa, TableIkeSa } from '../../sa-table-types.js';
import { derived } from '../memo.js';

export interface ResolvedDirection extends SaDirection {
  /** as seen by the host whose table it is; undefined when the table cannot tell (xfrm without --local) */
  role?: 'in' | 'out';
  /** the lines that show this SPI and its counters */
  refs: EvidenceRef[];
}

export interface ResolvedChildSa {
  table: SaTable;
  child: TableChildSa;
  /** the other kernel state of an xfrm pair (its own line) */
  partner?: TableChildSa;
  ike?: TableIkeSa;
  /** this host's and the peer's outer addresses, when known */
  local?: string;
  remote?: string;
  directions: ResolvedDirection[];
  /** the lines that show it: the child's, then its counter lines */
  refs: EvidenceRef[];
}

export const resolvedChildSas = derived((evidence): ResolvedChildSa[] => {
  const locals = knownLocalAddresses(evidence);
  return (evidence.saTables ?? []).flatMap((t) => resolveTable(t, locals));
});

/** Addresses that are "this host" for some table: --local, and every IKE SA's local address. */
function knownLocalAddresses(evidence: Evidence): Set<string> {
  const out = new Set(evidence.options.local);
  for (const t of evidence.saTables ?? []) for (const ike of t.ikeSas) if (ike.local?.address) out.add(ike.local.address);
  return out;
}

function resolveTable(table: SaTable, locals: Set<string>): ResolvedChildSa[] {
  const out: ResolvedChildSa[] = [];
  const pending = new Map<string, TableChildSa>();
  for (const child of table.childSas) {
    const ike = child.ikeSa !== undefined ? table.ikeSas[child.ikeSa] : undefined;
    if (!child.unpaired) {
      out.push(withDirections(table, child, ike));
      continue;
    }
    // an xfrm state: wait for the state of the same reqid and protocol with mirrored addresses
    const u = child.unpaired;
    const key = (src?: string, dst?: string) => `${child.reqid ?? '?'}|${child.protocol}|${src}|${dst}`;
    const partner = pending.get(key(u.dst, u.src));
    if (partner) {
      pending.delete(key(u.dst, u.src));
      out.push(xfrmPair(table, partner, child, locals));
    } else pending.set(key(u.src, u.dst), child);
  }
  for (const lone of pending.values()) out.push(xfrmPair(table, lone, undefined, locals));
  return out;
}

function withDirections(table: SaTable, child: TableChildSa, ike: TableIkeSa | undefined): ResolvedChildSa {
  const local = ike?.local?.address ?? child.out?.src ?? child.in?.dst;
  const remote = ike?.remote?.address ?? child.out?.dst ?? child.in?.src;
  const directions: ResolvedDirection[] = [];
  // SPIs are kept lower-case; some tables print them upper-case (PAN-OS)
  const refsOf = (d: SaDirection) => [child.at, ...(child.lines ?? []).filter((l) => d.spi !== undefined && l.excerpt.toLowerCase().includes(d.spi)), ...(d.countedAt ?? [])];
  if (child.in) directions.push({ src: remote, dst: local, ...child.in, role: 'in', refs: refsOf(child.in) });
  if (child.out) directions.push({ src: local, dst: remote, ...child.out, role: 'out', refs: refsOf(child.out) });
  return { table, child, ike, local, remote, directions, refs: [child.at, ...(child.lines ?? [])] };
}

function xfrmPair(table: SaTable, a: TableChildSa, b: TableChildSa | undefined, locals: Set<string>): ResolvedChildSa {
  const states = b ? [a, b] : [a];
  const local = states.map((s) => s.unpaired!.src).find((x) => x !== undefined && locals.has(x)) ?? states.map((s) => s.unpaired!.dst).find((x) => x !== undefined && locals.has(x));
  const directions: ResolvedDirection[] = states.map((s) => ({
    ...s.unpaired!,
    role: local === undefined ? undefined : s.unpaired!.src === local ? 'out' : 'in',
    // the state's `src … dst …` line, and its `N(bytes), N(packets)` line under `lifetime current:`
    refs: [s.at, ...(s.lines ?? []).filter((l) => /\(packets\)/.test(l.excerpt))],
  }));
  const remote = local === undefined ? undefined : directions.map((d) => (d.src === local ? d.dst : d.src)).find((x) => x !== undefined);
  return { table, child: a, partner: b, local, remote, directions, refs: states.flatMap((s) => [s.at, ...(s.lines ?? [])]) };
}

/** A count of what a direction carried: packets when the table prints them, else bytes (libreswan trafficstatus prints bytes only). */
export function carried(d: SaDirection): { value: number; unit: 'packets' | 'bytes' } | undefined {
  if (d.packets !== undefined) return { value: d.packets, unit: 'packets' };
  if (d.bytes !== undefined) return { value: d.bytes, unit: 'bytes' };
  return undefined;
}

/** The SPI as the reports spell it everywhere ("its SPI" when the table prints none: libreswan trafficstatus). */
export function spiText(spi: string | undefined): string {
  return spi === undefined ? 'its SA (SPI not in the table)' : `0x${spi}`;
}
