/**
 * Live mode re-runs the checks on the evidence so far (issue 6): the packet
 * collector's snapshot() must be what finish() would give for the frames so far,
 * and must not disturb the collector, which keeps receiving frames. Real captures
 * go through frame by frame; snapshots (and the checks on them) are taken in the
 * middle; the end result is compared with a collector that never snapshotted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import type { CapturedFrame, PacketEvidence } from '../../src/evidence/packet-types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { analyse, buildEvidence, liveAnalyser } from '../../src/run.js';
import { logFiles } from '../../src/evidence/derived/log/sessions.js';
import { startLiveCapture, type LiveCapture } from '../../src/sources/live-capture.js';
import { readPcapFrames, replayCap } from './replay-cap.js';

const CAPTURES = [
  'samples/lab-esp-return-dropped/left.pcap',
  'test/fixtures/pcaps/esp-one-way-24-sa-ipv4-ipv6.pcap',
  'test/fixtures/pcaps/ikev1-natt-float-4500-keepalive-one-way-esp.pcap',
  'test/fixtures/pcaps/lab-pmtu-blackhole-left.pcap',
  'test/fixtures/pcaps/icmp-frag-needed-mtu500-from-vpn-gw.pcap',
  'test/fixtures/pcaps/ikev2-nat-auth-ipfrag-no-response.pcap',
];

const OPTS = { local: [], peer: [] };

function collect(frames: CapturedFrame[]): PacketEvidence {
  const c = createPacketCollector(OPTS);
  for (const f of frames) c.addFrame(f);
  return c.finish();
}

const evidenceOf = (packets: PacketEvidence): Evidence => ({ inputs: [], diagnostics: [], options: OPTS, packets });
/** what a user sees: codes and messages (finding data holds the same numbers) */
const findings = async (packets: PacketEvidence) => (await analyse(evidenceOf(packets))).findings.map((f) => `${f.code}: ${f.message}`);

describe('packet collector snapshot()', () => {
  for (const path of CAPTURES) {
    it(`${path}: every snapshot equals finish() on the frames so far; the final result is untouched`, async () => {
      const frames = readPcapFrames(readFileSync(path));
      expect(frames.length).toBeGreaterThan(3);
      const live = createPacketCollector(OPTS);
      let compared = 0;
      let pendingFragments = 0;
      for (let i = 0; i < frames.length; i++) {
        live.addFrame(frames[i]);
        const snap = live.snapshot();
        const reference = collect(frames.slice(0, i + 1));
        // finish() gives up on fragment sets still waiting; a snapshot leaves them pending (they may complete)
        if (reference.counters.fragmentsIncomplete !== snap.counters.fragmentsIncomplete) {
          pendingFragments++;
          expect(snap.counters.fragmentsIncomplete ?? 0).toBeLessThan(reference.counters.fragmentsIncomplete ?? 0);
          continue;
        }
        expect(snap).toEqual(reference);
        compared++;
        // the checks run on a snapshot (as the UI does) while frames keep coming
        if (i === Math.floor(frames.length / 2)) expect(await findings(snap)).toEqual(await findings(reference));
      }
      expect(compared).toBeGreaterThan(path.includes('ipfrag') ? 0 : frames.length / 2);
      const untouched = collect(frames);
      expect(live.finish()).toEqual(untouched);
      expect(await findings(live.finish())).toEqual(await findings(untouched));
      if (path.includes('ipfrag')) expect(pendingFragments).toBeGreaterThan(0);
    });
  }

  it('a snapshot does not change when later frames arrive', () => {
    const frames = readPcapFrames(readFileSync('test/fixtures/pcaps/esp-one-way-24-sa-ipv4-ipv6.pcap'));
    const live = createPacketCollector(OPTS);
    const half = Math.floor(frames.length / 2);
    for (const f of frames.slice(0, half)) live.addFrame(f);
    const snap = live.snapshot();
    const frozen = structuredClone(snap);
    for (const f of frames.slice(half)) live.addFrame(f);
    live.finish();
    expect(snap).toEqual(frozen);
    expect(snap.counters.frames).toBe(half);
  });
});

