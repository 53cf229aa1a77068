/**
 * Process helpers for the lab: every child is started by pid and stopped by that
 * pid only (other engineers' processes share this machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly result: CommandResult,
  ) {
    super(`\`${argv.join(' ')}\` exited ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** Runs argv to completion; kills it (by its pid) after timeoutMs. */
export function run(argv: string[], opts: { timeoutMs?: number; check?: boolean } = {}): Promise<CommandResult> {
  const { timeoutMs = 30_000, check = true } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (check && code !== 0) reject(new CommandError(argv, result));
      else resolve(result);
    });
  });
}

/** A long-running child (charon, tcpdump, a live ipsec-doctor) with its output kept. */
export class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private exited: Promise<number | null>;

  constructor(
    readonly argv: string[],
    opts: { cwd?: string } = {},
  ) {
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code) => resolve(code));
      this.child.on('error', () => resolve(null));
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.argv[0]} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when `pattern` appears on stdout or stderr, or rejects after timeoutMs. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout + this.stderr)) {
      if (!this.running) throw new Error(`${this.argv.join(' ')} exited before printing ${pattern}: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${this.argv.join(' ')} did not print ${pattern} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  wait(): Promise<number | null> {
    return this.exited;
  }

  /** Signals this child by its pid, escalating to SIGKILL when it does not exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
