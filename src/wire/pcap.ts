/**
 * Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
 * both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic.
 * Streaming: a record split over chunks waits for its rest; a truncated last record
 * is delivered as far as it goes and counted.
 */
import type { CapturedFrame } from '../evidence/packet-types.js';
import { ByteQueue, MAX_RECORD, type CaptureReader, type CaptureReaderStats, type CaptureSink } from './capture-reader.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export function createPcapReader(source: string, sink: CaptureSink): CaptureReader {
  const q = new ByteQueue();
  const stats: CaptureReaderStats = { frames: 0, truncatedRecords: 0, linktypes: {} };
  // ts starts as a non-integer: a field that begins as a small integer and later holds fractions
  // changes its representation, and V8 throws away the optimised code of everything that read it
  const frame: CapturedFrame = { source, frame: 0, linktype: 0, ts: 0.5, caplen: 0, origlen: 0, data: new Uint8Array(0), offset: 0 };
  let le = true;
  let divisor = 1e6;
  let linktype = -1;
  let snaplen = 0;
  let stopped = false;
  let linkKey = '';

  function readHeader(dv: DataView, o: number): boolean {
    const magicLe = dv.getUint32(o, true);
    if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) le = true;
    else if (magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) le = false;
    else {
      sink.diagnostic(`not a pcap file: magic 0x${magicLe.toString(16)}`);
      return false;
    }
    const magic = dv.getUint32(o, le);
    divisor = magic === 0xa1b23c4d ? 1e9 : 1e6;
    snaplen = dv.getUint32(o + 16, le);
    // upper bits carry the FCS length (pcap-savefile(5) LinkType and additional information)
    linktype = dv.getUint32(o + 20, le) & 0x0fffffff & 0xffff;
    linkKey = `linktype:${linktype}`;
    return true;
  }

  function deliver(data: Uint8Array, offset: number, tsSec: number, tsFrac: number, caplen: number, origlen: number): void {
    stats.frames++;
    frame.frame = stats.frames;
    frame.linktype = linktype;
    frame.ts = tsSec + tsFrac / divisor;
    frame.caplen = caplen;
    frame.origlen = origlen;
    frame.data = data;
    frame.offset = offset;
    sink.frame(frame);
  }

  return {
    format: 'pcap',
    get pending() {
      return q.available;
    },
    push(chunk, refill = false) {
      if (stopped) return;
      if (refill) q.refill(chunk);
      else q.append(chunk);
      const dv = q.view();
      const b = q.bytes;
      if (linktype < 0) {
        if (q.available < GLOBAL_HEADER) return;
        if (!readHeader(dv, q.offset)) {
          stopped = true;
          return;
        }
        q.skip(GLOBAL_HEADER);
      }
      while (q.available >= RECORD_HEADER) {
        const o = q.offset;
        const caplen = dv.getUint32(o + 8, le);
        if (caplen > MAX_RECORD) {
          sink.diagnostic(`record ${stats.frames + 1}: captured length ${caplen} is impossible (snaplen ${snaplen}); the rest of the file is unreadable`, stats.frames + 1);
          stopped = true;
          return;
        }
        if (q.available < RECORD_HEADER + caplen) return;
        deliver(b, o + RECORD_HEADER, dv.getUint32(o, le), dv.getUint32(o + 4, le), caplen, dv.getUint32(o + 12, le));
        q.skip(RECORD_HEADER + caplen);
      }
    },
    end() {
      if (stopped) return;
      if (linktype < 0) {
        sink.diagnostic(q.available === 0 ? 'empty capture file' : `pcap header cut short: ${q.available} of ${GLOBAL_HEADER} bytes`);
        return;
      }
      const left = q.available;
      if (left === 0) return;
      stats.truncatedRecords++;
      if (left < RECORD_HEADER) {
        sink.diagnostic(`file ends inside a record header (${left} bytes)`, stats.frames + 1);
        return;
      }
      const dv = q.view();
      const o = q.offset;
      const caplen = dv.getUint32(o + 8, le);
      sink.diagnostic(`last record truncated: ${left - RECORD_HEADER} of ${caplen} captured bytes present`, stats.frames + 1);
      deliver(q.bytes, o + RECORD_HEADER, dv.getUint32(o, le), dv.getUint32(o + 4, le), left - RECORD_HEADER, dv.getUint32(o + 12, le));
    },
    stats() {
      // one link type per pcap file: the per-frame count is the frame count (no keyed store per frame)
      if (stats.frames) stats.linktypes[linkKey] = stats.frames;
      return stats;
    },
  };
}
