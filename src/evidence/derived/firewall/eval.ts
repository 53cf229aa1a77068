/**
 * Walks one packet through a decoded ruleset the way netfilter does: the base chains
 * of each hook on the packet's path in priority order (an ACCEPT ends only that base
 * chain; DROP/REJECT anywhere is final — nft(8) "VERDICT STATEMENT"), rules in order,
 * first terminal match wins, jump returns, goto does not, the chain policy when no
 * rule decides. Answers the verdict, the deciding rule (or policy line) and which
 * rules nearly matched, so a check can say why a naive grep is wrong.
 *
 * Unknown packet fields (an address or interface not given) match any address /
 * interface condition: the caller enumerates interfaces itself when it cares.
 */
import { PORTED, type Chain, type Cidr, type Hook, type Match, type Rule, type Ruleset, type Table } from '../../ruleset-types.js';

export type PacketPath = 'input' | 'output' | 'forward';
export type CtState = 'new' | 'established' | 'related';

export interface Packet {
  family: 4 | 6;
  path: PacketPath;
  proto: number;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  icmp?: { type: number; code: number };
  iif?: string;
  oif?: string;
  ct: CtState;
  /** decrypted by an xfrm state (inbound) / to be encrypted (outbound) */
  ipsecIn?: boolean;
  ipsecOut?: boolean;
  reqid?: number;
  mark?: number;
  /** TCP flags (RFC 9293 bits); default: SYN for a NEW flow's first packet, ACK for an established one */
  tcpFlags?: number;
  /** whether conntrack marked the connection destination-translated (`ct status dnat`); undefined = not known */
  dnat?: boolean;
}

export interface Decision {
  verdict: 'accept' | 'drop' | 'reject';
  table: Table;
  chain: Chain;
  /** undefined when the chain policy decided (or every base chain accepted: then the last policy) */
  rule?: Rule;
  /** true when a chain policy decided */
  byPolicy: boolean;
}

export interface NearMiss {
  rule: Rule;
  /** the failing condition: `no-ports` = a port match against ESP/AH */
  kind: Match['kind'] | 'no-ports';
  /** why this ACCEPT did not match the packet */
  reason: string;
}

export interface Evaluation {
  decision: Decision;
  /** ACCEPT rules passed over on the way that failed on exactly one condition */
  nearMisses: NearMiss[];
  /** rules passed over whose conditions the evaluator cannot decide (unknown matches) */
  undecided: Rule[];
  /** no base chain on the packet's path: the kernel accepts */
  noChains: boolean;
  /** the packet's mark when its walk ended (MARK / `meta mark set` rules on the way) */
  mark: number;
}

const PATH_HOOKS: Record<PacketPath, Hook[]> = {
  input: ['prerouting', 'input'],
  output: ['output', 'postrouting'],
  forward: ['prerouting', 'forward', 'postrouting'],
};
const MAX_STEPS = 100_000;
/** near misses and undecided rules kept per evaluation: enough to explain, bounded for huge rulesets */
const MAX_NOTED = 32;
const MAX_DEPTH = 64;

/** Base chains the packet traverses, in kernel order (hook, then priority). */
export function baseChains(ruleset: Ruleset, family: 4 | 6, path: PacketPath): Array<{ table: Table; chain: Chain }> {
  const out: Array<{ table: Table; chain: Chain; order: number }> = [];
  const hooks = PATH_HOOKS[path];
  for (const table of ruleset.tables) {
    if (!(table.family === 'inet' || table.family === (family === 4 ? 'ip' : 'ip6'))) continue;
    for (const chain of table.chains) {
      // nat chains see only a connection's first packet and never drop it
      if (!chain.hook || chain.type === 'nat' || !hooks.includes(chain.hook)) continue;
      out.push({ table, chain, order: hooks.indexOf(chain.hook) * 10_000 + (chain.priority ?? 0) });
    }
  }
  return out.sort((a, b) => a.order - b.order);
}