describe('live capture snapshot()', () => {
  it('the evidence so far mid-capture; the final result is the one a capture without snapshots gives', async () => {
    const path = 'samples/lab-esp-return-dropped/left.pcap';
    const run = async (snapshotAt?: number) => {
      const replay = replayCap(path, ['lo']);
      let capture!: LiveCapture;
      await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, onStart: (c) => (capture = c) });
      let mid;
      if (snapshotAt !== undefined) {
        replay.emit(snapshotAt);
        mid = capture.snapshot();
      }
      replay.emit();
      capture.stop();
      return { replay, mid, done: await capture.done, after: capture.snapshot() };
    };
    const plain = await run();
    const cut = Math.floor(plain.replay.frames.length / 2);
    const snapped = await run(cut);
    expect(snapped.mid!.input).toMatchObject({ kind: 'live', path: 'lo', packets: cut });
    expect(snapped.mid!.packets.counters.frames).toBe(cut);
    // libpcap hands over no timestamp: the live source stamps arrival time, so times are left out of the comparisons
    const strip = (p: PacketEvidence) => JSON.parse(JSON.stringify(p, (k, v) => (k === 'ts' || k === 'firstTs' || k === 'lastTs' ? 0 : v)));
    // the same frames through a plain collector, named and numbered as the live source does
    const asLive = plain.replay.frames.slice(0, cut).map((f, i) => ({ ...f, source: 'live:lo', frame: i + 1 }));
    expect(strip(snapped.mid!.packets)).toEqual(strip(collect(asLive)));
    expect(snapped.mid!.packets.ikeMessages.length).toBeGreaterThan(0);
    expect(strip(snapped.done.packets)).toEqual(strip(plain.done.packets));
    // after the end, snapshot() is the final result
    expect(snapped.after).toBe(snapped.done);
  });

  it('liveAnalyser re-runs the checks only when frames arrived, or after a quiet while', async () => {
    const replay = replayCap('samples/lab-esp-return-dropped/left.pcap', ['lo']);
    let capture!: LiveCapture;
    await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, onStart: (c) => (capture = c) });
    let clock = 1_000_000;
    const next = liveAnalyser(capture, OPTS, () => clock);
    replay.emit(4);
    const first = await next();
    expect(first?.inputs[0]).toMatchObject({ kind: 'live', packets: 4 });
    expect(await next()).toBeUndefined();
    replay.emit();
    const second = await next();
    expect(second?.inputs[0].packets).toBe(replay.frames.length);
    expect(await next()).toBeUndefined();
    clock += 16_000;
    expect((await next())?.inputs[0].packets).toBe(replay.frames.length);
    capture.stop();
    await capture.done;
  });

  it('liveAnalyser with the evidence gathered before the capture: the logs join every analysis, their views derived once', async () => {
    const sofar = await buildEvidence({ logs: ['samples/lab-esp-return-dropped/left.log'], pcaps: [], configs: [], host: false, local: [], peer: [] });
    const replay = replayCap('samples/lab-esp-return-dropped/left.pcap', ['lo']);
    let capture!: LiveCapture;
    await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, onStart: (c) => (capture = c) });
    let clock = 1_000_000;
    const next = liveAnalyser(capture, OPTS, () => clock, sofar);
    replay.emit();
    const report = (await next())!;
    expect(report.inputs.map((i) => i.kind)).toEqual(['log', 'live']);
    // the log's verdict and the capture's one-way ESP, in the same interim analysis
    expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['TUNNEL_ESTABLISHED', 'ESP_ONE_WAY']));
    // the same log sessions object in the next analysis: derived from the logs once, not per analysis
    const sessions = logFiles({ ...sofar });
    clock += 16_000;
    const again = (await next())!;
    expect(again.findings.map((f) => f.code)).toEqual(report.findings.map((f) => f.code));
    expect(logFiles({ ...sofar, packets: undefined })).toBe(sessions);
    capture.stop();
    await capture.done;
  });
});
