/**
 * tmsh configuration of a BIG-IP between IPsec peers (`tmsh list security firewall …`, `tmsh
 * list ltm virtual …`, `tmsh list sys db ipsec.lookupspi`, a bigip.conf excerpt, or the bare
 * rule blocks the seed "Passthrough IPSec with AFM" prints) → a Ruleset the netfilter
 * evaluator walks, plus the facts a ruleset cannot hold (MiddleBoxFacts).
 *
 * AFM's evaluation, as F5 documents it and the seed shows: contexts in order (global, then
 * the virtual server's); in each, rules in order (`rule-number` when printed, else as listed),
 * first match decides; `accept` lets the packet on to the next context, `accept-decisively`
 * ends the evaluation, `drop`/`reject` end it; a disabled rule (`status disabled`) is skipped;
 * a packet no rule accepts meets the context's default action — Accept in ADC mode (the
 * default), Drop or Reject in firewall mode (F5 "Default Traffic Processing", BIG-IP AFM
 * 14.1–17.1 manuals). Which mode the box runs in is not part of these listings: unless the
 * input says, the default is left undecided (the evaluator says "may be dropped").
 *
 * Flows: the box creates a flow for a packet a rule allows, and later packets of the flow pass
 * without a rule. UDP/TCP flows carry both directions. ESP with `ipsec.lookupspi` enabled (the
 * default) is one flow per direction, so the return direction needs its own rule; disabled,
 * one flow serves both (seed; F5 K31591013).
 */
import type { Chain, Match, Rule, Ruleset, Table } from '../../../evidence/ruleset-types.js';
import type { MiddleBoxFacts, VirtualService } from '../../../evidence/middlebox-types.js';
import type { Diagnostic, EvidenceRef } from '../../../evidence/types.js';
import { child, leaf, names, parseTmsh, type TmshNode } from './tmsh-tree.js';
import { isAddress } from '../text.js';

/** the virtual server context after the global one: its default action */
const NEXT_CONTEXT = 'virtual-server-context';
const ACTIONS = new Set(['accept', 'accept-decisively', 'drop', 'reject']);
const PROTOCOLS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132 };
/** service names tmsh prints for ports (/etc/services as BIG-IP ships it) */
const SERVICES: Record<string, number> = { isakmp: 500, 'ipsec-nat-t': 4500, 'nat-t-ike': 4500, https: 443, http: 80, ssh: 22, domain: 53 };

interface AfmRule {
  name: string;
  node: TmshNode;
  action: string;
  number?: number;
  order: number;
  disabled: boolean;
  matches: Match[];
  text: string;
}

function ref(node: TmshNode, source: string): EvidenceRef {
  return { source, line: node.line, excerpt: node.text };
}

