/** Small helpers shared by the aggregators: frame references and byte comparisons. */
import type { FrameRef } from '../../evidence/packet-types.js';

/** The frame being decoded (the collector's current CapturedFrame satisfies it). */
export interface FrameCursor {
  source: string;
  frame: number;
  ts: number;
}

export function frameRefOf(c: FrameCursor): FrameRef {
  return { source: c.source, frame: c.frame, ts: c.ts };
}

/** Aggregates own their `last` object: updated in place, no allocation per packet. */
export function touchFrameRef(ref: FrameRef, c: FrameCursor): void {
  ref.source = c.source;
  ref.frame = c.frame;
  ref.ts = c.ts;
}

export function sameBytes(a: Uint8Array, d: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== d[off + i]) return false;
  return true;
}

/** Big-endian 32 bits as a signed integer: a small integer to V8 (an unsigned one above 2^31 is a heap number), for keys and equality. */
export function readI32(d: Uint8Array, o: number): number {
  return (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
}

export function readU32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) >>> 0) + ((d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]);
}
