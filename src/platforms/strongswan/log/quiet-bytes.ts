/**
 * The cheap pre-scan of a charon line as raw bytes (issue 21 §2): most lines of a busy
 * log (config dumps over vici, queueing jobs, loaded plugins) carry charon's `NN[GRP]`
 * prefix and a first body word no rule knows. Such a line is charon's and yields no
 * event, whatever else it says; deciding that from the bytes spares decoding it into
 * a string, parsing its prefix and allocating anything. Only a line this scan proves
 * quiet is skipped; every other line (no thread token, a first word some rule knows unless
 * quiet-shapes.ts proves none of them reads the rest, ` is initiating ` after the first word,
 * a body too long, a tag that is not plain) is decoded as text exactly as before. test/platforms/strongswan/quiet-bytes.test.ts checks, on the
 * fixtures' real lines and on generated ones, that it never skips a line a rule reads.
 */
import { parseLine, PREFIX_WINDOW, trimmedBody, type ParsedLine } from './line-prefix.js';
import type { QuietShape } from './quiet-shapes.js';
import { isDigit, isUpper, sameBytes, startsWithAt } from './byte-text.js';

/** charon's debug groups (utils/debug.c) by their 3 bytes as one number, as line-prefix.ts's GROUPS */
const GROUP_NAMES: ReadonlyMap<number, string> = new Map(
  ['DMN', 'MGR', 'IKE', 'CHD', 'JOB', 'WCH', 'CFG', 'KNL', 'NET', 'ASN', 'ENC', 'TNC', 'IMC', 'IMV', 'PTS', 'TLS', 'APP', 'ESP', 'LIB'].map((g) => [(g.charCodeAt(0) << 16) | (g.charCodeAt(1) << 8) | g.charCodeAt(2), g]),
);

/**
 * GROUP_NAMES as a table indexed by the three letters' low five bits: one load per line instead
 * of a Map lookup (the scan asks it of every line; a tenth of its time went to the lookup).
 */
const GROUP_TABLE = new Uint8Array(1 << 15);
for (const code of GROUP_NAMES.keys()) GROUP_TABLE[(((code >> 16) & 31) << 10) | (((code >> 8) & 31) << 5) | (code & 31)] = 1;

/** `buf[at..at+3)` is one of charon's debug groups (three upper-case letters GROUP_NAMES knows). */
function isGroupAt(buf: Uint8Array, at: number): boolean {
  const a = buf[at];
  const b = buf[at + 1];
  const c = buf[at + 2];
  return isUpper(a) && isUpper(b) && isUpper(c) && GROUP_TABLE[((a & 31) << 10) | ((b & 31) << 5) | (c & 31)] === 1;
}

/** the decoder's own limit on bodies it reads (log.ts MAX_BODY_CHARS) */
const MAX_BODY_BYTES = 4096;
/** what the responding rule reads after the first word (rules-negotiation.ts RESPONDING_RE: `^(\S+) is initiating …`) */
const INITIATING = Buffer.from(' is initiating ', 'latin1');

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


/** What a quiet line teaches the lines after it: the IKE SA its tag names and its time. */
export interface QuietLine {
  conn?: string;
  sa?: string;
  time?: ParsedLine['time'];
  /** the body starts with a space: its first word is '' (the selector-list rule's, see log.ts) */
  indented: boolean;
  /** …with exactly one space before a word, and shaped like a selector-list item after it */
  maybeItem: boolean;
  /** a rule of its first word looks the SA's state up before rejecting it (quiet-shapes.ts 'quiet-state') */
  touchesState: boolean;
}

