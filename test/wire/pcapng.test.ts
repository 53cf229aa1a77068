import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPcapngReader } from '../../src/wire/pcapng.js';
import { decodeFixture, fixtureBytes, framesOf } from './pcap-fixtures.js';

describe('pcapng reader', () => {
  it('keeps each interface’s timestamp resolution (zeek pcapng-multi-interface.pcapng: IDB 0 ns, IDB 1 µs)', () => {
    const { frames, diagnostics } = framesOf('fmt-pcapng-two-interfaces-us-ns.pcapng');
    expect(diagnostics).toEqual([]);
    expect(frames).toHaveLength(6);
    // MANIFEST: frame 1 at 2026-01-06 01:31:29.500330493 UTC, frame 3 at 01:37:17.111897 UTC
    expect(frames[0].ts).toBeCloseTo(Date.UTC(2026, 0, 6, 1, 31, 29) / 1000 + 0.500330493, 5);
    expect(frames[2].ts).toBeCloseTo(Date.UTC(2026, 0, 6, 1, 37, 17) / 1000 + 0.111897, 5);
    expect(frames.every((f) => f.linktype === 1)).toBe(true);
  });

  it('reads Enhanced Packet Blocks of a one-interface file (tcpdump isakmp-no-none-np.pcapng)', () => {
    const { frames } = framesOf('ikev1-informational-zero-spi-fuzzed.pcapng');
    expect(frames).toHaveLength(1);
    expect(frames[0].caplen).toBe(2228);
    expect(frames[0].ts).toBe(0);
  });

  it('reads a big-endian section (the byte-order magic decides)', () => {
    const le = fixtureBytes('fmt-pcapng-vlan-qinq.pcapng');
    const be = toBigEndian(le);
    const a = framesOf('le', le).frames;
    const b = framesOf('be', be).frames;
    expect(b).toHaveLength(9);
    expect(b.map((f) => [f.ts, f.caplen, f.origlen, f.linktype])).toEqual(a.map((f) => [f.ts, f.caplen, f.origlen, f.linktype]));
    expect(Buffer.from(b[0].data).equals(Buffer.from(a[0].data))).toBe(true);
  });

  it('decodes a block cut by the end of the file as far as it goes', () => {
    const bytes = fixtureBytes('ikev2-init-auth-then-esp.pcapng');
    const cut = bytes.subarray(0, bytes.length - 40);
    const { packets, diagnostics } = decodeFixture('cut.pcapng', { bytes: cut });
    expect(packets.counters.frames).toBe(6);
    expect(diagnostics.some((d) => /truncated/.test(d.message))).toBe(true);
  });

  it('never throws on random input or random blocks after a valid SHB, and terminates', () => {
    const shb = fixtureBytes('fmt-pcapng-vlan-qinq.pcapng').subarray(0, 28);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), fc.integer({ min: 1, max: 700 }), (tail, withShb, chunk) => {
        const bytes = withShb ? Buffer.concat([shb, tail]) : tail;
        const r = createPcapngReader('fuzz', { frame: () => {}, diagnostic: () => {} });
        for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
        r.end();
        expect(r.stats().frames).toBeLessThanOrEqual(bytes.length / 12 + 1);
      }),
      { numRuns: 300 },
    );
  });
});

/** Rewrites a little-endian pcapng (SHB, IDB, EPB only) into big-endian, to test the other byte order with real packets. */
function toBigEndian(le: Uint8Array): Uint8Array {
  const out = le.slice();
  const src = new DataView(le.buffer, le.byteOffset, le.byteLength);
  const dst = new DataView(out.buffer);
  const swap32 = (o: number) => dst.setUint32(o, src.getUint32(o, true), false);
  const swap16 = (o: number) => dst.setUint16(o, src.getUint16(o, true), false);
  const swapOptions = (o: number, end: number) => {
    while (o + 4 <= end) {
      const code = src.getUint16(o, true);
      const len = src.getUint16(o + 2, true);
      swap16(o);
      swap16(o + 2);
      if (code === 0) break;
      o += 4 + ((len + 3) & ~3);
    }
  };
  for (let o = 0; o + 12 <= le.length; ) {
    const type = src.getUint32(o, true);
    const len = src.getUint32(o + 4, true);
    swap32(o);
    swap32(o + 4);
    swap32(o + len - 4);
    if (type === 0x0a0d0d0a) {
      swap32(o + 8);
      swap16(o + 12);
      swap16(o + 14);
      // section length is 64-bit: -1 (unknown) reads the same in both orders
      swapOptions(o + 24, o + len - 4);
    } else if (type === 1) {
      swap16(o + 8);
      swap32(o + 12);
      swapOptions(o + 16, o + len - 4);
    } else if (type === 6) {
      for (const f of [8, 12, 16, 20, 24]) swap32(o + f);
      const caplen = src.getUint32(o + 20, true);
      swapOptions(o + 28 + ((caplen + 3) & ~3), o + len - 4);
    }
    o += len;
  }
  return out;
}
