/**
 * The rule to add, in the syntax of the ruleset it goes into (iptables command or
 * nft command), inserted before the rule that decided — or appended when the chain
 * policy decided, since a policy applies after every rule.
 */
import type { EvidenceRef } from '../../types.js';
import type { Decision, Evaluation, NearMiss } from './eval.js';
import type { FlowResult } from './ipsec.js';
import { OTHER_IFACE } from './ipsec.js';

const NFT_PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp' };

export interface RuleSpec {
  proto: number;
  dport?: number;
  icmp?: { type: number; code?: number };
  src?: string;
  dst?: string;
  iif?: string;
  oif?: string;
  ipsecIn?: boolean;
  ipsecOut?: boolean;
}

export function fixFor(r: FlowResult, spec: RuleSpec): string {
  const d = r.blocked.decision;
  const firewalld = firewalldFix(d, spec, r.family);
  if (firewalld) return firewalld;
  // inserted right before the deciding rule, in whichever chain (base or user) it sits
  const position = d.byPolicy ? undefined : d.chain.rules.indexOf(d.rule!) + 1;
  if (r.ruleset.type === 'f5-tmsh') return tmshFix(spec);
  if (r.ruleset.type === 'iptables-save' || r.ruleset.type === 'ip6tables-save') {
    const tool = r.family === 6 ? 'ip6tables' : 'iptables';
    // Docker rewrites FORWARD when it starts and keeps DOCKER-USER, jumped to first, for the admin's own rules (Docker's "Packet filtering and firewalls")
    const docker = d.chain.name === 'FORWARD' && d.table.chains.some((c) => c.name === 'DOCKER-USER');
    const parts = [`${tool} -t ${d.table.name || 'filter'}`, docker ? '-I DOCKER-USER' : position ? `-I ${d.chain.name} ${position}` : `-A ${d.chain.name}`];
    if (spec.iif && spec.iif !== OTHER_IFACE) parts.push(`-i ${spec.iif}`);
    if (spec.oif && spec.oif !== OTHER_IFACE) parts.push(`-o ${spec.oif}`);
    if (spec.src) parts.push(`-s ${spec.src}`);
    if (spec.dst) parts.push(`-d ${spec.dst}`);
    parts.push(`-p ${spec.proto === 58 ? 'ipv6-icmp' : (NFT_PROTO[spec.proto] ?? spec.proto)}`);
    if (spec.dport) parts.push(`--dport ${spec.dport}`);
    if (spec.icmp) parts.push(spec.proto === 58 ? `--icmpv6-type ${spec.icmp.type}` : `--icmp-type ${spec.icmp.type}/${spec.icmp.code ?? 0}`);
    if (spec.ipsecIn) parts.push('-m policy --dir in --pol ipsec');
    if (spec.ipsecOut) parts.push('-m policy --dir out --pol ipsec');
    parts.push('-j ACCEPT');
    return parts.join(' ');
  }
  const expr: string[] = [];
  if (spec.iif && spec.iif !== OTHER_IFACE) expr.push(`iifname "${spec.iif}"`);
  if (spec.oif && spec.oif !== OTHER_IFACE) expr.push(`oifname "${spec.oif}"`);
  const ipv = r.family === 6 ? 'ip6' : 'ip';
  if (spec.src) expr.push(`${ipv} saddr ${spec.src}`);
  if (spec.dst) expr.push(`${ipv} daddr ${spec.dst}`);
  if (spec.ipsecIn) expr.push('meta ipsec exists');
  if (spec.ipsecOut) expr.push('rt ipsec exists');
  if (spec.icmp) expr.push(spec.proto === 58 ? `icmpv6 type packet-too-big` : `icmp type destination-unreachable icmp code frag-needed`);
  else if (spec.dport) expr.push(`udp dport ${spec.dport}`);
  else expr.push(`meta l4proto ${NFT_PROTO[spec.proto] ?? spec.proto}`);
  const handle = d.rule && /# handle (\d+)/.exec(d.rule.text)?.[1];
  const where = handle ? `insert rule ${d.table.family} ${d.table.name} ${d.chain.name} position ${handle}` : d.byPolicy ? `add rule ${d.table.family} ${d.table.name} ${d.chain.name}` : `insert rule ${d.table.family} ${d.table.name} ${d.chain.name}`;
  return `nft ${where} ${expr.join(' ')} accept`;
}

/**
 * firewalld owns `table inet firewalld` and rewrites it on every reload (firewalld.direct(5)
 * warns against editing it with nft): an IPsec flow its input zone refuses is fixed in the
 * zone, lastingly — the predefined `ipsec` service (UDP 500 and 4500, protocols esp and ah,
 * /usr/lib/firewalld/services/ipsec.xml), or a rich rule when one peer is known
 * (firewalld.richlanguage(5)). Input chains are `filter_IN_<zone>[_allow|_deny|_pre|_post|_log]`.
 */
