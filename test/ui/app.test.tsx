import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { makeTheme } from '../../src/ui/theme.js';
import { CHECKS, finished, HEALTHY_LOG, inProgress, PSK_LOG, realCounters, UDP500_LOG, until } from './snapshots.js';
import { definedCounters, startLiveCapture } from '../../src/sources/live-capture.js';
import { describeSavedCapture } from '../../src/sources/live/cli-options.js';
import { readPcapFrames, replayCap } from '../sources/replay-cap.js';
import { analyse, liveAnalyser } from '../../src/run.js';
import type { UiSnapshot } from '../../src/ui/model.js';

const SIZE = { columns: 80, rows: 24 };
const KEY = { down: '\u001B[B', up: '\u001B[A', enter: '\r', tab: '\t', esc: '\u001B', right: '\u001B[C' };
const plain = makeTheme(false);
const tick = () => new Promise((r) => setTimeout(r, 60));

/** `e`, then Enter at the format prompt (markdown) and at the path prompt (the default file name). */
async function exportMarkdownToDefault(stdin: { write(data: string): void }, lastFrame: () => string | undefined): Promise<void> {
  stdin.write('e');
  await until(lastFrame, 'export as:');
  stdin.write(KEY.enter);
  await until(lastFrame, 'export markdown to:');
  stdin.write(KEY.enter);
}

/** Ink frames end up on a terminal of SIZE: nothing may spill over. */
function expectFits(frame: string, size = SIZE) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(size.columns);
}

