/**
 * UI snapshots from the real pipeline: the checks run on the lab's real charon
 * logs, and a partial snapshot is cut from the real sequence of onResult calls;
 * `until` waits for a rendered frame (both view tests use it).
 */
import type { CheckResult } from '../../src/engine/types.js';
import type { Report } from '../../src/report/types.js';
import { allChecks } from '../../checks/index.js';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { readCaptureInto } from '../../src/sources/pcap-file.js';
import type { UiSnapshot } from '../../src/ui/model.js';
import { runPipeline } from '../reporters/pipeline.js';

export const PSK_LOG = 'test/reporters/fixtures/lab-psk-mismatch-right.log';
export const UDP500_LOG = 'test/reporters/fixtures/lab-udp500-dropped-left.log';
export const HEALTHY_LOG = 'test/reporters/fixtures/lab-healthy-left.log';

export const CHECKS = allChecks.map((c) => ({ id: c.meta.id, title: c.meta.title }));

export async function finished(log: string): Promise<{ snapshot: UiSnapshot; report: Report }> {
  const report = await runPipeline({ logs: [log] });
  return { report, snapshot: { checks: CHECKS, results: report.results, report, inputs: report.inputs } };
}

/** The UI as it is after the first `done` checks reported (real onResult order). */
export async function inProgress(log: string, done: number): Promise<UiSnapshot> {
  const seen: CheckResult[] = [];
  const report = await runPipeline({ logs: [log] }, { onResult: (r) => seen.push(r) });
  return { checks: CHECKS, results: seen.slice(0, done), inputs: report.inputs };
}

/** Counters as the live capture reports them: the packet collector's, after a real capture went through it. */
export async function realCounters(pcap: string): Promise<Record<string, number>> {
  const collector = createPacketCollector({ local: [], peer: [] });
  await readCaptureInto(pcap, collector);
  return { ...collector.counters(), received: collector.counters().frames ?? 0, seconds: 12.5 };
}

/** Ink renders asynchronously (and slowly on a loaded machine): wait for the frame to show it. */
export async function until(frame: () => string | undefined, pattern: RegExp | string, timeoutMs = 3000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const f = frame() ?? '';
    if (typeof pattern === 'string' ? f.includes(pattern) : pattern.test(f)) return f;
    if (Date.now() > end) return f;
    await new Promise((r) => setTimeout(r, 20));
  }
}
