import type { Diagnostic, InputInfo, Severity } from '../evidence/types.js';
import type { CheckResult, Finding } from '../engine/types.js';
import { REPORT_SCHEMA, type Report } from './types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const MAX_DIAGNOSTICS = 200;

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

export function buildReport(inputs: InputInfo[], results: CheckResult[], diagnostics: Diagnostic[], views?: Record<string, unknown>): Report {
  const findings: Finding[] = results
    .flatMap((r) => r.findings)
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.check.localeCompare(b.check) || a.code.localeCompare(b.code));
  const summary = { errors: 0, warnings: 0, info: 0 };
  for (const f of findings) {
    if (f.severity === 'error') summary.errors++;
    else if (f.severity === 'warning') summary.warnings++;
    else summary.info++;
  }
  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    inputs,
    results,
    findings,
    diagnostics: diagnostics.slice(0, MAX_DIAGNOSTICS),
    summary,
  };
  if (diagnostics.length > MAX_DIAGNOSTICS) {
    report.diagnostics.push({ at: { source: '(all inputs)' }, decoder: 'report', message: `${diagnostics.length - MAX_DIAGNOSTICS} more diagnostics not shown` });
  }
  if (views && Object.keys(views).length) report.views = views;
  return report;
}

/** Keep only findings at or above a severity (`--min-severity`); the summary keeps counting all. */
export function filterBySeverity(report: Report, min: Severity): Report {
  const limit = severityRank(min);
  const keep = (f: Finding) => severityRank(f.severity) <= limit;
  return {
    ...report,
    findings: report.findings.filter(keep),
    results: report.results.map((r) => ({ ...r, findings: r.findings.filter(keep) })),
  };
}
