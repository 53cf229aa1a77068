/**
 * Running the CLI on a real pseudo-terminal (util-linux `script`) of a given size, and
 * timing how long it takes to end after a signal. Every pty started is killed when the
 * suite ends, whatever a test did.
 */
import { afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../reporters/pipeline.js';

export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
export const CLI = join(ROOT, 'src/cli.ts');
export const LOG = join(ROOT, 'samples/lab-psk-mismatch/right.log');
/** a signal must end the process within this (it takes milliseconds; the margin is for a loaded machine) */
export const SIGNAL_BOUND_MS = 2000;
/** more than this on the terminal in a second is a spinner gone wild (the bug wrote 7 MB in 4 s) */
export const SANE_OUTPUT_BYTES = 64 * 1024;

export interface PtyRun {
  child: ChildProcess;
  /** the CLI's pid (the shell exec'd into it) */
  pid: Promise<number>;
  output(): string;
  bytes(): number;
  exited: Promise<{ code: number | null; at: number }>;
  /** types into the terminal */
  type(keys: string): void;
}

/** `node --import tsx src/cli.ts ARGS` on a pseudo-terminal of `cols`×`rows`, wrapped as `wrap` says (ip netns exec …). */
export function inPty(args: string[], opts: { cols: number; rows: number; term?: string; wrap?: string[] }): PtyRun {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const node = [...(opts.wrap ?? []), 'env', '-u', 'CI', '-u', 'NO_COLOR', `TERM=${opts.term ?? 'xterm-256color'}`, process.execPath, '--import', 'tsx', CLI, ...args].map(quote).join(' ');
  const cmd = `stty cols ${opts.cols} rows ${opts.rows}; echo PID=$$; exec ${node}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let bytes = 0;
  const onData = (d: Buffer) => {
    bytes += d.length;
    if (out.length < 1 << 20) out += d.toString('utf8');
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('close', (code) => resolve({ code, at: Date.now() })));
  const pid = (async () => {
    await sleep(0);
    for (let i = 0; i < 200; i++) {
      const m = /PID=(\d+)/.exec(out);
      if (m) {
        cliPids.push(Number(m[1]));
        return Number(m[1]);
      }
      await sleep(50);
    }
    throw new Error(`no PID line from the pty:\n${out}`);
  })();
  return { child, pid, output: () => out, bytes: () => bytes, exited, type: (keys) => child.stdin!.write(keys) };
}

/** every pty started, so that none outlives the suite whatever a test did (a failed test leaves its CLI running) */
const started: ChildProcess[] = [];
const cliPids: number[] = [];

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(run: PtyRun, pattern: RegExp, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pattern.test(run.output())) return;
    await sleep(100);
  }
  throw new Error(`the terminal never showed ${pattern}:\n${run.output().slice(-2000)}`);
}

/** Sends `signal` to the CLI and resolves to how long it took to end (ms), killing it if it does not. */
export async function signalAndTime(run: PtyRun, signal: NodeJS.Signals): Promise<{ ms: number; code: number | null }> {
  const pid = await run.pid;
  const sent = Date.now();
  process.kill(pid, signal);
  const timeout = sleep(SIGNAL_BOUND_MS * 3).then(() => undefined);
  const done = await Promise.race([run.exited, timeout]);
  if (!done) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await run.exited;
    return { ms: Infinity, code: null };
  }
  return { ms: done.at - sent, code: done.code };
}


afterAll(() => {
  for (const pid of cliPids) {
    try {
      // only if that pid is still our CLI (pids are reused)
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(CLI)) process.kill(pid, 'SIGKILL');
    } catch {
      // ended
    }
  }
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
});
