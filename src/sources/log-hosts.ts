/**
 * Central logs that hold several hosts' lines (issue 20 §4): a syslog server's file (rsyslog,
 * syslog-ng: RFC 3164 or RFC 5424 with the sender's host name), `journalctl -o short`,
 * `short-iso`, `short-precise` on a log host, and `journalctl -o json` / `-o json-seq` exports.
 * This module only says, per line, which host wrote it (and turns a journal record into the
 * syslog line the dialects read); log-file.ts gives each host its own decoders, so that both
 * peers' lines in one file become two logs. Nothing here knows about IPsec.
 */

/** How a file carries the host name, decided once from its first lines. */
export interface HostField {
  shape: 'rfc3164' | 'iso' | 'rfc5424' | 'journal-json';
  /** the host that wrote this line, or undefined when the line has no host field (a continuation line) */
  hostOf(line: string): string | undefined;
  /** journal exports: the record as a syslog line for the dialects; undefined when the line is no record */
  toLine?(line: string): string | undefined;
  /**
   * From the line's bytes: true when its host field is certainly `host` (then hostOf gives `host`,
   * or undefined when the rest of the syslog header does not follow: either way the line stays
   * with `host`); false when only hostOf can tell. Lets a reader skip decoding quiet lines.
   */
  hostIs?(buf: Uint8Array, start: number, end: number, host: string): boolean;
}