describe('Ink UI', () => {
  it('running: a spinner on the running check, results so far, pending checks', async () => {
    const snapshot = await inProgress(PSK_LOG, 3);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/running checks 3\/\d+: /);
    expectFits(frame);
    stdin.write(KEY.tab);
    await tick();
    const checks = lastFrame()!;
    expect(checks).toContain('[Checks (3/');
    // the fourth check in registry order is the one running, the rest wait
    expect(checks).toMatch(new RegExp(`running +${CHECKS[3].id}`));
    expect(checks).toMatch(new RegExp(`pending +${CHECKS[4].id}`));
    expect(checks).toMatch(/✔ pass +\S+|✖ fail +\S+|– n\/a +\S+/);
    unmount();
  });

  it('all clear: the healthy lab tunnel says so, info findings listed', async () => {
    const { snapshot } = await finished(HEALTHY_LOG);
    const { lastFrame, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/✔ no problems found by \d+ applicable checks — 0 errors, 0 warnings, 2 info/);
    expect(frame).toContain('TUNNEL_ESTABLISHED');
    expect(frame).toContain('ipsec-doctor log test/reporters/fixtures/lab-healthy-left.log (strongswan)');
    expectFits(frame);
    unmount();
  });

  it('failures: errors first; Enter opens the detail with the fix and file:line evidence; Esc returns', async () => {
    const { snapshot } = await finished(PSK_LOG);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} />);
    const list = lastFrame()!;
    expect(list).toContain('✖ AUTH_FAILED — 1 error');
    const rows = list.split('\n').filter((l) => /^[› ] [✖⚠ℹ] /.test(l));
    expect(rows[0]).toMatch(/^› ✖ error +AUTH_FAILED/);
    expect(rows[1]).toMatch(/^ {2}ℹ info +NAT_DETECTED/);
    stdin.write('j');
    expect(await until(lastFrame, /› ℹ info +NAT_DETECTED/)).toMatch(/› ℹ info +NAT_DETECTED/);
    stdin.write('k');
    await until(lastFrame, /› ✖ error +AUTH_FAILED/);
    stdin.write(KEY.enter);
    await until(lastFrame, 'Evidence (2)');
    const detail = lastFrame()!;
    expect(detail).toContain('✖ AUTH_FAILED  [authentication]');
    expect(detail).toContain('Fix');
    expect(detail).toContain('Evidence (2)');
    expect(detail).toContain('test/reporters/fixtures/lab-psk-mismatch-right.log:122');
    expectFits(detail);
    stdin.write(KEY.esc);
    expect(await until(lastFrame, /› ✖ error +AUTH_FAILED/)).toContain('[Findings (2)]');
    // Alt+j (Esc glued to j by the terminal) and a chunk of repeats still move
    stdin.write('\u001Bj');
    expect(await until(lastFrame, /› ℹ info +NAT_DETECTED/)).toMatch(/› ℹ info +NAT_DETECTED/);
    stdin.write('kkk');
    expect(await until(lastFrame, /› ✖ error +AUTH_FAILED/)).toMatch(/› ✖ error +AUTH_FAILED/);
    unmount();
  });

  it('ladder (l): the conversation with retransmissions and their timing', async () => {
    const { snapshot } = await finished(UDP500_LOG);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} />);
    stdin.write('l');
    await tick();
    const frame = lastFrame()!;
    expect(frame).toContain('[Ladder (');
    expect(frame).toContain('192.0.2.10 ⇄ 198.51.100.20');
    expect(frame).toMatch(/──▶ IKE_SA_INIT request 0/);
    expect(frame).toMatch(/22:25:58 ↻─▶ retransmit 3 of IKE_SA_INIT 0 +\(5 s after the first\)/);
    expect(frame).toMatch(/✖ +gave up after 3 retransmits/);
    expectFits(frame);
    unmount();
  });

  it('live counters from the capture are shown in the header and follow updates', async () => {
    const { snapshot } = await finished(HEALTHY_LOG);
    const counters = await realCounters('samples/lab-healthy/left.pcap');
    expect(counters.esp + counters.espInUdp).toBeGreaterThan(0);
    const { lastFrame, rerender, unmount } = render(<App snapshot={{ ...snapshot, live: { iface: 'veth-left', counters } }} theme={plain} size={SIZE} />);
    const frame = lastFrame()!;
    expect(frame).toContain('● live veth-left');
    expect(frame).toContain(`IKE ${counters.ike}`);
    expect(frame).toContain(`ESP-in-UDP ${counters.espInUdp}`);
    expectFits(frame);
    rerender(<App snapshot={{ ...snapshot, live: { iface: 'veth-left', counters: { ...counters, ike: counters.ike + 2 } } }} theme={plain} size={SIZE} />);
    await tick();
    expect(lastFrame()!).toContain(`IKE ${counters.ike + 2}`);
    // libpcap's own counters, as test/sources/packet-stats.test.ts measured them on a flooded lo
    rerender(<App snapshot={{ ...snapshot, live: { iface: 'lo', counters: { ...counters, received: 32, pcapReceived: 40000, pcapDropped: 39936, ifaceRxPackets: 20000, ifaceRxDrops: 0 } } }} theme={plain} size={SIZE} />);
    await tick();
    expect(lastFrame()!).toContain('  libpcap: received 40000, dropped 39936 · kernel lo, all traffic: rx 20000 dro');
    // drops: a warning line with what helps (issue 21 §1)
    expect(lastFrame()!).toContain('  ⚠ dropping frames: use a narrower --filter, --snaplen, or tcpdump -w + --pcap');
    expectFits(lastFrame()!);
    rerender(<App snapshot={{ ...snapshot, live: { iface: 'lo', counters: { ...counters, pcapReceived: 40000, pcapDropped: 0 } } }} theme={plain} size={SIZE} />);
    await tick();
    expect(lastFrame()!).not.toContain('dropping frames');
    unmount();
  });

  it('while a live capture runs: capturing line, s stops it through onStopCapture', async () => {
    const counters = await realCounters('samples/lab-healthy/left.pcap');
    const onStopCapture = vi.fn();
    const snapshot = { checks: CHECKS, results: [], inputs: [], live: { iface: 'veth-left', counters } };
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onStopCapture={onStopCapture} />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/capturing on veth-left — press s to stop and analyse/);
    expect(frame).toContain('12.5 s · received');
    // at 80 columns the live keys and the rest fit only in the compact form: q quit stays visible
    expect(frame.split('\n').at(-1)).toBe('s stop · jk move · ⏎ open · l ladder · / filter · e export · q quit');
    stdin.write('s');
    await tick();
    expect(onStopCapture).toHaveBeenCalledTimes(1);
    expect(lastFrame()!).toContain('stopping the capture…');
    unmount();
  });

  it('/ filters the findings; e asks format and path and hands them to onExport', async () => {
    const { snapshot } = await finished(PSK_LOG);
    const onExport = vi.fn(async (format: string, path: string) => `wrote the ${format} report to ${path}`);
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onExport={onExport} />);
    stdin.write('/');
    await until(lastFrame, 'filter: ');
    for (const ch of 'nat') stdin.write(ch);
    expect(await until(lastFrame, 'filter: nat')).toContain('filter: nat');
    stdin.write(KEY.enter);
    const filtered = await until(lastFrame, '[Findings (1)]');
    expect(filtered).toContain('[Findings (1)]');
    expect(filtered).not.toContain('AUTH_FAILED  ');
    stdin.write('e');
    expect(await until(lastFrame, 'export as: [markdown]')).toContain('export as: [markdown]');
    stdin.write(KEY.right);
    expect(await until(lastFrame, '[html]')).toContain('[html]');
    stdin.write(KEY.enter);
    expect(await until(lastFrame, 'export html to: ipsec-doctor-report.html')).toContain('export html to: ipsec-doctor-report.html');
    stdin.write(KEY.enter);
    expect(await until(lastFrame, 'wrote the html report')).toContain('wrote the html report to ipsec-doctor-report.html');
    expect(onExport).toHaveBeenCalledWith('html', 'ipsec-doctor-report.html');
    unmount();
  });

  it('q quits through onQuit; the key help is always visible', async () => {
    const { snapshot } = await finished(PSK_LOG);
    const onQuit = vi.fn();
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onQuit={onQuit} />);
    expect(lastFrame()!.split('\n').at(-1)).toMatch(/↑↓\/jk move · Enter open · Tab pane · l ladder · \/ filter · e export · q quit/);
    stdin.write('q');
    await tick();
    expect(onQuit).toHaveBeenCalledTimes(1);
    unmount();
  });

  it('without colour (NO_COLOR) the theme adds no colour codes; wide terminals show the detail beside the list', async () => {
    const { snapshot } = await finished(PSK_LOG);
    const noColour = render(<App snapshot={snapshot} theme={makeTheme(false)} size={{ columns: 120, rows: 30 }} />);
    const frame = noColour.lastFrame()!;
    expect(frame).not.toMatch(/\x1b\[3\dm/);
    // side by side: the list and the selected finding's fix on the same screen
    expect(frame).toMatch(/AUTH_FAILED.*│/);
    expect(frame).toContain('Fix');
    expectFits(frame, { columns: 120, rows: 30 });
    noColour.unmount();
  });
});

