import { Chalk } from 'chalk';
import type { EvidenceRef } from '../evidence/types.js';
import type { Report } from '../report/types.js';
import type { Finding } from '../engine/types.js';
import type { Reporter } from './types.js';
import { verdictOf, verdictText } from './verdict.js';
import { PCAP_STATS_UNAVAILABLE_SHORT } from '../sources/live/pcap-stats-reasons.js';
import { counted } from '../evidence/plural.js';

/** Human-readable terminal output: verdict, findings by severity with hint and evidence, check table. */
export const textReporter: Reporter = (report, opts) => {
  const c = new Chalk({ level: opts.color ? 2 : 0 });
  const out: string[] = [];
  const sev = {
    error: (s: string) => c.red.bold(s),
    warning: (s: string) => c.yellow.bold(s),
    info: (s: string) => c.cyan(s),
  };
  out.push(c.bold(`${report.tool.name} ${report.tool.version}`) + c.dim(' — ' + describeInputs(report)));
  out.push('');
  out.push(verdict(report, c));
  out.push('');
  for (const f of report.findings) {
    out.push(`${sev[f.severity](f.severity.toUpperCase().padEnd(7))} ${c.bold(f.code)} ${c.dim(`[${f.check}]`)}`);
    out.push(`  ${f.message}`);
    const why = severityReason(f);
    if (why) out.push(`  ${c.dim(`why ${f.severity}:`)} ${why}`);
    out.push(`  ${c.green('fix:')} ${f.hint}`);
    for (const e of f.evidence.slice(0, 6)) out.push(...evidenceLines(e, c.dim).map((l) => `  ${l}`));
    if (f.evidence.length > 6) out.push(c.dim(`  … ${counted(f.evidence.length - 6, 'more evidence line', 'more evidence lines')}`));
    out.push('');
  }
  out.push(c.bold('Checks'));
  for (const r of report.results) {
    const mark = { pass: c.green('pass'), fail: c.red('fail'), 'not-applicable': c.dim('n/a '), error: c.magenta('ERR ') }[r.status];
    const codes = r.findings.length ? c.dim(' — ' + uniq(r.findings.map((f) => f.code)).join(', ')) : '';
    out.push(`  ${mark}  ${r.check.padEnd(22)} ${r.title}${codes}${r.error ? c.magenta(' — ' + r.error) : ''}`);
  }
  if (report.diagnostics.length) {
    out.push('');
    out.push(c.bold(`Input diagnostics (${report.diagnostics.length})`));
    for (const d of report.diagnostics.slice(0, 10)) out.push(`  ${c.dim(formatLocation(d.at))} ${d.message}`);
    if (report.diagnostics.length > 10) out.push(c.dim(`  … ${report.diagnostics.length - 10} more (see --format json)`));
  }
  return out.join('\n') + '\n';
};

function verdict(report: Report, c: InstanceType<typeof Chalk>): string {
  const v = verdictOf(report);
  const paint = v.level === 'error' ? c.red.bold : v.level === 'warning' ? c.yellow.bold : c.green.bold;
  return paint(verdictText(report));
}

export function describeInputs(report: Report): string {
  if (!report.inputs.length) return 'no inputs';
  return report.inputs
    .map((i) => {
      const libpcap = libpcapCounters(i);
      return `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}${i.lines !== undefined ? `, ${counted(i.lines, 'line', 'lines')}` : ''}${i.packets !== undefined ? `, ${counted(i.packets, 'packet', 'packets')}` : ''}${libpcap ? ` (${libpcap})` : ''}${i.note ? ` — ${i.note}` : ''}`;
    })
    .join('; ');
}

/** What the Markdown and HTML reports list after an input's path. */
export function inputFacts(i: Report['inputs'][number]): string[] {
  return [i.dialect, i.lines !== undefined ? counted(i.lines, 'line', 'lines') : undefined, i.unparsed ? `${i.unparsed} unparsed` : undefined, i.packets !== undefined ? counted(i.packets, 'packet', 'packets') : undefined, libpcapCounters(i), i.note]
    .filter((x): x is string => Boolean(x));
}

/**
 * A live capture's own loss figures (src/sources/live-capture.ts LiveCounters
 * pcapReceived/pcapDropped), or in a few words why they are missing (the report's
 * diagnostic has the full reason).
 */
export function libpcapCounters(i: Report['inputs'][number]): string | undefined {
  const c = i.counters;
  if (i.kind !== 'live' || !c) return undefined;
  if (c.pcapReceived !== undefined) return `libpcap: received ${c.pcapReceived}, dropped ${c.pcapDropped ?? 0}`;
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
