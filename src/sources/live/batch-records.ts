/**
 * The batch the native capture reader (native/pcap-reader) hands over: `count` records
 * back to back, each a 16-byte header in host byte order followed by the captured bytes:
 *
 *   u32 caplen | u32 len (wire length) | u32 ts_sec | u32 ts_usec | caplen bytes
 *
 * (libpcap's struct pcap_pkthdr, as a pcap file record header holds it.) The decoder
 * trusts nothing: a record whose header or bytes run past the buffer ends the batch
 * with a problem instead of reading out of bounds, and a count that disagrees with the
 * records found is reported too.
 */
import { endianness } from 'node:os';

export const RECORD_HEADER_BYTES = 16;

/** One record, as the callback sees it: the frame is data[offset, offset + caplen). */
export interface BatchRecord {
  offset: number;
  caplen: number;
  /** the frame's length on the wire (≥ caplen unless the reader is wrong) */
  len: number;
  tsSec: number;
  tsUsec: number;
}

export interface BatchResult {
  /** records handed to the callback */
  records: number;
  /** why decoding stopped early, or the count disagreed; undefined when the batch is whole */
  problem?: string;
}

const LITTLE = endianness() === 'LE';

/**
 * Calls `onRecord` for each whole record, in order. The record object is reused
 * between calls (one allocation per batch, not per frame): copy what you keep.
 */
export function decodeBatch(buf: Uint8Array, count: number, onRecord: (r: BatchRecord) => void, littleEndian = LITTLE): BatchResult {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const rec: BatchRecord = { offset: 0, caplen: 0, len: 0, tsSec: 0, tsUsec: 0 };
  const end = buf.byteLength;
  let off = 0;
  let n = 0;
  while (off < end) {
    if (off + RECORD_HEADER_BYTES > end) return { records: n, problem: `record ${n + 1}: header cut at byte ${off} (${end - off} of ${RECORD_HEADER_BYTES} bytes)` };
    const caplen = dv.getUint32(off, littleEndian);
    const start = off + RECORD_HEADER_BYTES;
    if (caplen > end - start) return { records: n, problem: `record ${n + 1}: ${caplen} captured bytes announced, ${end - start} left in the batch` };
    rec.caplen = caplen;
    rec.len = dv.getUint32(off + 4, littleEndian);
    rec.tsSec = dv.getUint32(off + 8, littleEndian);
    rec.tsUsec = dv.getUint32(off + 12, littleEndian);
    rec.offset = start;
    onRecord(rec);
    n++;
    off = start + caplen;
  }
  return n === count ? { records: n } : { records: n, problem: `the batch announced ${count} records and holds ${n}` };
}

/** The inverse, for tests and the replay stand-in: records as the native reader lays them out. */
export function encodeBatch(records: { data: Uint8Array; len: number; tsSec: number; tsUsec: number }[], littleEndian = LITTLE): Buffer {
  const total = records.reduce((s, r) => s + RECORD_HEADER_BYTES + r.data.length, 0);
  const out = Buffer.alloc(total);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let off = 0;
  for (const r of records) {
    dv.setUint32(off, r.data.length, littleEndian);
    dv.setUint32(off + 4, r.len, littleEndian);
    dv.setUint32(off + 8, r.tsSec, littleEndian);
    dv.setUint32(off + 12, r.tsUsec, littleEndian);
    out.set(r.data, off + RECORD_HEADER_BYTES);
    off += RECORD_HEADER_BYTES + r.data.length;
  }
  return out;
}
