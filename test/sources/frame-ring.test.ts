/**
 * The bounded ring of recent frames a live capture keeps without -w, fed with the
 * real frames of samples/lab-healthy/left.pcap (the lab's strongSwan tunnel; the lab
 * regenerates it, so expectations follow its frame count N), and the /proc/net/dev
 * reader behind `ifaceRxPackets`/`ifaceRxDrops`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createFrameRing, RING_MAX_BYTES, RING_MAX_FRAMES, writeRing, type RingFrame } from '../../src/sources/live/frame-ring.js';
import { parseProcNetDev, readIfaceRx } from '../../src/sources/live/iface-drops.js';
import { readPcapFrames } from './replay-cap.js';

const LAB = readPcapFrames(readFileSync('samples/lab-healthy/left.pcap'));
const N = LAB.length;
const asRing = (): RingFrame[] => LAB.map((f, i) => ({ frame: i + 1, ts: f.ts, origlen: f.origlen, data: f.data }));
const dir = mkdtempSync(join(tmpdir(), 'ipsecdoc-ring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('frame ring', () => {
  it('documents its defaults: 20,000 frames / 32 MiB', () => {
    expect([RING_MAX_FRAMES, RING_MAX_BYTES]).toEqual([20_000, 32 * 1024 * 1024]);
    const ring = createFrameRing();
    expect([ring.maxFrames, ring.maxBytes]).toEqual([20_000, 32 * 1024 * 1024]);
  });

  it('count cap: keeps the most recent frames, oldest first, and counts what it pushed out', () => {
    expect(N).toBeGreaterThan(12);
    const ring = createFrameRing(10, RING_MAX_BYTES);
    for (const f of asRing()) ring.push(f);
    expect(ring.stats()).toMatchObject({ seen: N, kept: 10, evicted: N - 10, firstFrame: N - 9, lastFrame: N });
    expect([...ring.frames()].map((f) => f.frame)).toEqual(Array.from({ length: 10 }, (_, i) => N - 9 + i));
    expect(ring.stats().bytes).toBe(LAB.slice(N - 10).reduce((n, f) => n + f.data.length, 0));
  });

  it('byte cap: evicts until the captured bytes fit, never holds more than the cap', () => {
    const lastSix = LAB.slice(-6).reduce((n, f) => n + f.data.length, 0);
    const ring = createFrameRing(1000, lastSix);
    for (const f of asRing()) ring.push(f);
    expect(ring.stats()).toMatchObject({ kept: 6, evicted: N - 6, bytes: lastSix, firstFrame: N - 5, lastFrame: N });
    // one byte less and the oldest of the six has to go
    const tighter = createFrameRing(1000, lastSix - 1);
    for (const f of asRing()) tighter.push(f);
    expect(tighter.stats()).toMatchObject({ kept: 5, firstFrame: N - 4 });
    expect(tighter.stats().bytes).toBeLessThanOrEqual(lastSix - 1);
  });

  it('a frame bigger than the byte cap is counted, not kept, and evicts nothing', () => {
    const big = Math.max(...LAB.map((f) => f.data.length));
    const ring = createFrameRing(100, big - 1);
    for (const f of asRing()) ring.push(f);
    const s = ring.stats();
    expect(s.seen).toBe(N);
    expect(s.kept + s.evicted).toBe(N);
    expect([...ring.frames()].every((f) => f.data.length < big)).toBe(true);
  });

  it('copies the frame: libpcap reuses its buffer for the next packet', () => {
    const ring = createFrameRing(4, 1 << 20);
    const shared = Buffer.from(LAB[0].data);
    ring.push({ frame: 1, ts: LAB[0].ts, origlen: LAB[0].origlen, data: shared });
    shared.fill(0);
    expect(Buffer.from([...ring.frames()][0].data).equals(Buffer.from(LAB[0].data))).toBe(true);
  });

  it('writes a valid pcap that our own decoder reads back with the same frames', () => {
    const ring = createFrameRing(10, RING_MAX_BYTES);
    for (const f of asRing()) ring.push(f);
    const path = join(dir, 'ring.pcap');
    expect(writeRing(ring, path, 1, 2048)).toBe(10);
    const back = readPcapFrames(readFileSync(path));
    expect(back).toHaveLength(10);
    back.forEach((f, i) => {
      const orig = LAB[N - 10 + i];
      expect(f.linktype).toBe(1);
      expect(Buffer.from(f.data).equals(Buffer.from(orig.data))).toBe(true);
      expect(f.origlen).toBe(orig.origlen);
      expect(Math.round(f.ts * 1e6)).toBe(Math.round(orig.ts * 1e6));
    });
  });

  it('holds the longest suffix of the frames that fits both caps (fast-check against a model)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { maxLength: 200 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 3000 }), (sizes, maxFrames, maxBytes) => {
        const ring = createFrameRing(maxFrames, maxBytes);
        sizes.forEach((n, i) => ring.push({ frame: i + 1, ts: i, origlen: n, data: new Uint8Array(n) }));
        // model: frames bigger than the cap are never held; of the rest, the longest suffix within both caps
        const accepted = sizes.map((n, i) => ({ n, frame: i + 1 })).filter((f) => f.n <= maxBytes);
        let kept: typeof accepted = [];
        for (let k = accepted.length; k >= 0; k--) {
          const tail = accepted.slice(accepted.length - k);
          if (tail.length <= maxFrames && tail.reduce((s, f) => s + f.n, 0) <= maxBytes) {
            kept = tail;
            break;
          }
        }
        const s = ring.stats();
        expect([...ring.frames()].map((f) => f.frame)).toEqual(kept.map((f) => f.frame));
        expect(s.kept).toBeLessThanOrEqual(maxFrames);
        expect(s.bytes).toBeLessThanOrEqual(maxBytes);
        expect(s.kept + s.evicted).toBe(sizes.length);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * /proc/net/dev as read on the development machine (Linux, Debian), verbatim except
 * eth0's receive drop column (0 → 17) and its neighbour fifo (0 → 5): nothing had
 * dropped there, and a non-zero value pins which column is read.
 */
const PROC_NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3663      39    0    0    0     0          0         0     3663      39    0    0    0     0       0          0
  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  ifb1:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0: 403433698   11274    0   17    5     0          0         0   865193    7263    0    0    0     0       0          0
`;

describe('interface receive drops (/proc/net/dev)', () => {
  it('reads the receive packets and drop columns per interface; the pseudo-device any sums them', () => {
    expect([...parseProcNetDev(PROC_NET_DEV)].map(([name, rx]) => [name, rx.packets, rx.drops])).toEqual([['lo', 39, 0], ['ifb0', 0, 0], ['ifb1', 0, 0], ['eth0', 11274, 17]]);
    expect(readIfaceRx('eth0', () => PROC_NET_DEV)).toEqual({ packets: 11274, drops: 17 });
    expect(readIfaceRx('any', () => PROC_NET_DEV)).toEqual({ packets: 11313, drops: 17 });
  });

  it('an unknown interface or an unreadable file gives no number, not 0', () => {
    expect(readIfaceRx('wg0', () => PROC_NET_DEV)).toBeUndefined();
    expect(readIfaceRx('lo', () => { throw new Error('ENOENT'); })).toBeUndefined();
    expect(readIfaceRx('any', () => '')).toBeUndefined();
  });

  it('reads this process\'s own /proc/net/dev: lo is always there', () => {
    expect(readIfaceRx('lo')?.packets).toBeTypeOf('number');
  });
});
