import { Chalk } from 'chalk';
import type { EvidenceRef } from '../evidence/types.js';
import type { Report } from '../report/types.js';
import type { Finding } from '../engine/types.js';
import type { Reporter } from './types.js';
import { verdictOf, verdictText } from './verdict.js';
import { describeCoverage } from './coverage.js';
import { wrapLine, wrapText } from './wrap.js';
import { PCAP_STATS_UNAVAILABLE_SHORT } from '../sources/live/pcap-stats-reasons.js';
import { counted } from '../evidence/plural.js';

/** Evidence lines shown per finding without -v (the first ones and the last). */
const EVIDENCE_SHOWN = 6;
/** Input diagnostics shown without -v. */
const DIAGNOSTICS_SHOWN = 10;

/**
 * Human-readable terminal output: the inputs and how much of each was used, the input
 * diagnostics, the verdict, the findings (errors first, cause before symptom) with hint and
 * evidence, the checks table. `quiet`: the verdict line only. `verbose`: every info finding,
 * every evidence line kept, every diagnostic and each not-applicable check with its reason.
 * `width`: wrap at it (a terminal); without it, one line per item (a pipe, a file).
 */
export const textReporter: Reporter = (report, opts) => {
  const c = new Chalk({ level: opts.color ? 2 : 0 });
  const verbose = Boolean(opts.verbose);
  if (opts.quiet) return wrapLine(verdict(report, c), opts.width) + '\n';
  const out: string[] = [];
  const sev = {
    error: (s: string) => c.red.bold(s),
    warning: (s: string) => c.yellow.bold(s),
    info: (s: string) => c.cyan(s),
  };
  out.push(c.bold(`${report.tool.name} ${report.tool.version}`) + c.dim(' — ' + describeInputs(report)));
  out.push('');
  // what could not be read comes before the verdict it qualifies
  if (report.diagnostics.length) {
    out.push(c.bold(`Input diagnostics (${report.diagnostics.length})`));
    const shown = verbose ? report.diagnostics : report.diagnostics.slice(0, DIAGNOSTICS_SHOWN);
    for (const d of shown) out.push(`  ${c.dim(formatLocation(d.at))} ${d.message}`);
    const more = report.diagnostics.length - shown.length;
    if (more > 0) out.push(c.dim(`  … ${more} more (-v or --format json shows them)`));
    out.push('');
  }
  out.push(verdict(report, c));
  out.push('');
  const { shown: findings, hidden } = visibleFindings(report.findings, verbose);
  for (const f of findings) {
    out.push(`${sev[f.severity](f.severity.toUpperCase().padEnd(7))} ${c.bold(f.code)} ${c.dim(`[${f.check}]`)}`);
    out.push(`  ${f.message}`);
    const why = severityReason(f);
    if (why) out.push(`  ${c.dim(`why ${f.severity}:`)} ${why}`);
    out.push(`  ${c.green('fix:')} ${f.hint}`);
    out.push(...findingEvidenceLines(f, verbose, c));
    out.push('');
  }
  if (hidden) {
    out.push(c.dim(`${counted(hidden, 'info finding', 'info findings')} hidden (things working as they should); -v shows ${hidden === 1 ? 'it' : 'them'}`));
    out.push('');
  }
  out.push(c.bold('Checks'));
  // without -v, the checks with nothing to judge are one line per reason
  const notApplicable = verbose ? [] : report.results.filter((r) => r.status === 'not-applicable');
  for (const r of report.results) {
    if (notApplicable.includes(r)) continue;
    const mark = { pass: c.green('pass'), fail: c.red('fail'), info: c.cyan('info'), 'not-applicable': c.dim('n/a '), error: c.magenta('ERR ') }[r.status];
    const codes = r.findings.length ? c.dim(' — ' + uniq(r.findings.map((f) => f.code)).join(', ')) : '';
    const note = r.status === 'not-applicable' && r.reason ? c.dim(` — ${r.reason}`) : verbose && r.judged ? c.dim(` — judged ${r.judged}`) : '';
    out.push(`  ${mark}  ${r.check.padEnd(22)} ${r.title}${codes}${note}${r.error ? c.magenta(' — ' + r.error) : ''}`);
  }
  const byReason = new Map<string, string[]>();
  for (const r of notApplicable) {
    const why = r.reason?.startsWith('nothing to judge') ? r.reason : 'the evidence they need was not given (-v says which)';
    byReason.set(why, [...(byReason.get(why) ?? []), r.check]);
  }
  for (const [why, ids] of byReason) out.push(`  ${c.dim('n/a ')}  ${ids.join(', ')} ${c.dim(`— ${why}`)}`);
  return out.map((l) => wrapText(l, opts.width, hangOf(l))).join('\n') + '\n';
};

/** Continuation lines of a wrapped line start under its text: after a finding's heading, a check's status. */
function hangOf(line: string): number {
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  const check = /^ {2}(?:pass|fail|info|n\/a |ERR ) {2}/.exec(plain);
  if (check) return check[0].length + 2;
  const indent = plain.length - plain.trimStart().length;
  return indent + 2;
}

