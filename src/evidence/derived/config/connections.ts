/**
 * Effective values of a configured connection, as the daemon will use them on the
 * wire: the identity each end sends or expects (with the daemons' defaults), the
 * authentication family, the proposals parsed into transforms, and the orientation
 * of an ipsec.conf conn (left/right are not local/remote until the daemon finds
 * its own address).
 */
import type { AuthRound, ConfigFacts, ConnectionConfig, EndConfig, Setting } from '../../config-types.js';
import type { EvidenceRef } from '../../types.js';
import { parseProposals, type Proposal, type ProposalProtocol } from '../proposals.js';

export interface ConfiguredConnection {
  facts: ConfigFacts;
  conn: ConnectionConfig;
  /** ipsec.conf conn read with right as this host */
  swapped: boolean;
  /** the connection as decoded (before any swap) */
  original: ConnectionConfig;
}

/** The same connection with ends (and every child's selectors) exchanged. */
export function swapEnds(conn: ConnectionConfig): ConnectionConfig {
  return {
    ...conn,
    local: conn.remote,
    remote: conn.local,
    children: conn.children.map((c) => ({ ...c, localTs: c.remoteTs, remoteTs: c.localTs })),
  };
}

export function oriented(facts: ConfigFacts, conn: ConnectionConfig, swapped: boolean): ConfiguredConnection {
  return { facts, conn: swapped ? swapEnds(conn) : conn, swapped, original: conn };
}

/** `left`/`right` for ipsec.conf, `local`/`remote` for swanctl: the word the user wrote. */
export function endWord(c: ConfiguredConnection, which: 'local' | 'remote'): string {
  if (!c.conn.symmetric) return which;
  return (which === 'local') !== c.swapped ? 'left' : 'right';
}

export function ref(s: { at: { source: string; line?: number }; excerpt: string }): EvidenceRef {
  return { source: s.at.source, line: s.at.line, excerpt: s.excerpt };
}

/** Evidence refs for settings, skipping duplicates of the same line. */
export function refs(...settings: Array<{ at: { source: string; line?: number }; excerpt: string } | undefined>): EvidenceRef[] {
  const out: EvidenceRef[] = [];
  for (const s of settings) {
    if (!s) continue;
    if (out.some((r) => r.source === s.at.source && r.line === s.at.line)) continue;
    out.push(ref(s));
  }
  return out;
}

// ---------------------------------------------------------------------------
// identities

export interface EffectiveId {
  /** comparable form; undefined = any identity is accepted (remote) or it depends on a certificate (local) */
  norm?: string;
  /** as written or as defaulted */
  shown: string;
  setting?: Setting<string>;
  /** why norm is undefined */
  open?: 'any' | 'from-cert';
}

const ANY_IDS = new Set(['%any', '%any6', '', '%']);

/** RFC 7296 §3.5 ID types as the daemons write them: `@fqdn`, `user@fqdn`, IP, DN, `fqdn:x`, `keyid:x`. */
export function normaliseId(raw: string): string {
  let t = raw.trim().replace(/^"|"$/g, '');
  const pre = /^(fqdn|email|rfc822|userfqdn|ipv4|ipv6|ip|dn|asn1dn|keyid|key_id):(.*)$/i.exec(t);
  if (pre) t = pre[2];
  if (t.startsWith('@#')) return `keyid:${t.slice(2).toLowerCase()}`;
  if (t.startsWith('@@')) t = t.slice(2);
  else if (t.startsWith('@')) t = t.slice(1);
  if (/=/.test(t)) return t.split(/\s*[,/]\s*/).filter(Boolean).map((rdn) => rdn.replace(/\s*=\s*/, '=')).join(', ');
  return t.toLowerCase();
}

function firstRound(end: EndConfig): AuthRound | undefined {
  return end.rounds[0];
}

/** The identity this end sends (IDi/IDr): written id, else the address (both daemons), else the cert subject. */
export function localId(end: EndConfig): EffectiveId {
  const round = firstRound(end);
  const id = round?.id;
  if (id && !ANY_IDS.has(id.value) && id.value !== '%fromcert') return { norm: normaliseId(id.value), shown: id.value, setting: id };
  if (round?.certs?.value.length || id?.value === '%fromcert') return { shown: `subject of ${round?.certs?.value[0] ?? 'the certificate'}`, setting: id, open: 'from-cert' };
  // with signatures and no id, strongSwan may take the identity from the loaded certificate: not ours to guess
  if (round && authFamily(round.auth.value) === 'pubkey') return { shown: 'the certificate\'s identity (no id set)', setting: id, open: 'from-cert' };
  const addr = end.addrs.value.find((a) => /^[0-9a-f.:]+$/i.test(a) && !a.startsWith('%'));
  if (addr) return { norm: normaliseId(addr), shown: `${addr} (default: the address)`, setting: id };
  return { shown: 'unknown (default: the address in use)', setting: id, open: 'from-cert' };
}

/**
 * The identity this end expects from the peer: swanctl remote.id defaults to %any;
 * ipsec.conf rightid defaults to the right address (strongSwan ipsec.conf(5), libreswan).
 */
export function expectedRemoteId(end: EndConfig, symmetric: boolean): EffectiveId {
  const id = firstRound(end)?.id;
  if (id && !ANY_IDS.has(id.value) && id.value !== '%fromcert') return { norm: normaliseId(id.value), shown: id.value, setting: id };
  if (id?.value === '%fromcert') return { shown: id.value, setting: id, open: 'from-cert' };
  if (!id && symmetric) {
    const addr = end.addrs.value.find((a) => /^[0-9a-f.:]+$/i.test(a));
    if (addr && firstRound(end)?.certs === undefined) return { norm: normaliseId(addr), shown: `${addr} (default: the address)`, setting: undefined };
  }
  return { shown: id?.value || '%any', setting: id, open: 'any' };
}

// ---------------------------------------------------------------------------
// authentication

export type AuthFamily = 'psk' | 'pubkey' | 'eap' | 'xauth' | 'null' | 'never' | 'other';

export function authFamily(auth: string): AuthFamily {
  const a = auth.toLowerCase();
  if (a === 'psk' || a === 'secret') return 'psk';
  if (/^(pubkey|rsa|ecdsa|ed25519|ed448|bliss|rsasig|eddsa|rsa-|ecdsa-)/.test(a)) return 'pubkey';
  if (a.startsWith('eap')) return 'eap';
  if (a.startsWith('xauth')) return 'xauth';
  if (a === 'null') return 'null';
  if (a === 'never') return 'never';
  return 'other';
}

// ---------------------------------------------------------------------------
// proposals

export interface ConfiguredProposals {
  /** undefined when the daemon's default list is in use (or part of it): not compared transform by transform */
  parsed?: Proposal[];
  usesDefault: boolean;
  /** ipsec.conf strongSwan without `!`: the defaults are appended */
  appendsDefaults: boolean;
  unknownTokens: string[];
}

export function configuredProposals(list: string[], protocol: ProposalProtocol, strict: boolean | undefined): ConfiguredProposals {
  const usesDefault = list.length === 0 || list.some((p) => p.toLowerCase() === 'default');
  const explicit = list.filter((p) => p.toLowerCase() !== 'default');
  const parsed = explicit.flatMap((p) => parseProposals(p, protocol));
  const unknownTokens = parsed.flatMap((p) => p.unknown);
  return { parsed: usesDefault ? undefined : parsed, usesDefault, appendsDefaults: strict === false, unknownTokens };
}
