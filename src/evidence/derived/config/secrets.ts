/**
 * Which pre-shared key each peer would use for one connection, and whether the two are
 * the same (compared by their keyed digests, ../../secret-digest.ts: no value is ever
 * kept or shown).
 *
 * The key is chosen by the connection's two identities, as both daemons do: strongSwan's
 * credential manager scores every shared key by how well its owners match this end's id
 * and the peer's (an owner list that is empty or `%any` matches any id), skips keys that
 * match neither, and takes the best (libcharon mem_cred / shared_key matching; swanctl.conf(5)
 * `secrets.ike<suffix>.id<suffix>`; ipsec.secrets(5) "selectors"); libreswan's ipsec.secrets
 * lookup prefers an entry naming both ids over one naming one, over a `%any` or bare `: PSK`.
 */
import type { ConfigFacts, SecretEntry } from '../../config-types.js';
import type { Evidence } from '../../types.js';
import type { EvidenceRef } from '../../types.js';
import { authFamily, expectedRemoteId, localId, normaliseId, refs, type ConfiguredConnection } from './connections.js';

export type PskComparison =
  | { outcome: 'equal' | 'different'; a: SecretEntry; b: SecretEntry }
  | { outcome: 'missing'; has: 'a' | 'b'; entry: SecretEntry; otherHoldsSecrets: boolean }
  | { outcome: 'not-compared'; reason: 'encrypted' | 'unreadable'; a?: SecretEntry; b?: SecretEntry }
  | { outcome: 'none'; aHoldsSecrets: boolean; bHoldsSecrets: boolean };

const ANY = new Set(['%any', '%any6', '*']);

/** 2: the owner list names this id; 1: it names any (empty, `%any`); 0: it names other ids only. */
function ownerMatch(owners: readonly string[], id: string | undefined): number {
  if (owners.length === 0) return 1;
  if (id !== undefined && owners.some((o) => normaliseId(o) === id)) return 2;
  return owners.some((o) => ANY.has(o.toLowerCase())) ? 1 : 0;
}

/** The shared key this end would pick for its local id and the peer's id; undefined when none fits. */
export function pskFor(secrets: readonly SecretEntry[], conn: ConfiguredConnection): SecretEntry | undefined {
  const me = localId(conn.conn.local).norm;
  const peer = expectedRemoteId(conn.conn.remote, conn.conn.symmetric).norm;
  let best: SecretEntry | undefined;
  let bestScore = 0;
  for (const s of secrets) {
    if (s.type !== 'PSK') continue;
    const m = ownerMatch(s.ids, me);
    const p = ownerMatch(s.ids, peer);
    if (m === 0 && p === 0) continue;
    // a single owner list names both ends; a key naming only the peer still qualifies (ipsec.secrets `: PSK` with one selector)
    const score = m + p;
    if (score > bestScore) (best = s), (bestScore = score);
  }
  return best;
}

/**
 * The secrets a config's daemon would load: its own (swanctl.conf `secrets`, PAN-OS gateway
 * keys), and for an ipsec.conf the ipsec.secrets given with it — in the same directory and
 * with the same name before the first dot (`left.ipsec.conf`/`left.ipsec.secrets`), or the
 * only ipsec.conf of that directory.
 */
export function secretsOf(evidence: Evidence, facts: ConfigFacts): SecretEntry[] {
  if (facts.type !== 'ipsec.conf') return facts.secrets;
  const configs = evidence.configs ?? [];
  const dir = dirOf(facts.source);
  const confsHere = configs.filter((c) => c.type === 'ipsec.conf' && dirOf(c.source) === dir);
  const files = configs.filter((c) => c.type === 'ipsec.secrets' && dirOf(c.source) === dir && (confsHere.length === 1 || stemOf(c.source) === stemOf(facts.source)));
  return [...facts.secrets, ...files.flatMap((f) => f.secrets)];
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function stemOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot === -1 ? base : base.slice(0, dot);
}

/** Whether either end of the connection authenticates with a pre-shared key. */
export function usesPsk(c: ConfiguredConnection): boolean {
  return [c.conn.local, c.conn.remote].some((end) => authFamily(end.rounds[0]?.auth.value ?? '') === 'psk');
}

export function comparePsks(evidence: Evidence, a: ConfiguredConnection, b: ConfiguredConnection): PskComparison {
  const secretsA = secretsOf(evidence, a.facts);
  const secretsB = secretsOf(evidence, b.facts);
  const ka = pskFor(secretsA, a);
  const kb = pskFor(secretsB, b);
  if (ka?.encrypted || kb?.encrypted) return { outcome: 'not-compared', reason: 'encrypted', a: ka, b: kb };
  if (ka && kb) {
    if (!ka.digest || !kb.digest) return { outcome: 'not-compared', reason: 'unreadable', a: ka, b: kb };
    return { outcome: ka.digest.sameAs(kb.digest) ? 'equal' : 'different', a: ka, b: kb };
  }
  const holds = (list: SecretEntry[]) => list.some((s) => s.type === 'PSK');
  if (ka) return { outcome: 'missing', has: 'a', entry: ka, otherHoldsSecrets: holds(secretsB) };
  if (kb) return { outcome: 'missing', has: 'b', entry: kb, otherHoldsSecrets: holds(secretsA) };
  return { outcome: 'none', aHoldsSecrets: holds(secretsA), bHoldsSecrets: holds(secretsB) };
}

/**
 * config-diff's PSK_MISMATCH / PSK_MISSING / PSK_NOT_COMPARED for one pair of connections that
 * both authenticate with a pre-shared key: outcome and places only, never a value or digest.
 */
export function pskFinding(evidence: Evidence, a: ConfiguredConnection, b: ConfiguredConnection): { code: string; severity?: 'info'; data: Record<string, unknown>; evidence: EvidenceRef[] } | undefined {
  if (!usesPsk(a) || !usesPsk(b)) return undefined;
  const ids = { idA: localId(a.conn.local).shown, idB: localId(b.conn.local).shown };
  const c = comparePsks(evidence, a, b);
  switch (c.outcome) {
    case 'equal':
      return undefined;
    case 'different':
      return { code: 'PSK_MISMATCH', data: { ...ids, outcome: c.outcome }, evidence: refs(c.a, c.b) };
    case 'missing': {
      const [withKey, without] = c.has === 'a' ? [a, b] : [b, a];
      const file = without.facts.source;
      return {
        code: 'PSK_MISSING',
        ...(c.otherHoldsSecrets ? {} : { severity: 'info' as const }),
        data: {
          ...ids, outcome: c.outcome, fileWith: withKey.facts.source, fileWithout: file, connWith: withKey.conn.name,
          severityReason: c.otherHoldsSecrets
            ? `${file} holds other pre-shared keys, none for this ID pair: its daemon will find no key for it.`
            : `${file} holds no pre-shared key at all: its keys are probably in a file not given here.`,
        },
        evidence: refs(c.entry, without.conn),
      };
    }
    case 'not-compared':
      return {
        code: 'PSK_NOT_COMPARED',
        data: { ...ids, outcome: c.reason, reason: c.reason === 'encrypted' ? 'PAN-OS stores the key encrypted under the firewall\'s master key, so it cannot be compared' : 'a key could not be read' },
        evidence: refs(c.a, c.b),
      };
    case 'none':
      return {
        code: 'PSK_NOT_COMPARED',
        data: { ...ids, outcome: c.outcome, reason: 'neither config holds a pre-shared key for this ID pair (pass the files that hold them, such as ipsec.secrets, with -c)' },
        evidence: refs(a.conn, b.conn),
      };
  }
}