describe('Ink UI during a live capture (real collector, real frames through the live source)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecdoc-ui-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** samples/lab-healthy/left.pcap replayed through the live source, as libpcap would hand it over, with a 10-frame ring */
  async function liveSource() {
    const replay = replayCap('samples/lab-healthy/left.pcap', ['lo']);
    const capture = await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, ring: { maxFrames: 10, maxBytes: 1 << 20 } });
    replay.emit();
    const snapshot = { checks: CHECKS, results: [], inputs: [], live: { iface: 'lo', counters: definedCounters(capture.counters()) } };
    return { replay, capture, snapshot };
  }

  it('counters name each loss figure; w asks for a path and writes the ring through onWriteCapture', async () => {
    const { replay, capture, snapshot } = await liveSource();
    // the lab regenerates the sample: expectations follow its frame count
    const N = replay.frames.length;
    const onWriteCapture = vi.fn(async (path: string) => describeSavedCapture(capture.saveCapture(path)));
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onStopCapture={() => {}} onWriteCapture={onWriteCapture} />);
    const frame = lastFrame()!;
    expect(frame).toContain(`· received ${N} · IKE `);
    expect(frame).toMatch(/● live lo \d+(\.\d)? s · received/);
    // kernel lo: this process's real /proc/net/dev counters since the capture started
    // the replayed binding opens no packet socket, so libpcap's own counters say why they are missing
    expect(frame).toMatch(/ {2}libpcap counters n\/a \((socket not found|addon not built)\) · in memory 10\/\d+ · kernel lo, all tr/);
    expect(frame).toContain(`in memory 10/${N}`);
    expect(frame.split('\n').at(-1)).toBe('s stop · w pcap · jk move · ⏎ open · l ladder · / filter · e export · q quit');
    expectFits(frame);
    stdin.write('w');
    expect(await until(lastFrame, 'write capture (pcap) to: ipsec-doctor-capture.pcap')).toContain('write capture (pcap) to: ipsec-doctor-capture.pcap');
    const path = join(dir, 'mid.pcap');
    stdin.write('\x7f'.repeat('ipsec-doctor-capture.pcap'.length));
    stdin.write(path);
    expect(await until(lastFrame, `write capture (pcap) to: ${path}`)).toContain(`write capture (pcap) to: ${path}`);
    stdin.write(KEY.enter);
    const done = await until(lastFrame, `wrote the last 10 of ${N} frames`);
    expect(done).toContain(`wrote the last 10 of ${N} frames (${N - 9}–${N}) to ${path}`);
    expectFits(done);
    expect(onWriteCapture).toHaveBeenCalledWith(path);
    expect(readPcapFrames(readFileSync(path)).map((f) => Buffer.from(f.data).toString('hex'))).toEqual(
      replay.frames.slice(N - 10).map((f) => Buffer.from(f.data).toString('hex')),
    );
    // Esc leaves the prompt without writing
    stdin.write('w');
    await until(lastFrame, 'write capture (pcap) to:');
    stdin.write(KEY.esc);
    await until(lastFrame, /^(?![\s\S]*write capture \(pcap\) to:)/);
    expect(onWriteCapture).toHaveBeenCalledTimes(1);
    capture.stop();
    await capture.done;
    unmount();
  });

  it('a write that fails says why on the status line', async () => {
    const { capture, snapshot } = await liveSource();
    const { lastFrame, stdin, unmount } = render(
      <App snapshot={snapshot} theme={plain} size={SIZE} onWriteCapture={async (p) => describeSavedCapture(capture.saveCapture(p))} />,
    );
    stdin.write('w');
    await until(lastFrame, 'write capture (pcap) to:');
    stdin.write('\x7f'.repeat(40));
    stdin.write('/nonexistent-dir/x.pcap');
    await until(lastFrame, 'to: /nonexistent-dir/x.pcap');
    stdin.write(KEY.enter);
    expect(await until(lastFrame, 'capture not written')).toContain('capture not written: cannot write /nonexistent-dir/x.pcap: ENOENT');
    capture.stop();
    await capture.done;
    unmount();
  });

  it('Ctrl-C while capturing stops the capture like s (once), the second Ctrl-C quits; e before any analysis says to wait or stop', async () => {
    const { capture, snapshot } = await liveSource();
    const onStopCapture = vi.fn(() => capture.stop());
    const onQuit = vi.fn();
    const onExport = vi.fn(async () => 'exported');
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onStopCapture={onStopCapture} onQuit={onQuit} onExport={onExport} />);
    await exportMarkdownToDefault(stdin, lastFrame);
    expect(await until(lastFrame, 'no analysis of the capture yet')).toContain('no analysis of the capture yet: wait a few seconds, or stop the capture (s)');
    expect(onExport).not.toHaveBeenCalled();
    stdin.write('\x03');
    expect(await until(lastFrame, 'Ctrl-C again quits')).toContain('stopping the capture and analysing… (Ctrl-C again quits)');
    expect(onStopCapture).toHaveBeenCalledTimes(1);
    expect(onQuit).not.toHaveBeenCalled();
    // s after a stop does not stop twice
    stdin.write('s');
    await tick();
    expect(onStopCapture).toHaveBeenCalledTimes(1);
    const result = await capture.done;
    expect(result.input.counters?.received).toBeGreaterThan(12);
    stdin.write('\x03');
    await tick();
    expect(onQuit).toHaveBeenCalledTimes(1);
    unmount();
  });

  it('provisional: the checks on the capture so far, marked "live — so far", exportable; the final analysis replaces them', async () => {
    // samples/lab-udp500-dropped/left.pcap: the initiator's IKE_SA_INIT retransmitted, never answered
    const replay = replayCap('samples/lab-udp500-dropped/left.pcap', ['lo']);
    const capture = await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, ring: false });
    replay.emit();
    const N = replay.frames.length;
    const report = (await liveAnalyser(capture, { local: [], peer: [] })())!;
    const live = { iface: 'lo', counters: definedCounters(capture.counters()) };
    const snapshot: UiSnapshot = { checks: CHECKS, results: [], inputs: [], live, interim: { report, frames: N, ms: 37 } };
    const onExport = vi.fn(async (format: string, path: string) => `wrote the ${format} report to ${path}`);
    const { lastFrame, stdin, rerender, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onStopCapture={() => capture.stop()} onExport={onExport} />);
    const frame = lastFrame()!;
    const lines = frame.split('\n');
    expect(lines[3]).toMatch(new RegExp(`^. live — so far \\(frame ${N}\\): ✖ IKE_NO_RESPONSE — 1 error, 0 warnings, 1 info`));
    expect(lines[4]).toMatch(/^\[Findings \(\d+\)\]  Checks \(\d+\/\d+\)\s+Ladder \(\d+\)\s+live — so far$/);
    expect(frame).toMatch(/› ✖ error\s+IKE_NO_RESPONSE\s+No response from/);
    expectFits(frame);
    // the check states are the interim ones: none pending or running, ike-reachability failed
    stdin.write(KEY.tab);
    const checks = await until(lastFrame, 'ike-reachability');
    expect(checks).toMatch(/✖ fail\s+ike-reachability\s+IKE_NO_RESPONSE/);
    expect(checks).not.toMatch(/running|pending/);
    // e mid-capture exports (cli/run-ui hand over the provisional report)
    await exportMarkdownToDefault(stdin, lastFrame);
    expect(await until(lastFrame, 'wrote the markdown')).toContain('wrote the markdown report to ipsec-doctor-report.md');
    expect(onExport).toHaveBeenCalledWith('markdown', 'ipsec-doctor-report.md');
    // the capture stops: the final analysis replaces the provisional one
    capture.stop();
    const result = await capture.done;
    const final = await analyse({ inputs: [result.input], diagnostics: result.diagnostics, options: { local: [], peer: [] }, packets: result.packets });
    rerender(<App snapshot={{ checks: CHECKS, results: final.results, report: final, inputs: final.inputs, live }} theme={plain} size={SIZE} onExport={onExport} />);
    const after = await until(lastFrame, /^✖ IKE_NO_RESPONSE/m);
    expect(after).not.toContain('so far');
    expect(after).toMatch(/^✖ IKE_NO_RESPONSE — 1 error/m);
    unmount();
  });

  it('without a live capture Ctrl-C quits at once, even from a prompt', async () => {
    const { snapshot } = await finished(PSK_LOG);
    const onQuit = vi.fn();
    const { lastFrame, stdin, unmount } = render(<App snapshot={snapshot} theme={plain} size={SIZE} onQuit={onQuit} />);
    stdin.write('/');
    await until(lastFrame, 'filter: ');
    stdin.write('\x03');
    await tick();
    expect(onQuit).toHaveBeenCalledTimes(1);
    unmount();
  });
});
