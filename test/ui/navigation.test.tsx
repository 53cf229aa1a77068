/**
 * Issue 15 §6, the interactive view's navigation on real reports: `l` opens the
 * conversation that holds the finding's evidence, Enter on a check says what it judged
 * or why it did not, Enter on a ladder row shows the whole line, findings of one code
 * are told apart, export asks before overwriting and says a bad path in one line, and
 * the ladder's legend at 80 columns is whole words.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { makeTheme } from '../../src/ui/theme.js';
import { exportTarget } from '../../src/ui/run-ui.js';
import { findingTags, laneOfFinding, type UiSnapshot } from '../../src/ui/model.js';
import { ladderLegend } from '../../src/ui/components/LadderPane.js';
import type { LadderView } from '../../src/evidence/derived/ladder/lane.js';
import type { Report } from '../../src/report/types.js';
import { runPipeline } from '../reporters/pipeline.js';
import { CHECKS, until } from './snapshots.js';

const SIZE = { columns: 80, rows: 24 };
const KEY = { down: '\u001B[B', enter: '\r', tab: '\t', esc: '\u001B' };
const plain = makeTheme(false);
const snap = (report: Report): UiSnapshot => ({ checks: CHECKS, results: report.results, report, inputs: report.inputs });


const PSK = { logs: ['samples/lab-psk-mismatch/right.log'], pcaps: ['samples/lab-psk-mismatch/left.pcap'] };

const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-nav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interactive view: from a finding to its conversation', () => {
  it('l opens the conversation that holds the evidence: the responder log for AUTH_FAILED, the capture for a capture finding', async () => {
    const report = await runPipeline(PSK);
    const ladder = report.views!.ladder as LadderView;
    expect(ladder.ladders.map((l) => l.source).sort()).toEqual(['log', 'packets']);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snap(report)} theme={plain} size={SIZE} />);
    expect(lastFrame()).toMatch(/› ✖ error +AUTH_FAILED/);
    stdin.write('l');
    const auth = await until(lastFrame, '[Ladder');
    // the responder's log, not the capture: its legend names the log, and the selected row is the refusal it logged
    expect(auth).toMatch(/\(──▶ sent by 198\.51\.100\.20; log right\.log/);
    expect(auth).toMatch(/^› +\d+ .*authentication failed/m);
    stdin.write('l');
    await until(lastFrame, '[Findings');
    const index = report.findings.findIndex((f) => f.code === 'IKE_FRAGMENTATION_SUPPORT');
    for (let i = 0; i < index; i++) stdin.write('j');
    await until(lastFrame, /› ℹ info +IKE_FRAGMENTATION_SUPPORT/);
    stdin.write('l');
    const frag = await until(lastFrame, 'capture left.pcap');
    expect(frag).toMatch(/capture left\.pcap/);
    expect(frag).toMatch(/^› +1 .*IKE_SA_INIT request/m);
    unmount();
  });

  it('laneOfFinding: the lane with the evidence lines themselves, none for a finding from a config', async () => {
    const report = await runPipeline(PSK);
    const ladder = report.views!.ladder as LadderView;
    const auth = report.findings.find((f) => f.code === 'AUTH_FAILED')!;
    const found = laneOfFinding(auth, ladder)!;
    expect(ladder.ladders[found.lane].source).toBe('log');
    expect(auth.evidence.map((e) => e.line)).toContain(ladder.ladders[found.lane].steps[found.step].at.line);
    const configs = await runPipeline({ configs: ['samples/config-no-dpd/moon.swanctl.conf', 'samples/config-no-dpd/sun.swanctl.conf'] });
    expect(laneOfFinding(configs.findings[0], ladder)).toBeUndefined();
  });
});

describe('interactive view: Enter opens a check and a ladder line', () => {
  it('Enter on a check says what it judged, or why it is not applicable; Esc goes back', async () => {
    const report = await runPipeline({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const checks = CHECKS.map((c) => ({ ...c, description: `description of ${c.id}`, needs: c.id === 'firewall' ? 'a firewall ruleset' : 'a daemon log' }));
    const { lastFrame, stdin, unmount } = render(<App snapshot={{ ...snap(report), checks }} theme={plain} size={SIZE} />);
    stdin.write(KEY.tab);
    await until(lastFrame, 'Tab pane · l ladder · e export');
    // the first check in the list is authentication: it failed with AUTH_FAILED
    stdin.write(KEY.enter);
    const auth = await until(lastFrame, 'authentication — ');
    expect(auth).toMatch(/✖ fail +authentication — Authentication/);
    expect(auth).toMatch(/Judged .*: 1 finding\./);
    expect(auth).toContain('✖ AUTH_FAILED');
    expect(auth).toContain('description of authentication');
    stdin.write(KEY.esc);
    await until(lastFrame, 'Tab pane · l ladder · e export');
    const firewall = CHECKS.findIndex((c) => c.id === 'firewall');
    for (let i = 0; i < firewall; i++) {
      stdin.write('j');
      await until(lastFrame, new RegExp(`› .* ${CHECKS[i + 1].id} `));
    }
    stdin.write(KEY.enter);
    const na = await until(lastFrame, 'firewall — ');
    expect(na).toMatch(/n\/a +firewall — /);
    expect(na).toMatch(/Not applicable: (it reads a firewall ruleset, and the inputs hold none|.+)\./);
    expect(na).not.toMatch(/\bpass\b/);
    unmount();
  });

  it('Enter on a ladder row shows the whole line, cut on the 80-column list', async () => {
    const report = await runPipeline({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const lane = (report.views!.ladder as LadderView).ladders[0];
    const long = lane.steps.findIndex((s) => s.label.length > 60);
    expect(long).toBeGreaterThanOrEqual(0);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snap(report)} theme={plain} size={SIZE} />);
    stdin.write(KEY.tab);
    await until(lastFrame, '[Checks');
    stdin.write(KEY.tab);
    const list = await until(lastFrame, '[Ladder');
    expect(list.replace(/\s+/g, ' ')).not.toContain(lane.steps[long].label);
    for (let i = 0; i < long; i++) {
      stdin.write('j');
      await until(lastFrame, new RegExp(`^› +${i + 2} `, 'm'));
    }
    stdin.write(KEY.enter);
    const detail = await until(lastFrame, `step ${long + 1} of ${lane.steps.length}`);
    // the label, wrapped at the pane's width: every word of it is there, in order
    expect(detail.replace(/\s+/g, ' ')).toContain(lane.steps[long].label.replace(/\s+/g, ' '));
    expect(detail).toContain(`at ${lane.steps[long].at.source}:${lane.steps[long].at.line}`);
    stdin.write(KEY.esc);
    expect(await until(lastFrame, '↑↓/jk move · Enter line')).toContain('[Ladder');
    unmount();
  });

  it('at 80 columns the ladder legend leaves whole parts out instead of cutting a word', async () => {
    const report = await runPipeline(PSK);
    const ladder = report.views!.ladder as LadderView;
    const { lastFrame, stdin, unmount } = render(<App snapshot={snap(report)} theme={plain} size={SIZE} />);
    stdin.write(KEY.tab);
    await until(lastFrame, '[Checks');
    stdin.write(KEY.tab);
    const frame = await until(lastFrame, '[Ladder');
    const legend = frame.split('\n').find((l) => l.includes('⇄'))!;
    const { head, rest } = ladderLegend(ladder.ladders[0], 0, ladder.ladders.length, 80);
    expect(legend).toBe(head + rest);
    expect([...legend].length).toBeLessThanOrEqual(80);
    expect(legend).not.toContain('…');
    // narrower: parts drop whole, the arrow's meaning stays longest
    const narrow = ladderLegend(ladder.ladders[0], 0, 2, 60);
    expect(narrow.rest).toBe(' (──▶ sent by 198.51.100.20)');
    unmount();
  });
});

describe('interactive view: findings of one code told apart', () => {
  it('two DPD_DISABLED from two configs show which file each is about', async () => {
    const report = await runPipeline({ configs: ['samples/config-no-dpd/moon.swanctl.conf', 'samples/config-no-dpd/sun.swanctl.conf'] });
    expect(report.findings.filter((f) => f.code === 'DPD_DISABLED').length).toBe(2);
    const { lastFrame, unmount } = render(<App snapshot={snap(report)} theme={plain} size={SIZE} />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/DPD_DISABLED +\[moon\.swanctl\.conf\]/);
    expect(frame).toMatch(/DPD_DISABLED +\[sun\.swanctl\.conf\]/);
    unmount();
  });

  it('two IKE_LARGE_MESSAGE in a capture are told apart by direction; a code seen once gets no tag', async () => {
    const report = await runPipeline({ pcaps: ['samples/lab-cert-ip-fragments-pass/left.pcap'] });
    const tags = findingTags(report.findings);
    const large = report.findings.flatMap((f, i) => (f.code === 'IKE_LARGE_MESSAGE' ? [tags[i]] : []));
    expect(large.sort()).toEqual(['192.0.2.10 → 198.51.100.20', '198.51.100.20 → 192.0.2.10']);
    report.findings.forEach((f, i) => {
      if (report.findings.filter((g) => g.code === f.code).length === 1) expect(tags[i]).toBe('');
    });
  });
});

describe('interactive view: export', () => {
  async function exportTo(stdin: { write(s: string): void }, lastFrame: () => string | undefined, path: string) {
    stdin.write('e');
    await until(lastFrame, 'export as:');
    stdin.write(KEY.enter);
    await until(lastFrame, 'export markdown to:');
    // clear the default name, type the path
    for (let i = 0; i < 40; i++) stdin.write('\x7f');
    stdin.write(path);
    await until(lastFrame, path);
    stdin.write(KEY.enter);
  }

  it('asks before replacing an existing file: n keeps it, y writes', async () => {
    const report = await runPipeline({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const existing = join(dir, 'old.md');
    writeFileSync(existing, 'keep me');
    const onExport = vi.fn(async (format: string, path: string) => `wrote the ${format} report to ${path}`);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snap(report)} theme={plain} size={{ columns: 120, rows: 24 }} onExport={onExport} exportTarget={exportTarget} />);
    await exportTo(stdin, lastFrame, existing);
    expect(await until(lastFrame, 'overwrite it? (y/N)')).toContain(`${existing} exists — overwrite it? (y/N)`);
    stdin.write('n');
    expect(await until(lastFrame, 'left as it was')).toContain(`export cancelled: ${existing} left as it was`);
    expect(onExport).not.toHaveBeenCalled();
    await exportTo(stdin, lastFrame, existing);
    await until(lastFrame, 'overwrite it? (y/N)');
    stdin.write('y');
    expect(await until(lastFrame, 'wrote the markdown')).toContain(`wrote the markdown report to ${existing}`);
    expect(onExport).toHaveBeenCalledWith('markdown', existing);
    unmount();
  });

  it('a path that cannot be written is one status line, nothing written; a new file is written without asking', async () => {
    const report = await runPipeline({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const onExport = vi.fn(async (format: string, path: string) => `wrote the ${format} report to ${path}`);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snap(report)} theme={plain} size={{ columns: 120, rows: 24 }} onExport={onExport} exportTarget={exportTarget} />);
    const bad = join(dir, 'no-such-dir', 'r.md');
    await exportTo(stdin, lastFrame, bad);
    const frame = await until(lastFrame, 'export failed');
    const line = frame.split('\n').find((l) => l.includes('export failed'))!;
    // one line, the reason whole: a long path is shortened from its start to fit
    expect([...line].length).toBeLessThanOrEqual(120);
    expect(line.trim()).toMatch(/^export failed: cannot write \S*no-such-dir\/r\.md: the directory \S*no-such-dir does not exist$/);
    await exportTo(stdin, lastFrame, dir);
    expect(await until(lastFrame, 'it is a directory')).toContain(`export failed: cannot write ${dir}: it is a directory`);
    expect(onExport).not.toHaveBeenCalled();
    const fresh = join(dir, 'new.md');
    await exportTo(stdin, lastFrame, fresh);
    expect(await until(lastFrame, 'wrote the markdown')).not.toContain('overwrite');
    expect(onExport).toHaveBeenCalledWith('markdown', fresh);
    unmount();
  });
});
