/**
 * Issue 15 §1 and §4: no false all-clear, input coverage, checks with nothing to judge,
 * signal over noise. Every case runs the real pipeline (or the CLI) on the bundled samples'
 * real files, or on real files cut the way a user's would be (a log of start-up lines only,
 * a capture that saw no packet).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runPipeline } from './pipeline.js';
import { reporters } from '../../src/reporters/index.js';
import { exitCodeOf, verdictOf, verdictText } from '../../src/reporters/verdict.js';
import { describeCoverage } from '../../src/reporters/coverage.js';
import { filterBySeverity } from '../../src/report/build-report.js';
import type { Report } from '../../src/report/types.js';

const S = (p: string) => join(ROOT, 'samples', p);
const tmp = mkdtempSync(join(tmpdir(), 'ipsd-verdict-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const text = (r: Report, extra: Record<string, unknown> = {}) => reporters.text(r, { color: false, ...extra });

/** The first lines of a real charon log, up to the first IKE exchange: the daemon starting and loading its config. */
function startupOnlyLog(): string {
  const lines = readFileSync(S('lab-psk-mismatch/right.log'), 'utf8').split('\n');
  const path = join(tmp, 'startup.log');
  writeFileSync(path, lines.slice(0, lines.findIndex((l) => /received packet|initiating/.test(l))).join('\n') + '\n');
  return path;
}

/** A capture file that holds no frame: what tcpdump writes when nothing matched (the pcap global header alone, LINKTYPE_ETHERNET). */
function emptyCapture(): string {
  const path = join(tmp, 'empty.pcap');
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(1, 20);
  writeFileSync(path, h);
  return path;
}

