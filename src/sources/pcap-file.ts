/**
 * Capture files (pcap, pcapng, gzipped or not, '-' for stdin) streamed chunk by
 * chunk into one PacketCollector: the file is never held in memory.
 */
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { PacketCollector, PacketCollectorOptions, PacketEvidence } from '../evidence/packet-types.js';
import { createPacketCollector } from '../evidence/packet-collector.js';
import { createPcapReader } from '../decoders/pcap.js';
import { createPcapngReader } from '../decoders/pcapng.js';
import type { CaptureReader } from '../decoders/capture-reader.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';
import { openInput } from './open-input.js';
import { sniffKind } from './sniff.js';

export interface CaptureLoadResult {
  inputs: InputInfo[];
  packets: PacketEvidence;
  diagnostics: Diagnostic[];
}

const READ_CHUNK = 1 << 20;

export async function loadCaptures(paths: string[], opts: PacketCollectorOptions): Promise<CaptureLoadResult> {
  const collector = createPacketCollector(opts);
  const inputs: InputInfo[] = [];
  for (const path of paths) inputs.push(await readCaptureInto(path, collector));
  const packets = collector.finish();
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
  reader.end();
  const stats = reader.stats();
  if (stats.truncatedRecords) collector.count('truncatedRecords', stats.truncatedRecords);
  const after = collector.counters();
  const counters: Record<string, number> = { truncatedRecords: stats.truncatedRecords, ...stats.linktypes };
  for (const k of ['snaplenCut', 'undecodable', 'ike', 'esp', 'espInUdp', 'ah', 'icmpErrors', 'natKeepalives', 'ipFragments', 'nonIpsec', 'nonIp']) {
    counters[k] = (after[k] ?? 0) - (before[k] ?? 0);
  }
  return { kind: 'pcap', path: display, dialect: opened.gzip ? `${kind}.gz` : kind, packets: stats.frames, counters };
}

/**
 * The unconsumed tail of each read (a record cut by the chunk boundary) moves to the
 * front; the next read appends to it. Reads are synchronous: an asynchronous read hops
 * through libuv's thread pool, which cost ~40% more CPU than the read itself on a page-
 * cached file (bench/pcap.mjs). The event loop still gets a turn after every chunk, so a
 * spinner or the terminal UI keeps drawing. Only regular files come here: a FIFO or a
 * device (`--pcap /dev/fd/3`) cannot be opened a second time for its first bytes.
 */
async function readPlainFile(path: string, reader: CaptureReader): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    let buf = new Uint8Array(READ_CHUNK);
    let keep = 0;
    for (;;) {
      // a record longer than half the buffer (up to MAX_RECORD / MAX_BLOCK): grow once
      if (keep * 2 > buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf.subarray(0, keep));
        buf = bigger;
      }
      const bytesRead = readSync(fd, buf, keep, buf.length - keep, null);
      if (bytesRead === 0) break;
      const filled = keep + bytesRead;
      reader.push(buf.subarray(0, filled), true);
      keep = Math.min(reader.pending, filled);
      if (keep) buf.copyWithin(0, filled - keep, filled);
      await yieldToEventLoop();
    }
    // what is left is a cut record: hand it over as it now lies so end() reports it
    if (keep) reader.push(buf.subarray(0, keep), true);
  } finally {
    closeSync(fd);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
