/**
 * A streaming classic-pcap writer for `--live --write FILE.pcap`: the capture a
 * user attaches to a ticket. Memory stays bounded (one small staging buffer that is
 * flushed with synchronous writes), so a slow disk slows the capture rather than
 * growing the heap. Format: libpcap "tcpdump" file, microsecond timestamps,
 * little-endian (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../errors.js';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const STAGING_BYTES = 64 * 1024;

export interface PcapRecord {
  /** seconds since the epoch, fractional */
  ts: number;
  /** bytes on the wire (may exceed data.length when the snap length cut the frame) */
  origlen: number;
  data: Uint8Array;
}

export interface PcapWriter {
  write(record: PcapRecord): void;
  /** records written so far */
  readonly records: number;
  /** pushes staged records to the file (e.g. before copying it mid-capture) */
  flush(): void;
  close(): void;
}

/** Builds the 24-byte global header; exported for tests and for in-memory writers. */
export function pcapGlobalHeader(linktype: number, snaplen: number): Buffer {
  const h = Buffer.alloc(GLOBAL_HEADER_BYTES);
  h.writeUInt32LE(PCAP_MAGIC_US, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(snaplen >>> 0, 16);
  h.writeUInt32LE(linktype >>> 0, 20);
  return h;
}

/** A timestamp (seconds, float) as a microsecond pcap record stores it. */
export function pcapTime(t: number): { sec: number; usec: number } {
  const ts = Number.isFinite(t) && t > 0 ? t : 0;
  let sec = Math.floor(ts);
  let usec = Math.round((ts - sec) * 1e6);
  if (usec >= 1e6) {
    sec += 1;
    usec -= 1e6;
  }
  return { sec, usec };
}

/** Encodes one record header + data into `out` at `offset`; returns the new offset. */
export function encodeRecord(out: Buffer, offset: number, r: PcapRecord): number {
  const { sec, usec } = pcapTime(r.ts);
  out.writeUInt32LE(sec >>> 0, offset);
  out.writeUInt32LE(usec, offset + 4);
  out.writeUInt32LE(r.data.length, offset + 8);
  out.writeUInt32LE(Math.max(r.origlen, r.data.length) >>> 0, offset + 12);
  out.set(r.data, offset + RECORD_HEADER_BYTES);
  return offset + RECORD_HEADER_BYTES + r.data.length;
}

/**
 * Opens `path` for writing (truncating it) and writes the global header at once,
 * so a permission problem is reported before the capture starts.
 */
export function createPcapWriter(path: string, linktype: number, snaplen: number): PcapWriter {
  let fd: number;
  try {
    fd = openSync(path, 'w');
    writeSync(fd, pcapGlobalHeader(linktype, snaplen));
  } catch (err) {
    throw new InputError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'choose a writable path for --write');
  }
  const staging = Buffer.alloc(STAGING_BYTES);
  let used = 0;
  let records = 0;
  let closed = false;

  const flush = () => {
    if (used > 0) writeSync(fd, staging, 0, used);
    used = 0;
  };

  return {
    write(record) {
      if (closed) return;
      const need = RECORD_HEADER_BYTES + record.data.length;
      if (used + need > STAGING_BYTES) flush();
      if (need > STAGING_BYTES) {
        const big = Buffer.alloc(need);
        encodeRecord(big, 0, record);
        writeSync(fd, big);
      } else {
        used = encodeRecord(staging, used, record);
      }
      records++;
    },
    get records() {
      return records;
    },
    flush() {
      if (!closed) flush();
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        flush();
      } finally {
        closeSync(fd);
      }
    },
  };
}