describe('no false all-clear (issue 15 §1)', () => {
  it('a swanctl.conf or ipsec.conf given as a log is read as the config it is, and says so', () => {
    for (const args of [[S('config-proposal-mismatch/carol.swanctl.conf')], ['--log', S('config-proposal-mismatch/carol.swanctl.conf')], ['--log', S('config-dpd-one-sided/carol.ipsec.conf')]]) {
      const r = cli([...args, '--format', 'json']);
      const report = JSON.parse(r.stdout) as Report;
      // never a log of no dialect with "0 applicable checks": the config reader read every setting line
      expect(report.inputs.map((i) => i.kind)).toEqual(['config']);
      expect(report.inputs[0].coverage?.notUnderstood).toBe(0);
      expect(report.diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/^is an? (swanctl\.conf|ipsec\.conf), not a log: read as a config, as --config .* would$/));
      // a config of one peer: dead-peer-detection judges it (carol runs no DPD), config-diff has nothing to compare
      expect(report.findings.map((f) => f.code)).toContain('DPD_DISABLED');
      expect(report.results.find((c) => c.check === 'config-diff')?.status).toBe('not-applicable');
    }
    // two configs given positionally are compared as two --config files are
    const both = cli([S('config-proposal-mismatch/carol.swanctl.conf'), S('config-proposal-mismatch/moon.swanctl.conf')]);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('IKE_PROPOSAL_MISMATCH');
  });

  it('a config read from stdin as a log still says what it is and how to pass it, exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--log', '-'], { cwd: ROOT, encoding: 'utf8', timeout: 60000, input: readFileSync(S('config-proposal-mismatch/carol.swanctl.conf')) });
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('✔');
    expect(r.stderr).toMatch(/looks like a swanctl\.conf, not an IKE daemon log \(pass it with --config /);
  });

  it('a strongSwan log forced to the libreswan dialect: nothing to judge, the dialect it looks like, exit 2', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log')] }, { dialect: 'libreswan' });
    expect(report.inputs[0].coverage).toEqual({ unit: 'line', total: 131, events: 0, other: 0, notUnderstood: 131 });
    expect(report.inputs[0].dialect).toBeUndefined();
    expect(verdictOf(report).level).toBe('unjudged');
    expect(verdictText(report)).toMatch(/^\? nothing to judge: .* 1 log: .*right\.log, 131 lines, none understood/);
    expect(report.diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/none of its 131 lines is an IKE event of libreswan pluto .*they look like strongSwan charon lines: leave out --dialect, or give --dialect strongswan/));
    expect(exitCodeOf(report)).toBe(2);
    const r = cli(['--log', S('lab-psk-mismatch/right.log'), '--dialect', 'libreswan']);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('✔');
    // the diagnostic that says what to do comes before the verdict it explains
    expect(r.stdout.indexOf('Input diagnostics')).toBeLessThan(r.stdout.indexOf('? nothing to judge'));
  });

  it('a log of the daemon starting only: its lines are charon\'s (fingerprinted), none an IKE event: nothing to judge, exit 2', async () => {
    const path = startupOnlyLog();
    const report = await runPipeline({ logs: [path] });
    const total = readFileSync(path, 'utf8').trim().split('\n').length;
    expect(report.inputs[0].dialect).toBe('strongswan');
    expect(report.inputs[0].coverage).toEqual({ unit: 'line', total, events: 0, other: total, notUnderstood: 0 });
    expect(report.results.every((r) => r.status === 'not-applicable')).toBe(true);
    expect(verdictText(report)).toBe(`? nothing to judge: no check found anything it could judge in 1 log: ${path}, ${total} lines, none an IKE event`);
    expect(exitCodeOf(report)).toBe(2);
  });

  it('a capture of 0 packets: the IKE, ESP and path checks are not applicable with a reason, never pass', async () => {
    const report = await runPipeline({ pcaps: [emptyCapture()] });
    const status = Object.fromEntries(report.results.map((r) => [r.check, r]));
    for (const id of ['esp-flows', 'ike-reachability', 'path-mtu', 'proposal-mismatch', 'nat-traversal']) {
      expect(status[id].status, id).toBe('not-applicable');
      expect(status[id].reason, id).toMatch(/^nothing to judge: 0 /);
    }
    expect(report.results.some((r) => r.status === 'pass')).toBe(false);
    expect(report.inputs[0].coverage).toEqual({ unit: 'frame', total: 0, events: 0, other: 0, notUnderstood: 0 });
    // the capture's own warning stands, and says the tunnel was not judged
    expect(verdictText(report)).toMatch(/^⚠ NO_IPSEC_PACKETS .*; nothing else could be judged$/);
    expect(exitCodeOf(report)).toBe(2);
  });

  it('one config: config-diff is not applicable ("nothing to judge"), never "Two peers\' configs agree"; two configs are judged', async () => {
    const one = await runPipeline({ configs: [S('lab-healthy/left.swanctl.conf')] });
    const diff = one.results.find((r) => r.check === 'config-diff')!;
    expect(diff.status).toBe('not-applicable');
    expect(diff.reason).toBe('nothing to judge: 0 pairs of connections across two configs');
    const two = await runPipeline({ configs: [S('lab-healthy/left.swanctl.conf'), S('lab-healthy/right.swanctl.conf')] });
    expect(two.results.find((r) => r.check === 'config-diff')!.status).not.toBe('not-applicable');
  });

  it('a check whose findings are all info is listed as info, never pass', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log'), S('lab-psk-mismatch/left.log')] });
    for (const r of report.results) if (r.findings.length) expect(r.status, r.check).not.toBe('pass');
    expect(report.results.find((r) => r.check === 'nat-traversal')).toMatchObject({ status: 'info' });
    expect(text(report)).toMatch(/^ {2}info {2}nat-traversal/m);
  });

  it('a healthy run says what the evidence covered, exit 0', async () => {
    const report = await runPipeline({ logs: [S('lab-healthy/left.log'), S('lab-healthy/right.log')], pcaps: [S('lab-healthy/left.pcap')] });
    expect(verdictOf(report).level).toBe('clear');
    expect(verdictText(report)).toMatch(/^✔ no problem found by \d+ checks over 2 logs and 1 capture — 0 errors, 0 warnings, \d+ info$/);
    expect(exitCodeOf(report)).toBe(0);
  });

  it('a capture of IP-fragmented IKE is not "mostly not understood": each datagram counts once, its other fragments as other frames', async () => {
    const report = await runPipeline({ pcaps: [S('lab-ike-fragments-dropped/left.pcap')] });
    const c = report.inputs[0].coverage!;
    expect(c).toMatchObject({ unit: 'frame', total: 16, notUnderstood: 0 });
    expect(c.events + c.other).toBe(16);
    expect(exitCodeOf(report)).not.toBe(2);
  });

  it('every input says how much of it was used, in JSON, text and Markdown', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log')], pcaps: [S('lab-healthy/left.pcap')], configs: [S('lab-healthy/left.swanctl.conf')] });
    for (const i of report.inputs) {
      const c = i.coverage!;
      expect(c.events + c.other + c.notUnderstood, i.path).toBe(c.total);
    }
    const [log, pcap] = report.inputs;
    expect(log.coverage).toMatchObject({ unit: 'line', total: 131 });
    expect(log.coverage!.events).toBeGreaterThan(10);
    expect(log.coverage!.notUnderstood).toBeLessThan(log.coverage!.total / 2);
    expect(pcap.coverage).toMatchObject({ unit: 'frame', total: 26 });
    const json = JSON.parse(reporters.json(report, { color: false })) as Report;
    expect(json.inputs[0].coverage).toEqual(log.coverage);
    for (const format of ['text', 'markdown', 'html']) {
      const out = reporters[format](report, { color: false });
      expect(out, format).toContain(describeCoverage(log)!);
      expect(out, format).toContain(describeCoverage(pcap)!);
    }
  });
});