// a host name as syslog daemons write it (RFC 1123 labels, an IPv4/IPv6 address, or a short name)
const HOST = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// RFC 3164 (and journalctl -o short / short-precise): "Nov 22 23:31:31[.123456] HOST TAG[PID]: …", optionally "<PRI>" first
const RFC3164 = /^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,9})? (\S+) [^\s:[]+(?:\[\d+\])?: /;
// rsyslog's RSYSLOG_FileFormat, syslog-ng's ISO dates, journalctl -o short-iso(-precise)
const ISO = /^(?:<\d{1,3}>)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? (\S+) [^\s:[]+(?:\[\d+\])?: /;
// RFC 5424: "<PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD MSG"
const RFC5424 = /^<\d{1,3}>1 \S+ (\S+) \S+ \S+ \S+ /;
/** of the first lines, how many must carry a host field for the file to be read host by host */
const MIN_SHARE = 0.6;

/**
 * The host field of these first lines, when most of them carry one (so that a single daemon's
 * own file log, whose lines have no host, is never read as a central log).
 */
export function detectHostField(lines: readonly string[]): HostField | undefined {
  const body = lines.filter((l) => l.trim() !== '');
  if (!body.length) return undefined;
  if (journalRecords(body) >= Math.ceil(body.length * MIN_SHARE)) return journalJson();
  for (const [shape, re] of [['rfc3164', RFC3164], ['iso', ISO], ['rfc5424', RFC5424]] as const) {
    const hits = body.filter((l) => hostBy(re, l) !== undefined).length;
    if (hits >= Math.ceil(body.length * MIN_SHARE)) {
      const hostAt = shape === 'rfc3164' ? rfc3164HostAt : shape === 'iso' ? isoHostAt : undefined;
      return { shape, hostOf: (l) => hostBy(re, l), hostIs: hostAt && ((buf, start, end, host) => hostBytesAre(buf, hostAt(buf, start, end), end, host)) };
    }
  }
  return undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Past an optional `<PRI>` (RFC3164/ISO's `(?:<\d{1,3}>)?`), or -1 when it starts one it does not end. */
function afterPri(buf: Uint8Array, i: number, end: number): number {
  if (i >= end || buf[i] !== 60 /* < */) return i;
  let j = i + 1;
  while (j < end && j - i <= 3 && isDigit(buf[j])) j++;
  return j > i + 1 && j < end && buf[j] === 62 /* > */ ? j + 1 : -1;
}

/** Digits `n` times from i: the index after them, or -1. */
function digits(buf: Uint8Array, i: number, n: number, end: number): number {
  if (i < 0 || i + n > end) return -1;
  for (let k = 0; k < n; k++) if (!isDigit(buf[i + k])) return -1;
  return i + n;
}

function byte(buf: Uint8Array, i: number, c: number, end: number): number {
  return i >= 0 && i < end && buf[i] === c ? i + 1 : -1;
}

/** After an optional `[.,]\d{1,9}` fraction (`dots` the separators allowed). */
function fraction(buf: Uint8Array, i: number, end: number, comma: boolean): number {
  if (i < 0 || i >= end || !(buf[i] === 46 || (comma && buf[i] === 44))) return i;
  let j = i + 1;
  while (j < end && j - i <= 9 && isDigit(buf[j])) j++;
  return j > i + 1 ? j : -1;
}

/** Where RFC3164's `(\S+)` starts: after "Mmm dd hh:mm:ss[.frac] ", as the RFC3164 pattern reads it; -1 when unsure. */
function rfc3164HostAt(buf: Uint8Array, start: number, end: number): number {
  let i = afterPri(buf, start, end);
  if (i < 0 || i + 16 > end) return -1;
  const up = buf[i], lo1 = buf[i + 1], lo2 = buf[i + 2];
  if (!(up >= 65 && up <= 90 && lo1 >= 97 && lo1 <= 122 && lo2 >= 97 && lo2 <= 122 && buf[i + 3] === 32)) return -1;
  if (!(buf[i + 4] === 32 || isDigit(buf[i + 4])) || !isDigit(buf[i + 5]) || buf[i + 6] !== 32) return -1;
  i = digits(buf, i + 7, 2, end);
  i = digits(buf, byte(buf, i, 58, end), 2, end);
  i = digits(buf, byte(buf, i, 58, end), 2, end);
  return byte(buf, fraction(buf, i, end, false), 32, end);
}

/** Where ISO's `(\S+)` starts: after "YYYY-MM-DDThh:mm:ss[.frac][Z|±hh:mm] "; -1 when unsure. */
function isoHostAt(buf: Uint8Array, start: number, end: number): number {
  let i = afterPri(buf, start, end);
  i = digits(buf, i, 4, end);
  i = digits(buf, byte(buf, i, 45, end), 2, end);
  i = digits(buf, byte(buf, i, 45, end), 2, end);
  i = digits(buf, byte(buf, i, 84, end), 2, end);
  i = digits(buf, byte(buf, i, 58, end), 2, end);
  i = digits(buf, byte(buf, i, 58, end), 2, end);
  i = fraction(buf, i, end, true);
  if (i >= 0 && i < end && buf[i] === 90 /* Z */) i++;
  else if (i >= 0 && i < end && (buf[i] === 43 || buf[i] === 45)) {
    i = digits(buf, i + 1, 2, end);
    if (i >= 0 && i < end && buf[i] === 58) i++;
    i = digits(buf, i, 2, end);
  }
  return byte(buf, i, 32, end);
}

/** `host` then a space at `at`: the `(\S+) ` capture is then exactly `host`. */
function hostBytesAre(buf: Uint8Array, at: number, end: number, host: string): boolean {
  if (at < 0 || at + host.length >= end || buf[at + host.length] !== 32) return false;
  for (let k = 0; k < host.length; k++) if (buf[at + k] !== host.charCodeAt(k)) return false;
  return true;
}

function hostBy(re: RegExp, line: string): string | undefined {
  const m = re.exec(line);
  return m && HOST.test(m[1]) ? m[1] : undefined;
}

// journalctl -o json-seq puts an RS (0x1e) before each record (RFC 7464)
const RS = '\u001e';

function journalRecords(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) {
    const t = l.startsWith(RS) ? l.slice(1) : l;
    if (t.startsWith('{') && t.includes('"MESSAGE"') && parseRecord(t) !== undefined) n++;
  }
  return n;
}

interface JournalLine { host?: string; line: string }

function journalJson(): HostField {
  // one record is turned into a line once, though both hostOf and toLine ask for it
  let last: { raw: string; out: JournalLine | undefined } | undefined;
  const read = (raw: string) => {
    if (last?.raw !== raw) last = { raw, out: journalLine(raw) };
    return last.out;
  };
  return { shape: 'journal-json', hostOf: (l) => read(l)?.host, toLine: (l) => read(l)?.line };
}

/**
 * One `journalctl -o json` record as the syslog line journald would have forwarded:
 * "2026-11-22T23:31:31.123456+00:00 HOST IDENT[PID]: MESSAGE". __REALTIME_TIMESTAMP is in
 * microseconds since the epoch (systemd.journal-fields(7)); MESSAGE is a string, or an array of
 * bytes when it is not valid UTF-8 or holds control characters (journalctl(1), "json").
 */
function journalLine(raw: string): JournalLine | undefined {
  const r = parseRecord(raw.startsWith(RS) ? raw.slice(1) : raw);
  if (!r) return undefined;
  const message = fieldText(r.MESSAGE);
  if (message === undefined) return undefined;
  const host = fieldText(r._HOSTNAME);
  const ident = fieldText(r.SYSLOG_IDENTIFIER) ?? fieldText(r._COMM) ?? 'journal';
  const pid = fieldText(r.SYSLOG_PID) ?? fieldText(r._PID);
  const time = isoTime(fieldText(r.__REALTIME_TIMESTAMP));
  // a message of several lines: each is decoded on its own, as journalctl's own short output shows it
  const text = message.replace(/\r?\n/g, ' ');
  const line = `${time ? time + ' ' : ''}${host ?? 'localhost'} ${ident}${pid ? `[${pid}]` : ''}: ${text}`;
  return { host: host && HOST.test(host) ? host : undefined, line };
}

function parseRecord(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function fieldText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

function isoTime(micros: string | undefined): string | undefined {
  if (!micros || !/^\d{1,17}$/.test(micros)) return undefined;
  const us = BigInt(micros);
  const d = new Date(Number(us / 1000n));
  if (Number.isNaN(d.getTime())) return undefined;
  // ISO with microseconds and UTC, as journalctl -o short-iso-precise --utc prints it
  return d.toISOString().replace(/\.\d{3}Z$/, `.${String(us % 1000000n).padStart(6, '0')}+00:00`);
}
