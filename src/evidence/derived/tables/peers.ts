/**
 * What the SA tables say about the two peers' agreement, as state rather than as a
 * refusal in a log: an SA one side sends on that the other side does not have (PAN-OS
 * "Device A is sending packets with a different Security Association than what Device
 * B is expecting", seed 001), an IKE SA up with no Child SA (half up), and two tables
 * that install different traffic selectors for the same peers.
 *
 * An SA is simplex and named by SPI and destination (RFC 4301 §4.1): the same Child
 * SA appears in both peers' tables with the same SPI for the same direction of travel,
 * so two tables are compared per direction (src → dst), which needs no knowledge of
 * which table is which host's.
 */
import type { EvidenceRef } from '../../types.js';
import type { SaTable, TableIkeSa } from '../../sa-table-types.js';
import { resolvedChildSas, spiText, type ResolvedChildSa, type ResolvedDirection } from './child-sas.js';
import { derived } from '../memo.js';
import { pushTo } from '../aggregate.js';

export interface SpiMismatch {
  /** the direction of travel, and the table that has an SA for it the other table lacks */
  src: string;
  dst: string;
  has: { table: SaTable; dirs: ResolvedDirection[] };
  other: { table: SaTable; dirs: ResolvedDirection[] };
}

export interface HalfUp {
  table: SaTable;
  ike: TableIkeSa;
}

export interface SelectorDifference {
  a: { table: SaTable; sas: ResolvedChildSa[]; pairs: string[] };
  b: { table: SaTable; sas: ResolvedChildSa[]; pairs: string[] };
  /** the peers' outer addresses */
  hosts: string[];
}

const pairKey = (x: string, y: string) => [x, y].sort().join(' ⇄ ');

/** Installed directions per table and direction of travel. */
function travels(sas: ResolvedChildSa[]): Map<SaTable, Map<string, ResolvedDirection[]>> {
  const out = new Map<SaTable, Map<string, ResolvedDirection[]>>();
  for (const sa of sas) {
    if (!sa.child.installed) continue;
    for (const d of sa.directions) {
      // compared by SPI: a table that prints none (libreswan trafficstatus) has nothing to compare
      if (!d.src || !d.dst || d.spi === undefined) continue;
      const byTable = out.get(sa.table) ?? new Map<string, ResolvedDirection[]>();
      out.set(sa.table, byTable);
      const k = `${d.src}>${d.dst}`;
      pushTo(byTable, k, d);
    }
  }
  return out;
}

/**
 * Directions of travel that two tables both hold SAs for, where one table's SPI is
 * missing from the other's. Only tables that show SAs for the same direction are
 * compared: a table without the tunnel at all is another finding (or another host).
 */
export const spiMismatches = derived((evidence): SpiMismatch[] => {
  const byTable = [...travels(resolvedChildSas(evidence))];
  const out: SpiMismatch[] = [];
  for (let i = 0; i < byTable.length; i++) {
    for (let j = i + 1; j < byTable.length; j++) {
      const [ta, da] = byTable[i];
      const [tb, db] = byTable[j];
      for (const [k, dirsA] of da) {
        const dirsB = db.get(k);
        if (!dirsB) continue;
        const spisB = new Set(dirsB.map((d) => d.spi));
        const spisA = new Set(dirsA.map((d) => d.spi));
        const [src, dst] = k.split('>');
        if (dirsA.every((d) => !spisB.has(d.spi))) out.push({ src, dst, has: { table: ta, dirs: dirsA }, other: { table: tb, dirs: dirsB } });
        else if (dirsB.every((d) => !spisA.has(d.spi))) out.push({ src, dst, has: { table: tb, dirs: dirsB }, other: { table: ta, dirs: dirsA } });
      }
    }
  }
  return out;
});

/** Formats that list every Child SA under its IKE SA: an IKE SA with none listed has none. */
const LISTS_CHILD_SAS = new Set(['swanctl-list-sas', 'swanctl-list-sas-raw', 'ipsec-statusall', 'libreswan-status']);

