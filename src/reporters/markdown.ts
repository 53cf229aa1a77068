/**
 * Ticket-ready Markdown: a verdict line, a findings table, then per finding the
 * hint and the evidence in fenced blocks, inputs and tool version last. Written
 * for GitHub-flavoured Markdown and Jira's Markdown import. Code spans in messages
 * and hints (`leftid`, a command to paste) stay code spans, each fenced with a
 * backtick run that does not occur inside it (CommonMark §6.1); a backtick with no
 * partner is escaped so it cannot swallow the rest of a line or table row. Table cells
 * escape `|`, also inside code (GFM tables); fences grow longer than any backtick run
 * inside an excerpt (CommonMark §4.5). Names and paths from the evidence are literal
 * text: a backtick in them is escaped, never markup.
 */
import type { Finding } from '../engine/types.js';
import type { Reporter } from './types.js';
import { evidenceLines, formatLocation, inputFacts, severityReason, visibleFindings } from './text.js';
import { verdictText } from './verdict.js';
import type { LadderView } from '../evidence/derived/ladder/lane.js';
import { ladderLines } from './ladder-text.js';
import { markdownCodeSpan, splitCodeSpans } from './code-spans.js';

const SEVERITY_MARK = { error: '🔴 error', warning: '🟠 warning', info: '🔵 info' } as const;
const STATUS_WORD = { pass: 'pass', fail: 'fail', info: 'info', 'not-applicable': 'n/a', error: 'check error' } as const;

export const markdownReporter: Reporter = (report, opts) => {
  const out: string[] = [];
  // routine info (IKE fragmentation announced by both peers) is counted, not listed, unless verbose
  const { shown: findings, hidden } = visibleFindings(report.findings, Boolean(opts?.verbose));
  out.push(`# ${report.tool.name} report`);
  out.push('');
  out.push(`**Verdict:** ${inline(verdictText(report))}`);
  out.push('');
  if (findings.length) {
    out.push('| Severity | Code | Message |');
    out.push('|---|---|---|');
    for (const f of findings) out.push(`| ${SEVERITY_MARK[f.severity]} | ${cell(f.code)} | ${cell(f.message)} |`);
    out.push('');
    findings.forEach((f, i) => out.push(...findingSection(f, i + 1)));
  }
  if (hidden) out.push(`_${hidden} info finding${hidden === 1 ? '' : 's'} hidden (things working as they should); \`-v\` or \`--format json\` shows ${hidden === 1 ? 'it' : 'them'}._`, '');
  const ladder = report.views?.ladder as LadderView | undefined;
  if (ladder?.ladders?.length) {
    out.push('## IKE conversation');
    out.push('');
    for (const lane of ladder.ladders) {
      out.push(`**${literal(lane.perspective)}** (${literal(lane.local)} ⇄ ${literal(lane.remote)})`);
      out.push('');
      out.push(...fenced(ladderLines(lane).join('\n')));
      out.push('');
    }
  }
  out.push('## Checks');
  out.push('');
  out.push('| Check | Status | Codes |');
  out.push('|---|---|---|');
  for (const r of report.results) {
    const codes = [...new Set(r.findings.map((f) => f.code))].join(', ');
    out.push(`| ${cell(r.check)} | ${STATUS_WORD[r.status]}${r.error ? ` (${cell(r.error)})` : ''} | ${cell(codes)} |`);
  }
  out.push('');
  if (report.diagnostics.length) {
    out.push(`<details><summary>Input diagnostics (${report.diagnostics.length})</summary>`);
    out.push('');
    out.push(...fenced(report.diagnostics.map((d) => `${formatLocation(d.at)} [${d.decoder}] ${d.message}`).join('\n')));
    out.push('');
    out.push('</details>');
    out.push('');
  }
  out.push('## Inputs');
  out.push('');
  for (const i of report.inputs) {
    const facts = inputFacts(i);
    out.push(`- ${i.kind}: ${literal(i.path)}${facts.length ? ` (${literal(facts.join(', '))})` : ''}`);
  }
  if (!report.inputs.length) out.push('- none');
  out.push('');
  out.push(`_${literal(report.tool.name)} ${literal(report.tool.version)}, report schema ${report.schema}_`);
  return out.join('\n') + '\n';
};

function findingSection(f: Finding, n: number): string[] {
  const out: string[] = [];
  out.push(`## ${n}. ${literal(f.code)} (${f.severity})`);
  out.push('');
  out.push(inline(f.message));
  out.push('');
  const why = severityReason(f);
  if (why) out.push(`*why ${f.severity}:* ${inline(why)}`, '');
  out.push(`**Fix:** ${inline(f.hint)}`);
  out.push('');
  if (f.evidence.length) {
    out.push('Evidence:');
    out.push('');
    out.push(...fenced(f.evidence.flatMap((e) => evidenceLines(e, undefined, '  ')).join('\n')));
    out.push('');
  }
  return out;
}

/** A fence longer than the longest backtick run in the body, so excerpts cannot close it. */
export function fenced(body: string): string[] {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, body, fence];
}

/** Table cells: one line, code spans kept, `|` escaped everywhere (GFM reads `\|` as a pipe inside code spans too). */
export function cell(s: string): string {
  return inline(s).replace(/\|/g, '\\|');
}

/** Running text with code spans: text escaped, each code span fenced so it reads back exactly. */
export function inline(s: string): string {
  return splitCodeSpans(s.replace(/\r?\n/g, ' '))
    .map((seg) => (seg.code ? markdownCodeSpan(seg.text) : literal(seg.text)))
    .join('');
}

/** Text that is never markup (a path, a peer's name, a literal backtick): everything that would change the rendering escaped. */
export function literal(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/([`*_[\]<>#~])/g, '\\$1');
}
