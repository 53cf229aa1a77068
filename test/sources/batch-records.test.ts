/**
 * The native capture reader's batch records (src/sources/live/batch-records.ts):
 * round trips of any records, and random or damaged batches that must end in a
 * problem string, never a throw or a read past the buffer (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBatch, encodeBatch, RECORD_HEADER_BYTES, type BatchRecord } from '../../src/sources/live/batch-records.js';

const record = fc.record({
  data: fc.uint8Array({ maxLength: 300 }),
  extra: fc.nat({ max: 70000 }),
  tsSec: fc.nat({ max: 0xffffffff }),
  tsUsec: fc.nat({ max: 999999 }),
});

function decodeAll(buf: Uint8Array, count: number, little?: boolean) {
  const out: { bytes: number[]; len: number; tsSec: number; tsUsec: number; caplen: number }[] = [];
  const r = decodeBatch(buf, count, (rec: BatchRecord) => {
    // the frame must lie inside the buffer
    expect(rec.offset + rec.caplen).toBeLessThanOrEqual(buf.byteLength);
    out.push({ bytes: [...buf.subarray(rec.offset, rec.offset + rec.caplen)], len: rec.len, tsSec: rec.tsSec, tsUsec: rec.tsUsec, caplen: rec.caplen });
  }, little);
  return { ...r, out };
}

describe('batch records of the native capture reader', () => {
  it('any records round-trip: bytes, wire length and timestamp, in order, in both byte orders (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.boolean(), (recs, little) => {
        const input = recs.map((r) => ({ data: r.data, len: r.data.length + r.extra, tsSec: r.tsSec, tsUsec: r.tsUsec }));
        const buf = encodeBatch(input, little);
        expect(buf.byteLength).toBe(input.reduce((s, r) => s + RECORD_HEADER_BYTES + r.data.length, 0));
        const { records, problem, out } = decodeAll(buf, input.length, little);
        expect(problem).toBeUndefined();
        expect(records).toBe(input.length);
        expect(out).toEqual(input.map((r) => ({ bytes: [...r.data], len: r.len, tsSec: r.tsSec, tsUsec: r.tsUsec, caplen: r.data.length })));
      }),
    );
  });

  it('a batch inside a larger buffer (a view with an offset) decodes the same', () => {
    const inner = encodeBatch([{ data: Uint8Array.of(1, 2, 3), len: 60, tsSec: 5, tsUsec: 6 }]);
    const outer = new Uint8Array(inner.byteLength + 11);
    outer.set(inner, 7);
    const { out, problem } = decodeAll(outer.subarray(7, 7 + inner.byteLength), 1);
    expect(problem).toBeUndefined();
    expect(out).toEqual([{ bytes: [1, 2, 3], len: 60, tsSec: 5, tsUsec: 6, caplen: 3 }]);
  });

  it('a batch cut anywhere keeps the whole records before the cut and says where it stopped (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), fc.nat(), (recs, cutAt) => {
        const input = recs.map((r) => ({ data: r.data, len: r.data.length, tsSec: r.tsSec, tsUsec: r.tsUsec }));
        const buf = encodeBatch(input);
        const cut = cutAt % buf.byteLength;
        const { records, problem, out } = decodeAll(buf.subarray(0, cut), input.length);
        // records wholly before the cut
        let whole = 0;
        for (let off = 0, i = 0; i < input.length; i++) {
          off += RECORD_HEADER_BYTES + input[i].data.length;
          if (off <= cut) whole++;
        }
        expect(records).toBe(whole);
        expect(out.length).toBe(whole);
        expect(problem).toBeDefined();
      }),
    );
  });

  it('random bytes and any announced count: never throws, never reads outside the buffer (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 50 }), (bytes, count) => {
        const { records, problem } = decodeAll(bytes, count);
        if (problem === undefined) expect(records).toBe(count);
      }),
    );
  });

  it('a count that disagrees with the records is a problem, the records still delivered', () => {
    const buf = encodeBatch([{ data: Uint8Array.of(9), len: 1, tsSec: 1, tsUsec: 2 }, { data: new Uint8Array(0), len: 0, tsSec: 3, tsUsec: 4 }]);
    expect(decodeAll(buf, 3)).toMatchObject({ records: 2, problem: 'the batch announced 3 records and holds 2' });
    const empty = decodeAll(new Uint8Array(0), 0);
    expect(empty.records).toBe(0);
    expect(empty.problem).toBeUndefined();
  });

  it('a header announcing more bytes than the batch holds stops there', () => {
    const buf = encodeBatch([{ data: Uint8Array.of(1, 2), len: 2, tsSec: 0, tsUsec: 0 }]);
    new DataView(buf.buffer, buf.byteOffset).setUint32(0, 1000, true);
    expect(decodeAll(buf, 1)).toMatchObject({ records: 0, problem: 'record 1: 1000 captured bytes announced, 2 left in the batch' });
  });
});
