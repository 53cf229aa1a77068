/**
 * Capture files (pcap, pcapng, gzipped or not, '-' for stdin) streamed chunk by
 * chunk into one PacketCollector: the file is never held in memory.
 */
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { PacketCollector, PacketEvidence } from '../evidence/packet-types.js';
import { createPacketCollector } from '../evidence/packet-collector.js';
import { createPcapReader } from '../decoders/pcap.js';
import { createPcapngReader } from '../decoders/pcapng.js';
import type { CaptureReader } from '../decoders/capture-reader.js';
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { openInput } from './open-input.js';
import { sniffKind } from './sniff.js';

export interface CaptureLoadResult {
  inputs: InputInfo[];
  packets: PacketEvidence;
  diagnostics: Diagnostic[];
}

const READ_CHUNK = 1 << 20;

export async function loadCaptures(paths: string[], opts: { local: string[]; peer: string[] }): Promise<CaptureLoadResult> {
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
  // Plain files are re-read with 1 MiB chunks: with open-input's 64 KiB chunks the read
  // calls cost about as much CPU as decoding (bench/pcap.mjs); gzip and stdin keep the opened stream.
  let stream: AsyncIterable<unknown> = opened.stream;
  if (path !== '-' && !opened.gzip) {
    opened.stream.destroy();
    stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  }
  try {
    for await (const chunk of stream) reader.push(chunk as Buffer);
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