/** The table tells which IKE SAs have Child SAs: a table of IKE SAs only (PAN-OS `show vpn ike-sa`) does not; a paste that holds some does. */
export function listsChildSas(table: SaTable): boolean {
  return LISTS_CHILD_SAS.has(table.format) || table.listsChildSas === true || table.childSas.length > 0;
}

/**
 * Whether the table says if this IKE SA has a Child SA: it lists Child SAs under their IKE SA,
 * or counts them per IKE SA (racoonctl's Phase2 column).
 */
export function knowsChildSasOf(table: SaTable, ike: TableIkeSa): boolean {
  return listsChildSas(table) || ike.childSasNegotiated !== undefined;
}

/**
 * Established IKE SAs with no Child SA under them, in tables that list Child SAs under
 * their IKE SA (swanctl, statusall, libreswan status) or count them (racoonctl): the IKE SA
 * came up and the Child SA did not — refused in IKE_AUTH / Quick Mode (selectors,
 * proposals) or deleted and not replaced.
 */
export const halfUp = derived((evidence): HalfUp[] => {
  const out: HalfUp[] = [];
  for (const table of evidence.saTables ?? []) {
    const listed = listsChildSas(table);
    table.ikeSas.forEach((ike, i) => {
      if (!ike.established) return;
      // a listing table says it by listing them; a counting one (racoonctl's Phase2) by its count
      const hasChild = listed ? table.childSas.some((c) => c.ikeSa === i) : ike.childSasNegotiated === undefined ? undefined : ike.childSasNegotiated > 0;
      if (hasChild === false) out.push({ table, ike });
    });
  }
  return out;
});

function tsPairs(sas: ResolvedChildSa[], mirrored: boolean): string[] {
  const norm = (ts: string[]) => [...ts].sort().join(', ');
  return [...new Set(sas.map((sa) => (mirrored ? `${norm(sa.child.remoteTs)} === ${norm(sa.child.localTs)}` : `${norm(sa.child.localTs)} === ${norm(sa.child.remoteTs)}`)))];
}

/**
 * Two tables of the two ends of the same peers (each one's local address is the
 * other's remote) whose installed Child SAs cover different selectors. Only tables
 * that name local and remote selectors (daemon tables, not xfrm states, whose `sel`
 * is src/dst and usually 0.0.0.0/0 in tunnel mode).
 */
export const selectorDifferences = derived((evidence): SelectorDifference[] => {
  const byTable = new Map<SaTable, ResolvedChildSa[]>();
  for (const sa of resolvedChildSas(evidence)) {
    if (!sa.child.installed || !sa.local || !sa.remote || sa.child.unpaired || (!sa.child.localTs.length && !sa.child.remoteTs.length)) continue;
    pushTo(byTable, sa.table, sa);
  }
  const tables = [...byTable];
  const out: SelectorDifference[] = [];
  for (let i = 0; i < tables.length; i++) {
    for (let j = i + 1; j < tables.length; j++) {
      const [ta, sasA] = tables[i];
      const [tb, sasB] = tables[j];
      const a = sasA.filter((x) => sasB.some((y) => y.local === x.remote && y.remote === x.local));
      if (!a.length) continue;
      const b = sasB.filter((y) => a.some((x) => y.local === x.remote && y.remote === x.local));
      const pa = tsPairs(a, false);
      const pb = tsPairs(b, true);
      // each side installs selectors the other does not: a subset on one side is a Child SA
      // the other side already deleted or has yet to install, not a disagreement
      if (pa.every((p) => pb.includes(p)) || pb.every((p) => pa.includes(p))) continue;
      out.push({ a: { table: ta, sas: a, pairs: pa }, b: { table: tb, sas: b, pairs: tsPairs(b, false) }, hosts: [a[0].local!, a[0].remote!] });
    }
  }
  return out;
});

export function dirRefs(dirs: ResolvedDirection[]): EvidenceRef[] {
  return dirs.flatMap((d) => d.refs.slice(0, 2));
}

export function spiList(dirs: ResolvedDirection[]): string {
  return dirs.map((d) => spiText(d.spi)).join(', ');
}

export { pairKey };
