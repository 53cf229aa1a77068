/**
 * `nft -j list ruleset` (libnftables-json(5), schema 1). Each rule's `expr` list is
 * rendered back to nft syntax — which gives the user a readable excerpt and hints in
 * the language they write — and read by the same rule decoder as the text output.
 * Pure and total: invalid JSON or unexpected shapes become Diagnostics.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { Chain, Family, Hook, Ruleset, Table } from '../../evidence/ruleset-types.js';
import { splitWords } from './names.js';
import { decodeNftRuleWords } from './nft-rule-words.js';
import { expandVmap } from './nft-ruleset.js';
import type { RulesetDecodeResult } from './iptables-save.js';

const DECODER = 'nft-json';
const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);
const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress']);
const MAX_DEPTH = 32;

type Obj = Record<string, unknown>;

export function looksLikeNftJson(text: string): boolean {
  return /^\s*\{\s*"nftables"\s*:/.test(text);
}

export function decodeNftJson(text: string, source: string): RulesetDecodeResult {
  const ruleset: Ruleset = { source, type: 'nft-json', tables: [] };
  const diagnostics: Diagnostic[] = [];
  const diag = (line: number, message: string) => diagnostics.push({ at: { source, line }, decoder: DECODER, message });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    diag(1, `not valid JSON: ${err instanceof Error ? err.message.slice(0, 120) : 'parse error'}`);
    return { ruleset, diagnostics };
  }
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : undefined;
  if (!items) {
    diag(1, 'no top-level "nftables" array');
    return { ruleset, diagnostics };
  }
  const lineOf = ruleLines(text);
  let ruleIndex = 0;
  const tableOf = (family: unknown, name: unknown): Table | undefined =>
    ruleset.tables.find((t) => t.family === family && t.name === name);
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isObj(item.table)) {
      const t = item.table;
      if (!FAMILIES.has(String(t.family))) diag(1, `unknown table family '${String(t.family)}'`);
      ruleset.tables.push({ family: (FAMILIES.has(String(t.family)) ? t.family : 'ip') as Family, name: String(t.name ?? '?'), chains: [], sets: {} });
    } else if (isObj(item.set)) {
      const s = item.set;
      const table = tableOf(s.family, s.table);
      if (table) table.sets[String(s.name)] = Array.isArray(s.elem) ? s.elem.map((e) => renderValue(e, 0)) : [];
    } else if (isObj(item.chain)) {
      const c = item.chain;
      const table = tableOf(c.family, c.table);
      if (!table) {
        diag(1, `chain ${String(c.name)} of unknown table ${String(c.table)}`);
        continue;
      }
      const chain: Chain = { name: String(c.name ?? '?'), rules: [] };
      if (typeof c.hook === 'string' && HOOKS.has(c.hook)) {
        chain.hook = c.hook as Hook;
        chain.type = String(c.type ?? 'filter');
        chain.priority = typeof c.prio === 'number' ? c.prio : 0;
        chain.policy = c.policy === 'drop' ? 'drop' : 'accept';
        chain.policyAt = { source, line: 1 };
        chain.policyText = `chain ${chain.name} { type ${chain.type} hook ${chain.hook} priority ${chain.priority}; policy ${chain.policy}; }`;
      }
      table.chains.push(chain);
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const line = lineOf[ruleIndex++] ?? 1;
      const table = tableOf(r.family, r.table);
      const chain = table?.chains.find((ch) => ch.name === r.chain);
      if (!table || !chain) {
        diag(line, `rule for unknown chain ${String(r.table)}/${String(r.chain)}`);
        continue;
      }
      const body = Array.isArray(r.expr) ? r.expr.map((e) => renderStatement(e)).join(' ') : '';
      // `nft -a` syntax: the handle is how the user finds (and deletes or inserts next to) this rule
      const text = typeof r.handle === 'number' ? `${body} # handle ${r.handle}` : body;
      if (!Array.isArray(r.expr)) diag(line, 'rule without an "expr" list');
      for (const words of expandVmap(splitWords(body))) chain.rules.push(decodeNftRuleWords(words, { source, line }, text, table, (m) => diag(line, m)));
    }
  }
  return { ruleset, diagnostics };
}

/** Line numbers of each `{"rule": …}` in order (1 for the usual single-line output; real lines for pretty-printed JSON). */
function ruleLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let last = 0;
  const re = /"rule"\s*:/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    out.push(line);
  }
  return out;
}

