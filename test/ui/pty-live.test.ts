/**
 * Issue 16 §2 for live capture: on a real pseudo-terminal (0×0 and 120×40), with the
 * report and with the interactive view, SIGTERM ends the capture within a bound (the -w
 * file keeps its frames) and SIGINT too — without the view the first SIGINT stops the
 * capture and the report of what was captured follows. The capture listens on the
 * loopback of a network namespace of the test's own; nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../reporters/pipeline.js';
import { hasScript, inPty, signalAndTime, SIGNAL_BOUND_MS, sleep } from './pty-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-pty-live-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;
const capLoads = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: ROOT }).status === 0;
const hasIp = spawnSync('ip', ['-V'], { stdio: 'ignore' }).status === 0;
const liveReason = !hasScript ? 'script missing' : !isRoot ? 'not root' : !hasIp ? 'iproute2 missing' : !capLoads ? "the 'cap' addon does not load" : '';

describe.skipIf(Boolean(liveReason))('live capture on a pseudo-terminal (loopback of a namespace of our own; nothing is sent)', () => {
  const ns = `ipsecdoc-pty-${process.pid}`;
  beforeAll(() => {
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    expect(spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']).status).toBe(0);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  for (const size of [{ cols: 0, rows: 0 }, { cols: 120, rows: 40 }]) {
    for (const [mode, args] of [['report', ['--format', 'json']], ['interactive', []]] as const) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        it(`${size.cols}×${size.rows}, ${mode}: ${signal} ends the capture${signal === 'SIGINT' && mode === 'report' ? ' and the report of what was captured follows' : ''}`, async () => {
          const pcap = join(dir, `live-${size.cols}-${mode}-${signal}.pcap`);
          const run = inPty(['--live', '-i', 'lo', '-w', pcap, ...args], { ...size, wrap: ['ip', 'netns', 'exec', ns] });
          // libpcap is open once the -w file has its header
          for (let i = 0; i < 150 && !(existsSync(pcap) && readFileSync(pcap).length >= 24); i++) await sleep(100);
          await sleep(500);
          const { ms, code } = await signalAndTime(run, signal);
          expect(ms).toBeLessThan(SIGNAL_BOUND_MS);
          if (signal === 'SIGINT' && mode === 'report') {
            // nothing was sent on this loopback: a capture of 0 packets has nothing to judge (exit 2, never a clean 0)
            expect(code).toBe(2);
            expect(run.output()).toContain('"schema"');
          }
          expect(readFileSync(pcap).length).toBeGreaterThanOrEqual(24);
        }, 40000);
      }
    }
  }
});
