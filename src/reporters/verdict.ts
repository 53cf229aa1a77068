import type { Finding } from '../engine/types.js';
import type { Report } from '../report/types.js';

export type VerdictLevel = 'error' | 'warning' | 'clear';

/** The one-line answer every format leads with: the worst codes and the counts. */
export function verdictOf(report: Report): { level: VerdictLevel; text: string } {
  const { errors, warnings, info } = report.summary;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${info} info`;
  if (errors) return { level: 'error', text: `${topCodes(report.findings, 'error') || 'errors'} — ${counts}` };
  if (warnings) return { level: 'warning', text: `${topCodes(report.findings, 'warning') || 'warnings'} — ${counts}` };
  const applicable = report.results.filter((r) => r.status !== 'not-applicable').length;
  return { level: 'clear', text: `no problems found by ${applicable} applicable check${applicable === 1 ? '' : 's'} — ${counts}` };
}

export function verdictText(report: Report): string {
  const v = verdictOf(report);
  return `${v.level === 'error' ? '✖' : v.level === 'warning' ? '⚠' : '✔'} ${v.text}`;
}

function topCodes(findings: Finding[], severity: Finding['severity']): string {
  return [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.code))].join(', ');
}