function renderStatement(e: unknown): string {
  if (!isObj(e)) return '?';
  const [key, body] = Object.entries(e)[0] ?? ['?', null];
  switch (key) {
    case 'match': {
      if (!isObj(body)) return '?';
      // `!` is nft's "none of these flags set" (`tcp flags ! fin,syn,rst,psh,ack,urg` = iptables `--tcp-flags ALL NONE`)
      const op = body.op === '!=' ? '!= ' : body.op === '!' ? '! ' : '';
      // `tcp flags & (syn|rst) == syn` prints as `tcp flags syn / syn,rst` (nft's own listing); marks keep `&`
      const left = isObj(body.left) ? body.left['&'] : undefined;
      if (Array.isArray(left) && isObj(left[0]) && isObj(left[0].payload)) return `${renderValue(left[0], 0)} ${op}${renderValue(body.right, 0)} / ${renderValue(left[1], 0)}`;
      return `${renderValue(body.left, 0)} ${op}${renderValue(body.right, 0)}`;
    }
    case 'accept': case 'drop': case 'return': case 'continue':
      return key;
    case 'reject':
      return 'reject';
    case 'jump': case 'goto':
      return `${key} ${isObj(body) ? String(body.target) : '?'}`;
    case 'counter':
      return isObj(body) ? `counter packets ${String(body.packets ?? 0)} bytes ${String(body.bytes ?? 0)}` : 'counter';
    case 'log':
      return isObj(body) && typeof body.prefix === 'string' ? `log prefix ${JSON.stringify(body.prefix)}` : 'log';
    case 'mangle':
      return isObj(body) ? `${renderValue(body.key, 0)} set ${renderValue(body.value, 0)}` : '?';
    case 'vmap': {
      // {"vmap": {"key": …, "data": {"set": [[key, {"accept": null}], …]}}}
      const b = isObj(body) ? body : {};
      const data = isObj(b.data) && Array.isArray(b.data.set) ? b.data.set : [];
      const pairs = data.filter(Array.isArray).map((kv) => `${renderValue(kv[0], 1)} : ${renderStatement(kv[1])}`);
      return `${renderValue(b.key, 0)} vmap { ${pairs.join(', ')} }`;
    }
    // {"dnat": {"addr": "10.0.0.5", "port": 500}} → `dnat to 10.0.0.5:500`, as nft lists it
    case 'snat': case 'dnat':
      return isObj(body) && body.addr !== undefined ? `${key} to ${renderValue(body.addr, 1)}${body.port !== undefined ? `:${renderValue(body.port, 1)}` : ''}` : key;
    case 'masquerade': case 'redirect': case 'queue': case 'notrack': case 'limit':
      return key;
    default:
      return `${key}-statement`;
  }
}

function renderValue(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) return '?';
  if (v === null || v === undefined) return '?';
  if (typeof v === 'string') return /[\s"]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return v === true ? 'exists' : v === false ? 'missing' : String(v);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, depth + 1)).join(',');
  if (!isObj(v)) return '?';
  const [key, body] = Object.entries(v)[0] ?? ['?', null];
  const b = isObj(body) ? body : {};
  switch (key) {
    case 'meta':
      return `meta ${String(b.key)}`;
    case 'payload':
      // raw payload expressions (`@th,64,32` in nft syntax) carry base/offset/len instead of protocol/field
      return b.base !== undefined ? `@${String(b.base)},${String(b.offset)},${String(b.len)}` : `${String(b.protocol)} ${String(b.field)}`;
    case 'ct':
      return `ct ${String(b.key)}`;
    case 'ipsec':
      return `ipsec ${String(b.dir)} ${String(b.key)}`;
    case 'rt':
      return `rt ${String(b.key)}`;
    case 'tcp option':
      return `tcp option ${String(b.name)} ${String(b.field ?? '')}`.trim();
    case 'prefix':
      return `${String(b.addr)}/${String(b.len)}`;
    case 'range':
      return Array.isArray(body) ? `${renderValue(body[0], depth + 1)}-${renderValue(body[1], depth + 1)}` : '?';
    case 'set':
      return Array.isArray(body) ? `{ ${body.map((x) => renderValue(x, depth + 1)).join(', ')} }` : renderValue(body, depth + 1);
    case '&':
      return Array.isArray(body) ? `${renderValue(body[0], depth + 1)} & ${renderValue(body[1], depth + 1)}` : '?';
    default:
      return `${key}-expression`;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
