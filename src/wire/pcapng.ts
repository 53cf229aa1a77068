/**
 * pcapng (draft-ietf-opsawg-pcapng): Section Header Blocks in either byte order,
 * Interface Description Blocks with their own link type, if_tsresol and
 * if_tsoffset, Enhanced / Simple / obsolete Packet Blocks. Other blocks are skipped.
 */
import type { CapturedFrame } from '../evidence/packet-types.js';
import { ByteQueue, type CaptureReader, type CaptureReaderStats, type CaptureSink } from './capture-reader.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MAX_BLOCK = 16 * 1024 * 1024;
const MAX_INTERFACES = 4096;

interface Interface {
  linktype: number;
  snaplen: number;
  /** ticks per second */
  tsPerSecond: number;
  tsOffset: number;
}

export function createPcapngReader(source: string, sink: CaptureSink): CaptureReader {
  const q = new ByteQueue();
  const stats: CaptureReaderStats = { frames: 0, truncatedRecords: 0, linktypes: {} };
  // ts starts as a non-integer: a field that begins as a small integer and later holds fractions
  // changes its representation, and V8 throws away the optimised code of everything that read it
  const frame: CapturedFrame = { source, frame: 0, linktype: 0, ts: 0.5, caplen: 0, origlen: 0, data: new Uint8Array(0), offset: 0 };
  let le = true;
  let sawShb = false;
  let stopped = false;
  let interfaces: Interface[] = [];
  let missingIdbReported = false;
  let runLinktype = NaN;
  let runLinkFrames = 0;

  function flushLinkRun(): void {
    if (!runLinkFrames) return;
    const key = `linktype:${runLinktype}`;
    stats.linktypes[key] = (stats.linktypes[key] ?? 0) + runLinkFrames;
    runLinkFrames = 0;
  }

  function deliver(iface: Interface | undefined, data: Uint8Array, offset: number, tsHigh: number, tsLow: number, caplen: number, origlen: number): void {
    stats.frames++;
    if (!iface) {
      if (!missingIdbReported) sink.diagnostic('packet refers to an interface with no Interface Description Block', stats.frames);
      missingIdbReported = true;
      iface = { linktype: -1, snaplen: 0, tsPerSecond: 1e6, tsOffset: 0 };
    }
    // counted as runs of one link type: a key string and a keyed store per frame cost more than the frame
    if (iface.linktype !== runLinktype) {
      flushLinkRun();
      runLinktype = iface.linktype;
    }
    runLinkFrames++;
    frame.frame = stats.frames;
    frame.linktype = iface.linktype;
    frame.ts = iface.tsOffset + tsHigh * (4294967296 / iface.tsPerSecond) + tsLow / iface.tsPerSecond;
    frame.caplen = caplen;
    frame.origlen = origlen;
    frame.data = data;
    frame.offset = offset;
    sink.frame(frame);
  }

  function block(dv: DataView, b: Uint8Array, o: number, type: number, len: number): void {
    const bodyEnd = o + len - 4;
    switch (type) {
      case IDB: {
        if (len < 20) return void sink.diagnostic(`Interface Description Block too short (${len} bytes)`);
        if (interfaces.length >= MAX_INTERFACES) return;
        const iface: Interface = { linktype: dv.getUint16(o + 8, le), snaplen: dv.getUint32(o + 12, le), tsPerSecond: 1e6, tsOffset: 0 };
        readIdbOptions(dv, o + 16, bodyEnd, iface);
        interfaces.push(iface);
        return;
      }
      case EPB: {
        if (len < 32) return void sink.diagnostic(`Enhanced Packet Block too short (${len} bytes)`, stats.frames + 1);
        const caplen = dv.getUint32(o + 20, le);
        const avail = bodyEnd - (o + 28);
        const take = Math.min(caplen, avail);
        if (caplen > avail) {
          stats.truncatedRecords++;
          sink.diagnostic(`packet block says ${caplen} captured bytes but holds ${avail}`, stats.frames + 1);
        }
        deliver(interfaces[dv.getUint32(o + 8, le)], b, o + 28, dv.getUint32(o + 12, le), dv.getUint32(o + 16, le), take, dv.getUint32(o + 24, le));
        return;
      }
      case SPB: {
        if (len < 16) return;
        const origlen = dv.getUint32(o + 8, le);
        const iface = interfaces[0];
        const avail = bodyEnd - (o + 12);
        const caplen = Math.min(origlen, avail, iface?.snaplen || avail);
        // SPB has no timestamp
        deliver(iface, b, o + 12, 0, 0, caplen, origlen);
        return;
      }
      case OPB: {
        if (len < 32) return;
        const caplen = dv.getUint32(o + 20, le);
        const avail = bodyEnd - (o + 28);
        const take = Math.min(caplen, avail);
        deliver(interfaces[dv.getUint16(o + 8, le)], b, o + 28, dv.getUint32(o + 12, le), dv.getUint32(o + 16, le), take, dv.getUint32(o + 24, le));
        return;
      }
      default:
        return;
    }
  }

  function readIdbOptions(dv: DataView, o: number, end: number, iface: Interface): void {
    for (let i = 0; i < 256 && o + 4 <= end; i++) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      if (code === 0 || o + 4 + olen > end) return;
      if (code === 9 && olen >= 1) {
        const v = dv.getUint8(o + 4);
        // MSB set: negative power of 2, else of 10 (pcapng §4.2 if_tsresol)
        const exp = v & 0x7f;
        const perSecond = v & 0x80 ? 2 ** exp : 10 ** exp;
        if (perSecond >= 1 && Number.isFinite(perSecond)) iface.tsPerSecond = perSecond;
      } else if (code === 14 && olen >= 8) {
        iface.tsOffset = Number(dv.getBigInt64(o + 4, le));
      }
      o += 4 + ((olen + 3) & ~3);
    }
  }

  return {
    format: 'pcapng',
    get pending() {
      return q.available;
    },
    push(chunk, refill = false) {
      if (stopped) return;
      if (refill) q.refill(chunk);
      else q.append(chunk);
      const dv = q.view();
      const b = q.bytes;
      while (q.available >= 12) {
        const o = q.offset;
        const rawType = dv.getUint32(o, true);
        if (rawType === SHB) {
          const magic = dv.getUint32(o + 8, true);
          if (magic === BYTE_ORDER_MAGIC) le = true;
          else if (magic === 0x4d3c2b1a) le = false;
          else {
            sink.diagnostic(`Section Header Block with unknown byte-order magic 0x${magic.toString(16)}`);
            stopped = true;
            return;
          }
          sawShb = true;
          // a new section starts its own interface numbering
          interfaces = [];
        } else if (!sawShb) {
          sink.diagnostic('not a pcapng file: no Section Header Block first');
          stopped = true;
          return;
        }
        const type = dv.getUint32(o, le);
        const len = dv.getUint32(o + 4, le);
        if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
          sink.diagnostic(`block of type 0x${type.toString(16)} has an impossible length ${len}; the rest of the file is unreadable`, stats.frames + 1);
          stopped = true;
          return;
        }
        if (q.available < len) return;
        if (type !== SHB) block(dv, b, o, type, len);
        q.skip(len);
      }
    },
    end() {
      if (stopped) return;
      if (!sawShb) {
        sink.diagnostic(q.available === 0 ? 'empty capture file' : 'pcapng Section Header Block cut short');
        return;
      }
      const left = q.available;
      if (left === 0) return;
      stats.truncatedRecords++;
      const dv = q.view();
      const o = q.offset;
      if (left >= 28 && dv.getUint32(o, le) === EPB) {
        const caplen = dv.getUint32(o + 20, le);
        const take = Math.min(caplen, left - 28);
        sink.diagnostic(`last block truncated: ${take} of ${caplen} captured bytes present`, stats.frames + 1);
        deliver(interfaces[dv.getUint32(o + 8, le)], q.bytes, o + 28, dv.getUint32(o + 12, le), dv.getUint32(o + 16, le), take, dv.getUint32(o + 24, le));
        return;
      }
      sink.diagnostic(`file ends inside a block (${left} bytes left)`, stats.frames + 1);
    },
    stats() {
      flushLinkRun();
      return stats;
    },
  };
}
