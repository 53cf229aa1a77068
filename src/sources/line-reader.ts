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
 * Splits a byte stream into lines without ever holding more than one (capped)
 * line plus one chunk. Handles \n and \r\n; a final line without newline counts.
 */
export async function* readLines(stream: Readable, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let carry: Buffer | null = null;
  let carryOverflow = false;
  let no = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      let piece = chunk.subarray(start, nl);
      let truncated = carryOverflow;
      if (carry) {
        const room = maxLineBytes - carry.length;
        if (piece.length > room) {
          piece = piece.subarray(0, Math.max(0, room));
          truncated = true;
        }
        piece = Buffer.concat([carry, piece]);
        carry = null;
      } else if (!carryOverflow && piece.length > maxLineBytes) {
        piece = piece.subarray(0, maxLineBytes);
        truncated = true;
      } else if (carryOverflow) {
        piece = Buffer.alloc(0);
      }
      carryOverflow = false;
      yield { text: decode(piece), no: ++no, truncated };
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (carryOverflow) continue;
      const have = carry ? carry.length : 0;
      if (have + rest.length > maxLineBytes) {
        const keep = rest.subarray(0, maxLineBytes - have);
        carry = carry ? Buffer.concat([carry, keep]) : Buffer.from(keep);
        // we keep the first maxLineBytes of the line and drop the rest until the newline
        carryOverflow = true;
      } else {
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      }
    }
  }
  if (carry && carry.length) yield { text: decode(carry), no: ++no, truncated: carryOverflow };
}

function decode(buf: Buffer): string {
  let end = buf.length;
  if (end && buf[end - 1] === 0x0d) end--;
  return buf.toString('utf8', 0, end);
}
