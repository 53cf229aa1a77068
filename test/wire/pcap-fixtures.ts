/**
 * Helpers for decoder tests: real captures from test/fixtures/pcaps (see its
 * PROVENANCE.md) read through the real readers into a real collector.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/evidence/types.js';
import { type CapturedFrame, type PacketEvidence, frameBytes } from '../../src/evidence/packet-types.js';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { createPcapReader } from '../../src/wire/pcap.js';
import { createPcapngReader } from '../../src/wire/pcapng.js';
import type { CaptureReader, CaptureSink } from '../../src/wire/capture-reader.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export function readerFor(bytes: Uint8Array, source: string, sink: CaptureSink): CaptureReader {
  const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) : 0;
  return magic === 0x0a0d0d0a ? createPcapngReader(source, sink) : createPcapReader(source, sink);
}

/** Every frame of a capture, copied (the reader reuses its frame object). */
export function framesOf(name: string, bytes = fixtureBytes(name)): { frames: CapturedFrame[]; diagnostics: string[] } {
  const frames: CapturedFrame[] = [];
  const diagnostics: string[] = [];
  const r = readerFor(bytes, name, {
    frame: (f) => frames.push({ ...f, data: frameBytes(f), offset: 0 }),
    diagnostic: (m) => diagnostics.push(m),
  });
  r.push(bytes);
  r.end();
  return { frames, diagnostics };
}

/** A capture decoded the way loadCaptures does it, optionally pushed in chunks of `chunk` bytes. */
export function decodeFixture(name: string, opts: { chunk?: number; bytes?: Uint8Array } = {}): { packets: PacketEvidence; diagnostics: Diagnostic[] } {
  const bytes = opts.bytes ?? fixtureBytes(name);
  const collector = createPacketCollector({ local: [], peer: [] });
  const r = readerFor(bytes, name, {
    frame: collector.addFrame,
    diagnostic: (message, frame) => collector.addDiagnostic({ at: { source: name, frame }, decoder: 'reader', message }),
  });
  const step = opts.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) r.push(bytes.subarray(i, i + step));
  r.end();
  // as readCaptureInto(): the reader's count of cut records goes into the evidence
  const { truncatedRecords } = r.stats();
  if (truncatedRecords) collector.count('truncatedRecords', truncatedRecords);
  return { packets: collector.finish(), diagnostics: collector.diagnostics() };
}
