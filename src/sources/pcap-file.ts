/**
 * Capture files (pcap, pcapng, gzipped or not, '-' for stdin) streamed chunk by
 * chunk into one PacketCollector: the file is never held in memory.
 */
import { frameCoverage, relevantIcmp } from '../evidence/coverage.js';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { PacketCollector, PacketCollectorOptions, PacketEvidence } from '../evidence/packet-types.js';
import { createPacketCollector } from '../wire/collector/packet-collector.js';
import { createPcapReader } from '../wire/pcap.js';
import { createPcapngReader } from '../wire/pcapng.js';
import { MAX_RECORD, type CaptureReader } from '../wire/capture-reader.js';
import { closeSync, openSync, read } from 'node:fs';
import { InputError } from '../errors.js';
import { openInput } from './open-input.js';
import { sniffKind } from './sniff.js';

export interface CaptureLoadResult {
  inputs: InputInfo[];
  packets: PacketEvidence;
  diagnostics: Diagnostic[];
}

const READ_CHUNK = 1 << 20;
/** room in front of each chunk for the previous chunk's unconsumed bytes: any pcap record (MAX_RECORD) and most pcapng blocks */
const HEADROOM = MAX_RECORD + 64;

export async function loadCaptures(paths: string[], opts: PacketCollectorOptions): Promise<CaptureLoadResult> {
  const collector = createPacketCollector(opts);
  const inputs: InputInfo[] = [];
  for (const path of paths) inputs.push(await readCaptureInto(path, collector));
  const packets = collector.finish();
  // the ICMP errors the checks read (about IPsec or the path MTU) are used; others are other traffic
  for (const input of inputs) {
    const read = packets.icmpErrors.filter((e) => e.at.source === input.path && relevantIcmp(e)).length;
    input.coverage = frameCoverage(input.packets ?? 0, input.counters ?? {}, read);
  }
  return { inputs, packets, diagnostics: collector.diagnostics() };
}

/** Streams one capture into an existing collector; returns its InputInfo. */
export async function readCaptureInto(path: string, collector: PacketCollector): Promise<InputInfo> {
  const display = path === '-' ? '(stdin)' : path;
  const opened = await openInput(path);
  const kind = sniffKind(opened.head);
  if (kind !== 'pcap' && kind !== 'pcapng') opened.close();
  if (kind === 'empty') throw new InputError(`${display} is empty`, 'pass a pcap or pcapng capture (tcpdump -w FILE, Wireshark "Save As")');
  if (kind !== 'pcap' && kind !== 'pcapng') {
    throw new InputError(
      `${display} is not a packet capture (${kind === 'text' ? 'it looks like text' : 'unknown binary format'})`,
      kind === 'text' ? 'pass daemon logs with --log FILE' : 'pass a pcap or pcapng file (tcpdump -w FILE)',
    );
  }
  const sink = {
    frame: collector.addFrame,
    diagnostic: (message: string, frame?: number) => collector.addDiagnostic({ at: frame === undefined ? { source: display } : { source: display, frame }, decoder: kind, message }),
  };
  const reader: CaptureReader = kind === 'pcap' ? createPcapReader(display, sink) : createPcapngReader(display, sink);
  const before = collector.counters();
  try {
    // Plain files are re-read into one reused 1 MiB buffer: with open-input's 64 KiB stream
    // chunks the read calls, and with fresh chunks the allocation and GC, cost about as much
    // CPU as decoding (bench/pcap.mjs); gzip, stdin, FIFOs and devices keep the opened stream.
    if (opened.regularFile && !opened.gzip) {
      opened.close();
      await readPlainFile(path, reader);
    } else {
      for await (const chunk of opened.stream) reader.push(chunk as Buffer);
    }
  } catch (err) {
    // a gzip stream that ends early or a read error: keep what was decoded, say where it stopped
    collector.addDiagnostic({ at: { source: display }, decoder: kind, message: `reading stopped: ${err instanceof Error ? err.message : String(err)}` });
  }
  try {
    reader.end();
  } catch (err) {
    // the reader's last record (a cut one) could not be handled: what came before it stands
    collector.addDiagnostic({ at: { source: display }, decoder: kind, message: `the end of the file could not be read: ${err instanceof Error ? err.message : String(err)}` });
  }
  const stats = reader.stats();
  if (stats.truncatedRecords) collector.count('truncatedRecords', stats.truncatedRecords);
  const after = collector.counters();
  const counters: Record<string, number> = { truncatedRecords: stats.truncatedRecords, ...stats.linktypes };
  for (const k of ['snaplenCut', 'undecodable', 'ike', 'esp', 'espInUdp', 'ah', 'icmpErrors', 'natKeepalives', 'ipFragments', 'reassembled', 'nonIpsec', 'nonIp']) {
    counters[k] = (after[k] ?? 0) - (before[k] ?? 0);
  }
  return { kind: 'pcap', path: display, dialect: opened.gzip ? `${kind}.gz` : kind, packets: stats.frames, counters, coverage: frameCoverage(stats.frames, counters) };
}

