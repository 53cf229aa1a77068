/**
 * Issue 20 §2: PMTU_BLACKHOLE must not depend on the order of the packets. The lab's real
 * captures (test/fixtures/pcaps, PROVENANCE.md) are rewritten with their frames in another order
 * — the same bytes, timestamps re-based so that time still only moves forward — and the verdict
 * must stay what it is on the capture as taken: large DF ESP unanswered while small packets of the
 * same SA are answered, before or after them, and no ICMP frag-needed back, is the black hole.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import pathMtu from '../../checks/path-mtu.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');
const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-pmtu-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rec { sec: number; usec: number; bytes: Buffer }

/** The records of a little-endian microsecond pcap (what tcpdump wrote for the lab). */
function records(name: string): { header: Buffer; recs: Rec[] } {
  const buf = readFileSync(join(FIXTURES, name));
  expect(buf.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const recs: Rec[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const incl = buf.readUInt32LE(off + 8);
    recs.push({ sec: buf.readUInt32LE(off), usec: buf.readUInt32LE(off + 4), bytes: buf.subarray(off, off + 16 + incl) });
    off += 16 + incl;
  }
  return { header: buf.subarray(0, 24), recs };
}

/**
 * The frames (1-based) in the order given, in blocks: each block keeps its frames' own spacing,
 * and starts 1 s (ping's default interval) after the previous block ended, so the capture's clock
 * never goes back.
 */
function reordered(name: string, blocks: number[][]): string {
  const { header, recs } = records(name);
  const us = (r: Rec) => r.sec * 1e6 + r.usec;
  let clock = us(recs[0]);
  const out: Buffer[] = [header];
  for (const block of blocks) {
    const base = us(recs[block[0] - 1]);
    let last = clock;
    for (const n of block) {
      const r = recs[n - 1];
      const t = clock + (us(r) - base);
      const b = Buffer.from(r.bytes);
      b.writeUInt32LE(Math.floor(t / 1e6), 0);
      b.writeUInt32LE(t % 1e6, 4);
      out.push(b);
      last = t;
    }
    clock = last + 1_000_000;
  }
  const p = join(dir, `${name}.${blocks.map((b) => `${b[0]}-${b[b.length - 1]}`).join('_')}.pcap`);
  writeFileSync(p, Buffer.concat(out));
  return p;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

async function findings(path: string) {
  const { inputs, packets, diagnostics } = await loadCaptures([path], { local: [], peer: [] });
  return (await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [pathMtu] })).findings;
}

describe('PMTU_BLACKHOLE whatever the order of the packets', () => {
  // lab-pmtu-blackhole-left.pcap: IKE 1–4, small pings both ways 5–16 (answered), 1412-byte DF ESP 17–20 (never answered)
  const hole = 'lab-pmtu-blackhole-left.pcap';

  it('as captured: small answered before the large ones', async () => {
    expect((await findings(join(FIXTURES, hole))).map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
  });

  it('the large DF packets first, the answered small pings after them', async () => {
    const fs = await findings(reordered(hole, [range(1, 4), range(17, 20), range(5, 16)]));
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    expect(fs[0].data).toMatchObject({ largeDfPackets: 4, largeDfAnswered: 0, smallAnswered: 5, reverseQuietAfter: false });
  });

  it('the large DF packets between answered small ones', async () => {
    // (not right before a packet of the other side's own: from outside that cannot be told from an answer)
    const fs = await findings(reordered(hole, [range(1, 4), range(5, 8), range(17, 20), range(9, 16)]));
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    expect(fs[0].data).toMatchObject({ largeDfPackets: 4, largeDfAnswered: 0 });
  });

  it('cleartext (pmtu-blackhole-veth-lab.pcap): the large DF pings before the answered small ones', async () => {
    // frames 1–6 small pings and replies, 7–9 the 1428-byte DF pings, 10– the TCP upload
    const fs = await findings(reordered('pmtu-blackhole-veth-lab.pcap', [range(7, 9), range(1, 6), range(10, 22)]));
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    expect(fs[0].data.flows).toContainEqual(expect.objectContaining({ flow: '10.99.1.1 → 10.99.2.1 ICMP', largeDfPackets: 3, smallPackets: 3 }));
  });

  // lab-large-df-esp-answered-left.pcap: the same tunnel on a full 1500-byte path, its 1412-byte DF ESP answered each way (17–32)
  const healthy = 'lab-large-df-esp-answered-left.pcap';

  it('no black hole when the large packets are answered, in either order', async () => {
    expect(await findings(join(FIXTURES, healthy))).toEqual([]);
    expect(await findings(reordered(healthy, [range(1, 4), range(17, 32), range(5, 16), range(33, 36)]))).toEqual([]);
    expect(await findings(reordered(healthy, [range(1, 4), range(5, 16), range(33, 36), range(17, 32)]))).toEqual([]);
  });
});
