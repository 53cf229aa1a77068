/**
 * What the screen shows, derived from props only: the UI never analyses evidence.
 * A snapshot is either a run in progress (results so far) or a finished Report.
 */
import type { InputInfo } from '../evidence/types.js';
import type { CheckResult, Finding } from '../engine/types.js';
import type { Report } from '../report/types.js';
import type { LadderView } from '../evidence/derived/ladder/lane.js';
import { severityRank } from '../report/build-report.js';
import type { DisplayStatus } from './theme.js';

export interface LiveView {
  iface: string;
  /** counters from the live capture (src/sources/live-capture.ts LiveCounters) */
  counters: Record<string, number>;
}

export interface UiSnapshot {
  /** every check that will run, in order, so pending ones can be listed */
  checks: Array<{ id: string; title: string }>;
  /** results so far (in progress) */
  results: CheckResult[];
  /** set once the run is finished */
  report?: Report;
  inputs: InputInfo[];
  live?: LiveView;
  /** while a live capture runs: the checks on the capture so far, provisional until the final report replaces them */
  interim?: InterimAnalysis;
  /** why the interim analyses stopped (the capture and the final analysis go on) */
  interimError?: string;
}

export interface InterimAnalysis {
  report: Report;
  /** frames captured when the snapshot was taken */
  frames: number;
  /** how long the checks took on it, ms */
  ms: number;
}

/** Interim results are shown only until the final run reports its first result. */
export function isProvisional(s: UiSnapshot): boolean {
  return !s.report && !s.results.length && Boolean(s.interim);
}

/** The results on screen: the final report's, the final run's so far, or the provisional ones. */
export function shownResults(s: UiSnapshot): CheckResult[] {
  return s.report?.results ?? (isProvisional(s) ? s.interim!.report.results : s.results);
}

export interface CheckRow {
  id: string;
  title: string;
  status: DisplayStatus;
  codes: string[];
  error?: string;
}

export function isRunning(s: UiSnapshot): boolean {
  return !s.report;
}

export function checkRows(s: UiSnapshot): CheckRow[] {
  const results = shownResults(s);
  const provisional = isProvisional(s);
  const byId = new Map(results.map((r) => [r.check, r]));
  const ids = s.checks.length ? s.checks : results.map((r) => ({ id: r.check, title: r.title }));
  let runningShown = false;
  return ids.map(({ id, title }) => {
    const r = byId.get(id);
    if (!r) {
      const status: DisplayStatus = !s.report && !provisional && !runningShown ? 'running' : 'pending';
      if (status === 'running') runningShown = true;
      return { id, title, status, codes: [] };
    }
    return { id, title: r.title, status: displayStatus(r), codes: [...new Set(r.findings.map((f) => f.code))], error: r.error };
  });
}

export function displayStatus(r: CheckResult): DisplayStatus {
  if (r.status === 'fail' && !r.findings.some((f) => f.severity === 'error')) return 'warning';
  return r.status;
}

/** Findings ordered by severity (errors first), then by check and code, as the Report orders them. */
export function findingsOf(s: UiSnapshot): Finding[] {
  if (s.report) return s.report.findings;
  if (isProvisional(s)) return s.interim!.report.findings;
  return s.results
    .flatMap((r) => r.findings)
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.check.localeCompare(b.check) || a.code.localeCompare(b.code));
}

export function filterFindings(findings: Finding[], query: string): Finding[] {
  const q = query.trim().toLowerCase();
  if (!q) return findings;
  return findings.filter((f) =>
    [f.code, f.check, f.severity, f.message, f.hint, ...f.evidence.map((e) => e.excerpt)].some((t) => t.toLowerCase().includes(q)),
  );
}

export function ladderOfSnapshot(s: UiSnapshot): LadderView | undefined {
  const v = (s.report ?? (isProvisional(s) ? s.interim!.report : undefined))?.views?.ladder as LadderView | undefined;
  return v && Array.isArray(v.ladders) ? v : undefined;
}

/** The slice of a list that fits `height` rows and keeps `selected` visible. */
export function visibleWindow(total: number, selected: number, height: number): { start: number; end: number } {
  const h = Math.max(1, height);
  if (total <= h) return { start: 0, end: total };
  const start = Math.min(Math.max(0, selected - Math.floor(h / 2)), total - h);
  return { start, end: start + h };
}

export function summaryCounts(findings: Finding[]): { errors: number; warnings: number; info: number } {
  const out = { errors: 0, warnings: 0, info: 0 };
  for (const f of findings) {
    if (f.severity === 'error') out.errors++;
    else if (f.severity === 'warning') out.warnings++;
    else out.info++;
  }
  return out;
}
