/**
 * ASCII tests and comparisons on raw bytes, for the code that judges charon lines before they
 * are decoded into strings (quiet-bytes.ts, quiet-shapes.ts). `end` is always exclusive, and
 * nothing is read at or past it.
 */

export const isDigit = (c: number) => c >= 48 && c <= 57;
export const isUpper = (c: number) => c >= 65 && c <= 90;

/** buf[start, end) holds exactly the first `keptLen` bytes of `kept` (a reused array may be longer than its content). */
export function sameBytes(buf: Uint8Array, start: number, end: number, kept: Uint8Array, keptLen = kept.length): boolean {
  if (end - start !== keptLen) return false;
  for (let i = 0; i < keptLen; i++) if (buf[start + i] !== kept[i]) return false;
  return true;
}

/** `bytes` starts at `at` and ends by `end`. */
export function startsWithAt(buf: Uint8Array, at: number, end: number, bytes: Uint8Array): boolean {
  return at + bytes.length <= end && sameBytes(buf, at, at + bytes.length, bytes);
}

/** `bytes` ends at `end` and starts at or after `from`. */
export function endsWithAt(buf: Uint8Array, from: number, end: number, bytes: Uint8Array): boolean {
  return end - from >= bytes.length && sameBytes(buf, end - bytes.length, end, bytes);
}

/** Where `needle` first lies within buf[from, end), or -1. */
export function indexOfBytes(buf: Uint8Array, from: number, end: number, needle: Uint8Array): number {
  outer: for (let i = from; i + needle.length <= end; i++) {
    for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