/** A rule word whose bodies quiet-shapes.ts can judge from their bytes. */
interface ShapedWord {
  bytes: Uint8Array;
  judge: QuietShape['judge'];
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
  private readonly out: QuietLine = { indented: false, maybeItem: false, touchesState: false };
  /** rule words by hash whose bodies a shape judges; a rule word without one is always decoded */
  private readonly shaped = new Map<number, ShapedWord>();
  /** the cached header's and tag's bytes are all ASCII: their byte offsets are string offsets */
  private headerAscii = false;
  private tagAscii = false;
  /**
   * Set by the last scan() that read a line's whole prefix: where its body starts (a string
   * offset, the prefix being ASCII) and the line's length, for prefixOf(). -1: not known.
   */
  private bodyStart = -1;
  private lineBytes = -1;
  private groupCode = 0;
  private prefixTime: ParsedLine['time'];
  private prefixConn?: string;
  private prefixSa?: string;
  private readonly prefix: ParsedLine = { certainty: 'charon', shape: 'thread', body: '', group: undefined, time: undefined, conn: undefined, sa: undefined };

  /** ruleWords' hashes as bits: most first words are no rule's, and a bit says so without the Set lookup */
  private readonly ruleWordBits = new Int32Array(4096);

  constructor(
    private readonly ruleWords: ReadonlySet<number>,
    shapes: readonly QuietShape[] = [],
  ) {
    for (const h of ruleWords) this.ruleWordBits[(h >>> 5) & 4095] |= 1 << (h & 31);
    for (const s of shapes) {
      const bytes = Buffer.from(s.word, 'utf8');
      this.shaped.set(hashBytes(bytes, 0, bytes.length), { bytes, judge: s.judge });
    }
  }

  /**
   * The line [start, end) of buf (no newline) when it is certainly charon's and no rule
   * but possibly the '' (listing) rule can read it; undefined when it must be decoded.
   * The returned object is reused by the next call.
   */
  scan(buf: Buffer, start: number, end: number): QuietLine | undefined {
    this.bodyStart = -1;
    if (end > start && buf[end - 1] === 13) end--; // the reader drops one \r
    if (end <= start || buf[start] === 123 /* { a JSON line */) return undefined;
    // most lines repeat the header of the line before: then the first thread token can only be
    // right after it (the header's bytes decided the search on that line), and the search is skipped
    let open = this.headerLen >= 0 ? tokenAt(buf, start, start + this.headerLen, end) : -1;
    let headerHit = open >= 0 && sameBytes(buf, start, start + this.headerLen, this.header, this.headerLen);
    if (!headerHit) {
      open = threadToken(buf, start, end);
      if (open < 0) return undefined;
    }
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
    if (!headerHit) headerHit = sameBytes(buf, start, tokStart, this.header, this.headerLen);
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
    if (this.headerAscii && (tagEnd < 0 || this.tagAscii)) {
      this.bodyStart = pos - start;
      this.lineBytes = end - start;
      this.groupCode = (buf[open + 1] << 16) | (buf[open + 2] << 8) | buf[open + 3];
      this.prefixTime = out.time;
      this.prefixConn = out.conn;
      this.prefixSa = out.sa;
    }
    let bodyEnd = end;
    while (bodyEnd > pos && (buf[bodyEnd - 1] === 13 || buf[bodyEnd - 1] === 32)) bodyEnd--;
    out.indented = out.maybeItem = out.touchesState = false;
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
    out.maybeItem = out.indented && pos + 1 < bodyEnd && buf[pos + 1] !== 32 && itemShaped(buf, pos + 1, bodyEnd);
    if (!out.indented) {
      const h = hashBytes(buf, pos, word);
      if ((this.ruleWordBits[(h >>> 5) & 4095] & (1 << (h & 31))) !== 0 && this.ruleWords.has(h)) {
        // a rule word: quiet only when its shape proves no rule of the word reads the rest
        const shape = this.shaped.get(h);
        if (!shape || !sameBytes(buf, pos, word, shape.bytes)) return undefined;
        const verdict = shape.judge(buf, Math.min(word + 1, bodyEnd), bodyEnd);
        if (verdict === 'decode') return undefined;
        out.touchesState = verdict === 'quiet-state';
      }
    }
    // "%H is initiating …": the first word is the peer's address, which no rule keys on. The rule is
    // anchored right after that word; anywhere else in a line, these words give no event
    if (buf[word + 1] === 105 /* i */ && startsWithAt(buf, word, end, INITIATING)) return undefined;
    return out;
  }

