/**
 * Issue 16 §2: never spin, always stoppable — under a real pseudo-terminal (util-linux
 * `script`), not ink-testing-library. Terminal sizes 0×0 (what `script` gives without a
 * terminal of its own, as some CI runners, serial consoles and containers do), 1×1, 10×3,
 * 300×100, TERM=dumb and a resize to 0×0 while running; SIGTERM and SIGINT end the
 * process within a bound in analysis (a log that is still being written: a FIFO kept
 * open) and the interactive view (live capture: pty-live.test.ts). The bounds are
 * "exited within N seconds of the signal", not speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasScript, inPty, LOG, SANE_OUTPUT_BYTES, signalAndTime, SIGNAL_BOUND_MS, sleep, waitFor } from './pty-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-pty-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A log that is still being written: a FIFO whose writer stays open, so the analysis waits (the spinner runs). */
async function growingLog(name: string): Promise<{ path: string; writer: Promise<FileHandle> }> {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  // resolves once the CLI opened the FIFO for reading
  const writer = open(path, 'w').then(async (fh) => {
    await fh.write(readFileSync(LOG, 'utf8').split('\n').slice(0, 60).join('\n') + '\n');
    return fh;
  });
  return { path, writer };
}

const SIZES: Array<{ cols: number; rows: number; term?: string }> = [
  { cols: 0, rows: 0 },
  { cols: 1, rows: 1 },
  { cols: 10, rows: 3 },
  { cols: 300, rows: 100 },
  { cols: 80, rows: 24, term: 'dumb' },
];

describe.skipIf(!hasScript)('a real pseudo-terminal of any size (script)', () => {
  for (const size of SIZES) {
    const label = `${size.cols}×${size.rows}${size.term ? ` TERM=${size.term}` : ''}`;

    // the bug's size (a 0×0 pty) in every output mode it was seen in; the others with text
    const outputs = size.cols === 0 ? [['--format', 'text'], ['--format', 'json'], ['-o', 'REPORT']] : [['--format', 'text']];
    for (const args of outputs) {
      it(`${label}, ${args.join(' ')}: finishes with the report and a bounded terminal output`, async () => {
        const report = join(dir, `report-${size.cols}x${size.rows}-${size.term ?? ''}.txt`);
        const run = inPty(['--log', LOG, ...args.map((a) => (a === 'REPORT' ? report : a))], size);
        const timeout = sleep(30000).then(() => undefined);
        const done = await Promise.race([run.exited, timeout]);
        if (!done) process.kill(await run.pid, 'SIGKILL');
        expect(done?.code).toBe(1);
        expect(run.bytes()).toBeLessThan(SANE_OUTPUT_BYTES);
        if (args[0] === '-o') expect(readFileSync(report, 'utf8')).toContain('AUTH_FAILED');
        else expect(run.output()).toContain('AUTH_FAILED');
      }, 40000);
    }

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${label}: ${signal} ends an analysis that is waiting for input`, async () => {
        const log = await growingLog(`${signal}-${size.cols}x${size.rows}-${size.term ?? 'x'}.log`);
        const run = inPty(['--log', log.path, '--format', 'text'], size);
        const writer = await log.writer;
        try {
          await sleep(700); // spinner frames, if any
          const before = run.bytes();
          const { ms } = await signalAndTime(run, signal);
          expect(ms).toBeLessThan(SIGNAL_BOUND_MS);
          expect(before).toBeLessThan(SANE_OUTPUT_BYTES);
        } finally {
          await writer.close();
        }
      }, 40000);
    }

    it(`${label}: the interactive view draws, settles, quits on q, and ends on SIGTERM`, async () => {
      const run = inPty(['--log', LOG], size);
      // the verdict, cut to the width; a 1-column view shows only an ellipsis
      const drawn = size.cols >= 10 ? /AUTH_FAILED|error/ : /…/;
      await waitFor(run, drawn);
      // once the checks are done nothing redraws by itself: the output stops growing (a spinning
      // view never would); how soon depends on the machine, so it is waited for, not timed
      let last = -1;
      for (let i = 0; i < 40 && run.bytes() !== last; i++) {
        last = run.bytes();
        await sleep(1000);
      }
      expect(run.bytes()).toBe(last);
      run.type('q');
      const quit = await Promise.race([run.exited, sleep(5000).then(() => undefined)]);
      expect(quit?.code).toBe(1);

      const again = inPty(['--log', LOG], size);
      await waitFor(again, drawn);
      await sleep(300);
      const { ms } = await signalAndTime(again, 'SIGTERM');
      expect(ms).toBeLessThan(SIGNAL_BOUND_MS);
    }, 60000);
  }

  it('resized to 0×0 while the spinner runs: it stops drawing, and SIGTERM still ends the process', async () => {
    const log = await growingLog('resize.log');
    const run = inPty(['--log', log.path, '--format', 'json'], { cols: 80, rows: 24 });
    const writer = await log.writer;
    try {
      await waitFor(run, /reading|checked/);
      const pid = await run.pid;
      // the CLI's terminal; TIOCSWINSZ sends SIGWINCH to its foreground process group
      const tty = readlinkSync(`/proc/${pid}/fd/2`);
      expect(spawnSync('stty', ['-F', tty, 'cols', '0', 'rows', '0']).status).toBe(0);
      await sleep(500);
      const atZero = run.bytes();
      await sleep(1000);
      // nothing more is drawn at 0 columns (before the fix: megabytes of "cursor up, erase line")
      expect(run.bytes() - atZero).toBeLessThan(1024);
      expect(spawnSync('stty', ['-F', tty, 'cols', '100', 'rows', '30']).status).toBe(0);
      await sleep(300);
      const { ms } = await signalAndTime(run, 'SIGTERM');
      expect(ms).toBeLessThan(SIGNAL_BOUND_MS);
    } finally {
      await writer.close();
    }
  }, 40000);
});