function firewalldFix(d: Decision, spec: RuleSpec, family: 4 | 6): string | undefined {
  if (d.table.name !== 'firewalld' || spec.icmp || spec.ipsecIn || spec.ipsecOut) return undefined;
  const zone = /^filter_IN_(.+?)(?:_(?:allow|deny|pre|post|log))?$/.exec(d.chain.name)?.[1];
  if (!zone || !(spec.proto === 50 || spec.proto === 51 || (spec.proto === 17 && (spec.dport === 500 || spec.dport === 4500)))) return undefined;
  const cmd = `firewall-cmd --permanent --zone=${zone}`;
  if (!spec.src) return `${cmd} --add-service=ipsec && firewall-cmd --reload`;
  const what = spec.proto === 17 ? `port port="${spec.dport}" protocol="udp"` : `protocol value="${spec.proto === 50 ? 'esp' : 'ah'}"`;
  return `${cmd} --add-rich-rule='rule family="ipv${family}" source address="${spec.src}" ${what} accept' && firewall-cmd --reload`;
}

/**
 * An AFM rule in tmsh syntax, placed first in the policy that holds the box's rules (its name is
 * the user's: the listing may not say which policy the global or virtual server context enforces).
 * `accept-decisively` so that no later context's default undoes it.
 */
function tmshFix(spec: RuleSpec): string {
  const proto = spec.proto === 58 ? 'ipv6-icmp' : (NFT_PROTO[spec.proto] ?? String(spec.proto));
  const name = `allow-${proto}${spec.dport ? `-${spec.dport}` : ''}${spec.src ? `-from-${spec.src}` : ''}`.replace(/[^\w.-]/g, '_');
  const parts = [`action accept-decisively`, `ip-protocol ${proto}`];
  if (spec.src) parts.push(`source { addresses add { ${spec.src} } }`);
  const dst = [spec.dst ? `addresses add { ${spec.dst} }` : '', spec.dport ? `ports add { ${spec.dport} }` : ''].filter(Boolean);
  if (dst.length) parts.push(`destination { ${dst.join(' ')} }`);
  parts.push('place-before first');
  // (for ESP with lookupspi enabled, the middle-box check gives the other way out: one flow for both directions)
  return `tmsh modify security firewall policy <policy> rules add { ${name} { ${parts.join(' ')} } }`;
}

/** The deciding rule or policy line, then the ACCEPT rules that looked like they allow it but do not. */
export function decisionRefs(e: Evaluation): EvidenceRef[] {
  const refs: EvidenceRef[] = [decisionRef(e.decision)];
  for (const n of e.nearMisses) {
    if (n.kind === 'no-ports' || ((n.kind === 'iface' || n.kind === 'addr' || n.kind === 'family' || n.kind === 'ctstate' || n.kind === 'policy') && !/interface lo\b/.test(n.reason))) {
      if (!refs.some((r) => r.line === n.rule.at.line && r.excerpt === n.rule.text)) refs.push({ ...n.rule.at, excerpt: n.rule.text });
    }
  }
  return refs.slice(0, 4);
}

export function decisionRef(d: Decision): EvidenceRef {
  if (d.rule) return { ...d.rule.at, excerpt: d.rule.text };
  return { ...(d.chain.policyAt ?? { source: '(ruleset)' }), excerpt: d.chain.policyText ?? `chain ${d.chain.name} policy ${d.chain.policy ?? 'accept'}` };
}

export function describeDecision(d: Decision): string {
  const where = `${d.table.name}/${d.chain.name}`;
  const handle = d.rule && /# handle (\d+)$/.exec(d.rule.text)?.[1];
  // a rule the reader made for a default the input implies (F5's context default) has no line of its own
  if (d.rule && d.rule.at.line === undefined) return `${d.rule.target ?? d.verdict} rule (${d.rule.text}) of ${d.rule.at.source}`;
  return d.rule ? `${d.rule.target ?? d.verdict} rule at ${d.rule.at.source}:${d.rule.at.line}${handle ? ` (handle ${handle})` : ''} in ${where}` : `the ${d.chain.policy?.toUpperCase()} policy of ${where}`;
}

/** Reasons of the near misses worth telling: a port rule meant for ESP, an ACCEPT on another interface or for another address. */
export function nearMissNotes(e: Evaluation): string[] {
  // a rule for this very protocol that fails only on family or address is the one to cite first
  const rank = (n: NearMiss) => (n.kind === 'family' || n.kind === 'addr' || n.kind === 'iface' ? 0 : 1);
  return e.nearMisses
    .filter((n) => n.kind === 'no-ports' || ((n.kind === 'iface' || n.kind === 'addr' || n.kind === 'family') && !/interface lo\b/.test(n.reason)))
    .sort((a, b) => rank(a) - rank(b))
    .map((n) => `${whereIs(n.rule.text, n.rule.at.line)}: ${n.reason}`)
    .slice(0, 3);
}

/** `nft -j` output is one line: the handle finds the rule there */
function whereIs(text: string, line: number | undefined): string {
  const handle = /# handle (\d+)$/.exec(text)?.[1];
  return handle ? `handle ${handle}` : `line ${line}`;
}
