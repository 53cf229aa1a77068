/**
 * Which connection in one peer's config talks to which in the other's: matched by
 * addresses (A's local address is B's remote one and back), identities (A's id is
 * what B expects and back), then names. ipsec.conf conns are tried both ways round
 * (the daemon decides left/right by its interface addresses, so the two peers often
 * share one file verbatim). Computed once per Evidence.
 */
import type { ChildConfig, ConfigFacts, ConnectionConfig } from '../../config-types.js';
import type { Evidence } from '../../types.js';
import { derived } from '../memo.js';
import { parseTs, relateTs } from './ts.js';
import { tsRelation } from './compare.js';
import { authFamily, expectedRemoteId, localId, oriented, type ConfiguredConnection } from './connections.js';

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

/** Same literal (names, test-harness placeholders), or overlapping when both are IPs, CIDRs or ranges (swanctl remote_addrs = 192.168.0.96/28). */
function addrsMeet(xs: readonly string[], ys: readonly string[]): boolean {
  return xs.some((x) =>
    ys.some((y) => {
      if (x === y) return true;
      const rx = parseTs(x, []);
      const ry = parseTs(y, []);
      return !!rx && !!ry && relateTs(rx, ry) !== 'disjoint' && relateTs(rx, ry) !== 'unknown';
    }),
  );
}

function score(a: ConfiguredConnection, b: ConfiguredConnection): { score: number; matchedBy: string[] } {
  const matchedBy: string[] = [];
  let s = 0;
  const al = concrete(a.conn.local.addrs.value);
  const ar = concrete(a.conn.remote.addrs.value);
  const bl = concrete(b.conn.local.addrs.value);
  const br = concrete(b.conn.remote.addrs.value);
  // the same literal on both ends of one side means the orientation is undecidable by address
  if (addrsMeet(al, br)) (s += 3), matchedBy.push('addresses');
  if (addrsMeet(ar, bl)) (s += 3), matchedBy.includes('addresses') || matchedBy.push('addresses');
  // siblings, not peers: two clients of one gateway share its address as their remote one
  if (addrsMeet(al, bl) && !addrsMeet(al, br)) s -= 4;
  if (addrsMeet(ar, br) && !addrsMeet(ar, bl)) s -= 4;
  const aId = localId(a.conn.local).norm;
  const bId = localId(b.conn.local).norm;
  const aExp = expectedRemoteId(a.conn.remote, a.conn.symmetric).norm;
  const bExp = expectedRemoteId(b.conn.remote, b.conn.symmetric).norm;
  if (aId && bExp && aId === bExp) (s += 2), matchedBy.push('ids');
  if (bId && aExp && bId === aExp) (s += 2), matchedBy.includes('ids') || matchedBy.push('ids');
  if (aId && bId && aId === bId && aId !== aExp) s -= 3; // both would send the same identity
  if (aExp && bExp && aExp === bExp && aExp !== aId) s -= 3; // both expect the same peer
  if (a.conn.name === b.conn.name) (s += 1), matchedBy.push('name');
  // a gateway often has one conn per auth method for the same clients (strongSwan rw-psk-rsa-mixed)
  const fam = (c: ConfiguredConnection, which: 'local' | 'remote') => authFamily(c.conn[which].rounds[0]?.auth.value ?? 'pubkey');
  if (fam(a, 'local') === fam(b, 'remote') && fam(b, 'local') === fam(a, 'remote')) s += 1;
  // tie-breakers between conns of one gateway that differ only by child: names, then mirrored selectors
  if (a.conn.children.some((x) => b.conn.children.some((y) => x.name === y.name))) s += 1;
  if (a.conn.children.some((x) => b.conn.children.some((y) => mirrored(a, x, b, y)))) s += 1;
  return { score: s, matchedBy };
}

function mirrored(a: ConfiguredConnection, x: ChildConfig, b: ConfiguredConnection, y: ChildConfig): boolean {
  const r = tsRelation(a, x, b, y);
  return (r.local === 'equal' || r.remote === 'equal') && r.local !== 'disjoint' && r.remote !== 'disjoint';
}

// keys that name this host's own things: a conn that sets them only on the left was written from the left
const LOCAL_MARKERS = ['cert', 'firewall', 'sourceip', 'updown', 'hostaccess'];

/**
 * The ways an ipsec.conf conn can be read: written from the left (the convention), from
 * the right (strongSwan's *-swapped tests), or either when shared verbatim (libreswan style).
 */
function orientations(facts: ConfigFacts, conn: ConnectionConfig): ConfiguredConnection[] {
  if (!conn.symmetric) return [oriented(facts, conn, false)];
  const leftOnly = LOCAL_MARKERS.some((m) => conn.keys[`left${m}`] && !conn.keys[`right${m}`]);
  const rightOnly = LOCAL_MARKERS.some((m) => conn.keys[`right${m}`] && !conn.keys[`left${m}`]);
  if (leftOnly && !rightOnly) return [oriented(facts, conn, false)];
  if (rightOnly && !leftOnly) return [oriented(facts, conn, true)];
  return [oriented(facts, conn, false), oriented(facts, conn, true)];
}

/** The connections a daemon would load: ipsec.conf also= building blocks left out when there is anything else, switched-off ones (PAN-OS `disabled yes`) never. */
export function loadable(facts: ConfigFacts): ConnectionConfig[] {
  const enabled = facts.connections.filter((c) => !c.disabled?.value);
  const real = enabled.filter((c) => !c.template);
  return real.length ? real : enabled;
}

/** Pairs between two configs, best first, each connection used once. */
export function pairConnections(x: ConfigFacts, y: ConfigFacts): ConnectionPair[] {
  const candidates: ConnectionPair[] = [];
  const xs = loadable(x);
  const ys = loadable(y);
  const single = xs.length === 1 && ys.length === 1;
  for (const cx of xs) {
    for (const cy of ys) {
      let best: ConnectionPair | undefined;
      for (const a of orientations(x, cx)) {
        for (const b of orientations(y, cy)) {
          const r = score(a, b);
          if (!best || r.score > best.score) best = { a, b, ...r };
        }
      }
      // addresses or ids must meet; with one conn per side the same conn name is enough (users copy configs)
      const strong = best && (best.matchedBy.includes('addresses') || best.matchedBy.includes('ids'));
      if (best && ((strong && best.score >= 3) || (single && (strong || best.matchedBy.includes('name')) && best.score >= 2))) candidates.push(best);
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
