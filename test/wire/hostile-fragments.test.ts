/**
 * Issue 16 §1: fragments that overlap, repeat with other bytes, lie beyond the datagram's
 * end or disagree on it are judged as the Linux kernel judges them, with a located
 * diagnostic, and the analysis goes on. The property test feeds consistent AND
 * inconsistent sets, in any order, to the reassembler and to a straight transcription of
 * the kernel's rules (net/ipv4/inet_fragment.c inet_frag_queue_insert, ip_fragment.c
 * ip_frag_queue, ipv6/reassembly.c ip6_frag_queue) and wants the same datagrams out.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FragmentReassembler, MAX_BYTES, MAX_PENDING } from '../../src/wire/ip-fragments.js';
import { decodeIp, newIpHeader } from '../../src/wire/ip.js';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { fragmentPacket, ikeDatagram, pcapFile, rawFrame, udpPacket4, type FragmentSpec } from './fragment-builder.js';
import { ROOT } from '../reporters/pipeline.js';

/** The issue's three IPv4 fragments of one UDP 500 datagram: 0+48 MF, 40+8 MF, 8+8 last (total 16). */
function issueFragments(): FragmentSpec[] {
  const d = ikeDatagram(48);
  return [
    { off: 0, bytes: d.subarray(0, 48), mf: true },
    { off: 40, bytes: d.subarray(40, 48), mf: true },
    { off: 8, bytes: d.subarray(8, 16), mf: false },
  ];
}

describe('overlapping and inconsistent IP fragments', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: the issue's overlapping set is discarded with a located diagnostic, and later frames are analysed`, () => {
      const c = createPacketCollector({ local: [], peer: [] });
      const frames = issueFragments().map((f, i) => rawFrame(fragmentPacket(version, 0x1234, f), 12 + i));
      for (const f of frames) c.addFrame(f);
      // a whole IKE message after the damage is still decoded
      c.addFrame(rawFrame(version === 4 ? udpPacket4(ikeDatagram(80, 9)) : fragmentPacket(6, 77, { off: 0, bytes: ikeDatagram(80, 9), mf: false }), 15));
      const p = c.finish();
      const diags = c.diagnostics();
      expect(diags.filter((d) => /decoder failed/.test(d.message))).toEqual([]);
      const discarded = diags.find((d) => d.decoder === 'ip-fragments' && /discarded/.test(d.message));
      expect(discarded?.at).toEqual({ source: 'crafted.pcap', frame: 12 });
      expect(discarded?.message).toMatch(/^frames 12–14: /);
      expect(p.counters.fragmentsDiscarded).toBe(1);
      expect(p.ikeMessages.map((m) => m.at.frame)).toEqual([15]);
    });
  }

  it('end to end: --pcap on the crafted capture (plain and gzip) gives a report, not an internal error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-frag-'));
    try {
      const packets = [...issueFragments().map((f) => fragmentPacket(4, 0x1234, f)), ...issueFragments().map((f) => fragmentPacket(6, 0x1234, f)), udpPacket4(ikeDatagram(80, 9))];
      const plain = join(dir, 'overlap.pcap');
      writeFileSync(plain, pcapFile(packets));
      writeFileSync(`${plain}.gz`, gzipSync(pcapFile(packets)));
      for (const file of [plain, `${plain}.gz`]) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--pcap', file, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
        expect(r.stderr).toBe('');
        expect([0, 1]).toContain(r.status);
        const report = JSON.parse(r.stdout) as { diagnostics: Array<{ at: { frame?: number }; decoder: string; message: string }> };
        const discarded = report.diagnostics.filter((d) => d.decoder === 'ip-fragments' && /^frames \d+–\d+: .*the datagram was discarded/.test(d.message));
        expect(discarded.map((d) => d.at.frame)).toEqual([1, 4]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('keeps the first copy of a repeated fragment with other bytes, and says so', () => {
    const d = ikeDatagram(64);
    const other = d.slice(24, 64).map((b) => b ^ 0xff);
    const c = createPacketCollector({ local: [], peer: [] });
    const specs: FragmentSpec[] = [
      { off: 24, bytes: d.subarray(24, 64), mf: false },
      { off: 24, bytes: other, mf: false },
      { off: 0, bytes: d.subarray(0, 24), mf: true },
    ];
    specs.forEach((f, i) => c.addFrame(rawFrame(fragmentPacket(4, 7, f), i + 1)));
    const p = c.finish();
    expect(p.counters.reassembled).toBe(1);
    expect(c.diagnostics().map((x) => x.message)).toEqual([expect.stringMatching(/^frame 2: a repeated fragment with different bytes was ignored/)]);
    expect(p.ikeMessages[0].length).toBe(64 - 8);
  });
});

