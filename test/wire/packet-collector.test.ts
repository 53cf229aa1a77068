import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { FIXTURES, decodeFixture, framesOf } from './pcap-fixtures.js';

const captures = readdirSync(FIXTURES).filter((f) => /\.pcap(ng)?$/.test(f));

describe('packet collector', () => {
  it('decodes every fixture without a decoder diagnostic except the known malformed ones', () => {
    const noisy = new Set([
      'ikev1-malformed-payload-length.pcap', 'ikev1-malformed-zero-header-length.pcap', 'ikev1-informational-zero-spi-fuzzed.pcapng',
    ]);
    for (const name of captures) {
      const { diagnostics } = decodeFixture(name);
      if (!noisy.has(name)) expect([name, diagnostics]).toEqual([name, []]);
    }
  });

  it('keeps no per-packet state for ESP: 10 000 copies of the same flow make one aggregate', () => {
    const { frames } = framesOf('esp-in-udp-4500-one-way.pcap');
    const c = createPacketCollector({ local: [], peer: [] });
    for (let i = 0; i < 10_000; i++) {
      const f = frames[i % frames.length];
      const data = f.data.slice();
      // rewrite the ESP sequence (Ethernet 14 + IP 20 + UDP 8 + SPI 4) so the flow keeps growing
      new DataView(data.buffer).setUint32(46, i + 1);
      c.addFrame({ ...f, frame: i + 1, data });
    }
    const p = c.finish();
    expect(p.espFlows).toHaveLength(1);
    expect(p.espFlows[0]).toMatchObject({ packets: 10_000, maxSeq: 10_000, missing: 0 });
    expect(p.espFlows[0].sampleFrames.length).toBeLessThanOrEqual(8);
  });

  it('never throws on mutated real frames, and the output stays bounded', () => {
    const all = captures.flatMap((n) => framesOf(n).frames);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat()), { minLength: 1, maxLength: 20 }),
        (picks) => {
          const c = createPacketCollector({ local: [], peer: [] });
          picks.forEach(([i, muts, cut], k) => {
            const f = all[i];
            const data = f.data.slice(0, Math.max(0, f.data.length - (cut % 64)));
            for (const [pos, v] of muts) if (data.length) data[pos % data.length] = v;
            c.addFrame({ ...f, frame: k + 1, caplen: data.length, data });
          });
          const p = c.finish();
          expect(p.counters.frames).toBe(picks.length);
          expect(p.ikeMessages.length).toBeLessThanOrEqual(picks.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a tightly bounded collector keeps exactly what an unbounded one decodes for the frames it keeps, mutated frames and live snapshots included', () => {
    // head 1 / tail 2 per IKE SA: after a few messages of an SA every further one goes through
    // eviction, and encrypted ones through the raw path (kept as bytes, decoded at the end)
    const ike = ['ikev2-init-auth-then-esp.pcapng', 'ikev1-main-mode-psk-quick-mode.pcap', 'lab-idle-tunnel-dpd-left.pcap', 'ikev2-nat-auth-ipfrag-no-response.pcap', 'ikev1-malformed-payload-length.pcap']
      .flatMap((n) => framesOf(n).frames);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(ike.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.nat(40),
        (picks, snapAt) => {
          const bounded = createPacketCollector({ local: [], peer: [], ikeSaBound: { head: 1, tail: 2 } });
          const unbounded = createPacketCollector({ local: [], peer: [], ikeSaBound: { head: 100_000, tail: 100_000 } });
          picks.forEach(([i, muts, mutate], k) => {
            const f = ike[i];
            const data = f.data.slice();
            if (mutate) for (const [pos, v] of muts) data[pos % data.length] = v;
            bounded.addFrame({ ...f, frame: k + 1, data: data.slice() });
            unbounded.addFrame({ ...f, frame: k + 1, data });
            if (k === snapAt) bounded.snapshot();
          });
          const b = bounded.finish();
          const u = unbounded.finish();
          const byFrame = new Map(u.ikeMessages.map((m) => [m.at.frame, { ...m, index: 0 }]));
          for (const m of b.ikeMessages) expect({ ...m, index: 0 }).toEqual(byFrame.get(m.at.frame));
          expect(b.counters.ike).toBe(u.counters.ike);
          expect(b.ikeMessages.length + (b.counters.ikeNotKept ?? 0)).toBe(u.ikeMessages.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on random frames of any link type', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0, 1, 101, 113, 276, 228, 229, 7), fc.uint8Array({ maxLength: 200 })), { maxLength: 30 }), (frames) => {
        const c = createPacketCollector({ local: [], peer: [] });
        frames.forEach(([lt, data], i) => c.addFrame({ source: 'fuzz', frame: i + 1, linktype: lt, ts: i, caplen: data.length, origlen: data.length, data }));
        c.finish();
      }),
      { numRuns: 500 },
    );
  });
  it('gives the same evidence when frames arrive as views of one reused Buffer, as cap delivers them live', () => {
    // cap hands every packet over in the same Node Buffer; Buffer#slice is a view there, so an
    // aggregate that kept d.slice() of the addresses saw them change under it with the next packet
    for (const name of ['esp-one-way-24-sa-ipv4-ipv6.pcap', 'ah-esp-tunnel-bidirectional.pcap', 'ikev2-nat-auth-ipfrag-no-response.pcap', 'lab-healthy-left.pcap']) {
      const { frames } = framesOf(name);
      const live = createPacketCollector({ local: [], peer: [] });
      const shared = Buffer.alloc(65_536);
      for (const f of frames) {
        shared.fill(0xee);
        shared.set(f.data);
        live.addFrame({ ...f, data: shared.subarray(0, f.data.length) });
      }
      const viaFile = decodeFixture(name).packets;
      expect([name, JSON.parse(JSON.stringify(live.finish()))]).toEqual([name, JSON.parse(JSON.stringify(viaFile))]);
    }
  });
  it('reports a malformed IKE message once, counting its byte-identical retransmissions into that diagnostic', () => {
    const { frames } = framesOf('ikev1-malformed-payload-length.pcap');
    const c = createPacketCollector({ local: [], peer: [] });
    for (let i = 0; i < 4; i++) c.addFrame({ ...frames[0], frame: i + 1, ts: frames[0].ts + i });
    c.finish();
    expect(c.diagnostics().map((d) => [d.at.frame, d.message])).toEqual([[1, 'malformed V payload: length 3 below its 4-byte header (also in 3 byte-identical copies, the last in frame 4)']]);
  });
});