/** Routine info (CodeSpec.routine) is left out unless -v; JSON keeps every finding. */
export function visibleFindings(findings: Finding[], verbose: boolean): { shown: Finding[]; hidden: number } {
  if (verbose) return { shown: findings, hidden: 0 };
  const shown = findings.filter((f) => !f.routine);
  return { shown, hidden: findings.length - shown.length };
}

/** How many times the fault was seen, when a check counted repeats (aggregate.ts data.occurrences, or the engine's cut of the evidence). */
export function occurrencesOf(f: Finding): number | undefined {
  const n = f.occurrences ?? f.data?.occurrences;
  return typeof n === 'number' && n > 1 ? n : undefined;
}

/**
 * A finding's evidence: "×1000, first and last:" when repeats were counted; without -v
 * the first lines and the last, with how many were left out between.
 */
function findingEvidenceLines(f: Finding, verbose: boolean, c: InstanceType<typeof Chalk>): string[] {
  const out: string[] = [];
  const times = occurrencesOf(f);
  if (times) out.push(`  ${c.dim(`×${times}, first and last:`)}`);
  const ev = f.evidence;
  // a host probe is its command, then its output on the next line
  const lines = (e: EvidenceRef) => evidenceLines(e, c.dim).map((l) => `  ${l}`);
  if (verbose || ev.length <= EVIDENCE_SHOWN) {
    out.push(...ev.flatMap(lines));
    return out;
  }
  const head = ev.slice(0, EVIDENCE_SHOWN - 1);
  out.push(...head.flatMap(lines));
  const between = ev.length - head.length - 1;
  out.push(c.dim(`  … ${counted(between, 'more evidence line', 'more evidence lines')} (-v shows ${between === 1 ? 'it' : 'them'}); the last:`));
  out.push(...lines(ev[ev.length - 1]));
  return out;
}

function verdict(report: Report, c: InstanceType<typeof Chalk>): string {
  const v = verdictOf(report);
  const paint = v.level === 'error' ? c.red.bold : v.level === 'warning' || v.level === 'incomplete' || v.level === 'unjudged' ? c.yellow.bold : c.green.bold;
  return paint(verdictText(report));
}

export function describeInputs(report: Report): string {
  if (!report.inputs.length) return 'no inputs';
  return report.inputs
    .map((i) => {
      const libpcap = libpcapCounters(i);
      const used = describeCoverage(i) ?? [i.lines !== undefined ? counted(i.lines, 'line', 'lines') : undefined, i.packets !== undefined ? counted(i.packets, 'packet', 'packets') : undefined].filter(Boolean).join(', ');
      return `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}${used ? `, ${used}` : ''}${libpcap ? ` (${libpcap})` : ''}${i.note ? ` — ${i.note}` : ''}`;
    })
    .join('; ');
}

/** What the Markdown and HTML reports list after an input's path. */
export function inputFacts(i: Report['inputs'][number]): string[] {
  const used = describeCoverage(i);
  const counts = used ? [used] : [i.lines !== undefined ? counted(i.lines, 'line', 'lines') : undefined, i.unparsed ? `${i.unparsed} unparsed` : undefined, i.packets !== undefined ? counted(i.packets, 'packet', 'packets') : undefined];
  return [i.dialect, ...counts, libpcapCounters(i), i.note].filter((x): x is string => Boolean(x));
}

/**
 * A live capture's own loss figures (src/sources/live-capture.ts LiveCounters
 * pcapReceived/pcapDropped), or in a few words why they are missing (the report's
 * diagnostic has the full reason).
 */
export function libpcapCounters(i: Report['inputs'][number]): string | undefined {
  const c = i.counters;
  if (i.kind !== 'live' || !c) return undefined;
  if (c.pcapReceived !== undefined) return `libpcap: received ${c.pcapReceived}, dropped ${c.pcapDropped ?? 0}${c.readerDropped ? `, reader dropped ${c.readerDropped}` : ''}`;
  if (c.pcapStatsUnavailable !== undefined) return `libpcap counters n/a: ${PCAP_STATS_UNAVAILABLE_SHORT[c.pcapStatsUnavailable] ?? 'not measured'}`;
  return undefined;
}

/**
 * One evidence reference as lines: `file:line excerpt`, `capture#frame excerpt`, and for a host
 * probe the command as typed, then its output on the next line (as a terminal shows them).
 */
export function evidenceLines(e: Pick<EvidenceRef, 'source' | 'line' | 'frame' | 'command' | 'excerpt'>, dim: (s: string) => string = (s) => s, gap = ' '): string[] {
  if (e.line === undefined && e.frame === undefined && e.command) return [dim(`$ ${e.command}`), `  ${e.excerpt}`];
  return [`${dim(formatLocation(e))}${gap}${e.excerpt}`];
}

export function formatLocation(e: Pick<EvidenceRef, 'source' | 'line' | 'frame' | 'command'>): string {
  if (e.line !== undefined) return `${e.source}:${e.line}`;
  if (e.frame !== undefined) return `${e.source}#${e.frame}`;
  if (e.command) return `$ ${e.command}`;
  return e.source;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Why a check raised or lowered this finding's registered severity (FindingInput.severity with data.severityReason). */
export function severityReason(f: Finding): string | undefined {
  const why = f.data?.severityReason;
  return typeof why === 'string' && why ? why : undefined;
}
