/**
 * One self-contained HTML file to attach to a ticket: no external assets, every
 * text HTML-escaped, the ladder as inline SVG, and the full report JSON embedded
 * (escaped for `<`, U+2028, U+2029) so tools can read it back from the page.
 * Code spans in messages and hints (backticks, as the text report prints them)
 * become <code> elements.
 */
import type { Finding } from '../engine/types.js';
import type { LadderView } from '../evidence/derived/ladder/lane.js';
import type { Reporter } from './types.js';
import { formatLocation, inputFacts, severityReason } from './text.js';
import { verdictOf, verdictText } from './verdict.js';
import { escapeHtml as h, scriptSafeJson } from './html/escape.js';
import { ladderSvg } from './html/ladder-svg.js';
import { STYLES } from './html/styles.js';
import { splitCodeSpans } from './code-spans.js';

const STATUS_WORD = { pass: 'pass', fail: 'fail', info: 'info', 'not-applicable': 'n/a', error: 'check error' } as const;

export const htmlReporter: Reporter = (report) => {
  const verdict = verdictOf(report);
  const body: string[] = [];
  body.push(`<h1>${h(report.tool.name)} report</h1>`);
  body.push(`<p class="muted">${h(report.inputs.map((i) => `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}`).join(' · ') || 'no inputs')}</p>`);
  body.push(`<p class="verdict ${verdict.level}" id="verdict">${prose(verdictText(report))}</p>`);
  if (report.findings.length) {
    body.push('<h2>Findings</h2>');
    body.push('<table id="findings-table"><thead><tr><th>Severity</th><th>Code</th><th>Message</th></tr></thead><tbody>');
    report.findings.forEach((f, i) => body.push(`<tr><td class="sev ${f.severity}">${f.severity}</td><td><a href="#f${i + 1}"><code>${h(f.code)}</code></a></td><td>${prose(f.message)}</td></tr>`));
    body.push('</tbody></table>');
    report.findings.forEach((f, i) => body.push(findingHtml(f, i + 1)));
  }
  const ladder = report.views?.ladder as LadderView | undefined;
  if (ladder?.ladders?.length) {
    body.push('<h2>IKE conversation</h2>');
    ladder.ladders.forEach((lane, i) => {
      body.push(`<h3>${h(lane.perspective)} <span class="muted">(${lane.source === 'log' ? 'as logged' : 'on the wire'})</span></h3>`);
      body.push(ladderSvg(lane, i));
    });
    if (ladder.omittedLanes) body.push(`<p class="muted">${ladder.omittedLanes} more conversations not drawn</p>`);
  }
  body.push('<h2>Checks</h2><table><thead><tr><th>Check</th><th>Status</th><th>Title</th><th>Codes</th></tr></thead><tbody>');
  for (const r of report.results) {
    const codes = [...new Set(r.findings.map((f) => f.code))].join(', ');
    body.push(`<tr><td><code>${h(r.check)}</code></td><td class="status-${r.status}">${STATUS_WORD[r.status]}${r.error ? ` — ${prose(r.error)}` : ''}</td><td>${h(r.title)}</td><td>${h(codes)}</td></tr>`);
  }
  body.push('</tbody></table>');
  if (report.diagnostics.length) {
    body.push(`<details><summary>Input diagnostics (${report.diagnostics.length})</summary><pre>`);
    body.push(report.diagnostics.map((d) => `${h(formatLocation(d.at))} [${h(d.decoder)}] ${h(d.message)}`).join('\n'));
    body.push('</pre></details>');
  }
  body.push('<h2>Inputs</h2><ul>');
  for (const i of report.inputs) {
    const facts = inputFacts(i);
    body.push(`<li>${h(i.kind)}: <code>${h(i.path)}</code>${facts.length ? ` (${h(facts.join(', '))})` : ''}</li>`);
  }
  body.push('</ul>');
  body.push(`<footer>${h(report.tool.name)} ${h(report.tool.version)} · schema ${h(report.schema)} · the report data is embedded in this page as JSON (#ipsec-doctor-report)</footer>`);

  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // nothing is fetched: no scripts run, images only from inline data
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${h(`${report.tool.name}: ${verdictText(report)}`)}</title>`,
    `<style>${STYLES}</style>`,
    '</head><body>',
    ...body,
    `<script type="application/json" id="ipsec-doctor-report">${scriptSafeJson(report)}</script>`,
    '</body></html>',
    '',
  ].join('\n');
};

function findingHtml(f: Finding, n: number): string {
  // one block per evidence line: a wrapped line hangs under its own location, so where one ends and the next begins stays clear;
  // a host probe reads as a command and, on its own line below it, what it printed
  const evidence = f.evidence.map((e) => (e.line === undefined && e.frame === undefined && e.command
    ? `<div class="ev"><span class="loc">$ ${h(e.command)}</span></div><div class="ev">  ${h(e.excerpt)}</div>`
    : `<div class="ev"><span class="loc">${h(formatLocation(e))}</span>  ${h(e.excerpt)}</div>`)).join('');
  return [
    `<section class="finding ${f.severity}" id="f${n}">`,
    `<h3>${n}. <code>${h(f.code)}</code> <span class="sev ${f.severity}">${f.severity}</span> <span class="muted">[${h(f.check)}]</span></h3>`,
    `<p>${prose(f.message)}</p>`,
    severityReason(f) ? `<p class="muted"><i>why ${f.severity}:</i> ${prose(severityReason(f)!)}</p>` : '',
    `<p class="hint"><b>Fix:</b> ${prose(f.hint)}</p>`,
    evidence ? `<div class="evidence">${evidence}</div>` : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A message or hint: text escaped, each code span a <code> element (its content escaped too). */
export function prose(s: string): string {
  return splitCodeSpans(s)
    .map((seg) => (seg.code ? `<code>${h(seg.text)}</code>` : h(seg.text)))
    .join('');
}
