/**
 * A firewall ruleset as the kernel will evaluate it: iptables-save / ip6tables-save
 * output and `nft list ruleset` (text or `-j` JSON) all decode into this one model,
 * which src/evidence/derived/firewall/eval.ts walks packet by packet. Decoders record
 * what the ruleset says (every rule with its file:line and raw text); whether a rule
 * is a mistake is decided by checks only.
 */
import type { Location } from './types.js';
import type { MiddleBoxFacts } from './middlebox-types.js';

export type RulesetType = 'iptables-save' | 'ip6tables-save' | 'nft' | 'nft-json' | 'f5-tmsh';

/** Netfilter hooks a base chain can sit on (nft `hook …`, iptables' built-in chain names). */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

/** nft families; iptables-save is `ip`, ip6tables-save `ip6`. */
export type Family = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface Cidr {
  /** 4 or 6 */
  version: 4 | 6;
  /** the address as written (normalised by the decoder only when needed to compare) */
  addr: string;
  prefix: number;
}

export type Match =
  | { kind: 'iface'; dir: 'in' | 'out'; names: string[]; negate: boolean }
  | { kind: 'addr'; dir: 'src' | 'dst'; cidrs: Cidr[]; negate: boolean }
  /** IP protocol numbers (udp 17, esp 50, icmp 1, ipv6-icmp 58, …) */
  | { kind: 'proto'; protos: number[]; negate: boolean }
  /**
   * Layer-4 ports: only TCP, UDP, SCTP, DCCP and UDP-Lite have them. ESP (50) and
   * AH (51) carry no ports (RFC 4303 §2, RFC 4302 §2), so a port match never matches them.
   */
  | { kind: 'port'; dir: 'src' | 'dst'; ranges: Array<[number, number]>; negate: boolean; proto?: number }
  /** ICMP (family 4) or ICMPv6 (family 6) type, with code when written (undefined = any code) */
  | { kind: 'icmp'; family: 4 | 6; types: Array<{ type: number; code?: number }>; negate: boolean }
  /** conntrack state: new, established, related, invalid, untracked */
  | { kind: 'ctstate'; states: string[]; negate: boolean }
  /** conntrack status bits (nft `ct status dnat`, iptables `-m conntrack --ctstatus DNAT`): expected, seen-reply, assured, confirmed, snat, dnat, … */
  | { kind: 'ctstatus'; statuses: string[]; negate: boolean }
  /**
   * IPsec policy (iptables `-m policy --dir in|out --pol ipsec|none`, nft `meta ipsec
   * exists` / `meta secpath exists` / `ipsec in|out reqid N`): whether the packet was
   * decrypted (in) or will be encrypted (out) by an xfrm state.
   */
  | { kind: 'policy'; dir: 'in' | 'out'; pol: 'ipsec' | 'none'; reqid?: number }
  | { kind: 'mark'; value: number; mask: number; negate: boolean }
  /** IP family restriction (nft `meta nfproto ipv4`, `ip saddr` in an inet table implies ipv4) */
  | { kind: 'family'; version: 4 | 6 }
  /**
   * TCP flags test (`--tcp-flags SYN,RST SYN`, `tcp flags syn / syn,rst`): matches when
   * `flags & mask == comp`, or with `any` when `flags & comp != 0` (nft's bare `tcp flags syn`).
   * mask/comp are absent when the reader could not read the expression (then undecidable).
   */
  | { kind: 'tcp-flags'; text: string; mask?: number; comp?: number; any?: boolean; negate?: boolean }
  /**
   * Address type of the route lookup (iptables `-m addrtype --dst-type LOCAL`, nft `fib daddr
   * type local`): upper-case kernel route types (LOCAL, UNICAST, BROADCAST, MULTICAST, …).
   */
  | { kind: 'addrtype'; dir: 'src' | 'dst'; types: string[]; negate: boolean }
  /** something the decoder read but the evaluator cannot decide (named set it could not resolve, xt match, …) */
  | { kind: 'unknown'; text: string };

export type Verdict =
  | { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { kind: 'jump' | 'goto'; target: string }
  /** a non-terminating target or statement: LOG, counter, TCPMSS, MARK set, … */
  | { kind: 'none' };

/** Side effects the evaluator or checks care about. */
export interface RuleAction {
  /** `-j MARK --set-mark`, nft `meta mark set` */
  setMark?: { value: number; mask: number };
  /** `-j TCPMSS --clamp-mss-to-pmtu` / `--set-mss N`, nft `tcp option maxseg size set rt mtu|N` */
  clampMss?: 'pmtu' | number;
  /** `-j LOG`, nft `log` */
  log?: boolean;
  /** address translation (nat table): `-j SNAT/DNAT --to-…`, `-j MASQUERADE`/`REDIRECT`, nft `snat/dnat to …`, `masquerade`, `redirect` */
  nat?: { kind: 'snat' | 'dnat' | 'masquerade' | 'redirect' | 'netmap'; to?: string };
}

export interface Rule {
  at: Location;
  /** the rule as written, one line (for JSON: rendered in nft syntax) */
  text: string;
  matches: Match[];
  verdict: Verdict;
  action: RuleAction;
  /** iptables target or nft statement name, for hints (ACCEPT, DROP, TCPMSS, …) */
  target?: string;
}

export interface Chain {
  name: string;
  /** base chain: attached to a hook; user chains are only reached by jump/goto */
  hook?: Hook;
  /** lower runs first (nft priority; iptables raw -300, mangle -150, filter 0) */
  priority?: number;
  /** nft chain type: filter, nat, route */
  type?: string;
  /** base chains only: what happens when no rule decides */
  policy?: 'accept' | 'drop';
  /** where the policy is written (`:INPUT DROP [0:0]`, `type filter hook input …; policy drop;`) */
  policyAt?: Location;
  policyText?: string;
  rules: Rule[];
}

export interface Table {
  family: Family;
  name: string;
  chains: Chain[];
  /** nft named sets resolved to their elements as written */
  sets: Record<string, string[]>;
}

export interface Ruleset {
  source: string;
  type: RulesetType;
  tables: Table[];
  /**
   * Set when the ruleset belongs to a box that forwards between the peers and keeps its own
   * flows (F5 BIG-IP AFM): how it tracks IPsec and which virtual servers carry it
   * (middlebox-types.ts). Its rules sit in one forward chain per firewall context.
   */
  middleBox?: MiddleBoxFacts;
}

/** IP protocols with port numbers (TCP, UDP, DCCP, SCTP, UDP-Lite): a port match implies one of these, never ESP or AH. */
export const PORTED: ReadonlySet<number> = new Set<number>([6, 17, 33, 132, 136]);