describe('signal over noise (issue 15 §4)', () => {
  it('errors first, and the cause before its symptom: IKE_PROPOSAL_MISMATCH before CHILD_PROPOSAL_MISMATCH', async () => {
    const report = await runPipeline({ configs: [S('config-proposal-mismatch/carol.swanctl.conf'), S('config-proposal-mismatch/moon.swanctl.conf')] });
    const codes = report.findings.map((f) => f.code);
    expect(codes.indexOf('IKE_PROPOSAL_MISMATCH')).toBeGreaterThanOrEqual(0);
    expect(codes.indexOf('IKE_PROPOSAL_MISMATCH')).toBeLessThan(codes.indexOf('CHILD_PROPOSAL_MISMATCH'));
    const ranks = report.findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('routine info is hidden in text and Markdown, counted, shown with -v, kept in JSON', async () => {
    const report = await runPipeline({ pcaps: [S('lab-healthy/left.pcap')] });
    const routine = report.findings.find((f) => f.code === 'IKE_FRAGMENTATION_SUPPORT')!;
    expect(routine.routine).toBe(true);
    expect(routine.data.announcedBy).toBe('both peers');
    const out = text(report);
    expect(out).not.toMatch(/^INFO +IKE_FRAGMENTATION_SUPPORT/m);
    expect(out).toContain('1 info finding hidden (things working as they should); -v shows it');
    expect(text(report, { verbose: true })).toMatch(/^INFO +IKE_FRAGMENTATION_SUPPORT/m);
    expect(reporters.markdown(report, { color: false })).not.toContain('| 🔵 info | IKE\\_FRAGMENTATION\\_SUPPORT |');
    expect(reporters.markdown(report, { color: false, verbose: true })).toContain('| 🔵 info | IKE\\_FRAGMENTATION\\_SUPPORT |');
    expect(JSON.parse(reporters.json(report, { color: false })).findings.map((f: { code: string }) => f.code)).toContain('IKE_FRAGMENTATION_SUPPORT');
  });

  it('repeats are counted: 300 identical refusals read "×300, first and last" with both', async () => {
    // the real responder log's IKE_SA_INIT..IKE_AUTH exchange, repeated for 300 IKE SAs
    const lines = readFileSync(S('lab-psk-mismatch/right.log'), 'utf8').split('\n');
    const start = lines.findIndex((l) => l.includes('received packet'));
    const end = lines.findIndex((l) => l.includes('state change: CONNECTING => DESTROYING')) + 1;
    const out = lines.slice(0, start);
    for (let i = 1; i <= 300; i++) {
      for (const l of lines.slice(start, end)) out.push(l.replace(/<(lab\|)?1>/, `<$1${i}>`).replace(/(\w+|\(unnamed\))\[1\]/, `$1[${i}]`));
    }
    const path = join(tmp, 'repeated.log');
    writeFileSync(path, out.join('\n') + '\n');
    const report = await runPipeline({ logs: [path] });
    const shown = text(report);
    expect(shown).toContain('×300, first and last:');
    expect(shown).toContain('<lab|1> tried 1 shared key');
    expect(shown).toContain('<lab|300> tried 1 shared key');
  });

  it('-q prints the verdict line only; -v every evidence line', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log'), S('lab-psk-mismatch/left.log')] });
    expect(text(report, { quiet: true })).toBe(verdictText(report) + '\n');
    const r = cli(['--log', S('lab-psk-mismatch/right.log'), '-q']);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^✖ AUTH_FAILED/)]);
    expect(r.code).toBe(1);
    const nat = report.findings.find((f) => f.evidence.length > 6);
    if (nat) {
      expect(text(report)).toMatch(/more evidence lines? \(-v shows/);
      for (const e of nat.evidence) expect(text(report, { verbose: true })).toContain(e.excerpt);
    }
  });

  it('--min-severity also trims the checks table to the checks with findings at that level', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log'), S('lab-psk-mismatch/left.log')] });
    const trimmed = filterBySeverity(report, 'error');
    expect(trimmed.results.map((r) => r.check)).toEqual(['authentication']);
    // the verdict still counts every check that judged
    expect(verdictText(trimmed)).toBe(verdictText(report));
    expect(text(trimmed)).not.toMatch(/^ {2}(pass|n\/a)/m);
  });
});

describe('text wraps at the terminal width (issue 15 §3)', () => {
  it('at 80 columns no line is longer unless it is one word, no word is split, and the words are unchanged', async () => {
    const report = await runPipeline({ logs: [S('lab-psk-mismatch/right.log'), S('lab-psk-mismatch/left.log')] });
    const flat = text(report);
    const wrapped = text(report, { width: 80 });
    for (const line of wrapped.split('\n')) if (line.length > 80) expect(line.trim(), line).not.toContain(' ');
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    expect(words(wrapped)).toEqual(words(flat));
    // hanging indent: a continuation of a finding's message starts indented under it
    expect(wrapped).toMatch(/\n {2}Authentication failed[^\n]*\n {4}\S/);
    expect(flat.split('\n').some((l) => l.length > 80)).toBe(true);
  });

  it('piped (not a terminal): not wrapped', () => {
    const r = cli(['--log', S('lab-psk-mismatch/right.log')]);
    expect(r.stdout.split('\n').some((l) => l.length > 120)).toBe(true);
  });
});