export function evaluate(ruleset: Ruleset, given: Packet): Evaluation {
  const packet = given.dnat === undefined ? { ...given, dnat: dnatOf(ruleset, given) } : given;
  const chains = baseChains(ruleset, given.family, given.path);
  const state = { steps: 0, nearMisses: [] as NearMiss[], undecided: [] as Rule[], mark: packet.mark ?? 0 };
  let last: Decision | undefined;
  for (const { table, chain } of chains) {
    const r = runChain(table, chain, packet, state, 0);
    const decision: Decision = r && r !== 'return' ? r : { verdict: chain.policy === 'drop' ? 'drop' : 'accept', table, chain, byPolicy: true };
    if (decision.verdict !== 'accept') return { decision, nearMisses: state.nearMisses, undecided: state.undecided, noChains: false, mark: state.mark };
    // the accept worth citing is the one a rule made, not a later chain's default policy
    if (!last || (last.byPolicy && !decision.byPolicy)) last = decision;
  }
  const fallback = last ?? { verdict: 'accept' as const, table: ruleset.tables[0] ?? { family: 'ip', name: '', chains: [], sets: {} }, chain: { name: '', rules: [] }, byPolicy: true };
  return { decision: fallback, nearMisses: state.nearMisses, undecided: state.undecided, noChains: chains.length === 0, mark: state.mark };
}

const DNAT_RULES = new WeakMap<Ruleset, boolean>();

/**
 * Whether conntrack will have marked the packet's connection DNAT by the time the filter
 * sees it: never when the ruleset translates no destination at all; for the first packet of
 * an inbound or forwarded connection, what the PREROUTING nat chains do to it; else unknown.
 */
function dnatOf(ruleset: Ruleset, packet: Packet): boolean | undefined {
  let any = DNAT_RULES.get(ruleset);
  if (any === undefined) {
    any = ruleset.tables.some((t) => t.chains.some((c) => c.rules.some((r) => r.action.nat?.kind === 'dnat' || r.action.nat?.kind === 'redirect' || r.action.nat?.kind === 'netmap')));
    DNAT_RULES.set(ruleset, any);
  }
  if (!any) return false;
  if (packet.ct !== 'new' || packet.path === 'output') return undefined;
  const nat = evaluateNat(ruleset, packet, 'prerouting');
  const kind = nat.decision?.rule?.action.nat?.kind;
  if (kind === 'dnat' || kind === 'redirect' || kind === 'netmap') return true;
  return nat.undecided.length ? undefined : false;
}

/**
 * The packet as the first of its flow (NEW, or RELATED for an ICMP error) and as part
 * of a flow conntrack already knows (ESTABLISHED): `stateDecides` when only the latter passes.
 */
export function evaluateStates(ruleset: Ruleset, packet: Packet): { first: Evaluation; established: Evaluation; stateDecides: boolean } {
  const first = evaluate(ruleset, packet);
  const established = evaluate(ruleset, { ...packet, ct: 'established' });
  return { first, established, stateDecides: first.decision.verdict !== 'accept' && established.decision.verdict === 'accept' };
}

/**
 * The nat chains of one hook, as the first packet of a connection meets them (nat is
 * consulted only for a connection's first packet): the first rule that decides — a
 * translation (`-j SNAT/MASQUERADE/DNAT`, nft `snat/masquerade/dnat`) or an exemption
 * (`-j ACCEPT`/`RETURN` in a base chain) — or none (the policy: no translation).
 */
export function evaluateNat(ruleset: Ruleset, packet: Packet, hook: 'prerouting' | 'postrouting'): { decision?: Decision; undecided: Rule[] } {
  const chains: Array<{ table: Table; chain: Chain; priority: number }> = [];
  for (const table of ruleset.tables) {
    if (!(table.family === 'inet' || table.family === (packet.family === 4 ? 'ip' : 'ip6'))) continue;
    for (const chain of table.chains) if (chain.type === 'nat' && chain.hook === hook) chains.push({ table, chain, priority: chain.priority ?? 0 });
  }
  chains.sort((a, b) => a.priority - b.priority);
  const state = { steps: 0, nearMisses: [] as NearMiss[], undecided: [] as Rule[], mark: packet.mark ?? 0 };
  for (const { table, chain } of chains) {
    const r = runChain(table, chain, packet, state, 0);
    if (r && r !== 'return') return { decision: r, undecided: state.undecided };
  }
  return { undecided: state.undecided };
}

interface WalkState {
  steps: number;
  nearMisses: NearMiss[];
  undecided: Rule[];
  mark: number;
}

