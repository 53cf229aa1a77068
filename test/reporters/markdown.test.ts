import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { markdownReporter, cell, fenced, inline, literal } from '../../src/reporters/markdown.js';
import { reporters } from '../../src/reporters/index.js';
import { runPipeline, FIXTURES } from './pipeline.js';
import { frozenReport } from './frozen.js';

const PSK = join(FIXTURES, 'lab-psk-mismatch-right.log');

/** Paths in the output are relative to the repository so goldens do not depend on the checkout location. */
const rel = (files: string[]) => files.map((f) => f.slice(f.indexOf('test/reporters/')));

describe('markdown reporter', () => {
  it.each(['psk-mismatch', 'udp500-dropped', 'healthy'] as const)('golden: %s (frozen pipeline report of the lab log)', async (name) => {
    const report = await frozenReport(name);
    await expect(reporters.markdown(report, { color: false })).toMatchFileSnapshot(`./fixtures/${name}.golden.md`);
  });

  it('is ticket-ready: verdict first, a findings table, hint and fenced evidence per finding, inputs and version last', async () => {
    const report = await runPipeline({ logs: rel([PSK]) });
    const md = markdownReporter(report, { color: false });
    const lines = md.split('\n');
    expect(lines[2]).toMatch(/^\*\*Verdict:\*\* ✖ AUTH\\_FAILED — 1 error/);
    expect(md).toContain('| Severity | Code | Message |');
    expect(md).toMatch(/\| 🔴 error \| AUTH\\_FAILED \| \S/);
    // evidence in a fence, with file:line of the real log line
    expect(md).toMatch(/```text\ntest\/reporters\/fixtures\/lab-psk-mismatch-right\.log:122 {2}.*tried 1 shared key for 'right\.example' - 'left\.example', but MAC mismatched/);
    expect(md).toMatch(/\n\*\*Fix:\*\* \S/);
    expect(lines.filter(Boolean).at(-1)).toMatch(/^_ipsec-doctor \d+\.\d+\.\d+, report schema ipsec-doctor\.report\/1_$/);
    expect(md.indexOf('## Inputs')).toBeGreaterThan(md.indexOf('## Checks'));
    // the ladder, from the same log
    expect(md).toContain('## IKE conversation');
    expect(md).toMatch(/──▶ IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]/);
    // plain text: no ANSI even if colour is asked
    expect(reporters.markdown(report, { color: true })).not.toMatch(/\x1b\[/);
  });

  it('escapes table cells so | and a stray backtick cannot break a GitHub or Jira table; code spans stay code', () => {
    expect(cell('a | b `code` c')).toBe('a \\| b `code` c');
    // a pipe inside code is escaped too: GFM reads \| as a pipe inside a code span in a table
    expect(cell('run `a | b` now')).toBe('run `a \\| b` now');
    expect(cell('line1\nline2')).toBe('line1 line2');
    expect(inline('<script> *bold* _x_')).toBe('\\<script\\> \\*bold\\* \\_x\\_');
    // a backtick with no partner is a literal one, escaped so it cannot open a code span
    expect(inline("it's a ` lone one")).toBe("it's a \\` lone one");
    // Markdown punctuation inside code is left alone: code spans take no escapes
    expect(inline('set `left_id = *` here')).toBe('set `left_id = *` here');
  });

  it('keeps code spans as code spans; one holding backticks gets a longer fence (CommonMark 6.1)', () => {
    expect(inline('add: `iptables -t filter -I INPUT 6 -p udp --dport 4500 -j ACCEPT`')).toBe('add: `iptables -t filter -I INPUT 6 -p udp --dport 4500 -j ACCEPT`');
    expect(inline('the ``a`b`` token')).toBe('the ``a`b`` token');
    expect(inline('ends ``` `x ``` here')).toBe('ends `` `x `` here');
    expect(inline('run ``` a``b ```')).toBe('run `a``b`');
    // a path is never markup: its backticks and underscores are escaped
    expect(literal('/tmp/`x`_y')).toBe('/tmp/\\`x\\`\\_y');
  });

  it('renders the hints of a real report with their commands as code, not as quoted text', async () => {
    const cfg = (f: string) => `samples/firewall-iptables-gateway-mistakes/${f}`;
    const report = await runPipeline({ configs: [cfg('iptables-save.conf'), cfg('moon.swanctl.conf')] });
    const md = markdownReporter(report, { color: false });
    expect(md).toMatch(/\*\*Fix:\*\* .*add: `iptables -t filter -I INPUT 6 -s 198\.51\.100\.7 -p udp --dport 4500 -j ACCEPT`/);
    expect(md).not.toMatch(/'iptables -t filter/);
    // every code span in the hints reads back as the code the check wrote (no escapes inside)
    const hint = report.findings.find((f) => f.code === 'FIREWALL_BLOCKS_NAT_T')!.hint;
    const spans = [...hint.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(spans.length).toBeGreaterThan(0);
    for (const code of spans) expect(md).toContain(`\`${code}\``);
  });

  it('fences grow longer than any backtick run inside the evidence', () => {
    const [open, body, close] = fenced('charon: ``` not a fence ````');
    expect(open).toBe('`````text');
    expect(close).toBe('`````');
    expect(body).toContain('````');
  });

  it('says why a finding is not at its registered severity, in every human format', async () => {
    const sample = (f: string) => `samples/lab-ike-fragments-dropped/${f}`;
    const report = await runPipeline({ logs: [sample('left.log')], pcaps: [sample('left.pcap')] }, { only: ['ike-fragmentation'] });
    const why = 'why error: the capture shows the request IP-fragmented, resent and never answered';
    expect(reporters.text(report, { color: false })).toContain(`  ${why}\n  fix: `);
    expect(reporters.markdown(report, { color: false })).toContain('*why error:* the capture shows the request IP-fragmented, resent and never answered');
    expect(reporters.html(report, { color: false })).toContain('<i>why error:</i> the capture shows the request IP-fragmented, resent and never answered');
    // a finding at its registered severity has no such line
    const plain = await runPipeline({ logs: rel([PSK]) });
    expect(reporters.text(plain, { color: false })).not.toContain('why error');
  });
});