function portOf(word: string): Array<[number, number]> | undefined {
  const w = word.replace(/^\/\w+\//, '');
  const range = /^(\d{1,5})-(\d{1,5})$/.exec(w);
  if (range) return [[Number(range[1]), Number(range[2])]];
  if (/^\d{1,5}$/.test(w)) return [[Number(w), Number(w)]];
  if (w in SERVICES) return [[SERVICES[w], SERVICES[w]]];
  return undefined;
}

function cidrOf(word: string): { version: 4 | 6; addr: string; prefix: number } | undefined {
  const [addr, len] = word.replace(/%\d+/, '').split('/');
  if (!isAddress(addr)) return undefined;
  const version = addr.includes(':') ? 6 : 4;
  return { version, addr, prefix: len !== undefined ? Number(len) : version === 4 ? 32 : 128 };
}

/** source { addresses { … } ports { … } vlans { … } } → matches; lists it cannot resolve become unknown ones. */
function sideMatches(node: TmshNode | undefined, dir: 'src' | 'dst', proto: number | undefined, rule: string, diagnostics: Diagnostic[], source: string): Match[] {
  if (!node) return [];
  const out: Match[] = [];
  const addrs = names(child(node, 'addresses')).map((n) => n.words[0]);
  if (addrs.length) {
    const cidrs = addrs.map(cidrOf);
    if (cidrs.every((c) => c)) out.push({ kind: 'addr', dir, cidrs: cidrs as NonNullable<ReturnType<typeof cidrOf>>[], negate: false });
    else out.push({ kind: 'unknown', text: `${dir === 'src' ? 'source' : 'destination'} addresses ${addrs.join(' ')}` });
  }
  const ports = names(child(node, 'ports')).map((n) => n.words[0]);
  if (ports.length) {
    const ranges = ports.map(portOf);
    if (ranges.every((r) => r)) out.push({ kind: 'port', dir, ranges: ranges.flat() as Array<[number, number]>, negate: false, ...(proto !== undefined ? { proto } : {}) });
    else out.push({ kind: 'unknown', text: `${dir === 'src' ? 'source' : 'destination'} ports ${ports.join(' ')}` });
  }
  for (const list of ['address-lists', 'port-lists', 'fqdns', 'geo', 'ipi-category']) {
    const items = names(child(node, list)).map((n) => n.words[0]);
    if (items.length) {
      out.push({ kind: 'unknown', text: `${dir === 'src' ? 'source' : 'destination'} ${list} ${items.join(' ')}` });
      if (diagnostics.length < 20) diagnostics.push({ at: { source, line: child(node, list)!.line }, decoder: 'f5-tmsh', message: `rule ${rule}: ${list} are not resolved from this input; the rule is judged undecided where they matter` });
    }
  }
  const vlans = names(child(node, 'vlans')).map((n) => n.words[0]);
  if (vlans.length) out.push({ kind: 'iface', dir: 'in', names: vlans, negate: false });
  return out;
}

/** Every block that is a firewall rule (it has an `action` among AFM's four), with its context. */
function collectRules(roots: TmshNode[], source: string, diagnostics: Diagnostic[], lists: Map<string, TmshNode>): AfmRule[] {
  const out: AfmRule[] = [];
  let order = 0;
  const visit = (node: TmshNode, depth: number) => {
    if (depth > 32 || !node.children) return;
    const action = leaf(node, 'action')?.value;
    if (action && ACTIONS.has(action)) {
      out.push(toRule(node, action, order++, source, diagnostics));
      return;
    }
    // a policy rule that only names a rule list: the list's rules stand here, in its order
    const ruleList = leaf(node, 'rule-list')?.value;
    if (ruleList && lists.has(ruleList) && depth > 0) {
      for (const r of names(child(lists.get(ruleList)!, 'rules'))) {
        const a = leaf(r, 'action')?.value;
        if (a && ACTIONS.has(a)) out.push(toRule(r, a, order++, source, diagnostics, leaf(node, 'status')?.value === 'disabled'));
      }
      return;
    }
    for (const c of node.children) visit(c, depth + 1);
  };
  for (const r of roots) {
    // rule lists are expanded where a policy names them; a list alone (no policy here) is read as it stands
    if (r.words[0] === 'security' && r.words[2] === 'rule-list' && [...roots].some((p) => p.words[2] === 'policy' && JSON.stringify(p).includes(r.words[3] ?? '\0'))) continue;
    visit(r, 0);
  }
  return out;
}

function toRule(node: TmshNode, action: string, order: number, source: string, diagnostics: Diagnostic[], parentDisabled = false): AfmRule {
  const name = node.words[node.words.length - 1] ?? '(unnamed)';
  const protoWord = leaf(node, 'ip-protocol')?.value;
  const proto = protoWord === undefined || protoWord === 'any' ? undefined : (PROTOCOLS[protoWord] ?? (/^\d+$/.test(protoWord) ? Number(protoWord) : undefined));
  const matches: Match[] = [];
  if (proto !== undefined) matches.push({ kind: 'proto', protos: [proto], negate: false });
  else if (protoWord !== undefined && protoWord !== 'any') matches.push({ kind: 'unknown', text: `ip-protocol ${protoWord}` });
  matches.push(...sideMatches(child(node, 'source'), 'src', proto, name, diagnostics, source), ...sideMatches(child(node, 'destination'), 'dst', proto, name, diagnostics, source));
  const status = leaf(node, 'status')?.value ?? leaf(node, 'state')?.value;
  const disabled = parentDisabled || status === 'disabled' || Boolean(node.children?.some((c) => c.words.length === 1 && c.words[0] === 'disabled' && !c.children));
  const number = leaf(node, 'rule-number')?.value;
  const parts = [`${name}: ${action}`, protoWord ? `ip-protocol ${protoWord}` : undefined, ...matches.filter((m) => m.kind === 'addr' || m.kind === 'port').map(describe), disabled ? '(disabled)' : undefined];
  return { name, node, action, order, disabled, matches, text: parts.filter(Boolean).join(' '), ...(number && /^\d+$/.test(number) ? { number: Number(number) } : {}) };
}

function describe(m: Match): string {
  if (m.kind === 'addr') return `${m.dir === 'src' ? 'from' : 'to'} ${m.cidrs.map((c) => `${c.addr}/${c.prefix}`).join(',')}`;
  if (m.kind === 'port') return `${m.dir === 'src' ? 'source' : 'destination'} port ${m.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(',')}`;
  return '';
}

function virtualServers(roots: TmshNode[], source: string): VirtualService[] {
  const out: VirtualService[] = [];
  for (const r of roots) {
    const at = r.words.indexOf('virtual');
    if (r.words[0] !== 'ltm' || at !== 1 || !r.children) continue;
    const name = r.words[2] ?? '(unnamed)';
    const profiles = names(child(r, 'profiles')).map((p) => p.words[0]);
    const alg = names(child(r, 'profiles')).find((p) => /ipsecalg|ipsec-alg/i.test(p.words[0]));
    const forwarding = r.children.some((c) => c.words[0] === 'ip-forward');
    const kind: VirtualService['kind'] = profiles.some((p) => /fastl4/i.test(p)) ? 'fastl4' : forwarding ? 'forwarding' : profiles.some((p) => /^(\/\w+\/)?(tcp|udp|http|ipsecalg)\b/i.test(p)) ? 'standard' : 'unknown';
    const dest = leaf(r, 'destination')?.value;
    const ta = leaf(r, 'translate-address');
    const pool = leaf(r, 'pool');
    out.push({
      name, at: ref(r, source), profiles, kind,
      ...(dest ? { destination: dest, destinationPort: /[:.](\w+)$/.exec(dest)?.[1] } : {}),
      ...(leaf(r, 'source') ? { source: leaf(r, 'source')!.value } : {}),
      ...(leaf(r, 'ip-protocol') ? { protocol: leaf(r, 'ip-protocol')!.value } : {}),
      ...(alg ? { ipsecAlg: ref(alg, source) } : {}),
      // a listing shows translate-address only when it differs from the default (enabled) unless all-properties was asked for
      ...(ta ? { translateAddress: { value: ta.value === 'enabled', at: ref(ta.node, source) } } : kind === 'standard' ? { translateAddress: { value: true, at: ref(r, source), implicit: true } } : {}),
      ...(pool && pool.value !== 'none' ? { pool: { value: pool.value, at: ref(pool.node, source) } } : {}),
      ...(r.children.some((c) => c.words.length === 1 && c.words[0] === 'disabled') ? { disabled: true } : {}),
    });
  }
  return out;
}

/** `sys db ipsec.lookupspi { value "disable" }`, or `modify sys db ipsec.lookupspi value disable`. */
function lookupSpi(roots: TmshNode[], source: string): MiddleBoxFacts['espFlows'] | undefined {
  for (const r of roots) {
    const i = r.words.indexOf('ipsec.lookupspi');
    if (i < 0 || !r.words.includes('db')) continue;
    const inline = r.words[i + 1] === 'value' ? { value: r.words[i + 2], node: r } : undefined;
    const v = inline ?? (r.children ? leaf(r, 'value') : undefined);
    if (!v?.value) continue;
    const on = /^(enable|enabled|true)$/i.test(v.value);
    return { value: on ? 'per-direction' : 'bidirectional', at: ref(v.node, source) };
  }
  return undefined;
}

function defaultAction(roots: TmshNode[]): { verdict: 'accept' | 'drop' | 'reject'; node: TmshNode } | undefined {
  for (const r of roots) {
    const i = r.words.indexOf('tm.fw.defaultaction');
    if (i < 0) continue;
    const v = r.words[i + 1] === 'value' ? r.words[i + 2] : r.children ? leaf(r, 'value')?.value : undefined;
    if (v === 'accept' || v === 'drop' || v === 'reject') return { verdict: v, node: r };
  }
  return undefined;
}

export function looksLikeTmsh(text: string): boolean {
  const t = text.replace(/[\u00a0\u202f]/g, ' ');
  return (
    /^\s*(security firewall (policy|rule-list|global-rules|port-list|address-list)|ltm virtual \S+\s*\{|sys db ipsec\.lookupspi|(tmsh )?modify sys db ipsec\.lookupspi)/m.test(t) ||
    // bare rule blocks as the seed prints them: an AFM action and an ip-protocol inside braces
    (/^\s*action (accept-decisively|accept|drop|reject)\s*$/m.test(t) && /^\s*(ip-protocol \S+|rule-number \d+)\s*$/m.test(t) && /\{\s*$/m.test(t))
  );
}

export function decodeTmsh(text: string, source: string): { ruleset: Ruleset; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const { roots, unbalanced } = parseTmsh(text);
  if (unbalanced !== undefined) diagnostics.push({ at: { source, line: unbalanced }, decoder: 'f5-tmsh', message: 'unbalanced braces: the configuration may be cut; what was read before is kept' });
  const lists = new Map<string, TmshNode>();
  for (const r of roots) if (r.words[0] === 'security' && r.words[2] === 'rule-list' && r.words[3]) lists.set(r.words[3], r);
  const afm = collectRules(roots, source, diagnostics, lists);
  // rule-number decides where printed (the seed lists rule 11 before rule 10); else the listed order
  afm.sort((a, b) => (a.number !== undefined && b.number !== undefined ? a.number - b.number : a.order - b.order));
  const vs = virtualServers(roots, source);
  const spi = lookupSpi(roots, source);
  const espFlows = spi ?? { value: 'per-direction' as const, at: { source, excerpt: 'ipsec.lookupspi not in this input: BIG-IP\'s default (enable) assumed' }, implicit: true };
  const rules: Rule[] = [];
  // a flow the box already holds passes without a rule: UDP/TCP flows carry both directions; ESP/AH only without lookupspi
  const flowRule = (text: string, matches: Match[]): Rule => ({ at: { source }, text, matches: [{ kind: 'ctstate', states: ['established'], negate: false }, ...matches], verdict: { kind: 'accept' }, action: {} });
  rules.push(espFlows.value === 'per-direction'
    ? flowRule('a packet of a flow the box holds (ESP and AH are one flow per direction with ipsec.lookupspi enabled)', [{ kind: 'proto', protos: [50, 51], negate: true }])
    : flowRule('a packet of a flow the box holds (one ESP flow for both directions with ipsec.lookupspi disabled)', []));
  for (const r of afm) {
    if (r.disabled) continue;
    // `accept` only lets the packet on to the next context, whose rules (none here) and default action still apply
    const verdict: Rule['verdict'] = r.action === 'accept-decisively' ? { kind: 'accept' } : r.action === 'accept' ? { kind: 'goto', target: NEXT_CONTEXT } : { kind: r.action as 'drop' | 'reject' };
    rules.push({ at: { source, line: r.node.line }, text: r.text, matches: r.matches, verdict, action: {}, target: r.action });
  }
  rules.push({ at: { source }, text: 'no rule matched: the default action', matches: [], verdict: { kind: 'goto', target: NEXT_CONTEXT }, action: {} });
  const defaults: Rule[] = [];
  const def = defaultAction(roots);
  if (def) defaults.push({ at: { source, line: def.node.line }, text: `the context's default action, ${def.verdict} (tm.fw.defaultaction)`, matches: [], verdict: { kind: def.verdict }, action: {}, target: '(Default)' });
  // ADC mode accepts what no rule matched; firewall mode drops or rejects it: undecided unless the input says
  else defaults.push({ at: { source }, text: 'the context\'s default action, not in this input', matches: [{ kind: 'unknown', text: 'the default action is Drop or Reject (firewall mode; ADC mode, the default, accepts)' }], verdict: { kind: 'reject' }, action: {}, target: '(Default)' });
  const chain: Chain = { name: 'afm', hook: 'forward', priority: 0, type: 'filter', policy: 'accept', rules };
  const next: Chain = { name: NEXT_CONTEXT, rules: defaults };
  const ruleHosts = [...new Set(afm.filter((r) => !r.disabled && isIpsecRule(r)).flatMap((r) => r.matches.flatMap((m) => (m.kind === 'addr' ? m.cidrs.filter((c) => c.prefix === (c.version === 4 ? 32 : 128)).map((c) => c.addr) : []))))];
  const middleBox: MiddleBoxFacts = { product: 'F5 BIG-IP', espFlows, virtualServers: vs, ruleHosts };
  if (!afm.length && !vs.length && !spi) diagnostics.push({ at: { source }, decoder: 'f5-tmsh', message: 'no AFM rule, virtual server or ipsec.lookupspi setting found in this tmsh input' });
  // the families the rules' addresses are written in: a box whose IPsec rules are all IPv4 says nothing of IPv6
  const versions = new Set(afm.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'addr' ? m.cidrs.map((c) => c.version) : []))));
  const family: Table['family'] = versions.size === 1 ? (versions.has(4) ? 'ip' : 'ip6') : 'inet';
  // a listing of virtual servers or the DB key alone holds no rule: nothing to evaluate (its facts still count)
  const tables: Table[] = afm.length ? [{ family, name: 'afm', chains: [chain, next], sets: {} }] : [];
  return { ruleset: { source, type: 'f5-tmsh', tables, middleBox }, diagnostics };
}

function isIpsecRule(r: AfmRule): boolean {
  return r.matches.some((m) => (m.kind === 'proto' && (m.protos.includes(50) || m.protos.includes(51))) || (m.kind === 'port' && m.ranges.some(([a, b]) => (a <= 500 && b >= 500) || (a <= 4500 && b >= 4500))));
}
