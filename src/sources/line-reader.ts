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
 * The lines of one chunk. Their boundaries are found when the chunk arrives; each
 * line's text is decoded only as the iteration reaches it, so a line lives as long as
 * its consumer holds it. (An array of a 1 MiB chunk's ~17,000 decoded lines outlived
 * the young generation's collections and was promoted: RSS followed the chunk size.)
 * Each line is decoded on its own with `toString(enc, start, end)`, so a kept line
 * never pins the whole chunk in memory (V8 sliced strings would).
 */
export class LineBatch implements Iterable<Line> {
  constructor(
    readonly chunk: Buffer,
    /** a line that began in an earlier chunk, already decoded */
    readonly first: Line | undefined,
    /** per further line: start and end offsets in the chunk, the end past the cap when cut */
    readonly bounds: Int32Array,
    /** how many lines `bounds` holds */
    readonly count: number,
    /** the number of the line bounds[0..1] delimits */
    readonly firstNo: number,
    readonly maxLineBytes: number,
  ) {}

  /** The i-th line of `bounds`, decoded (for readers that look at the bytes first). */
  lineAt(i: number): Line {
    const start = this.bounds[2 * i];
    const end = this.bounds[2 * i + 1];
    const no = this.firstNo + i;
    if (end - start > this.maxLineBytes) return { text: decode(this.chunk, start, start + this.maxLineBytes), no, truncated: true };
    return { text: decode(this.chunk, start, end), no, truncated: false };
  }

  get length(): number {
    return (this.first ? 1 : 0) + this.count;
  }

  *[Symbol.iterator](): Iterator<Line> {
    if (this.first) yield this.first;
    const { chunk, bounds, maxLineBytes } = this;
    let no = this.firstNo;
    for (let i = 0; i < this.count; i++) {
      const start = bounds[2 * i];
      const end = bounds[2 * i + 1];
      if (end - start > maxLineBytes) yield { text: decode(chunk, start, start + maxLineBytes), no: no++, truncated: true };
      else yield { text: decode(chunk, start, end), no: no++, truncated: false };
    }
  }
}

/**
 * Splits a byte stream into lines, one batch per chunk (an await per chunk, not per
 * line: the per-line promise cost dominated on large logs). Never holds more than
 * one capped line plus one chunk. Handles \n and \r\n; a last line without newline
 * counts. A batch is meant to be iterated before the next one is asked for.
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineBatch> {
  // the start of a line that began in an earlier chunk (at most maxLineBytes of it)
  let carry: Buffer | null = null;
  // the line in progress already exceeded maxLineBytes: drop bytes until its newline
  let overflow = false;
  let no = 0;
  let bounds = new Int32Array(4096);
  for await (const chunk of stream) {
    let first: Line | undefined;
    let count = 0;
    let start = 0;
    let firstNo = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      if (carry || overflow) {
        const room = maxLineBytes - (carry ? carry.length : 0);
        const take = Math.min(room, nl - start);
        const piece: Buffer = carry ? Buffer.concat([carry, chunk.subarray(start, start + take)]) : chunk.subarray(start, start + take);
        first = { text: decode(piece, 0, piece.length), no: ++no, truncated: overflow || nl - start > room };
        carry = null;
        overflow = false;
      } else {
        if (count === 0) firstNo = no + 1;
        if (2 * count + 2 > bounds.length) {
          const grown = new Int32Array(bounds.length * 2);
          grown.set(bounds);
          bounds = grown;
        }
        bounds[2 * count] = start;
        bounds[2 * count + 1] = nl;
        count++;
        no++;
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
    // the bounds array is reused for the next chunk: each batch gets its own copy of its part
    if (first || count) yield new LineBatch(chunk, first, bounds.slice(0, 2 * count), count, firstNo, maxLineBytes);
  }
  if ((carry && carry.length) || overflow) {
    const piece = carry ?? Buffer.alloc(0);
    const last: Line = { text: decode(piece, 0, piece.length), no: ++no, truncated: overflow };
    yield new LineBatch(piece, last, new Int32Array(0), 0, no + 1, maxLineBytes);
  }
}

/** One line at a time, for callers that do not care about the per-line await. */
export async function* readLines(stream: AsyncIterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(stream, maxLineBytes)) yield* batch;
}

function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === 0x0d) end--;
  return buf.toString('utf8', start, end);
}
