/**
 * The user's mistakes and wishes on the command line (issue 15 §2): each said in one line
 * naming what was typed, exit 2; formats inferred from -o; stdin read when it is a pipe;
 * --fail-on for scripts; `checks ID` describes a check in words.
 */
import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './pipeline.js';
import { hasScript, inPty, waitFor } from '../ui/pty-helpers.js';

// each test spawns the CLI several times: minutes on a loaded 2-core machine, not a timing assertion
vi.setConfig({ testTimeout: 180_000 });

const LOG = 'samples/lab-psk-mismatch/right.log';
const HEALTHY_LOG = 'samples/lab-healthy/left.log';
const NO_DPD = ['-c', 'samples/config-no-dpd/moon.swanctl.conf', '-c', 'samples/config-no-dpd/sun.swanctl.conf'];

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', input: input ?? '', timeout: 60000, env: { ...process.env, CI: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(r: ReturnType<typeof cli>, line: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

const codesOf = (json: string) => (JSON.parse(json) as { findings: Array<{ code: string; severity: string }> }).findings;

describe('option errors', () => {
  it('an unknown option is named, with where to look, and no parser jargon', () => {
    oneLineError(cli(['--bogus']), 'ipsec-doctor: unknown option --bogus (see ipsec-doctor --help)');
    oneLineError(cli(['-x', LOG]), 'ipsec-doctor: unknown option -x (see ipsec-doctor --help)');
    oneLineError(cli(['--log', LOG, '-o']), 'ipsec-doctor: option --output needs a value (see ipsec-doctor --help)');
  });

  it('--only with a finding code names the check that reports it; a misspelt id gets the nearest', () => {
    oneLineError(cli(['--log', LOG, '--only', 'AUTH_FAILED']), /AUTH_FAILED is a finding code of the check authentication, and --only takes check ids \(use --only authentication/);
    oneLineError(cli(['--log', LOG, '--only', 'authentification']), /unknown check authentification \(did you mean authentication\?/);
  });

  it('--min-severity and --fail-on take ESLint\'s "warn" too; other words are refused in one line', () => {
    const r = cli(['--log', HEALTHY_LOG, '--format', 'json', '--min-severity', 'warn']);
    expect(r.code).toBe(0);
    expect(codesOf(r.stdout)).toEqual([]);
    expect(codesOf(cli(['--log', HEALTHY_LOG, '--format', 'json']).stdout).map((f) => f.severity)).toContain('info');
    oneLineError(cli(['--log', LOG, '--min-severity', 'loud']), /--min-severity loud: not a severity \(one of: info, warning \(or warn\), error\)/);
    oneLineError(cli(['--log', LOG, '--fail-on', 'sometimes']), /--fail-on sometimes: not a severity/);
  });
});

describe('--fail-on', () => {
  it('decides which findings make the exit code 1', () => {
    // config-no-dpd: one warning, no error
    expect(cli([...NO_DPD, '--format', 'json']).code).toBe(0);
    expect(cli([...NO_DPD, '--format', 'json', '--fail-on', 'warning']).code).toBe(1);
    expect(cli([...NO_DPD, '--format', 'json', '--fail-on', 'warn']).code).toBe(1);
    expect(cli([...NO_DPD, '--format', 'json', '--fail-on', 'error']).code).toBe(0);
    // an error finding, with findings never failing the run
    expect(cli(['--log', LOG, '--format', 'json']).code).toBe(1);
    expect(cli(['--log', LOG, '--format', 'json', '--fail-on', 'none']).code).toBe(0);
  });
});

describe('stdin', () => {
  it('with no input named, a piped log or capture is read from stdin and sniffed', () => {
    const viaPipe = cli(['--format', 'json'], readFileSync(join(ROOT, LOG)));
    expect(viaPipe.code).toBe(1);
    const report = JSON.parse(viaPipe.stdout) as { inputs: Array<{ kind: string; path: string; dialect?: string }>; findings: Array<{ code: string }> };
    expect(report.inputs.map((i) => [i.kind, i.path, i.dialect])).toEqual([['log', '(stdin)', 'strongswan']]);
    expect(report.findings.map((f) => f.code)).toContain('AUTH_FAILED');
    const pcap = readFileSync(join(ROOT, 'samples/pcap-ikev1-no-proposal-chosen/ikev1-mm-no-proposal-notify-retransmit-esp.pcap'));
    expect((JSON.parse(cli(['--format', 'json'], pcap).stdout) as typeof report).inputs[0].kind).toBe('pcap');
  });

  it('an empty stdin is still "no evidence given"', () => {
    oneLineError(cli([], ''), /^ipsec-doctor: no evidence given \(name a daemon log with --log FILE.*pipe a log or capture to stdin\)$/);
  });
});

describe('checks', () => {
  it('the listing says what each check reads in words, not internal names', () => {
    const r = cli(['checks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('authentication — Authentication; reads an IKE daemon log (--log)');
    expect(r.stdout).not.toMatch(/needs:|logEvents|saTables|\bipvs\b/);
  });

  it('`checks ID` (or a code of it) describes the check: what it finds, what it reads, its codes and what they say', () => {
    const r = cli(['checks', 'authentication']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^authentication — Authentication\n\nFinds failed IKE authentication/);
    expect(r.stdout).toContain('Reads an IKE daemon log (--log); without it the check is not applicable.');
    expect(r.stdout).toMatch(/ {2}AUTH_FAILED \(error\)\n {4}says: Authentication failed \(<method>\)/);
    expect(r.stdout).toContain('CERT_STATUS_UNAVAILABLE (warning)');
    expect(r.stdout).not.toMatch(/\{\w+\}/);
    expect(cli(['checks', 'AUTH_FAILED']).stdout).toBe(r.stdout);
    oneLineError(cli(['checks', 'nosuch']), /unknown check nosuch/);
  });
});

describe('-o', () => {
  it('infers the format from the extension unless --format says otherwise, and prints nothing when not on a terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-o-'));
    try {
      const out = (name: string, extra: string[] = []) => {
        const r = cli(['--log', LOG, '-o', join(dir, name), ...extra]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        return readFileSync(join(dir, name), 'utf8');
      };
      expect(out('r.html')).toMatch(/^<!doctype html>/i);
      expect(JSON.parse(out('r.json')).schema).toBe('ipsec-doctor.report/1');
      expect(out('r.md')).toMatch(/^# /);
      expect(out('r.txt')).toMatch(/^ipsec-doctor \d/);
      expect(out('r.report')).toMatch(/^ipsec-doctor \d/);
      expect(out('r2.html', ['--format', 'json'])).toMatch(/^\{/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a directory, a missing directory, a name ending in / or a path the system refuses: one line naming it and why, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-o-'));
    try {
      oneLineError(cli(['--log', LOG, '-o', dir]), `ipsec-doctor: cannot write ${dir}: it is a directory (give -o a file name)`);
      oneLineError(cli(['--log', LOG, '-o', join(dir, 'missing', 'r.md')]), new RegExp(`cannot write ${dir}/missing/r\\.md: the directory ${dir}/missing does not exist`));
      oneLineError(cli(['--log', LOG, '-o', join(dir, 'newdir') + '/']), new RegExp(`cannot write ${dir}/newdir/: a name ending in / is a directory, and there is none \\(give -o a file name\\)`));
      writeFileSync(join(dir, 'file'), '');
      oneLineError(cli(['--log', LOG, '-o', join(dir, 'file', 'r.md')]), new RegExp(`cannot write ${dir}/file/r\\.md: ${dir}/file is a file, not a directory`));
      // procfs refuses the write whoever runs it (root passes a permission check)
      oneLineError(cli(['--log', LOG, '-o', '/proc/version']), /^ipsec-doctor: cannot write \/proc\/version: (permission denied|the system refused the write \(I\/O error\))$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasScript)('on a terminal, says where the report went', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-o-'));
    try {
      const path = join(dir, 'r.html');
      const run = inPty(['--log', join(ROOT, LOG), '-o', path], { cols: 120, rows: 30 });
      await waitFor(run, /wrote the html report to \S*r\.html/);
      expect((await run.exited).code).toBe(1);
      expect(readFileSync(path, 'utf8')).toMatch(/^<!doctype html>/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
