/**
 * The native capture reader (native/pcap-reader) against tcpdump, for real: two network
 * namespaces of the test's own (speedlive-*) joined by a veth, tcpreplay sending a real
 * capture (samples/lab-healthy/left.pcap, the lab's healthy tunnel) from one end, and on
 * the other end, at the same time and with the same BPF filter, tcpdump -w, ipsec-doctor
 * with the native reader and ipsec-doctor with the `cap` reader. Asserted: the native
 * reader hands over the very frames tcpdump captured (count, bytes, wire lengths and
 * content, in order) and libpcap's counters agree; the cap reader the same count and
 * bytes. Then the bounded batch buffer: with the JavaScript thread blocked, the reader
 * thread fills its pool, then drops what does not fit and counts it, and every frame is accounted for.
 *
 * Needs root, iproute2, tcpdump, tcpreplay and the built addon; skips saying which is missing.
 * No timing is asserted: the waits only let the replay finish.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcapFrames } from './replay-cap.js';
import { DEFAULT_LIVE_FILTER } from '../../src/sources/live-capture.js';
import { loadPcapReaderAddon } from '../../src/sources/live/native-reader.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli.ts');
const SAMPLE = join(ROOT, 'samples', 'lab-healthy', 'left.pcap');
const ADDON = join(ROOT, 'native', 'pcap-reader', 'build', 'Release', 'pcap_reader.node');
const LOOPS = 150;

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const why = process.getuid?.() !== 0 ? 'not root'
  : !has('ip') ? 'iproute2 (ip) missing'
  : !has('tcpdump') ? 'tcpdump missing'
  : !has('tcpreplay') ? 'tcpreplay missing (apt-get install tcpreplay)'
  : typeof loadPcapReaderAddon({}) === 'string' ? `native/pcap-reader not usable: ${loadPcapReaderAddon({})}`
  : '';
if (why) console.warn(`native-capture: skipping the veth capture tests (${why})`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(Boolean(why))('native capture reader vs tcpdump on a veth between two namespaces (real libpcap, real traffic)', () => {
  const nsA = `speedlive-a-${process.pid}`;
  const nsB = `speedlive-b-${process.pid}`;
  const ifA = `sl${process.pid}a`;
  const ifB = `sl${process.pid}b`;
  const dir = mkdtempSync(join(tmpdir(), 'speedlive-'));
  const ip = (...args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    expect(r.status, `ip ${args.join(' ')}: ${r.stderr}`).toBe(0);
  };
  beforeAll(() => {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip('link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB);
    ip('link', 'set', ifA, 'netns', nsA);
    ip('link', 'set', ifB, 'netns', nsB);
    ip('-n', nsA, 'link', 'set', ifA, 'up');
    ip('-n', nsB, 'link', 'set', ifB, 'up');
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** packet sockets open in nsB: a capture listens once its socket is there */
  const packetSockets = () => spawnSync('ip', ['netns', 'exec', nsB, 'cat', '/proc/net/packet'], { encoding: 'utf8' }).stdout.trim().split('\n').length - 1;
  async function listening(child: ChildProcess, before: number, label: string): Promise<void> {
    for (let i = 0; i < 300 && packetSockets() <= before; i++) {
      if (child.exitCode !== null) throw new Error(`${label} exited before listening`);
      await sleep(100);
    }
    expect(packetSockets(), `${label} listening`).toBeGreaterThan(before);
  }
  function start(cmd: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn('ip', ['netns', 'exec', nsB, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
    return { child, done };
  }

  it('the native reader keeps exactly the frames tcpdump keeps (same filter, same veth, same time); so does cap in count and bytes', async () => {
    const tcpdumpOut = join(dir, 'tcpdump.pcap');
    const nativeOut = join(dir, 'native.pcap');
    const capOut = join(dir, 'cap.pcap');
    // what the filter lets through, per loop of the sample: the frames both captures must hold
    const expectedPerLoop = readPcapFrames(spawnSync('tcpdump', ['-r', SAMPLE, '-w', '-', DEFAULT_LIVE_FILTER]).stdout).length;
    expect(expectedPerLoop).toBeGreaterThan(20);

    let before = packetSockets();
    const tcpdump = start(['tcpdump', '-i', ifB, '-n', '-U', '-w', tcpdumpOut, DEFAULT_LIVE_FILTER]);
    await listening(tcpdump.child, before, 'tcpdump');
    before = packetSockets();
    const native = start([process.execPath, '--import', 'tsx', CLI, '--live', '-i', ifB, '--format', 'json', '-w', nativeOut], { IPSEC_DOCTOR_LIVE_READER: '' });
    await listening(native.child, before, 'ipsec-doctor (native)');
    before = packetSockets();
    const cap = start([process.execPath, '--import', 'tsx', CLI, '--live', '-i', ifB, '--format', 'json', '-w', capOut], { IPSEC_DOCTOR_LIVE_READER: 'cap' });
    await listening(cap.child, before, 'ipsec-doctor (cap)');

    const replay = spawnSync('ip', ['netns', 'exec', nsA, 'tcpreplay', '-q', '-i', ifA, '--pps=3000', `--loop=${LOOPS}`, SAMPLE], { encoding: 'utf8' });
    expect(replay.status, replay.stderr).toBe(0);
    // tcpdump -U writes each frame as it gets it: wait until its file stops growing
    for (let last = -1, i = 0; i < 100; i++) {
      await sleep(300);
      const size = existsSync(tcpdumpOut) ? statSync(tcpdumpOut).size : 0;
      if (size === last) break;
      last = size;
    }
    await sleep(500);
    for (const p of [tcpdump, native, cap]) p.child.kill('SIGINT');
    const [t, n, c] = await Promise.all([tcpdump.done, native.done, cap.done]);
    expect(t.code, t.stderr).toBe(0);

    const reference = readPcapFrames(readFileSync(tcpdumpOut));
    const drops = Number(/(\d+) packets? dropped by kernel/.exec(t.stderr)?.[1]);
    expect(drops, 'tcpdump dropped frames: the machine is too busy for this comparison').toBe(0);
    expect(reference.length).toBe(expectedPerLoop * LOOPS);

    // the native reader: a report, naming the reader, with libpcap's counters and the very frames of tcpdump's file
    expect([0, 1], n.stderr).toContain(n.code);
    const nativeInput = JSON.parse(n.stdout).inputs[0];
    expect(nativeInput.note).toMatch(/^native reader \(libpcap [\d.]+ on its own thread\)$/);
    expect(nativeInput.counters).toMatchObject({ received: reference.length, pcapReceived: reference.length, pcapDropped: 0, readerDropped: 0, written: reference.length, notWritten: 0 });
    expect(nativeInput.counters.bytes).toBe(reference.reduce((s, f) => s + f.origlen, 0));
    const got = readPcapFrames(readFileSync(nativeOut));
    expect(got.length).toBe(reference.length);
    for (let i = 0; i < got.length; i++) {
      expect(got[i].origlen, `frame ${i + 1}`).toBe(reference[i].origlen);
      // libpcap's own timestamp, stamped by the kernel as each packet socket receives the frame (a few µs apart
      // between tcpdump's socket and ours), not an arrival time in JavaScript (batches wait up to 100 ms)
      expect(Math.abs(got[i].ts - reference[i].ts), `frame ${i + 1} time`).toBeLessThan(0.005);
      expect(Buffer.from(got[i].data).equals(Buffer.from(reference[i].data)), `frame ${i + 1} bytes`).toBe(true);
    }

    // the fallback reader: the same frames counted (cap hands over no timestamps or wire length of its own)
    expect([0, 1], c.stderr).toContain(c.code);
    const capInput = JSON.parse(c.stdout).inputs[0];
    expect(capInput.note).toMatch(/^cap reader \(one call per frame; IPSEC_DOCTOR_LIVE_READER=cap\)$/);
    expect(capInput.counters).toMatchObject({ received: reference.length, written: reference.length });
    expect(capInput.counters.bytes).toBe(nativeInput.counters.bytes);
  });

  it('JavaScript blocked: the batch buffers stay within the pool, the reader drops what does not fit and counts it; every frame is accounted for', () => {
    // a script in nsB: the reader with a pool of 2 × 32 KiB batch buffers, then the main thread blocked in
    // spawnSync(tcpreplay) while the frames arrive, so no batch can be handed over meanwhile
    const script = `
      const addon = require(${JSON.stringify(ADDON)});
      const { spawnSync } = require('node:child_process');
      let handed = 0, batches = 0;
      const pool = [Buffer.alloc(32768), Buffer.alloc(32768)];
      const { reader } = addon.open({ device: ${JSON.stringify(ifB)}, filter: 'udp', snaplen: 2048, bufferSize: 8 << 20, pool, timeoutMs: 50,
        onBatch: (slot, bytes, count) => { handed += count; batches++; } });
      setTimeout(() => {
        const r = spawnSync('ip', ['netns', 'exec', ${JSON.stringify(nsA)}, 'tcpreplay', '-q', '-i', ${JSON.stringify(ifA)}, '--pps=20000', '--loop=100', ${JSON.stringify(SAMPLE)}]);
        if (r.status !== 0) { console.error(String(r.stderr)); process.exit(3); }
        const during = reader.stats();
        setTimeout(() => {
          const idle = reader.stats();
          reader.stop();
          const rest = reader.take().reduce((n, b) => n + b.count, 0);
          console.log(JSON.stringify({ during, idle, after: reader.stats(), handed: handed + rest, batches }));
        }, 1500);
      }, 300);`;
    const r = spawnSync('ip', ['netns', 'exec', nsB, process.execPath, '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const { during, idle, after, handed } = JSON.parse(r.stdout);
    const udpPerLoop = readPcapFrames(spawnSync('tcpdump', ['-r', SAMPLE, '-w', '-', 'udp']).stdout).length;
    // held while blocked: never more than the buffer
    expect(during.queuedBytes).toBeLessThanOrEqual(65536);
    expect(during.queuedBytes).toBeGreaterThan(32768); // both buffers were filled before dropping
    expect(during.queueBytes).toBe(65536);
    expect(after.queueDropped).toBeGreaterThan(0);
    expect(after.queueDroppedBytes).toBeGreaterThan(0);
    // every frame that passed the filter: handed over, dropped by the reader, or dropped by the kernel
    expect(after.psRecv).toBe(udpPerLoop * 100);
    expect(handed + after.queueDropped + after.psDrop).toBe(after.psRecv);
    expect(after.delivered).toBe(handed);
    // libpcap's counters read while the link is idle (the thread then waits in poll()) are already the final ones
    expect(idle.psRecv).toBe(after.psRecv);
    expect(idle.psDrop).toBe(after.psDrop);
  });
});
