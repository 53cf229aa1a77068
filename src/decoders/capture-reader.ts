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
  push(chunk: Uint8Array): void;
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
