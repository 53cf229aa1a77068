/**
 * The cheap pre-scan of a charon line as raw bytes (issue 21 §2): most lines of a busy
 * log (config dumps over vici, queueing jobs, loaded plugins) carry charon's `NN[GRP]`
 * prefix and a first body word no rule knows. Such a line is charon's and yields no
 * event, whatever else it says; deciding that from the bytes spares decoding it into
 * a string, parsing its prefix and allocating anything. Only a line this scan proves
 * quiet is skipped; every other line (no thread token, a first word some rule knows,
 * ` is initiating ` anywhere, a body too long, a tag that is not plain) is decoded as
 * text exactly as before. test/platforms/strongswan/quiet-bytes.test.ts checks, on the
 * fixtures' real lines and on generated ones, that it never skips a line a rule reads.
 */
import { parseLine, PREFIX_WINDOW, type ParsedLine } from './line-prefix.js';

/** charon's debug groups (utils/debug.c) as 3-byte codes, as line-prefix.ts's GROUPS */
const GROUP_CODES: ReadonlySet<number> = new Set(
  ['DMN', 'MGR', 'IKE', 'CHD', 'JOB', 'WCH', 'CFG', 'KNL', 'NET', 'ASN', 'ENC', 'TNC', 'IMC', 'IMV', 'PTS', 'TLS', 'APP', 'ESP', 'LIB'].map((g) => (g.charCodeAt(0) << 16) | (g.charCodeAt(1) << 8) | g.charCodeAt(2)),
);

/** the decoder's own limit on bodies it reads (log.ts MAX_BODY_CHARS) */
const MAX_BODY_BYTES = 4096;
const INITIATING = ' is initiating ';

/** FNV-1a of bytes: the first words that have rules, as numbers (a collision only costs a decode). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

export function wordHashes(words: Iterable<string>): Set<number> {
  const out = new Set<number>();
  for (const w of words) {
    const b = Buffer.from(w, 'utf8');
    out.add(hashBytes(b, 0, b.length));
  }
  return out;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;

/** What a quiet line teaches the lines after it: the IKE SA its tag names and its time. */
export interface QuietLine {
  conn?: string;
  sa?: string;
  time?: ParsedLine['time'];
  /** the body starts with a space: its first word is '' (the selector-list rule's, see log.ts) */
  indented: boolean;
  /** …with exactly one space before a word: possibly a selector-list item */
  maybeItem: boolean;
}

/**
 * Byte scanner with two small caches: the header (timestamp, syslog host and tag) and the
 * `<conn|N> ` tag of the last line, compared as bytes, so a line whose header and tag
 * repeat the line before allocates nothing. A miss decodes the prefix alone and reads it
 * with parseLine, so both paths agree on every field by construction.
 */
export class QuietScanner {
  private header = new Uint8Array(PREFIX_WINDOW);
  private headerLen = -1;
  private headerTime: ParsedLine['time'];
  private tag = new Uint8Array(320);
  private tagLen = -1;
  private tagConn?: string;
  private tagSa?: string;
  /** ` is initiating ` offsets in the buffer last scanned (lines come in order within it) */
  private scanned?: Uint8Array;
  private initiating: number[] = [];
  private nextInitiating = 0;
  private readonly out: QuietLine = { indented: false, maybeItem: false };

  constructor(private readonly ruleWords: ReadonlySet<number>) {}

