/**
 * Words in the text, Markdown and HTML reports (issue 15 §3): counts with the right word, host
 * evidence as a command and its output on lines of their own.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../../src/run.js';
import { recordedRunnerFromFiles } from '../../src/sources/host/runner.js';
import { reporters } from '../../src/reporters/index.js';
import { runPipeline } from './pipeline.js';
import type { Report } from '../../src/report/types.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'host-gateway-misconfigured');

async function hostReport(): Promise<Report> {
  const files = Object.fromEntries(readdirSync(join(SAMPLE, 'host')).map((f) => [f, readFileSync(join(SAMPLE, 'host', f), 'utf8')]));
  return diagnose({ logs: [], pcaps: [], configs: [join(SAMPLE, 'moon.swanctl.conf')], host: true, local: [], peer: [], hostRunner: recordedRunnerFromFiles(files) });
}

describe('host evidence', () => {
  it('shows the command, then its output on the next line, in text, Markdown and HTML', async () => {
    const report = await hostReport();
    const cmdRef = report.findings.flatMap((f) => f.evidence).find((e) => e.command && e.line === undefined && e.frame === undefined)!;
    expect(cmdRef).toBeDefined();
    const text = reporters.text(report, { color: false });
    expect(text).toContain(`  $ ${cmdRef.command}\n    ${cmdRef.excerpt}\n`);
    expect(text).not.toContain(`$ ${cmdRef.command} ${cmdRef.excerpt}`);
    expect(reporters.markdown(report, { color: false })).toContain(`$ ${cmdRef.command}\n  ${cmdRef.excerpt}`);
    // HTML: the command in one block, its output in the next
    expect(reporters.html(report, { color: false })).toMatch(/<div class="ev"><span class="loc">\$ [^<]+<\/span><\/div><div class="ev"> {2}\S/);
  });
});

describe('counts', () => {
  it('one more evidence line, one line, one packet: singular; more: plural', async () => {
    const report = await runPipeline({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const f = report.findings[0];
    const seven = { ...report, findings: [{ ...f, evidence: Array.from({ length: 7 }, () => f.evidence[0]) }], inputs: [{ ...report.inputs[0], lines: 1, coverage: undefined }, { kind: 'pcap', path: 'x.pcap', packets: 1 }] } as Report;
    const text = reporters.text(seven, { color: false });
    expect(text).toContain('… 1 more evidence line (-v shows it); the last:');
    expect(text).toMatch(/, 1 line\b/);
    expect(text).toMatch(/, 1 packet\b/);
    expect(text).not.toMatch(/\b1 (lines|packets|more evidence lines)\b/);
    const eight = { ...seven, findings: [{ ...f, evidence: Array.from({ length: 8 }, () => f.evidence[0]) }] } as Report;
    expect(reporters.text(eight, { color: false })).toContain('… 2 more evidence lines (-v shows them); the last:');
  });
});