// ---- a transcription of the kernel's rules, for the property test --------------------------------

interface ModelFragment {
  off: number;
  end: number;
  bytes: Uint8Array;
}

/** What Linux makes of a sequence of fragments of one key: the datagrams it delivers and how many queues it killed. */
function kernelModel(version: 4 | 6, fragments: FragmentSpec[]): { delivered: Uint8Array[]; discards: number } {
  const delivered: Uint8Array[] = [];
  let discards = 0;
  type Run = { start: number; end: number; frags: ModelFragment[] };
  let q: { runs: Run[]; tail?: Run; len: number; lastIn: boolean; meat: number } | undefined;
  for (const f of fragments) {
    q ??= { runs: [], len: 0, lastIn: false, meat: 0 };
    const kill = () => {
      discards++;
      q = undefined;
    };
    const offset = f.off;
    let end = offset + f.bytes.length;
    let bytes = f.bytes;
    if (!f.mf) {
      if (end < q.len || (q.lastIn && end !== q.len)) {
        kill();
        continue;
      }
      q.lastIn = true;
      q.len = end;
    } else {
      if (end & 7) {
        if (version === 6) continue; // ICMP parameter problem, the fragment dropped
        end &= ~7;
        bytes = bytes.subarray(0, end - offset);
      }
      if (end > q.len) {
        if (q.lastIn) {
          kill();
          continue;
        }
        q.len = end;
      }
    }
    if (end === offset) {
      kill();
      continue;
    }
    const frag = { off: offset, end, bytes };
    if (!q.tail) {
      q.tail = { start: offset, end, frags: [frag] };
      q.runs.push(q.tail);
    } else if (q.tail.end < end) {
      if (offset < q.tail.end) {
        kill();
        continue;
      }
      if (offset === q.tail.end) {
        q.tail.frags.push(frag);
        q.tail.end = end;
      } else {
        q.tail = { start: offset, end, frags: [frag] };
        q.runs.push(q.tail);
      }
    } else {
      const hit = q.runs.find((r) => !(end <= r.start) && !(offset >= r.end));
      if (hit) {
        if (offset >= hit.start && end <= hit.end) continue; // IPFRAG_DUP
        kill();
        continue;
      }
      q.runs.push({ start: offset, end, frags: [frag] });
    }
    q.meat += end - offset;
    if (q.lastIn && q.meat === q.len && q.runs.some((r) => r.start === 0)) {
      const out = new Uint8Array(q.len);
      for (const r of q.runs) for (const x of r.frags) out.set(x.bytes, x.off);
      delivered.push(out);
      q = undefined;
    }
  }
  return { delivered, discards };
}

/** The reassembler on the same sequence: datagrams completed, datagrams discarded, never a throw. */
function ours(version: 4 | 6, fragments: FragmentSpec[]): { delivered: Uint8Array[]; discards: number; held: { bytes: number; pending: number } } {
  const delivered: Uint8Array[] = [];
  let discards = 0;
  const r = new FragmentReassembler({ incomplete: () => {}, malformed: (_set, _frame, _problem, discarded) => void (discarded && discards++) }, () => true);
  const ip = newIpHeader();
  fragments.forEach((f, i) => {
    const packet = fragmentPacket(version, 0xbeef, f);
    decodeIp(packet, 0, ip);
    const done = r.add(packet, ip, 'prop', i + 1, 1);
    if (done) delivered.push(done.payload);
  });
  const held = r.held();
  r.flush();
  return { delivered, discards, held };
}

