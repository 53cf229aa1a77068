import type { Readable } from 'node:stream';

/** Lines longer than this are cut: memory stays flat even for a 10 MB line. */
export const MAX_LINE_BYTES = 16 * 1024;

export interface Line {
  text: string;
  /** 1-based */
  no: number;
  /** true when the line was longer than MAX_LINE_BYTES and was cut */
  truncated: boolean;
}

/**
 * Splits a byte stream into lines, one batch per chunk (an await per chunk, not per
 * line: the per-line promise cost dominated on large logs). Never holds more than
 * one capped line plus one chunk. Each line is decoded on its own with
 * `toString(enc, start, end)`, so a kept line never pins the whole chunk in memory
 * (V8 sliced strings would). Handles \n and \r\n; a last line without newline counts.
 */
export async function* readLineBatches(stream: Readable, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line[]> {
  // the start of a line that began in an earlier chunk (at most maxLineBytes of it)
  let carry: Buffer | null = null;
  // the line in progress already exceeded maxLineBytes: drop bytes until its newline
  let overflow = false;
  let no = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const batch: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      if (carry || overflow) {
        const room = maxLineBytes - (carry ? carry.length : 0);
        const take = Math.min(room, nl - start);
        const piece: Buffer = carry ? Buffer.concat([carry, chunk.subarray(start, start + take)]) : chunk.subarray(start, start + take);
        batch.push({ text: decode(piece, 0, piece.length), no: ++no, truncated: overflow || nl - start > room });
        carry = null;
        overflow = false;
      } else if (nl - start > maxLineBytes) {
        batch.push({ text: decode(chunk, start, start + maxLineBytes), no: ++no, truncated: true });
      } else {
        batch.push({ text: decode(chunk, start, nl), no: ++no, truncated: false });
      }
      start = nl + 1;
    }
    if (start < chunk.length && !overflow) {
      const have = carry ? carry.length : 0;
      const rest = chunk.subarray(start);
      if (have + rest.length > maxLineBytes) {
        const keep = rest.subarray(0, maxLineBytes - have);
        carry = carry ? Buffer.concat([carry, keep]) : Buffer.from(keep);
        overflow = true;
      } else {
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      }
    }
    if (batch.length) yield batch;
  }
  if ((carry && carry.length) || overflow) {
    const piece = carry ?? Buffer.alloc(0);
    yield [{ text: decode(piece, 0, piece.length), no: ++no, truncated: overflow }];
  }
}

/** One line at a time, for callers that do not care about the per-line await. */
export async function* readLines(stream: Readable, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(stream, maxLineBytes)) yield* batch;
}

function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === 0x0d) end--;
  return buf.toString('utf8', start, end);
}
