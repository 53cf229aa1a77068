import type { Diagnostic, InputInfo, Severity } from '../evidence/types.js';
import { STAGES, type CheckResult, type Finding } from '../engine/types.js';
import { REPORT_SCHEMA, type Report } from './types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const MAX_DIAGNOSTICS = 200;

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

/** A finding's place in building a tunnel (engine/types.ts STAGES); one without a stage goes last. */
export function stageRank(f: Pick<Finding, 'stage'>): number {
  const i = f.stage ? STAGES.indexOf(f.stage) : -1;
  return i < 0 ? STAGES.length : i;
}

/** Errors first; within a severity, the cause before its symptoms (stage), then by check and code. */
export function compareFindings(a: Finding, b: Finding): number {
  return severityRank(a.severity) - severityRank(b.severity) || stageRank(a) - stageRank(b) || a.check.localeCompare(b.check) || a.code.localeCompare(b.code);
}

export function buildReport(inputs: InputInfo[], results: CheckResult[], diagnostics: Diagnostic[], views?: Record<string, unknown>): Report {
  const findings: Finding[] = results
    .flatMap((r) => r.findings)
    .sort(compareFindings);
  const checks = {
    // a check about the inputs themselves (capture-coverage) judges no part of the tunnel
    judged: results.filter((r) => (r.status === 'pass' || r.status === 'fail' || r.status === 'info') && r.stage !== 'evidence').length,
    notApplicable: results.filter((r) => r.status === 'not-applicable').length,
    failedToRun: results.filter((r) => r.status === 'error').length,
  };
  const summary = { errors: 0, warnings: 0, info: 0, checks };
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

/**
 * Keep only findings at or above a severity (`--min-severity`); the summary keeps counting
 * all. Above info, the checks table keeps only the checks with findings at that level (and
 * those that failed to run): the table answers the same question as the findings.
 */
export function filterBySeverity(report: Report, min: Severity): Report {
  const limit = severityRank(min);
  const keep = (f: Finding) => severityRank(f.severity) <= limit;
  const results = report.results.map((r) => ({ ...r, findings: r.findings.filter(keep) }));
  return {
    ...report,
    findings: report.findings.filter(keep),
    results: min === 'info' ? results : results.filter((r) => r.findings.length > 0 || r.status === 'error'),
  };
}
