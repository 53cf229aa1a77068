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

/** A check as the UI lists it before it ran: its registry entry in words. */
export interface CheckInfo {
  id: string;
  title: string;
  /** what it looks at (CheckMeta.description) */
  description?: string;
  /** the evidence it reads, in words (from CheckMeta.requires) */
  needs?: string;
}

export interface UiSnapshot {
  /** every check that will run, in order, so pending ones can be listed */
  checks: CheckInfo[];
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

/**
 * The evidence a check reads, in words, for its detail pane (CheckMeta.requires names
 * the Evidence fields). A check runs when any one of them is present.
 */
const EVIDENCE_WORDS: Record<string, string> = {
  logEvents: 'IKE events from a daemon log',
  packets: 'IKE or ESP packets from a capture',
  configs: 'IPsec configs',
  rulesets: 'firewall rulesets',
  host: "this host's state (--host)",
  saTables: 'SA tables',
  ipvs: 'an IPVS (LVS) table',
};

export function needsInWords(requires: readonly string[]): string {
  return requires.map((r) => EVIDENCE_WORDS[r] ?? r).join(' or ');
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
  findings: Finding[];
  /** not applicable: why, in the check's words (CheckResult.reason) */
  reason?: string;
  /** what it looked at, when the check said (CheckResult.judged) */
  judged?: string;
  description?: string;
  needs?: string;
}

export function isRunning(s: UiSnapshot): boolean {
  return !s.report;
}

export function checkRows(s: UiSnapshot): CheckRow[] {
  const results = shownResults(s);
  const provisional = isProvisional(s);
  const byId = new Map(results.map((r) => [r.check, r]));
  const ids: CheckInfo[] = s.checks.length ? s.checks : results.map((r) => ({ id: r.check, title: r.title }));
  let runningShown = false;
  return ids.map(({ id, title, description, needs }) => {
    const r = byId.get(id);
    if (!r) {
      const status: DisplayStatus = !s.report && !provisional && !runningShown ? 'running' : 'pending';
      if (status === 'running') runningShown = true;
      return { id, title, status, codes: [], findings: [], description, needs };
    }
    // reason/judged: what the engine says a check judged (not every engine version says it)
    const said = r as CheckResult & { reason?: unknown; judged?: unknown };
    return {
      id,
      title: r.title,
      status: displayStatus(r),
      codes: [...new Set(r.findings.map((f) => f.code))],
      error: r.error,
      findings: r.findings,
      reason: typeof said.reason === 'string' ? said.reason : undefined,
      judged: typeof said.judged === 'string' ? said.judged : undefined,
      description,
      needs,
    };
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

/**
 * What tells apart findings of the same code in the list: the first of these data values
 * (in this order) that differ between them — the peer, the direction, the connection, the
 * file — else the evidence's own location. A code that occurs once gets no tag.
 */
const TELLING_KEYS = ['peer', 'peerAddress', 'remote', 'from', 'direction', 'conn', 'connection', 'tunnel', 'child', 'side', 'key', 'file', 'fileA', 'ruleset', 'local', 'localAddress'];

export function findingTags(findings: Finding[]): string[] {
  const groups = new Map<string, number[]>();
  findings.forEach((f, i) => groups.set(f.code, [...(groups.get(f.code) ?? []), i]));
  const tags = findings.map(() => '');
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const group = members.map((i) => findings[i]);
    const value = (f: Finding, k: string) => {
      const v = f.data?.[k];
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    };
    const telling = TELLING_KEYS.filter((k) => new Set(group.map((f) => value(f, k))).size > 1);
    members.forEach((i, n) => {
      const f = findings[i];
      const parts: string[] = [];
      for (const k of telling) {
        const v = value(f, k);
        if (v === undefined) continue;
        // from/to read as a direction
        parts.push(k === 'from' && value(f, 'to') ? `${v} → ${value(f, 'to')}` : shortValue(k, v));
        if (parts.length === 2) break;
      }
      const at = f.evidence[0];
      tags[i] = parts.join(', ') || (at ? shortValue('file', at.line !== undefined ? `${at.source}:${at.line}` : at.frame !== undefined ? `${at.source}#${at.frame}` : at.source) : `#${n + 1}`);
    });
    // still alike: number them
    const seen = new Map<string, number>();
    for (const i of members) seen.set(tags[i], (seen.get(tags[i]) ?? 0) + 1);
    let n = 0;
    for (const i of members) if ((seen.get(tags[i]) ?? 0) > 1) tags[i] = `${tags[i] ? `${tags[i]} ` : ''}#${++n}`;
  }
  return tags;
}

/** File paths shortened to their last part: the tag is a reminder, the detail has the whole path. */
function shortValue(key: string, v: string): string {
  return /file|ruleset/i.test(key) || /^\//.test(v) ? v.replace(/^.*\//, '') : v;
}

/**
 * The conversation (ladder lane) that holds a finding's evidence, and the first step there
 * that is one of its evidence lines: the lane with the most steps at exactly an evidence
 * location, else the most steps from an evidence file; ties go to the finding's first
 * evidence file. Undefined when no lane has any of it.
 */
export function laneOfFinding(f: Finding, ladder: LadderView | undefined): { lane: number; step: number } | undefined {
  if (!ladder?.ladders.length) return undefined;
  const exact = new Set(f.evidence.map((e) => locationKey(e)));
  const sources = new Set(f.evidence.map((e) => e.source));
  const first = f.evidence[0]?.source;
  let best: { lane: number; step: number; score: number } | undefined;
  ladder.ladders.forEach((l, lane) => {
    let score = 0;
    let step = -1;
    l.steps.forEach((s, i) => {
      if (exact.has(locationKey(s.at))) {
        score += 1000;
        if (step < 0) step = i;
      } else if (sources.has(s.at.source)) score += 1;
    });
    if (!score) return;
    if (l.steps.some((s) => s.at.source === first)) score += 0.5;
    if (!best || score > best.score) best = { lane, step: Math.max(0, step), score };
  });
  return best && { lane: best.lane, step: best.step };
}

function locationKey(at: { source: string; line?: number; frame?: number }): string {
  return `${at.source}|${at.line ?? ''}|${at.frame ?? ''}`;
}
