/**
 * Pure helpers of the command line (no process I/O, cli.ts does that): what a user typed
 * wrong, said as the user's error in one line, and the choices inferred from what they typed.
 */
import { extname } from 'node:path';
import { UsageError } from './errors.js';
import type { Severity } from './evidence/types.js';
import type { EvidenceKind } from './evidence/types.js';
import type { Check } from './engine/types.js';
import { describeTemplate } from './engine/template.js';

const SEE_HELP = 'see ipsec-doctor --help';

/**
 * node:util parseArgs' errors, in our words: its text is written for programmers ("To specify a
 * positional argument starting with a '-', place it … as in '-- "--bogus"', quotes unbalanced).
 */
export function describeParseError(err: unknown): UsageError {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return new UsageError(`unknown option ${quoted}`, SEE_HELP);
  if (e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    // "Option '-o, --output <value>' argument missing" / "Option '--help' does not take an argument"
    const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
    if (/argument missing/.test(message)) return new UsageError(`option ${flag} needs a value`, SEE_HELP);
    if (/does not take an argument/.test(message)) return new UsageError(`option ${flag} takes no value`, SEE_HELP);
  }
  if (e?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return new UsageError(`unexpected argument ${quoted}`, SEE_HELP);
  return new UsageError(message.split('\n')[0].replace(/\.$/, ''), SEE_HELP);
}

/** ESLint spells it `warn`: both spellings are accepted wherever a severity is asked for. */
const SEVERITY_WORDS: Record<string, Severity> = { info: 'info', warning: 'warning', warn: 'warning', error: 'error' };

export function parseSeverity(flag: string, value: string | undefined, fallback: Severity): Severity {
  if (value === undefined) return fallback;
  const s = SEVERITY_WORDS[value.toLowerCase()];
  if (!s) throw new UsageError(`${flag} ${value}: not a severity`, 'one of: info, warning (or warn), error');
  return s;
}

/** --fail-on: the lowest severity of a finding that makes the exit code 1 ("none": findings never do). */
export type FailOn = Severity | 'none';

export function parseFailOn(value: string | undefined): FailOn {
  if (value?.toLowerCase() === 'none') return 'none';
  try {
    return parseSeverity('--fail-on', value, 'error');
  } catch {
    throw new UsageError(`--fail-on ${value}: not a severity`, 'one of: info, warning (or warn), error, none');
  }
}

const FORMAT_BY_EXTENSION: Record<string, string> = { '.json': 'json', '.md': 'markdown', '.markdown': 'markdown', '.html': 'html', '.htm': 'html', '.txt': 'text', '.text': 'text' };

/** -o report.html without --format writes HTML: the file name says what the user wants. */
export function formatFromPath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * --only takes check ids. A finding code there (AUTH_FAILED) is a frequent slip: name the check
 * that reports it; a misspelt id gets the nearest one.
 */
export function checkOnlyIds(ids: readonly string[], checks: readonly Check[]): void {
  for (const id of ids) {
    if (checks.some((c) => c.meta.id === id)) continue;
    const owner = checks.find((c) => Object.keys(c.meta.codes).some((code) => code === id.toUpperCase()));
    if (owner) throw new UsageError(`${id} is a finding code of the check ${owner.meta.id}, and --only takes check ids`, `use --only ${owner.meta.id}; \`ipsec-doctor checks\` lists them`);
    const near = nearest(id, checks.map((c) => c.meta.id));
    throw new UsageError(`unknown check ${id}`, near ? `did you mean ${near}? \`ipsec-doctor checks\` lists them` : '`ipsec-doctor checks` lists them');
  }
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** What each kind of evidence is, and how it is given, for people (`checks`, --help). */
export const EVIDENCE_IN_WORDS: Record<EvidenceKind, string> = {
  logEvents: 'an IKE daemon log (--log)',
  packets: 'a packet capture (--pcap, or --live)',
  configs: 'an IPsec configuration (--config)',
  rulesets: 'a firewall ruleset such as iptables-save or nft list ruleset (--config)',
  host: 'the state of this host (--host)',
  saTables: 'an SA table such as swanctl --list-sas or ip -s xfrm state (--log)',
  ipvs: 'an LVS table (ipvsadm -Ln) or keepalived.conf (--log or --config)',
};

export function evidenceInWords(kinds: readonly EvidenceKind[]): string {
  const words = kinds.map((k) => EVIDENCE_IN_WORDS[k] ?? k);
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** `ipsec-doctor checks`: one line per check and its codes, in words. */
export function listChecks(checks: readonly Check[]): string {
  const out: string[] = [];
  for (const { meta } of checks) {
    out.push(`${meta.id} — ${meta.title}; reads ${evidenceInWords(meta.requires)}`);
    for (const [code, spec] of Object.entries(meta.codes)) out.push(`  ${spec.severity.padEnd(7)} ${code}`);
  }
  out.push('', '`ipsec-doctor checks ID` describes one check; --only ID runs only that check.');
  return out.join('\n') + '\n';
}

/** `ipsec-doctor checks ID`: what the check does, what it reads, and each code with its message and what to do. */
export function describeCheck(id: string, checks: readonly Check[]): string {
  // a finding code is looked up too: `checks AUTH_FAILED` shows the check that reports it
  const check = checks.find((c) => c.meta.id === id) ?? checks.find((c) => id.toUpperCase() in c.meta.codes);
  if (!check) {
    checkOnlyIds([id], checks);
    throw new UsageError(`unknown check ${id}`);
  }
  const { meta } = check;
  const out = [`${meta.id} — ${meta.title}`, '', meta.description, '', `Reads ${evidenceInWords(meta.requires)}; without it the check is not applicable.`, '', 'Finding codes:'];
  for (const [code, spec] of Object.entries(meta.codes)) {
    out.push(`  ${code} (${spec.severity})`);
    out.push(`    says: ${describeTemplate(spec.message)}`);
    out.push(`    fix:  ${describeTemplate(spec.hint)}`);
  }
  return out.join('\n') + '\n';
}
