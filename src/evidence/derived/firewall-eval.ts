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
import type { Chain, Cidr, Hook, Match, Rule, Ruleset, Table } from '../ruleset-types.js';
import { PORTED } from '../../decoders/netfilter-names.js';

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

export function evaluate(ruleset: Ruleset, packet: Packet): Evaluation {
  const chains = baseChains(ruleset, packet.family, packet.path);
  const state = { steps: 0, nearMisses: [] as NearMiss[], undecided: [] as Rule[], mark: packet.mark ?? 0 };
  let last: Decision | undefined;
  for (const { table, chain } of chains) {
    const r = runChain(table, chain, packet, state, 0);
    const decision: Decision = r && r !== 'return' ? r : { verdict: chain.policy === 'drop' ? 'drop' : 'accept', table, chain, byPolicy: true };
    if (decision.verdict !== 'accept') return { decision, nearMisses: state.nearMisses, undecided: state.undecided, noChains: false };
    // the accept worth citing is the one a rule made, not a later chain's default policy
    if (!last || (last.byPolicy && !decision.byPolicy)) last = decision;
  }
  const fallback = last ?? { verdict: 'accept' as const, table: ruleset.tables[0] ?? { family: 'ip', name: '', chains: [], sets: {} }, chain: { name: '', rules: [] }, byPolicy: true };
  return { decision: fallback, nearMisses: state.nearMisses, undecided: state.undecided, noChains: chains.length === 0 };
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
    const m = matchRule(rule, packet, state.mark);
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

export function matchRule(rule: Rule, packet: Packet, mark = packet.mark ?? 0): MatchResult {
  const failed: Array<{ reason: string; kind: Match['kind'] }> = [];
  let unknown = false;
  for (const m of rule.matches) {
    const r = matchOne(m, packet, mark);
    if (r === 'unknown') unknown = true;
    else if (r !== true) failed.push({ reason: r, kind: m.kind });
  }
  const noPorts = portReason(rule, packet);
  if (noPorts) return { result: false, reason: noPorts, kind: 'no-ports' };
  if (failed.length) return { result: false, reason: failed.length === 1 ? failed[0].reason : undefined, kind: failed.length === 1 ? failed[0].kind : undefined };
  return { result: unknown ? 'unknown' : true };
}

/** ESP/AH "allowed" by a port rule (`--dports 50,500,4500`): the classic mistake fails on protocol and port at once. */
function portReason(rule: Rule, packet: Packet): string | undefined {
  if (PORTED.has(packet.proto)) return undefined;
  const port = rule.matches.find((m) => m.kind === 'port');
  return port ? `matches ports (${describe(port)}); protocol ${packet.proto} has no ports, so this rule never matches it` : undefined;
}

/** true, 'unknown', or the reason it does not match */
function matchOne(m: Match, p: Packet, mark: number): true | 'unknown' | string {
  switch (m.kind) {
    case 'iface': {
      const name = m.dir === 'in' ? p.iif : p.oif;
      if (name === undefined) return true;
      const hit = m.names.some((n) => ifaceMatches(n, name));
      return hit !== m.negate ? true : `only ${m.negate ? 'not ' : ''}on ${m.dir === 'in' ? 'input' : 'output'} interface ${m.names.join(', ')}`;
    }
    case 'addr': {
      const a = m.dir === 'src' ? p.src : p.dst;
      if (a === undefined) return true;
      const hit = m.cidrs.some((c) => inCidr(a, c));
      return hit !== m.negate ? true : `only ${m.negate ? 'not ' : ''}${m.dir === 'src' ? 'from' : 'to'} ${m.cidrs.map(cidrText).join(', ')}`;
    }
    case 'family':
      return m.version === p.family ? true : `IPv${m.version} only`;
    case 'proto':
      return m.protos.includes(p.proto) !== m.negate ? true : `protocol ${m.negate ? 'not ' : ''}${m.protos.join(',')} only`;
    case 'port': {
      if (!PORTED.has(p.proto)) return `matches ports (${describe(m)}); protocol ${p.proto} has no ports, so this rule never matches it`;
      const port = m.dir === 'src' ? p.sport : p.dport;
      if (port === undefined) return true;
      const hit = m.ranges.some(([lo, hi]) => port >= lo && port <= hi);
      return hit !== m.negate ? true : `only ${describe(m)}`;
    }
    case 'icmp': {
      if (p.proto !== (m.family === 4 ? 1 : 58) || !p.icmp) return `ICMP${m.family === 6 ? 'v6' : ''} only`;
      const hit = m.types.some((t) => t.type === p.icmp!.type && (t.code === undefined || t.code === p.icmp!.code));
      return hit !== m.negate ? true : `only ICMP type ${m.types.map((t) => (t.code === undefined ? t.type : `${t.type}/${t.code}`)).join(',')}`;
    }
    case 'ctstate':
      return m.states.includes(p.ct) !== m.negate ? true : `only conntrack state ${m.negate ? 'not ' : ''}${m.states.join(',')}`;
    case 'policy': {
      const isIpsec = m.dir === 'in' ? Boolean(p.ipsecIn) : Boolean(p.ipsecOut);
      if (isIpsec !== (m.pol === 'ipsec')) return `only ${m.pol === 'ipsec' ? 'IPsec-protected' : 'unprotected'} traffic (policy ${m.dir})`;
      if (m.reqid !== undefined && p.reqid !== undefined && m.reqid !== p.reqid) return `only reqid ${m.reqid}`;
      return true;
    }
    case 'mark':
      return ((mark & m.mask) === (m.value & m.mask)) !== m.negate ? true : `only mark 0x${m.value.toString(16)}`;
    case 'tcp-flags':
      return p.proto === 6 ? true : 'TCP only';
    case 'unknown':
      return 'unknown';
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

export function inCidr(addr: string, c: Cidr): boolean {
  const a = addrBits(addr);
  const n = addrBits(c.addr);
  if (!a || !n || a.length !== n.length) return false;
  return a.slice(0, c.prefix) === n.slice(0, c.prefix);
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
