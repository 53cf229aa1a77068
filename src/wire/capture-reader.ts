/**
 * Common shape of the streaming capture-file readers (pcap.ts, pcapng.ts): bytes
 * are pushed chunk by chunk, frames come out through the sink. Only a partial
 * record is ever buffered, never the file.
 */
import type { CapturedFrame } from '../evidence/packet-types.js';

export interface CaptureSink {
  /** the frame object is reused: copy what you keep */
  frame(f: CapturedFrame): void;
  diagnostic(message: string, frame?: number): void;
}

export interface CaptureReaderStats {
  frames: number;
  /** records cut before their announced length (file truncated) */
  truncatedRecords: number;
  /** 'linktype:N' → frames */
  linktypes: Record<string, number>;
}

export interface CaptureReader {
  readonly format: 'pcap' | 'pcapng';
  /**
   * `refill`: the chunk starts with the `pending` bytes the reader had not consumed
   * (a file source that moves them to the front of its one reused read buffer), so
   * nothing is copied or allocated per chunk.
   */
  push(chunk: Uint8Array, refill?: boolean): void;
  /** bytes of the last chunk not consumed yet (a record that continues in the next chunk) */
  readonly pending: number;
  end(): void;
  stats(): CaptureReaderStats;
}

/** A record bigger than this is corruption, not a packet (libpcap's MAXIMUM_SNAPLEN is 262144). */
export const MAX_RECORD = 262144 + 4096;

/** Accumulates a partial record across chunks. */
export class ByteQueue {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;

  append(chunk: Uint8Array): void {
    // frames are views of this buffer: plain Uint8Arrays (not Buffer subclasses) keep
    // the decoders' element accesses monomorphic and make subarray() the cheap builtin
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      const rest = this.buf.subarray(this.pos);
      const merged = new Uint8Array(rest.length + chunk.length);
      merged.set(rest, 0);
      merged.set(chunk, rest.length);
      this.buf = merged;
    }
    this.pos = 0;
  }

  /** The chunk begins with the `available` bytes not consumed yet (see CaptureReader.push). */
  refill(chunk: Uint8Array): void {
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buf = chunk;
    this.pos = 0;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  get bytes(): Uint8Array {
    return this.buf;
  }

  get offset(): number {
    return this.pos;
  }

  skip(n: number): void {
    this.pos += n;
  }

  view(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
}