  /**
   * The line [start, end) of buf (no newline) when it is certainly charon's and no rule
   * but possibly the '' (listing) rule can read it; undefined when it must be decoded.
   * The returned object is reused by the next call.
   */
  scan(buf: Buffer, start: number, end: number): QuietLine | undefined {
    if (end > start && buf[end - 1] === 13) end--; // the reader drops one \r
    if (end <= start || buf[start] === 123 /* { a JSON line */) return undefined;
    const open = threadToken(buf, start, end);
    if (open < 0) return undefined;
    const gEnd = groupEndAt(buf, open, end);
    const tokStart = open - 3 >= start && isDigit(buf[open - 3]) ? open - 3 : open - 2;
    let pos = gEnd + 1;
    // the tag, when the line has one that parseLine would read: `<…> ` within 300 bytes
    let tagEnd = -1;
    if (pos < end && buf[pos] === 60 /* < */) {
      let close = pos + 1;
      while (close < end && buf[close] !== 62 /* > */) close++;
      if (close < end && close - pos > 300) return undefined; // parseLine counts chars: let it decide
      if (close + 1 < end && buf[close + 1] === 32) tagEnd = close + 2;
    }
    const headerHit = sameBytes(buf, start, tokStart, this.header, this.headerLen);
    const tagHit = tagEnd < 0 || sameBytes(buf, pos, tagEnd, this.tag, this.tagLen);
    if (!headerHit || !tagHit) this.learnPrefix(buf, start, tokStart, pos, tagEnd);
    const out = this.out;
    out.time = this.headerTime;
    out.conn = undefined;
    out.sa = undefined;
    if (tagEnd >= 0 && (this.tagConn !== undefined || this.tagSa !== undefined)) {
      out.conn = this.tagConn;
      out.sa = this.tagSa;
      pos = tagEnd;
    }
    let bodyEnd = end;
    while (bodyEnd > pos && (buf[bodyEnd - 1] === 13 || buf[bodyEnd - 1] === 32)) bodyEnd--;
    out.indented = out.maybeItem = false;
    // an empty body: charon's, nothing to read and nothing learnt (log.ts returns before the prefix facts)
    if (bodyEnd <= pos) {
      out.time = out.conn = out.sa = undefined;
      return out;
    }
    if (bodyEnd - pos > MAX_BODY_BYTES) return undefined;
    let word = pos;
    while (word < bodyEnd && buf[word] !== 32) word++;
    // an indented body is a selector-list item only with exactly one space before it (rules-child.ts
    // TS_LIST_ITEM_RE); a config dump's deeper lines ("  child net:", "   rekey_time = …") are not
    out.indented = word === pos;
    out.maybeItem = out.indented && pos + 1 < bodyEnd && buf[pos + 1] !== 32;
    if (!out.indented && this.ruleWords.has(hashBytes(buf, pos, word))) return undefined;
    if (this.initiatingIn(buf, pos, end)) return undefined;
    return out;
  }

  /** A header or tag not seen on the line before: the prefix alone, read by parseLine. */
  private learnPrefix(buf: Buffer, start: number, tokStart: number, pos: number, tagEnd: number): void {
    const p = parseLine(buf.toString('utf8', start, tagEnd >= 0 ? tagEnd : pos));
    this.headerLen = copyInto(buf, start, tokStart, this.header);
    this.headerTime = p.time;
    if (tagEnd >= 0) {
      this.tagLen = copyInto(buf, pos, tagEnd, this.tag);
      this.tagConn = p.conn;
      this.tagSa = p.sa;
    }
  }

  private initiatingIn(buf: Buffer, from: number, to: number): boolean {
    if (buf !== this.scanned) {
      this.scanned = buf;
      this.initiating.length = 0;
      this.nextInitiating = 0;
      for (let at = buf.indexOf(INITIATING); at !== -1; at = buf.indexOf(INITIATING, at + 1)) this.initiating.push(at);
    }
    const list = this.initiating;
    while (this.nextInitiating < list.length && list[this.nextInitiating] < from) this.nextInitiating++;
    return this.nextInitiating < list.length && list[this.nextInitiating] < to;
  }
}

/** As line-prefix.ts findThreadToken, on bytes: the `[` of the first `NN[GRP]` token at a word start, or -1. */
function threadToken(buf: Uint8Array, start: number, end: number): number {
  // a token past PREFIX_WINDOW bytes may still be within PREFIX_WINDOW characters: not ours to decide
  const limit = Math.min(end, start + PREFIX_WINDOW);
  for (let i = start + 2; i < limit; i++) {
    if (buf[i] !== 91 /* [ */) continue;
    if (i + 3 >= end || !isDigit(buf[i - 1]) || !isDigit(buf[i - 2]) || !isUpper(buf[i + 1]) || !isUpper(buf[i + 2]) || !isUpper(buf[i + 3])) continue;
    let s = i - 2;
    if (s > start && isDigit(buf[s - 1])) s--;
    const before = s === start ? 32 : buf[s - 1];
    if ((before === 32 || before === 9) && GROUP_CODES.has((buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3]) && groupEndAt(buf, i, end) > 0) return i;
  }
  return -1;
}

/** As line-prefix.ts groupEnd: just past `[GRP]`/`[GRP1]`, followed by a space or the end; else -1. */
function groupEndAt(buf: Uint8Array, open: number, end: number): number {
  let j = open + 4;
  if (j < end && isDigit(buf[j])) j++;
  if (j >= end || buf[j] !== 93 /* ] */) return -1;
  j++;
  if (j < end && buf[j] !== 32) return -1;
  return j;
}

function sameBytes(buf: Uint8Array, start: number, end: number, kept: Uint8Array, keptLen: number): boolean {
  if (end - start !== keptLen) return false;
  for (let i = 0; i < keptLen; i++) if (buf[start + i] !== kept[i]) return false;
  return true;
}

function copyInto(buf: Uint8Array, start: number, end: number, into: Uint8Array): number {
  // both regions are bounded (header < PREFIX_WINDOW, tag ≤ 302 bytes), the arrays hold them
  into.set(buf.subarray(start, end));
  return end - start;
}
