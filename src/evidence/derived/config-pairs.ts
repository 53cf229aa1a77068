/**
 * Which connection in one peer's config talks to which in the other's: matched by
 * addresses (A's local address is B's remote one and back), identities (A's id is
 * what B expects and back), then names. ipsec.conf conns are tried both ways round
 * (the daemon decides left/right by its interface addresses, so the two peers often
 * share one file verbatim). Computed once per Evidence.
 */
import type { ConfigFacts, ConnectionConfig } from '../config-types.js';
import type { Evidence } from '../types.js';
import { derived } from './memo.js';
import { expectedRemoteId, localId, oriented, type ConfiguredConnection } from './config-connections.js';

export interface ConnectionPair {
  a: ConfiguredConnection;
  b: ConfiguredConnection;
  score: number;
  /** what matched, for the finding data */
  matchedBy: string[];
}

const WILDCARD = /^%|^0\.0\.0\.0$|^::$/;

function concrete(addrs: readonly string[]): string[] {
  return addrs.map((a) => a.toLowerCase()).filter((a) => !WILDCARD.test(a));
}

function score(a: ConfiguredConnection, b: ConfiguredConnection): { score: number; matchedBy: string[] } {
  const matchedBy: string[] = [];
  let s = 0;
  const al = concrete(a.conn.local.addrs.value);
  const ar = concrete(a.conn.remote.addrs.value);
  const bl = concrete(b.conn.local.addrs.value);
  const br = concrete(b.conn.remote.addrs.value);
  // the same literal on both ends of one side means the orientation is undecidable by address
  if (al.some((x) => br.includes(x))) (s += 3), matchedBy.push('addresses');
  if (ar.some((x) => bl.includes(x))) (s += 3), matchedBy.includes('addresses') || matchedBy.push('addresses');
  // siblings, not peers: two clients of one gateway share its address as their remote one
  if (al.some((x) => bl.includes(x)) && !al.some((x) => br.includes(x))) s -= 4;
  if (ar.some((x) => br.includes(x)) && !ar.some((x) => bl.includes(x))) s -= 4;
  const aId = localId(a.conn.local).norm;
  const bId = localId(b.conn.local).norm;
  const aExp = expectedRemoteId(a.conn.remote, a.conn.symmetric).norm;
  const bExp = expectedRemoteId(b.conn.remote, b.conn.symmetric).norm;
  if (aId && bExp && aId === bExp) (s += 2), matchedBy.push('ids');
  if (bId && aExp && bId === aExp) (s += 2), matchedBy.includes('ids') || matchedBy.push('ids');
  if (aId && bId && aId === bId && aId !== aExp) s -= 3; // both would send the same identity
  if (aExp && bExp && aExp === bExp && aExp !== aId) s -= 3; // both expect the same peer
  if (a.conn.name === b.conn.name) (s += 1), matchedBy.push('name');
  return { score: s, matchedBy };
}

function orientations(facts: ConfigFacts, conn: ConnectionConfig): ConfiguredConnection[] {
  return conn.symmetric ? [oriented(facts, conn, false), oriented(facts, conn, true)] : [oriented(facts, conn, false)];
}

/** Pairs between two configs, best first, each connection used once. */
export function pairConnections(x: ConfigFacts, y: ConfigFacts): ConnectionPair[] {
  const candidates: ConnectionPair[] = [];
  const single = x.connections.length === 1 && y.connections.length === 1;
  for (const cx of x.connections) {
    for (const cy of y.connections) {
      let best: ConnectionPair | undefined;
      for (const a of orientations(x, cx)) {
        for (const b of orientations(y, cy)) {
          const r = score(a, b);
          if (!best || r.score > best.score) best = { a, b, ...r };
        }
      }
      if (best && (best.score >= 2 || (single && best.score >= 1))) candidates.push(best);
    }
  }
  candidates.sort((p, q) => q.score - p.score);
  const usedA = new Set<ConnectionConfig>();
  const usedB = new Set<ConnectionConfig>();
  const out: ConnectionPair[] = [];
  for (const p of candidates) {
    const ka = p.a.original;
    const kb = p.b.original;
    if (usedA.has(ka) || usedB.has(kb)) continue;
    usedA.add(ka);
    usedB.add(kb);
    out.push(p);
  }
  return out;
}

/** Every pair across the configs that hold connections (one config per peer). */
export const configPairs = derived((evidence: Evidence): ConnectionPair[] => {
  const withConns = (evidence.configs ?? []).filter((c) => c.connections.length > 0);
  const out: ConnectionPair[] = [];
  for (let i = 0; i < withConns.length; i++) {
    for (let j = i + 1; j < withConns.length; j++) {
      if (withConns[i].source === withConns[j].source) continue;
      out.push(...pairConnections(withConns[i], withConns[j]));
    }
  }
  return out;
});
