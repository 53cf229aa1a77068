/**
 * Comparisons between two paired connections (one per peer) that config-diff
 * reports: proposals transform by transform, identities, authentication families,
 * selectors per child, IKE version, lifetimes. Each returns plain data plus the
 * settings that are the evidence; the check only picks codes.
 */
import type { ChildConfig, ConfigDialect, Setting } from '../../config-types.js';
import { TRANSFORM_TYPE_NAMES, proposalDelta, type Proposal, type ProposalDelta } from '../proposals.js';
import { ianaNames, writeProposal } from './proposal-syntax.js';
import { authFamily, configuredProposals, expectedRemoteId, localId, type ConfiguredConnection, type EffectiveId } from './connections.js';
import { parseTsList, protoPortsDiffer, relateTs, type TsRelation } from './ts.js';

export interface ProposalGap {
  delta: ProposalDelta;
  /** human names of the transform types without overlap in any pair of proposals */
  transforms: string[];
  /** each side's values of those types, over all its proposals */
  aValues: string[];
  bValues: string[];
  /** every proposal of each side, in its own syntax with the IANA names */
  aProposals: string[];
  bProposals: string[];
  /** the other side's most preferred proposal written in this side's syntax: what to add here */
  fixForA: string;
  fixForB: string;
}

/**
 * An ESP proposal without `esn`/`noesn` means no extended sequence numbers to strongSwan
 * (swanctl.conf(5) esp_proposals: "noesn" is the default) and PAN-OS (which offers no ESN):
 * written out, so `…-esn` alone on the other side is seen not to match. libreswan decides ESN
 * with its own `esn=` keyword, so its proposals are left as they are.
 */
function withEsnDefault(list: Proposal[], dialect: ConfigDialect, protocol: 'IKE' | 'ESP' | 'AH'): Proposal[] {
  if (protocol === 'IKE' || dialect === 'libreswan') return list;
  return list.map((p) => (p.transforms.ESN.length ? p : { ...p, transforms: { ...p.transforms, ESN: ['NO_ESN'] } }));
}

/** A proposal as its config writes it (PAN-OS profiles in PAN-OS names), with the IANA names. */
function shown(p: Proposal, dialect: ConfigDialect, protocol: 'IKE' | 'ESP' | 'AH'): string {
  const own = dialect === 'panos' ? writeProposal(p, 'panos', protocol) : p.raw;
  return own ? `\`${own}\` (${ianaNames(p)})` : ianaNames(p);
}

/** `theirs` written for a config of `dialect` (as they wrote it when it is the same daemon); IANA names alone when that syntax has no name for one of them. */
function fixFor(theirs: readonly Proposal[], theirDialect: ConfigDialect, dialect: ConfigDialect, protocol: 'IKE' | 'ESP' | 'AH'): string {
  for (const p of theirs) {
    const w = theirDialect === dialect && dialect !== 'panos' ? p.raw : writeProposal(p, dialect, protocol);
    if (w) return `\`${w}\` (${ianaNames(p)})`;
  }
  return theirs.length ? `a proposal with ${ianaNames(theirs[0])}` : 'a common proposal';
}

/**
 * No overlap between the two explicit proposal lists, every proposal of each side against
 * every one of the other (RFC 7296 §3.3.6: the responder picks one proposal it accepts whole);
 * undefined when they overlap or a side uses daemon defaults.
 */
export function proposalGap(
  aList: Setting<string[]>, aStrict: boolean | undefined, bList: Setting<string[]>, bStrict: boolean | undefined, protocol: 'IKE' | 'ESP' | 'AH',
  dialects: [ConfigDialect, ConfigDialect] = ['strongswan', 'strongswan'],
): ProposalGap | undefined {
  const a = configuredProposals(aList.value, protocol, aStrict);
  const b = configuredProposals(bList.value, protocol, bStrict);
  // the daemon's built-in list (or strongSwan appending it without `!`) is not ours to guess
  if (!a.parsed || !b.parsed || a.appendsDefaults || b.appendsDefaults) return undefined;
  if (a.parsed.length === 0 || b.parsed.length === 0) return undefined;
  if (a.unknownTokens.length || b.unknownTokens.length) return undefined;
  const delta = proposalDelta(withEsnDefault(a.parsed, dialects[0], protocol), withEsnDefault(b.parsed, dialects[1], protocol));
  if (delta.match || delta.types.length === 0) return undefined;
  const transforms = delta.types.map((t) => TRANSFORM_TYPE_NAMES[t]);
  return {
    delta,
    transforms,
    aValues: delta.details.flatMap((d) => d.received),
    bValues: delta.details.flatMap((d) => d.configured),
    aProposals: a.parsed.map((p) => shown(p, dialects[0], protocol)),
    bProposals: b.parsed.map((p) => shown(p, dialects[1], protocol)),
    fixForA: fixFor(b.parsed, dialects[1], dialects[0], protocol),
    fixForB: fixFor(a.parsed, dialects[0], dialects[1], protocol),
  };
}