/** A datagram cut into fragments at multiples of 8, then damaged: overlaps, repeats, beyond the end, other ends, losses. */
const fragmentSets = fc
  .record({
    version: fc.constantFrom(4 as const, 6 as const),
    length: fc.integer({ min: 16, max: 400 }),
    cuts: fc.array(fc.integer({ min: 1, max: 49 }), { maxLength: 8 }),
    extras: fc.array(
      fc.record({ off8: fc.integer({ min: 0, max: 60 }), len: fc.integer({ min: 0, max: 120 }), mf: fc.boolean(), flip: fc.boolean(), at: fc.nat() }),
      { maxLength: 4 },
    ),
    lose: fc.option(fc.nat(), { nil: undefined }),
    order: fc.array(fc.nat(), { maxLength: 16 }),
  })
  .map(({ version, length, cuts, extras, lose, order }) => {
    const d = ikeDatagram(Math.max(40, length));
    const points = [...new Set(cuts.map((c) => c * 8).filter((c) => c < d.length))].sort((a, b) => a - b);
    const bounds = [0, ...points, d.length];
    let frags: FragmentSpec[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) frags.push({ off: bounds[i], bytes: d.subarray(bounds[i], bounds[i + 1]), mf: i + 2 < bounds.length });
    if (lose !== undefined && frags.length > 1) frags.splice(lose % frags.length, 1);
    for (const e of extras) {
      const off = e.off8 * 8;
      const bytes = new Uint8Array(e.len);
      for (let i = 0; i < e.len; i++) bytes[i] = (off + i < d.length ? d[off + i] : 0xaa) ^ (e.flip ? 0x5a : 0);
      frags.splice(e.at % (frags.length + 1), 0, { off, bytes, mf: e.mf });
    }
    // a deterministic shuffle driven by the generated numbers
    frags = frags.map((f, i) => ({ f, k: order[i] ?? i })).sort((a, b) => a.k - b.k).map((x) => x.f);
    return { version, datagram: d, frags, damaged: extras.length > 0 || lose !== undefined };
  });

describe('fragment reassembly as the kernel does it (property)', () => {
  it('delivers and discards exactly what Linux would, never throws, and stays within its bounds', () => {
    fc.assert(
      fc.property(fragmentSets, ({ version, datagram, frags, damaged }) => {
        const want = kernelModel(version, frags);
        const got = ours(version, frags);
        expect(got.delivered.map((x) => Buffer.from(x).toString('hex'))).toEqual(want.delivered.map((x) => Buffer.from(x).toString('hex')));
        expect(got.discards).toBe(want.discards);
        expect(got.held.bytes).toBeLessThanOrEqual(MAX_BYTES);
        expect(got.held.pending).toBeLessThanOrEqual(MAX_PENDING);
        // an undamaged set, whatever its order, is the datagram
        if (!damaged) expect(got.delivered.map((x) => Buffer.from(x).toString('hex'))).toEqual([Buffer.from(datagram).toString('hex')]);
      }),
      { numRuns: 3000 },
    );
  });

  it('through the collector: damaged sets never make a decoder fail, and every fragment diagnostic names its frames', () => {
    fc.assert(
      fc.property(fragmentSets, ({ version, frags }) => {
        const c = createPacketCollector({ local: [], peer: [] });
        frags.forEach((f, i) => c.addFrame(rawFrame(fragmentPacket(version, 0x4321, f), i + 1)));
        const p = c.finish();
        expect(p.counters.decoderErrors ?? 0).toBe(0);
        for (const d of c.diagnostics()) {
          expect(d.message).not.toMatch(/decoder failed/);
          if (d.decoder === 'ip-fragments' && d.at.frame !== undefined) expect(d.at.frame).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('reassembly bounds', () => {
  it('a flood of never-completed fragments keeps the buffer within its bounds and says that fragments were given up', () => {
    const c = createPacketCollector({ local: [], peer: [] });
    const r = new FragmentReassembler({ incomplete: () => {}, malformed: () => {} }, () => true);
    const ip = newIpHeader();
    // small first fragments reach the count bound, 30 000-byte ones the byte bound
    const sizes = [1400, 30000].map((n) => {
      const b = new Uint8Array(n);
      b.set(ikeDatagram(48), 0);
      return b;
    });
    let peak = { bytes: 0, pending: 0 };
    for (let id = 0; id < 20000; id++) {
      const packet = fragmentPacket(4, id, { off: 0, bytes: sizes[id % 7 === 0 ? 1 : 0], mf: true });
      c.addFrame(rawFrame(packet, id + 1, 'flood', 1));
      decodeIp(packet, 0, ip);
      r.add(packet, ip, 'flood', id + 1, 1);
      const h = r.held();
      peak = { bytes: Math.max(peak.bytes, h.bytes), pending: Math.max(peak.pending, h.pending) };
    }
    expect(peak.pending).toBeLessThanOrEqual(MAX_PENDING);
    expect(peak.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(r.bounds().evicted).toBeGreaterThan(0);
    const p = c.finish();
    expect(p.counters.fragmentsEvicted).toBeGreaterThan(0);
    expect(c.diagnostics().filter((d) => /IP reassembly buffer was full .* given up early/.test(d.message))).toHaveLength(1);
  });
});