  /** A header or tag not seen on the line before: the prefix alone, read by parseLine. */
  private learnPrefix(buf: Buffer, start: number, tokStart: number, pos: number, tagEnd: number): void {
    const p = parseLine(buf.toString('utf8', start, tagEnd >= 0 ? tagEnd : pos));
    this.headerLen = copyInto(buf, start, tokStart, this.header);
    this.headerAscii = isAscii(buf, start, pos);
    this.headerTime = p.time;
    if (tagEnd >= 0) {
      this.tagAscii = isAscii(buf, pos, tagEnd);
      this.tagLen = copyInto(buf, pos, tagEnd, this.tag);
      this.tagConn = p.conn;
      this.tagSa = p.sa;
    }
  }

  /**
   * What parseLine(line) returns for the line the last scan() read and left to be decoded,
   * from what the scan already found: its prefix fields and the body after them. Undefined
   * when the scan did not read the whole prefix, or `line` is not that line as ASCII prefix
   * plus body of the same length (a body with multi-byte characters is parsed as before).
   * The object is reused by the next call (one per decoded line was most of what decoding allocated
   * besides the events); a field parseLine would leave out is here undefined.
   */
  prefixOf(line: string): ParsedLine | undefined {
    if (this.bodyStart < 0 || line.length !== this.lineBytes) return undefined;
    const out = this.prefix;
    out.body = trimmedBody(line, this.bodyStart);
    out.group = GROUP_NAMES.get(this.groupCode);
    out.time = this.prefixTime;
    out.conn = this.prefixConn;
    out.sa = this.prefixSa;
    return out;
  }
}

/**
 * The text after an indented line's one space could be what rules-child.ts TS_LIST_ITEM_RE reads:
 * `config: …`, or one word alone or followed by ` (derived from …`. A config dump's " conn lab:"
 * or " version = 2" is not (a word and more text after it), and needs no look at the listing state.
 */
function itemShaped(buf: Uint8Array, from: number, end: number): boolean {
  let to = from;
  while (to < end && buf[to] !== 32) to++;
  if (to === end || sameBytes(buf, from, to, CONFIG)) return true;
  return startsWithAt(buf, to, end, DERIVED);
}

const CONFIG = Buffer.from('config:', 'latin1');
const DERIVED = Buffer.from(' (derived from ', 'latin1');

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
    if ((before === 32 || before === 9) && isGroupAt(buf, i + 1) && groupEndAt(buf, i, end) > 0) return i;
  }
  return -1;
}

/**
 * threadToken's test at one place: the `[` of a token whose 2 or 3 digits start at `at` (a word
 * start), `[GRP]`/`[GRPn]` then a space or the end, within PREFIX_WINDOW; else -1.
 */
function tokenAt(buf: Uint8Array, start: number, at: number, end: number): number {
  if (at + 1 >= end || !isDigit(buf[at]) || !isDigit(buf[at + 1])) return -1;
  const before = at === start ? 32 : buf[at - 1];
  if (before !== 32 && before !== 9) return -1;
  const open = isDigit(buf[at + 2]) ? at + 3 : at + 2;
  if (open >= start + PREFIX_WINDOW || open + 3 >= end || buf[open] !== 91 /* [ */) return -1;
  if (!isGroupAt(buf, open + 1)) return -1;
  return groupEndAt(buf, open, end) > 0 ? open : -1;
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

function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] > 127) return false;
  return true;
}

function copyInto(buf: Uint8Array, start: number, end: number, into: Uint8Array): number {
  // both regions are bounded (header < PREFIX_WINDOW, tag ≤ 302 bytes), the arrays hold them
  into.set(buf.subarray(start, end));
  return end - start;
}
