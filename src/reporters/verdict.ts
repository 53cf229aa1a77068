import type { Finding } from '../engine/types.js';
import type { InputInfo, Severity } from '../evidence/types.js';
import type { Report } from '../report/types.js';
import { mostlyNotUnderstood } from '../evidence/coverage.js';
import { severityRank } from '../report/build-report.js';
import { describeCoverage } from './coverage.js';

/**
 * error / warning: findings at that level; clear: checks judged the evidence and found
 * nothing; unjudged: no check had anything to judge (an input read as nothing, a capture of
 * 0 packets); incomplete: nothing found, but an input was mostly not understood, so the
 * absence of findings says little. Neither of the last two is ever shown as ✔.
 */
export type VerdictLevel = 'error' | 'warning' | 'clear' | 'incomplete' | 'unjudged';

export const VERDICT_SYMBOL: Record<VerdictLevel, string> = { error: '✖', warning: '⚠', clear: '✔', incomplete: '?', unjudged: '?' };

/**
 * Exit codes (README "Exit codes"; ESLint's model): 0 the checks judged the evidence and
 * found nothing at the fail level; 1 a finding at or above the fail level; 2 nothing to
 * judge or an input mostly not understood (and no such finding), as for usage errors and
 * unreadable input: the run cannot vouch for the tunnel.
 */
export const EXIT = { clean: 0, findings: 1, cannotJudge: 2 } as const;

/** The one-line answer every format leads with: the worst codes and the counts, or why nothing could be judged. */
export function verdictOf(report: Report): { level: VerdictLevel; text: string } {
  const { errors, warnings, info } = report.summary;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${info} info`;
  const judged = judgedChecks(report);
  // findings about the inputs alone (a capture with no IPsec) leave the tunnel itself unjudged
  const caveat = judged === 0 ? '; nothing else could be judged' : '';
  if (errors) return { level: 'error', text: `${topCodes(report.findings, 'error') || 'errors'} — ${counts}${caveat}` };
  if (warnings) return { level: 'warning', text: `${topCodes(report.findings, 'warning') || 'warnings'} — ${counts}${caveat}` };
  const over = describeEvidence(report.inputs);
  if (judged === 0) return { level: 'unjudged', text: `nothing to judge: no check found anything it could judge in ${over || 'the inputs'}${unreadSummary(report.inputs)}` };
  const checks = `${judged} check${judged === 1 ? '' : 's'}`;
  const unread = report.inputs.filter((i) => mostlyNotUnderstood(i.coverage));
  if (unread.length) {
    const which = unread.map((i) => `${i.path} (${describeCoverage(i)})`).join('; ');
    return { level: 'incomplete', text: `no problem found by ${checks} over ${over}, but most of ${which} was not understood: not a clean bill of health — ${counts}` };
  }
  return { level: 'clear', text: `no problem found by ${checks} over ${over} — ${counts}` };
}

export function verdictText(report: Report): string {
  const v = verdictOf(report);
  return `${VERDICT_SYMBOL[v.level]} ${v.text}`;
}

/** The process exit code for a report (pass the report before --min-severity trimmed it; the summary counts all). */
export function exitCodeOf(report: Report, failOn: Severity | 'none' = 'error'): number {
  // --fail-on none: findings never fail the run; nothing judged still says so (2)
  if (failOn !== 'none' && report.findings.some((f) => severityRank(f.severity) <= severityRank(failOn))) return EXIT.findings;
  if (judgedChecks(report) === 0 || report.inputs.some((i) => mostlyNotUnderstood(i.coverage))) return EXIT.cannotJudge;
  return EXIT.clean;
}

/** Checks that judged something: from the summary (it survives --min-severity), else from the results. */
function judgedChecks(report: Report): number {
  return report.summary.checks?.judged ?? report.results.filter((r) => r.status !== 'not-applicable' && r.status !== 'error' && r.stage !== 'evidence').length;
}

const KIND_NOUN: Record<InputInfo['kind'], [string, string]> = {
  log: ['log', 'logs'],
  pcap: ['capture', 'captures'],
  live: ['live capture', 'live captures'],
  config: ['config', 'configs'],
  ruleset: ['ruleset', 'rulesets'],
  table: ['SA table', 'SA tables'],
  host: ['host audit', 'host audits'],
};

/** "2 logs and 1 capture": what the evidence was, by kind, in the order given. */
export function describeEvidence(inputs: readonly InputInfo[]): string {
  const counts = new Map<InputInfo['kind'], number>();
  for (const i of inputs) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${KIND_NOUN[kind][n === 1 ? 0 : 1]}`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** ": none of the 131 lines of right.log was read as an IKE event" — the inputs nothing was used of. */
function unreadSummary(inputs: readonly InputInfo[]): string {
  const empty = inputs.filter((i) => i.coverage && i.coverage.events === 0);
  if (!empty.length) return '';
  return `: ${empty.map((i) => `${i.path}, ${describeCoverage(i)}`).join('; ')}`;
}

function topCodes(findings: Finding[], severity: Finding['severity']): string {
  return [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.code))].join(', ');
}
