/**
 * `nft list ruleset` text (nftables 0.9–1.x print it in one canonical layout: one
 * table/chain/set header per line, one rule per line). Each rule line goes through
 * nft-rule-words.ts into the shared ruleset model. Pure and total: what it cannot read
 * becomes a located Diagnostic or an `unknown` match, never a throw.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { Chain, Family, Hook, Ruleset, Table } from '../../evidence/ruleset-types.js';
import { clipForDiagnostic, nftPriority, splitWords } from './names.js';
import { decodeNftRuleWords } from './nft-rule-words.js';
import type { RulesetDecodeResult } from './iptables-save.js';

const DECODER = 'nft';
const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);
const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress']);
const MAX_SET_LINES = 10_000;

export function looksLikeNftRuleset(text: string): boolean {
  return /^table\s+(inet|ip6?|arp|bridge|netdev)\s+\S+\s*\{/m.test(text);
}

export function decodeNftRuleset(text: string, source: string): RulesetDecodeResult {
  const ruleset: Ruleset = { source, type: 'nft', tables: [] };
  const diagnostics: Diagnostic[] = [];
  const diag = (line: number, message: string) => diagnostics.push({ at: { source, line }, decoder: DECODER, message });
  const lines = text.split('\n');
  let table: Table | undefined;
  let chain: Chain | undefined;
  /** a `set`/`map`/`flowtable`/… block: collected until its braces close */
  let block: { kind: string; name: string; text: string; depth: number; lines: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].replace(/\r$/, '').trim();
    if (block) {
      block.text += ` ${line}`;
      block.depth += count(line, '{') - count(line, '}');
      if (block.depth <= 0 || ++block.lines > MAX_SET_LINES) {
        if (block.kind === 'set' && table) table.sets[block.name] = setElements(block.text);
        if (block.depth > 0) diag(lineNo, `${block.kind} ${block.name} not closed after ${MAX_SET_LINES} lines`);
        block = undefined;
      }
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const words = splitWords(line);
    if (words[0] === 'table' && !table) {
      if (!FAMILIES.has(words[1] ?? '') || words[words.length - 1] !== '{') {
        diag(lineNo, `cannot read table header '${clipForDiagnostic(line)}'`);
      }
      table = { family: (FAMILIES.has(words[1]) ? words[1] : 'ip') as Family, name: words[2] ?? '?', chains: [], sets: {} };
      ruleset.tables.push(table);
    } else if (!table) {
      diag(lineNo, `outside any table: '${clipForDiagnostic(line)}'`);
    } else if (line === '}') {
      if (chain) chain = undefined;
      else table = undefined;
    } else if (!chain && words[0] === 'chain') {
      chain = { name: words[1] ?? '?', rules: [] };
      table.chains.push(chain);
      if (words[words.length - 1] !== '{') diag(lineNo, `cannot read chain header '${clipForDiagnostic(line)}'`);
    } else if (!chain && ['set', 'map', 'flowtable', 'ct', 'counter', 'quota', 'limit', 'secmark', 'synproxy'].includes(words[0])) {
      const depth = count(line, '{') - count(line, '}');
      const name = words[0] === 'ct' ? `${words[1]} ${words[2]}` : (words[1] ?? '?');
      if (depth > 0) block = { kind: words[0], name, text: line, depth, lines: 0 };
      else if (words[0] === 'set') table.sets[name] = setElements(line);
    } else if (chain && words[0] === 'type' && line.includes('hook')) {
      readChainHeader(chain, line, { source, line: lineNo }, (m) => diag(lineNo, m));
    } else if (chain && words[0] === 'policy') {
      readPolicy(chain, line, { source, line: lineNo });
    } else if (chain) {
      for (const ws of expandVmap(words)) chain.rules.push(decodeNftRuleWords(ws, { source, line: lineNo }, line, table, (m) => diag(lineNo, m)));
    } else {
      diag(lineNo, `unexpected line in table ${table.name}: '${clipForDiagnostic(line)}'`);
    }
  }
  if (block) diag(lines.length, `${block.kind} ${block.name} not closed (truncated output?)`);
  if (table) diag(lines.length, `table ${table.name} not closed (truncated output?)`);
  return { ruleset, diagnostics };
}

/** `type filter hook input priority filter; policy drop;` */
function readChainHeader(chain: Chain, line: string, at: { source: string; line: number }, diag: (m: string) => void): void {
  const m = /type\s+(\S+)\s+hook\s+(\S+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);/.exec(line);
  if (!m) {
    diag(`cannot read chain header '${clipForDiagnostic(line)}'`);
    return;
  }
  chain.type = m[1];
  if (HOOKS.has(m[2])) chain.hook = m[2] as Hook;
  else diag(`unknown hook '${m[2]}'`);
  const prio = nftPriority(m[3]);
  if (prio === undefined) diag(`cannot read priority '${clipForDiagnostic(m[3])}'`);
  chain.priority = prio ?? 0;
  // a base chain without a written policy accepts (nft(8) CHAINS)
  chain.policy = 'accept';
  chain.policyAt = at;
  chain.policyText = line;
  readPolicy(chain, line, at);
}

function readPolicy(chain: Chain, line: string, at: { source: string; line: number }): void {
  const p = /policy\s+(accept|drop)\b/.exec(line);
  if (!p) return;
  chain.policy = p[1] as 'accept' | 'drop';
  chain.policyAt = at;
  chain.policyText = line;
}

/** `elements = { 198.51.100.7, 198.51.100.8 }` */
function setElements(text: string): string[] {
  const m = /elements\s*=\s*\{([^}]*)\}/.exec(text);
  if (!m) return [];
  return m[1].split(',').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean);
}

/**
 * `ct state vmap { established : accept, invalid : drop }`: a verdict map is one rule per
 * key, all at the same line (keys are disjoint, so their order does not matter).
 */
export function expandVmap(words: string[]): string[][] {
  const at = words.indexOf('vmap');
  if (at < 0) return [words];
  const body = words.slice(at + 1).join(' ').replace(/^\{|\}\s*$/g, '');
  const out: string[][] = [];
  for (const entry of body.split(',')) {
    const [key, verdict] = entry.split(':').map((x) => x.trim());
    if (key && verdict) out.push([...words.slice(0, at), key, ...verdict.split(/\s+/)]);
  }
  return out.length ? out : [words];
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}
