/**
 * The real terminal: the built CLI under tmux on a real lab log, driven with
 * send-keys and read back with capture-pane (what a person at the keyboard sees).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../reporters/pipeline.js';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const SESSION = `ipsec-doctor-ui-${process.pid}`;
const CLI = join(ROOT, 'dist/src/cli.js');
const SAMPLE = 'test/reporters/fixtures/lab-psk-mismatch-right.log';

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', SESSION);
}

async function waitFor(pattern: RegExp, timeoutMs = 20000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`screen never showed ${pattern}:\n${last}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

describe.skipIf(!hasTmux)('interactive UI in a real terminal (tmux)', () => {
  if (!hasTmux) console.warn('skipping the tmux terminal test: tmux is not installed');

  beforeAll(() => {
    // the test drives the built CLI, as a user runs it (npm run build: the view bundled with
    // Ink, scripts/bundle-ui.mjs); build when the sources are newer
    const built = join(ROOT, 'dist/src/ui/run-ui.js');
    if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'checks')))) {
      spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
    }
    expect(existsSync(CLI)).toBe(true);
    tmux('new-session', '-d', '-s', SESSION, '-x', '100', '-y', '30', '-c', ROOT, `env -u CI -u NO_COLOR TERM=xterm-256color node ${CLI} --log ${SAMPLE}; echo "EXIT=$?"; sleep 60`);
  }, 120000);

  afterAll(() => {
    if (hasTmux) spawnSync('tmux', ['kill-session', '-t', SESSION], { stdio: 'ignore' });
  });

  it('shows the verdict and the findings, opens a finding, draws the ladder and quits with exit code 1', async () => {
    const list = await waitFor(/AUTH_FAILED — 1 error/);
    expect(list).toContain('ipsec-doctor log test/reporters/fixtures/lab-psk-mismatch-right.log (strongswan)');
    expect(list).toMatch(/› ✖ error +AUTH_FAILED/);
    expect(list).toMatch(/ℹ info +NAT_DETECTED/);
    expect(list).toMatch(/↑↓\/jk move · Enter open/);
    // 100 columns: the detail of the selected finding is beside the list only from 110; Enter opens it
    tmux('send-keys', '-t', SESSION, 'Enter');
    const detail = await waitFor(/Evidence \(2\)/);
    expect(detail).toContain('✖ AUTH_FAILED  [authentication]');
    expect(detail).toMatch(/Fix\n +\S/);
    expect(detail).toContain('test/reporters/fixtures/lab-psk-mismatch-right.log:122');
    // the excerpt, hard-wrapped to the pane's width
    expect(detail).toMatch(/<lab\|1> tried 1 shared key for 'right\.example' - 'left\.example', but MAC\n\s+mismatched/);
    tmux('send-keys', '-t', SESSION, 'Escape');
    // back on the list (a key sent right after Escape would reach the app as Alt+key)
    await waitFor(/› ✖ error +AUTH_FAILED/);
    tmux('send-keys', '-t', SESSION, 'j');
    await waitFor(/› ℹ info +NAT_DETECTED/);
    tmux('send-keys', '-t', SESSION, 'l');
    const ladder = await waitFor(/\[Ladder \(\d+\)\]/);
    expect(ladder).toContain('198.51.100.20 ⇄ 192.0.2.10');
    expect(ladder).toMatch(/──▶ IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]/);
    tmux('send-keys', '-t', SESSION, 'q');
    const after = await waitFor(/EXIT=\d/);
    expect(after).toContain('EXIT=1');
  }, 60000);

  it('with --format and a terminal on stderr only: the spinner stays on stderr, stdout is the clean report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-tty-'));
    const session = `${SESSION}-fmt`;
    try {
      const out = join(dir, 'report.json');
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', ROOT, `env -u CI node ${CLI} --log ${SAMPLE} --format json > ${out}; echo "EXIT=$?"; sleep 60`);
      const until = Date.now() + 20000;
      let pane = '';
      while (Date.now() < until && !/EXIT=\d/.test(pane)) {
        pane = tmux('capture-pane', '-p', '-t', session);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(pane).toContain('EXIT=1');
      // the UI was not started (a format was asked) and ora cleaned up after itself
      expect(pane).not.toContain('↑↓/jk');
      const report = JSON.parse(readFileSync(out, 'utf8')) as { schema: string; findings: Array<{ code: string }> };
      expect(report.schema).toBe('ipsec-doctor.report/1');
      expect(report.findings.map((f) => f.code)).toContain('AUTH_FAILED');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
