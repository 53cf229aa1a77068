/**
 * Splits one line of charon output into its prefix fields and the message body.
 *
 * charon's loggers all print `%.2d[%s]%s %s` = `thread[GROUP] <conn|uniqueid> body`
 * (sys_logger.c, file_logger.c), `GROUP` followed by the level with `log_level = yes`
 * (`[IKE1]`), ` <conn|N>` / ` <N>` only with `ike_name = yes`. What comes before
 * depends on the channel: syslog adds "Mon dd hh:mm:ss host charon[pid]: ", the file
 * logger its strftime `time_format`, `swanctl --log` nothing, `swanctl --initiate`
 * prints `[GROUP] body` (swanctl/commands/initiate.c), charon-systemd's journal
 * logger sends the bare body with the SA in separate journal fields, and the stroke
 * `ipsec up`/`strongswan up` client echoes bare bodies. Since 5.9.x the file
 * logger can also write JSON objects (file_logger.c `json = yes`).
 */
import { parseLeadingTime, type ParsedTime } from './timestamp.js';

/** Debug group names, src/libstrongswan/utils/debug.c. */
const GROUPS: ReadonlySet<string> = new Set([
  'DMN', 'MGR', 'IKE', 'CHD', 'JOB', 'WCH', 'CFG', 'KNL', 'NET', 'ASN', 'ENC', 'TNC', 'IMC', 'IMV', 'PTS', 'TLS', 'APP', 'ESP', 'LIB',
]);

/**
 * How sure we are that the line is charon's:
 * - `charon`: charon's own prefix or process tag — the line is charon's whatever the body says;
 * - `maybe`: a body with no prefix (stroke output) or with the ambiguous `ipsec[pid]:` tag —
 *   charon's only if the body is one charon prints.
 */
export type PrefixCertainty = 'charon' | 'maybe';

/** Which prefix the line had: charon's thread token, swanctl's `[GRP]`, a process tag, JSON, or none. */
export type PrefixShape = 'thread' | 'group' | 'process' | 'json' | 'none';

export interface ParsedLine {
  certainty: PrefixCertainty;
  shape: PrefixShape;
  body: string;
  time?: ParsedTime;
  conn?: string;
  sa?: string;
  group?: string;
  /** set when the line looked like charon's JSON log but could not be read */
  malformed?: string;
}

/** Only the first part of a line can hold the prefix; long lines cost nothing more. */
export const PREFIX_WINDOW = 200;

// charon-systemd / syslog process tags. `ipsec` is what syslog shows when `ipsec start`
// runs charon under the starter, but libreswan's `ipsec` script logs with it too.
const PROCESS_RE = /^(?:(.{0,160}?) )?(charon-systemd|charon-custom|charon-cmd|charon-nm|charon|ipsec|strongswan)(?:\[\d{1,10}\])?: ?/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Index of the `[` of a `NN[GRP]` / `NN[GRP1]` token that starts at a word boundary, or -1. */
function findThreadToken(line: string): number {
  let i = line.indexOf('[');
  while (i !== -1 && i < PREFIX_WINDOW) {
    if (
      i >= 2 &&
      isDigit(line.charCodeAt(i - 1)) &&
      isDigit(line.charCodeAt(i - 2)) &&
      isUpper(line.charCodeAt(i + 1)) &&
      isUpper(line.charCodeAt(i + 2)) &&
      isUpper(line.charCodeAt(i + 3))
    ) {
      let start = i - 2;
      if (start > 0 && isDigit(line.charCodeAt(start - 1))) start--; // more than 99 threads
      const before = start === 0 ? 32 : line.charCodeAt(start - 1);
      if ((before === 32 || before === 9) && GROUPS.has(line.slice(i + 1, i + 4)) && groupEnd(line, i) > 0) return i;
    }
    i = line.indexOf('[', i + 1);
  }
  return -1;
}

/** Index just past `[GRP]`/`[GRP1]` at `open`, when followed by a space or the end; else -1. */
function groupEnd(line: string, open: number): number {
  let j = open + 4;
  if (isDigit(line.charCodeAt(j))) j++;
  if (line.charCodeAt(j) !== 93 /* ] */) return -1;
  j++;
  if (j < line.length && line.charCodeAt(j) !== 32) return -1;
  return j;
}

// Consecutive lines mostly share their SA tag and their timestamp: remembering the last
// one of each spares a slice and a regex per line (the benchmark races `grep -c`).
let lastTag = '';
let lastTagConn: string | undefined;
let lastTagSa: string | undefined;
let lastHeader = '';
let lastHeaderTime: ParsedTime | undefined;

/** Reads ` <conn|N>` / ` <N>` at `pos` (pointing at `<`) into `out`; returns the body start. */
function readSaTag(line: string, pos: number, out: ParsedLine): number {
  if (lastTag.length > 0 && line.startsWith(lastTag, pos)) {
    out.conn = lastTagConn;
    out.sa = lastTagSa;
    return pos + lastTag.length;
  }
  const close = line.indexOf('>', pos);
  if (close === -1 || close - pos > 300 || line.charCodeAt(close + 1) !== 32) return pos;
  const end = readSaTagUncached(line, pos, close, out);
  if (end !== pos) {
    lastTag = line.slice(pos, end);
    lastTagConn = out.conn;
    lastTagSa = out.sa;
  }
  return end;
}