/**
 * Double-buffered reads of a regular file: the next chunk is read on libuv's thread
 * pool while this thread decodes the current one, so on a machine with a second core
 * the read costs no wall time (bench/pcap.mjs: the kernel's copy of a page-cached
 * 363 MB file is ~85 ms, a seventh of the decode). The unconsumed tail of a chunk (a
 * record cut by the chunk boundary) is copied into the headroom in front of the next
 * chunk, which the reader then sees as one buffer (CaptureReader.push `refill`). Only
 * regular files come here: a FIFO or a device (`--pcap /dev/fd/3`) cannot be opened a
 * second time for its first bytes.
 */
async function readPlainFile(path: string, reader: CaptureReader): Promise<void> {
  const fd = openSync(path, 'r');
  let reading: Promise<number> | undefined;
  try {
    const buffers = [new Uint8Array(HEADROOM + READ_CHUNK), new Uint8Array(HEADROOM + READ_CHUNK)];
    let cur = 0;
    reading = readChunk(fd, buffers[cur]);
    // the previous chunk's unconsumed bytes (a view into the other buffer or into `long`)
    let tail: Uint8Array = new Uint8Array(0);
    // where a block longer than the headroom is assembled, read after read
    let long: Uint8Array | undefined;
    for (;;) {
      const bytesRead = await reading;
      reading = undefined;
      const buf = buffers[cur];
      if (bytesRead === 0) break;
      let chunk: Uint8Array;
      if (tail.length <= HEADROOM) {
        buf.set(tail, HEADROOM - tail.length);
        chunk = buf.subarray(HEADROOM - tail.length, HEADROOM + bytesRead);
      } else {
        // A pcapng block longer than the headroom (up to 16 MiB; custom or name-resolution
        // blocks). It is assembled in a buffer of its own that grows by doubling and keeps the
        // block at its start, so each read is appended once: a fresh buffer per read copied
        // everything read so far again (a 16 MiB block: 136 MB of copying).
        const need = tail.length + bytesRead;
        if (!long || long.length < need) {
          const grown = new Uint8Array(Math.max(need, 2 * (long?.length ?? 0)));
          grown.set(tail);
          long = grown;
        } else if (tail.buffer !== long.buffer) {
          long.set(tail);
        } else if (tail.byteOffset !== long.byteOffset) {
          // the reader consumed the front of the assembled bytes: the next long block moves to the start
          const from = tail.byteOffset - long.byteOffset;
          long.copyWithin(0, from, from + tail.length);
        }
        long.set(buf.subarray(HEADROOM, HEADROOM + bytesRead), tail.length);
        chunk = long.subarray(0, need);
      }
      // the other buffer is free now (its tail was copied above): read ahead into it while this chunk decodes
      const next = 1 - cur;
      reading = readChunk(fd, buffers[next]);
      reader.push(chunk, true);
      const keep = Math.min(reader.pending, chunk.length);
      // a view: the next turn copies it out before it starts the read into this buffer
      tail = chunk.subarray(chunk.length - keep);
      cur = next;
    }
    // what is left is a cut record: hand it over as it now lies so end() reports it
    if (tail.length) reader.push(tail.slice(), true);
  } finally {
    // a read still in flight (the decoder threw) finishes before its descriptor is closed
    if (reading) await reading.catch(() => 0);
    closeSync(fd);
  }
}

/** Fills buffer[HEADROOM...] from the file's current position; resolves to the bytes read (0 at the end). */
function readChunk(fd: number, buffer: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, HEADROOM, READ_CHUNK, null, (err, n) => (err ? reject(err) : resolve(n))));
}
