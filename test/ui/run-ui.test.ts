/**
 * runInteractive's loop with a fake terminal: the real pipeline reports progress
 * through onResult, the screen follows, --redact's presentation applies to the
 * progress frames as well as the final one, exports get the presented report.
 */
import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { runInteractive } from '../../src/ui/run-ui.js';
import { canSpin } from '../../src/ui/stderr-spinner.js';
import { redactReport } from '../../src/reporters/redact.js';
import { buildEvidence, analyse, liveAnalyser } from '../../src/run.js';
import type { Report } from '../../src/report/types.js';
import { CHECKS } from './snapshots.js';
import { definedCounters, type LiveCapture } from '../../src/sources/live-capture.js';
import { replayCap } from '../sources/replay-cap.js';

class FakeStdout extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  frames: string[] = [];
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(s: string) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const LOGS = ['samples/lab-psk-mismatch/left.log', 'samples/lab-psk-mismatch/right.log'];

describe('runInteractive', () => {
  it('shows progress then the verdict, redacted throughout, exports the presented report, resolves on q', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const onExport = vi.fn(async (report: Report, format: string, path: string) => `wrote ${format} to ${path} (${report.findings.length} findings)`);
    const done = runInteractive({
      checks: CHECKS,
      color: false,
      formats: ['markdown', 'json'],
      present: (r) => redactReport(r).report,
      run: async ({ onResult, onInputs }) => {
        const evidence = await buildEvidence({ logs: LOGS, pcaps: [], configs: [], host: false, local: [], peer: [] });
        onInputs(evidence.inputs);
        return analyse(evidence, { onResult });
      },
      onExport,
      // progress frames are the point here: the screen shows at once instead of after the grace period
      graceMs: 0,
      io: { stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout() as never, debug: true, patchConsole: false },
    });
    const screen = () => stdout.frames.at(-1) ?? '';
    const end = Date.now() + 15000;
    while (!/AUTH_FAILED — \d+ error/.test(screen()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    // both peers' logs of one PSK failure are one finding (engine/corroborate.ts mergePeerViews)
    expect(screen()).toMatch(/AUTH_FAILED — 1 error,/);
    // progress frames were drawn before the verdict
    expect(stdout.frames.some((f) => /running checks \d+\/\d+/.test(f))).toBe(true);
    // no frame, in progress or final, shows an original address, identity or path
    for (const f of stdout.frames) {
      for (const original of ['192.0.2.10', '198.51.100.20', 'left.example', 'right.example', 'lab-psk-mismatch']) expect(f).not.toContain(original);
    }
    expect(screen()).toContain('log log-1.log (strongswan)');
    stdin.write('e');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    await new Promise((r) => setTimeout(r, 200));
    expect(onExport).toHaveBeenCalledTimes(1);
    const [exported, format, path] = onExport.mock.calls[0];
    expect([format, path]).toEqual(['markdown', 'ipsec-doctor-report.md']);
    expect(JSON.stringify(exported)).not.toContain('198.51.100.20');
    stdin.write('q');
    const report = await done;
    // the caller gets the unredacted report for the exit code
    expect(report?.summary.errors).toBe(1);
  }, 30000);

  it('draws the finished report as its first frame when the analysis ends within the grace period (no frame per check)', async () => {
    const stdout = new FakeStdout();
    const stderr = new FakeStdout();
    const stdin = new FakeStdin();
    let results = 0;
    const done = runInteractive({
      checks: CHECKS,
      color: false,
      formats: ['markdown'],
      run: async ({ onResult, onInputs }) => {
        const evidence = await buildEvidence({ logs: LOGS, pcaps: [], configs: [], host: false, local: [], peer: [] });
        onInputs(evidence.inputs);
        return analyse(evidence, { onResult: (r) => (results++, onResult(r)) });
      },
      onExport: async () => 'unused',
      // long enough for any machine: the point is what is drawn, not how fast
      graceMs: 60000,
      io: { stdout: stdout as never, stdin: stdin as never, stderr: stderr as never, debug: true, patchConsole: false },
    });
    const end = Date.now() + 15000;
    while (!stdout.frames.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(results).toBeGreaterThan(10);
    // one frame, already the verdict: no "reading inputs…", no "running checks n/m"
    expect(stdout.frames.filter((f) => f.trim()).length).toBe(1);
    expect(stdout.frames[0]).toMatch(/AUTH_FAILED — 1 error,/);
    expect(stdout.frames.join('')).not.toMatch(/running checks|reading inputs/);
    // meanwhile a one-line spinner on stderr said what was read, and erased itself before the view
    // (where a spinner is drawn at all: not in CI, nor with TERM=dumb)
    if (canSpin(stderr as never)) {
      expect(stderr.frames.join('')).toContain('reading inputs');
      expect(stderr.frames.at(-1)).toBe('\r\x1b[K');
    } else expect(stderr.frames).toEqual([]);
    stdin.write('q');
    expect((await done)?.findings.map((f) => f.code)).toContain('AUTH_FAILED');
  }, 30000);

  it('live: the first Ctrl-C stops the capture and the analysis still runs; the second quits (Ink does not swallow it)', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    // samples/lab-healthy/left.pcap through the live source, as libpcap would hand it over
    const replay = replayCap('samples/lab-healthy/left.pcap', ['lo']);
    let capture: LiveCapture | undefined;
    let pushLive: ((c: Record<string, number>) => void) | undefined;
    const done = runInteractive({
      checks: CHECKS,
      color: false,
      formats: ['markdown'],
      live: { iface: 'lo', subscribe: (push) => ((pushLive = push), () => (pushLive = undefined)), stop: () => capture?.stop() },
      run: async ({ onResult, onInputs }) => {
        const evidence = await buildEvidence({
          logs: [], pcaps: [], configs: [], host: false, local: [], peer: [],
          live: { iface: 'lo', loadCap: async () => replay.module, onStart: (c) => ((capture = c), void replay.emit()), onUpdate: (c) => pushLive?.(definedCounters(c)) },
        });
        onInputs(evidence.inputs);
        return analyse(evidence, { onResult });
      },
      onExport: async () => 'unused',
      io: { stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout() as never, debug: true, patchConsole: false },
    });
    const screen = () => stdout.frames.at(-1) ?? '';
    const waitFor = async (re: RegExp) => {
      const end = Date.now() + 15000;
      while (!re.test(screen()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      return screen();
    };
    const N = replay.frames.length;
    const capturing = await waitFor(new RegExp(`received ${N} `));
    expect(capturing).toMatch(/capturing on lo — press s to stop and analyse/);
    // the header says what the run is doing, not "reading inputs…"
    expect(capturing.split('\n')[0]).toBe(`ipsec-doctor capturing on lo: ${N} frames so far`);
    expect(stdout.frames.join('')).not.toContain('reading inputs');
    stdin.write('\x03');
    // the capture stopped and the checks ran on what it captured: the header shows the live input
    expect(await waitFor(new RegExp(`live capture on lo, ${N} frames`))).toContain(`live capture on lo, ${N} frames`);
    // the final verdict replaces the "stopping" status (wait for it: checks yield between runs,
    // so a frame in between may still show it)
    const analysed = await waitFor(/^(?![\s\S]*stopping the capture)[\s\S]*(no problems found|error|warning)/);
    expect(analysed).not.toContain('capturing on lo');
    expect(analysed).not.toContain('stopping the capture');
    stdin.write('\x03');
    const report = await done;
    expect(report?.inputs[0]).toMatchObject({ kind: 'live', path: 'lo', packets: N });
  }, 30000);

  it('live: re-runs the checks on the capture so far, one at a time, only on new frames; shows them as provisional; e exports them; the final analysis replaces them', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    // samples/lab-udp500-dropped/left.pcap: IKE_SA_INIT retransmitted, never answered
    const replay = replayCap('samples/lab-udp500-dropped/left.pcap', ['lo']);
    const N = replay.frames.length;
    let capture: LiveCapture | undefined;
    let analyseSoFar: (() => Promise<Report | undefined>) | undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    const produced: number[] = [];
    const interim = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const r = await analyseSoFar?.();
        if (r) produced.push(r.inputs[0].packets ?? -1);
        return r;
      } finally {
        inFlight--;
      }
    };
    const onExport = vi.fn(async (report: Report, format: string) => `wrote ${format} (${report.inputs[0].packets} frames)`);
    const done = runInteractive({
      checks: CHECKS,
      color: false,
      formats: ['markdown'],
      live: { iface: 'lo', subscribe: () => () => {}, stop: () => capture?.stop(), interim, interimMs: 40 },
      run: async ({ onResult, onInputs }) => {
        const evidence = await buildEvidence({
          logs: [], pcaps: [], configs: [], host: false, local: [], peer: [],
          live: { iface: 'lo', loadCap: async () => replay.module, onStart: (c) => ((capture = c), (analyseSoFar = liveAnalyser(c, { local: [], peer: [] })), void replay.emit(2)) },
        });
        onInputs(evidence.inputs);
        return analyse(evidence, { onResult });
      },
      onExport,
      io: { stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout() as never, debug: true, patchConsole: false },
    });
    const screen = () => stdout.frames.at(-1) ?? '';
    const waitFor = async (re: RegExp) => {
      const end = Date.now() + 15000;
      while (!re.test(screen()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return screen();
    };
    // the first two frames: one IKE_SA_INIT and its first retransmission
    expect(await waitFor(/live — so far \(frame 2\)/)).toMatch(/live — so far \(frame 2\): /);
    replay.emit();
    const soFar = await waitFor(new RegExp(`live — so far \\(frame ${N}\\)`));
    expect(soFar).toMatch(new RegExp(`live — so far \\(frame ${N}\\): ✖ IKE_NO_RESPONSE — 1 error`));
    expect(soFar).toContain('live — so far');
    // no new frame: the checks are not re-run (liveAnalyser resolves to undefined), and never two at once
    const before = produced.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(produced.length).toBe(before);
    expect(produced).toEqual([2, N]);
    expect(maxInFlight).toBe(1);
    // e exports the provisional report, and says it is one
    stdin.write('e');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    expect(await waitFor(/provisional/)).toContain(`wrote markdown (${N} frames) — provisional: the capture so far (frame ${N}), still running`);
    expect(onExport.mock.calls[0][0].findings.map((f) => f.code)).toContain('IKE_NO_RESPONSE');
    // s stops the capture: the final analysis replaces the provisional one
    stdin.write('s');
    const final = await waitFor(/^✖ IKE_NO_RESPONSE — 1 error/m);
    expect(final).not.toContain('so far');
    expect(final).toContain(`live capture on lo, ${N} frames`);
    const calls = produced.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(produced.length).toBe(calls);
    stdin.write('q');
    const report = await done;
    expect(report?.findings.map((f) => f.code)).toContain('IKE_NO_RESPONSE');
  }, 30000);
});