/** undefined = fell off the end (RETURN from a user chain, or the base chain's policy applies). */
function runChain(table: Table, chain: Chain, packet: Packet, state: WalkState, depth: number): Decision | undefined | 'return' {
  if (depth > MAX_DEPTH) return undefined;
  for (const rule of chain.rules) {
    if (++state.steps > MAX_STEPS) return undefined;
    const m = matchRule(rule, packet, state.mark, rule.verdict.kind === 'accept' && state.nearMisses.length < MAX_NOTED);
    if (m.result !== true) {
      if (m.result === 'unknown') state.undecided.length < MAX_NOTED && state.undecided.push(rule);
      else if (m.reason && m.kind && rule.verdict.kind === 'accept' && state.nearMisses.length < MAX_NOTED) state.nearMisses.push({ rule, reason: m.reason, kind: m.kind });
      continue;
    }
    if (rule.action.setMark) state.mark = ((state.mark & ~rule.action.setMark.mask) | rule.action.setMark.value) >>> 0;
    const v = rule.verdict;
    if (v.kind === 'accept' || v.kind === 'drop' || v.kind === 'reject') return { verdict: v.kind, table, chain, rule, byPolicy: false };
    if (v.kind === 'return') return depth === 0 ? undefined : 'return';
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = table.chains.find((c) => c.name === v.target);
      if (!target || target.hook) continue;
      const r = runChain(table, target, packet, state, depth + 1);
      if (r === 'return' || r === undefined) {
        // goto: the called chain's end returns to the caller of the current chain
        if (v.kind === 'goto') return depth === 0 ? undefined : 'return';
        continue;
      }
      return r;
    }
  }
  return depth === 0 ? undefined : 'return';
}

interface MatchResult {
  result: true | false | 'unknown';
  /** set when exactly one condition failed: the reason, for near misses */
  reason?: string;
  kind?: NearMiss['kind'];
}

export function matchRule(rule: Rule, packet: Packet, mark = packet.mark ?? 0, explain = true): MatchResult {
  let failures = 0;
  let firstFailed: Match | undefined;
  let unknown = false;
  let hasPort = false;
  for (const m of rule.matches) {
    if (m.kind === 'port') hasPort = true;
    const r = matchOne(m, packet, mark);
    if (r === 'unknown') unknown = true;
    else if (!r) {
      failures++;
      firstFailed ??= m;
      if (!explain && !hasPortMatch(rule)) return { result: false };
    }
  }
  // ESP/AH "allowed" by a port rule (`--dports 50,500,4500`): fails on protocol and port at once
  if (hasPort && !PORTED.has(packet.proto)) {
    const port = rule.matches.find((m) => m.kind === 'port')!;
    return { result: false, kind: 'no-ports', reason: explain ? failReason(port, packet) : undefined };
  }
  if (failures) return { result: false, kind: failures === 1 ? firstFailed!.kind : undefined, reason: explain && failures === 1 ? failReason(firstFailed!, packet) : undefined };
  return { result: unknown ? 'unknown' : true };
}