export interface IdGap {
  sent: EffectiveId;
  expected: EffectiveId;
}

/** What `from` sends as its identity is not what `to` expects (RFC 7296 §2.15: AUTH binds the ID; charon "no matching peer config"). */
export function idGap(from: ConfiguredConnection, to: ConfiguredConnection): IdGap | undefined {
  const sent = localId(from.conn.local);
  const expected = expectedRemoteId(to.conn.remote, to.conn.symmetric);
  if (!sent.norm || !expected.norm) return undefined;
  return idMatches(sent.norm, expected.norm) ? undefined : { sent, expected };
}

/** strongSwan accepts wildcards in expected ids (`*@strongswan.org`, `C=CH, O=strongSwan, CN=*`). */
export function idMatches(sent: string, expected: string): boolean {
  if (!expected.includes('*')) return sent === expected;
  const re = new RegExp(`^${expected.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(sent);
}

export interface AuthGap {
  uses: Setting<string>;
  expects: Setting<string>;
  usesFamily: string;
  expectsFamily: string;
}

/** `from` authenticates itself with a method `to` does not accept for it. */
export function authGap(from: ConfiguredConnection, to: ConfiguredConnection): AuthGap | undefined {
  const uses = from.conn.local.rounds[0]?.auth;
  const expects = to.conn.remote.rounds[0]?.auth;
  if (!uses || !expects) return undefined;
  const f1 = authFamily(uses.value);
  const f2 = authFamily(expects.value);
  if (f1 === 'other' || f2 === 'other' || f1 === f2) return undefined;
  // EAP-only mutual authentication (RFC 5998, strongSwan rw-eap-sim-only-radius) leaves the peer's auth unset
  if ((f1 === 'eap' && expects.implicit) || (f2 === 'eap' && uses.implicit)) return undefined;
  // an EAP client is verified by the server's EAP method, but the server signs with pubkey: `remote.auth=eap-*` is what the server expects
  return { uses, expects, usesFamily: f1, expectsFamily: f2 };
}

export interface ChildPair {
  a: ChildConfig;
  b: ChildConfig;
}

/** Children paired by mirrored selectors, then names, then position. */
export function pairChildren(a: ConfiguredConnection, b: ConfiguredConnection): ChildPair[] {
  const out: ChildPair[] = [];
  const left = [...a.conn.children];
  const right = [...b.conn.children];
  const take = (pred: (x: ChildConfig, y: ChildConfig) => boolean) => {
    for (const x of [...left]) {
      const y = right.find((c) => pred(x, c));
      if (!y) continue;
      out.push({ a: x, b: y });
      left.splice(left.indexOf(x), 1);
      right.splice(right.indexOf(y), 1);
    }
  };
  take((x, y) => tsRelation(a, x, b, y).local === 'equal' && tsRelation(a, x, b, y).remote === 'equal');
  take((x, y) => x.name === y.name);
  while (left.length && right.length) out.push({ a: left.shift()!, b: right.shift()! });
  return out;
}

export interface TsComparison {
  /** a.local_ts vs b.remote_ts */
  local: TsRelation;
  /** a.remote_ts vs b.local_ts */
  remote: TsRelation;
  portsDiffer: boolean;
}

export function tsRelation(a: ConfiguredConnection, ca: ChildConfig, b: ConfiguredConnection, cb: ChildConfig): TsComparison {
  const aLocal = parseTsList(ca.localTs.value, a.conn.local.addrs.value);
  const aRemote = parseTsList(ca.remoteTs.value, a.conn.remote.addrs.value);
  const bLocal = parseTsList(cb.localTs.value, b.conn.local.addrs.value);
  const bRemote = parseTsList(cb.remoteTs.value, b.conn.remote.addrs.value);
  const portsDiffer = !!(aLocal && bRemote && protoPortsDiffer(aLocal, bRemote)) || !!(aRemote && bLocal && protoPortsDiffer(aRemote, bLocal));
  return { local: relateTs(aLocal, bRemote), remote: relateTs(aRemote, bLocal), portsDiffer };
}

export interface LifetimeDiff {
  what: string;
  a: Setting<number>;
  b: Setting<number>;
  /** IKEv1 negotiates lifetimes (the responder may refuse or impose one); IKEv2 does not (RFC 7296 §2.8) */
  ikev1: boolean;
}

/** Rekey intervals that differ by half or more: not a failure, but rekeys that do not line up. */
export function lifetimeDiffs(a: ConfiguredConnection, b: ConfiguredConnection): LifetimeDiff[] {
  const ikev1 = a.conn.ikeVersion.value === 1 || b.conn.ikeVersion.value === 1;
  const pairs: Array<[string, Setting<number>, Setting<number>]> = [['IKE SA rekey time', a.conn.ikeRekeyTime, b.conn.ikeRekeyTime]];
  const ca = a.conn.children[0];
  const cb = b.conn.children[0];
  if (ca && cb) pairs.push(['CHILD SA rekey time', ca.rekeyTime, cb.rekeyTime]);
  return pairs
    .filter(([, x, y]) => x.value > 0 && y.value > 0 && Math.max(x.value, y.value) / Math.min(x.value, y.value) >= 1.5)
    .map(([what, x, y]) => ({ what, a: x, b: y, ikev1 }));
}

export interface TsGap {
  aTs: Setting<string[]>;
  bTs: Setting<string[]>;
  /** how a's selectors relate to the b's mirrored ones */
  relation: Exclude<TsRelation, 'equal' | 'unknown'>;
  /** an IKEv2 responder can narrow to the intersection (RFC 7296 §2.9); disjoint selectors cannot */
  narrowing: boolean;
  /** error: no overlap; warning: narrowing whose outcome depends on who initiates; info: only one side can initiate and the responder narrows it, as designed for road warriors / split tunnels */
  severity: 'error' | 'warning' | 'info';
  /** a side is PAN-OS, whose selectors are its tunnel's proxy IDs */
  panos: boolean;
}

/**
 * PAN-OS's selectors are its tunnel's proxy IDs; without any it proposes 0.0.0.0/0 both ways
 * "and when these values are exchanged with [a policy-based] peer, it results in a failure to set
 * up the VPN connection" (KB kA10g000000ClUFCA0, "Why Use a VPN Proxy ID?").
 */
export const PANOS_PROXY_ID_NOTE = 'PAN-OS: the selectors are the tunnel\'s proxy IDs (`set network tunnel ipsec <tunnel> auto-key proxy-id <name> local <subnet>`, `… remote <subnet>`, `… protocol any`); without any, PAN-OS proposes 0.0.0.0/0 both ways, which a policy-based peer refuses (Palo Alto KB kA10g000000ClUFCA0).';

const fitsIn = (r: TsRelation) => r === 'equal' || r === 'subset' || r === 'unknown';
const covers = (r: TsRelation) => r === 'equal' || r === 'superset' || r === 'unknown';
/** a responder whose peer is %any, a subnet or a range cannot start the exchange */
const canInitiate = (c: ConfiguredConnection) => c.conn.remote.addrs.value.some((x) => !x.startsWith('%') && !/[/-]/.test(x) && x !== '0.0.0.0' && x !== '::');

/**
 * Selectors that are not mirrored. A subset is not a failure when the side with the
 * narrower selectors is the only one that can initiate (a road warrior inside the
 * gateway's range): its proposal fits the responder's policy as it stands.
 */
export function tsGaps(a: ConfiguredConnection, ca: ChildConfig, b: ConfiguredConnection, cb: ChildConfig): TsGap[] {
  const rel = tsRelation(a, ca, b, cb);
  if (fitsIn(rel.local) && fitsIn(rel.remote) && !canInitiate(b)) return [];
  if (covers(rel.local) && covers(rel.remote) && !canInitiate(a)) return [];
  const out: TsGap[] = [];
  const oneInitiator = canInitiate(a) !== canInitiate(b);
  const panos = [a, b].some((c) => c.facts.dialect === 'panos');
  for (const [which, relation] of [['local', rel.local], ['remote', rel.remote]] as const) {
    if (relation === 'equal' || relation === 'unknown') continue;
    const aTs = which === 'local' ? ca.localTs : ca.remoteTs;
    const bTs = which === 'local' ? cb.remoteTs : cb.localTs;
    const narrowing = relation !== 'disjoint';
    out.push({
      aTs: { ...aTs, key: aTs.key ?? (which === 'local' ? 'local_ts' : 'remote_ts') },
      bTs: { ...bTs, key: bTs.key ?? (which === 'local' ? 'remote_ts' : 'local_ts') },
      relation,
      narrowing,
      severity: !narrowing ? 'error' : oneInitiator ? 'info' : 'warning',
      panos,
    });
  }
  return out;
}

/** Human duration for data: 3600 → "1h", 5400 → "1h30m". */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return seconds === 0 ? '0s (never)' : String(seconds);
  const parts: string[] = [];
  let s = Math.round(seconds);
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${unit}`);
      s %= n;
    }
  }
  return parts.join('');
}

/** A proposal gap as the values a finding's data holds (config-diff's proposal findings). */
export function proposalGapData({ transforms: transform, aValues, bValues, aProposals, bProposals, fixForA, fixForB, delta }: ProposalGap) {
  return { transform, aValues, bValues, aProposals, bProposals, fixForA, fixForB, details: delta.details, combination: !!delta.combination };
}