function readSaTagUncached(line: string, pos: number, close: number, out: ParsedLine): number {
  const tag = line.slice(pos + 1, close);
  const bar = tag.lastIndexOf('|');
  const id = bar === -1 ? tag : tag.slice(bar + 1);
  if (/^\d+$/.test(id)) {
    out.sa = id;
    if (bar > 0) out.conn = tag.slice(0, bar);
  } else if (bar === -1 && tag.length > 0) {
    out.conn = tag;
  } else {
    return pos;
  }
  return close + 2;
}

export function trimmedBody(line: string, from: number): string {
  let end = line.length;
  while (end > from && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 32)) end--;
  return line.slice(from, end);
}

/**
 * The timestamp in a header. `syslog`: the header is "<time> <host>" (before
 * "charon[pid]:"), so a time we cannot read is kept without the host name.
 */
function timeOf(header: string, syslog: boolean): ParsedTime | undefined {
  if (header.length === 0) return undefined;
  if (header !== lastHeader) {
    lastHeader = header;
    lastHeaderTime = parseLeadingTime(header);
  }
  if (lastHeaderTime) return lastHeaderTime;
  // a custom time_format / template we cannot read: keep it as printed
  if (syslog) {
    const sp = header.lastIndexOf(' ');
    return sp > 0 ? { text: header.slice(0, sp), hasYear: false } : undefined;
  }
  return header.endsWith(':') ? undefined : { text: header, hasYear: false };
}

// the text before the thread token of the last line, and the time read from it
let lastRawHeader = '';
let lastRawHeaderTime: ParsedTime | undefined;

/** The time in the text before a thread token at `start` (the same as the line before's, most often: compared, not sliced). */
function threadHeaderTime(line: string, start: number): ParsedTime | undefined {
  if (start === lastRawHeader.length && line.startsWith(lastRawHeader)) return lastRawHeaderTime;
  lastRawHeader = line.slice(0, start);
  const header = lastRawHeader.trimEnd();
  // syslog: "Mon dd hh:mm:ss host charon[pid]:"; the file logger's header is only the time
  const procTag = header.endsWith(':') ? PROCESS_RE.exec(header + ' ') : null;
  lastRawHeaderTime = procTag ? timeOf(procTag[1] ?? '', true) : timeOf(header, false);
  return lastRawHeaderTime;
}

/** Parses one line. Never throws; allocates only the body slice and the result. */
export function parseLine(line: string): ParsedLine {
  const first = line.charCodeAt(0);
  if (first === 123 /* { */) {
    const json = parseJsonLine(line);
    if (json) return json;
  }
  const open = findThreadToken(line);
  if (open !== -1) {
    const start = isDigit(line.charCodeAt(open - 3)) ? open - 3 : open - 2;
    const out: ParsedLine = { certainty: 'charon', shape: 'thread', body: '', group: line.slice(open + 1, open + 4) };
    out.time = threadHeaderTime(line, start);
    let pos = groupEnd(line, open) + 1;
    if (line.charCodeAt(pos) === 60 /* < */) pos = readSaTag(line, pos, out);
    out.body = trimmedBody(line, pos);
    return out;
  }
  // swanctl --initiate: "[IKE] body"
  if (first === 91 /* [ */ && isUpper(line.charCodeAt(1)) && GROUPS.has(line.slice(1, 4))) {
    const end = groupEnd(line, 0);
    if (end > 0) return { certainty: 'charon', shape: 'group', body: trimmedBody(line, end + 1), group: line.slice(1, 4) };
  }
  if (line.length > 0 && line.indexOf(': ') !== -1) {
    const m = PROCESS_RE.exec(line.length > PREFIX_WINDOW ? line.slice(0, PREFIX_WINDOW) : line);
    if (m) {
      const out: ParsedLine = {
        certainty: m[2] === 'ipsec' || m[2] === 'strongswan' ? 'maybe' : 'charon',
        shape: 'process',
        body: '',
        time: m[1] ? timeOf(m[1], true) : undefined,
      };
      let pos = m[0].length;
      if (line.charCodeAt(pos) === 60) pos = readSaTag(line, pos, out);
      out.body = trimmedBody(line, pos);
      return out;
    }
  }
  let pos = 0;
  while (pos < line.length && (line.charCodeAt(pos) === 32 || line.charCodeAt(pos) === 9)) pos++;
  return { certainty: 'maybe', shape: 'none', body: trimmedBody(line, pos) };
}

/** file_logger.c JSON lines: {"time":…,"thread":13,"group":"IKE","level":1,"ikesa-uniqueid":"1","ikesa-name":"x","msg":"…"}. */
function parseJsonLine(line: string): ParsedLine | undefined {
  if (line.indexOf('"msg"') === -1 || line.indexOf('"thread"') === -1) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { certainty: 'charon', shape: 'json', body: '', malformed: 'charon JSON log line is not valid JSON' };
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const rec = obj as Record<string, unknown>;
  if (typeof rec.msg !== 'string') return { certainty: 'charon', shape: 'json', body: '', malformed: 'charon JSON log line has no "msg" string' };
  const out: ParsedLine = { certainty: 'charon', shape: 'json', body: rec.msg.trim() };
  if (typeof rec.group === 'string') out.group = rec.group;
  if (typeof rec['ikesa-uniqueid'] === 'string' && rec['ikesa-uniqueid'] !== '') out.sa = rec['ikesa-uniqueid'];
  if (typeof rec['ikesa-name'] === 'string' && rec['ikesa-name'] !== '') out.conn = rec['ikesa-name'];
  if (typeof rec.time === 'string' && rec.time !== '') out.time = parseLeadingTime(rec.time) ?? { text: rec.time, hasYear: false };
  return out;
}