function matchOne(m: Match, p: Packet, mark: number): boolean | 'unknown' {
  switch (m.kind) {
    case 'iface': {
      const name = m.dir === 'in' ? p.iif : p.oif;
      return name === undefined || m.names.some((n) => ifaceMatches(n, name)) !== m.negate;
    }
    case 'addr': {
      const a = m.dir === 'src' ? p.src : p.dst;
      // an unknown address stands for any peer — but not one in a special-purpose block no IPsec peer has
      if (a === undefined) return !m.cidrs.every(specialPurpose) || m.negate;
      return m.cidrs.some((c) => inCidr(a, c)) !== m.negate;
    }
    case 'family':
      return m.version === p.family;
    case 'proto':
      return m.protos.includes(p.proto) !== m.negate;
    case 'port': {
      if (!PORTED.has(p.proto)) return false;
      const port = m.dir === 'src' ? p.sport : p.dport;
      return port === undefined || m.ranges.some(([lo, hi]) => port >= lo && port <= hi) !== m.negate;
    }
    case 'icmp':
      if (p.proto !== (m.family === 4 ? 1 : 58) || !p.icmp) return false;
      return m.types.some((t) => t.type === p.icmp!.type && (t.code === undefined || t.code === p.icmp!.code)) !== m.negate;
    case 'ctstate':
      return m.states.includes(p.ct) !== m.negate;
    case 'ctstatus': {
      const hit = ctStatusHit(m.statuses, p);
      return hit === 'unknown' ? hit : hit !== m.negate;
    }
    case 'policy': {
      const isIpsec = m.dir === 'in' ? Boolean(p.ipsecIn) : Boolean(p.ipsecOut);
      return isIpsec === (m.pol === 'ipsec') && !(m.reqid !== undefined && p.reqid !== undefined && m.reqid !== p.reqid);
    }
    case 'mark':
      return ((mark & m.mask) === (m.value & m.mask)) !== m.negate;
    case 'tcp-flags': {
      if (p.proto !== 6) return false;
      if (m.mask === undefined || m.comp === undefined) return 'unknown';
      const flags = p.tcpFlags ?? (p.ct === 'new' ? 0x02 : 0x10);
      const hit = m.any ? (flags & m.comp) !== 0 : (flags & m.mask) === m.comp;
      return hit !== Boolean(m.negate);
    }
    case 'addrtype': {
      // the probe packets are unicast between hosts: LOCAL is the box's own address (dst on INPUT, src on OUTPUT)
      const local = m.dir === 'dst' ? p.path === 'input' : p.path === 'output';
      const known = m.types.every((t) => ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST', 'ANYCAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE', 'UNSPEC'].includes(t));
      if (!known) return 'unknown';
      const hit = m.types.some((t) => (t === 'LOCAL' ? local : t === 'UNICAST' ? !local : false));
      return hit !== m.negate;
    }
    case 'unknown':
      return 'unknown';
  }
}

/**
 * Conntrack status bits (include/uapi/linux/netfilter/nf_conntrack_common.h) as the filter
 * hooks see them. The first packet of a connection is not yet CONFIRMED (that happens as it
 * leaves: ipv4_confirm at the last hook), has no SEEN_REPLY or ASSURED, and is SNAT-marked only
 * in POSTROUTING, after every filter hook; DNAT is decided in PREROUTING/OUTPUT nat, before
 * the filter: `dnat` known from the ruleset's nat chains (Packet.dnat). For a packet of an
 * established connection only CONFIRMED and SEEN_REPLY are certain.
 */
function ctStatusHit(statuses: string[], p: Packet): boolean | 'unknown' {
  let unknown = false;
  for (const s of statuses) {
    const v = ctStatusOf(s, p);
    if (v === true) return true;
    if (v === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : false;
}

function ctStatusOf(status: string, p: Packet): boolean | 'unknown' {
  const first = p.ct === 'new' || p.ct === 'related';
  if (status === 'dnat') return p.dnat ?? 'unknown';
  if (!first) return status === 'confirmed' || status === 'seen-reply' ? true : 'unknown';
  if (status === 'confirmed' || status === 'seen-reply' || status === 'assured' || status === 'snat') return false;
  return 'unknown';
}

/** Why a condition does not match, for near misses (built only when one is kept). */
function failReason(m: Match, p: Packet): string {
  const not = 'negate' in m && m.negate ? 'not ' : '';
  switch (m.kind) {
    case 'iface':
      return `only ${not}on ${m.dir === 'in' ? 'input' : 'output'} interface ${m.names.join(', ')}`;
    case 'addr':
      return `only ${not}${m.dir === 'src' ? 'from' : 'to'} ${m.cidrs.map(cidrText).join(', ')}`;
    case 'family':
      return `IPv${m.version} only`;
    case 'proto':
      return `protocol ${not}${m.protos.join(',')} only`;
    case 'port':
      return PORTED.has(p.proto) ? `only ${describe(m)}` : `matches ports (${describe(m)}); protocol ${p.proto} has no ports, so this rule never matches it`;
    case 'icmp':
      return p.proto !== (m.family === 4 ? 1 : 58) ? `ICMP${m.family === 6 ? 'v6' : ''} only` : `only ICMP type ${m.types.map((t) => (t.code === undefined ? t.type : `${t.type}/${t.code}`)).join(',')}`;
    case 'ctstate':
      return `only conntrack state ${not}${m.states.join(',')}`;
    case 'ctstatus':
      return `only conntrack status ${not}${m.statuses.join(',')}`;
    case 'policy':
      return m.reqid !== undefined && (m.dir === 'in' ? p.ipsecIn : p.ipsecOut) === (m.pol === 'ipsec') ? `only reqid ${m.reqid}` : `only ${m.pol === 'ipsec' ? 'IPsec-protected' : 'unprotected'} traffic (policy ${m.dir})`;
    case 'mark':
      return `only mark 0x${m.value.toString(16)}`;
    case 'tcp-flags':
      return p.proto === 6 ? `only TCP flags ${m.text}` : 'TCP only';
    case 'addrtype':
      return `only ${not}${m.dir === 'dst' ? 'destination' : 'source'} address type ${m.types.join(',')}`;
    case 'unknown':
      return 'cannot be decided';
  }
}

function describe(m: Match): string {
  if (m.kind !== 'port') return m.kind;
  return `${m.dir === 'src' ? 'source' : 'destination'} port ${m.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`;
}

/** iptables `eth+` / nft `eth*` are prefix wildcards. */
function ifaceMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith('+') || pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

export function cidrText(c: Cidr): string {
  return c.prefix === (c.version === 4 ? 32 : 128) ? c.addr : `${c.addr}/${c.prefix}`;
}

/** a decoded rule's prefixes, as bit strings, computed once per Cidr object */
const prefixCache = new WeakMap<Cidr, string | null>();

export function inCidr(addr: string, c: Cidr): boolean {
  const a = addrBits(addr);
  let prefix = prefixCache.get(c);
  if (prefix === undefined) {
    prefix = computeBits(c.addr)?.slice(0, c.prefix) ?? null;
    prefixCache.set(c, prefix);
  }
  if (!a || prefix === null || a.length !== (c.version === 4 ? 32 : 128)) return false;
  return a.startsWith(prefix);
}

/**
 * Blocks no IPsec peer can be in (RFC 6890 and the IANA special-purpose registries): this
 * network, loopback, link-local, multicast, reserved and broadcast; IPv6 unspecified,
 * loopback, IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) and IPv4-mapped addresses,
 * 6to4 (RFC 3056; firewalld rejects those), link-local and multicast. Private space is not
 * among them: peers on a LAN or behind a NAT have those.
 */
const SPECIAL: Cidr[] = ([
  [4, '0.0.0.0', 8], [4, '127.0.0.0', 8], [4, '169.254.0.0', 16], [4, '224.0.0.0', 4], [4, '240.0.0.0', 4],
  [6, '::', 96], [6, '::ffff:0.0.0.0', 96], [6, '2002::', 16], [6, 'fe80::', 10], [6, 'ff00::', 8],
] as const).map(([version, addr, prefix]) => ({ version, addr, prefix }));

/** The whole block lies in one special-purpose block (a block as wide as ::/0 does not). */
function specialPurpose(c: Cidr): boolean {
  return addrBits(c.addr) !== undefined && SPECIAL.some((s) => s.version === c.version && s.prefix <= c.prefix && inCidr(c.addr, s));
}

function hasPortMatch(rule: Rule): boolean {
  return rule.matches.some((m) => m.kind === 'port');
}

/** The address as a bit string (IPv4 32, IPv6 128), or undefined. */
const bitsCache = new Map<string, string | undefined>();

export function addrBits(addr: string): string | undefined {
  if (bitsCache.has(addr)) return bitsCache.get(addr);
  const bits = computeBits(addr);
  if (bitsCache.size > 10_000) bitsCache.clear();
  bitsCache.set(addr, bits);
  return bits;
}

function computeBits(addr: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) {
    const parts = addr.split('.').map(Number);
    if (parts.some((x) => x > 255)) return undefined;
    return parts.map((x) => x.toString(2).padStart(8, '0')).join('');
  }
  if (!addr.includes(':') || !/^[0-9a-f:.]+$/i.test(addr)) return undefined;
  let groups: string[];
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const last = (tail.length ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = addrBits(last);
    if (!v4) return undefined;
    const hex = [parseInt(v4.slice(0, 16), 2).toString(16), parseInt(v4.slice(16), 2).toString(16)];
    (tail.length ? tail : head).splice(-1, 1, ...hex);
  }
  if (halves.length === 2) groups = [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  else groups = head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}
