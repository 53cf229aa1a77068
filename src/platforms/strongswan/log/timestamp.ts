/**
 * Timestamps in front of charon lines. Who prints them decides the shape:
 * syslog/journalctl ("Jun 23 07:36:33", "Jun 23 07:36:33.123456"), charon's file
 * logger with its strftime `time_format` (default "%b %e %T", plus ".NNN"/".NNNNNN"
 * with time_add_ms / time_precision), ISO 8601 from rsyslog's high-precision
 * template or `journalctl -o short-iso`, epoch seconds from `time_format = %s`, and
 * seconds since boot from `journalctl -o short-monotonic` ("[  123.456789]").
 */

export interface ParsedTime {
  /** the timestamp exactly as printed */
  text: string;
  /** seconds; for year-less syslog stamps, seconds since Jan 1 of an arbitrary year */
  t?: number;
  /** false when the stamp carries no year (syslog "Jun 23 …") */
  hasYear: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Optional RFC 5424/3164 PRI ("<30>1 ") and weekday ("Sat "), then one of the three shapes.
const TIME_RE =
  /^(?:<\d{1,3}>\d? ?)?((?:[A-Z][a-z]{2},? )?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?: (\d{4}))?|(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))? ?(Z|[+-]\d{2}:?\d{2})?|(\d{10})(?:\.(\d{1,9}))?|\[ *(\d{1,10}\.\d{1,9})\])(?=\s|$|:)/;

function fraction(digits: string | undefined): number {
  return digits ? Number('0.' + digits) : 0;
}

function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_INDEX = new Map(MONTHS.map((m, i) => [m, i]));
let dayKey = '';
let dayBase = 0;

/**
 * The shape almost every line has, "Mmm dd hh:mm:ss" / "Mmm  d hh:mm:ss" alone or
 * followed by a space: read without a regex, with the day's base cached.
 */
function parseSyslogTime(text: string): ParsedTime | undefined {
  if (text.length < 15) return undefined;
  const mon = MONTH_INDEX.get(text.slice(0, 3));
  if (mon === undefined || text.charCodeAt(3) !== 32) return undefined;
  const day = text.charCodeAt(4) === 32 ? digits2('0' + text[5], 0) : digits2(text, 4);
  const h = digits2(text, 7);
  const mi = digits2(text, 10);
  const sec = digits2(text, 13);
  if (day < 0 || h < 0 || mi < 0 || sec < 0 || text.charCodeAt(6) !== 32 || text.charCodeAt(9) !== 58 || text.charCodeAt(12) !== 58) return undefined;
  if (text.length > 15 && text.charCodeAt(15) !== 32) return undefined;
  const key = text.slice(0, 6);
  if (key !== dayKey) {
    dayKey = key;
    dayBase = Date.UTC(1970, mon, day) / 1000;
  }
  return { text: text.slice(0, 15), t: dayBase + h * 3600 + mi * 60 + sec, hasYear: false };
}

/** Parses the timestamp at the start of `text`, or returns undefined. Never throws. */
export function parseLeadingTime(text: string): ParsedTime | undefined {
  const fast = parseSyslogTime(text);
  if (fast) return fast;
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const printed = m[1];
  if (m[2] !== undefined) {
    const mon = MONTHS.indexOf(m[2]);
    if (mon < 0) return undefined;
    const year = m[8] !== undefined ? Number(m[8]) : 1970;
    const ms = Date.UTC(year, mon, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    return { text: printed, t: Number.isFinite(ms) ? ms / 1000 + fraction(m[7]) : undefined, hasYear: m[8] !== undefined };
  }
  if (m[9] !== undefined) {
    let ms = Date.UTC(Number(m[9]), Number(m[10]) - 1, Number(m[11]), Number(m[12]), Number(m[13]), Number(m[14]));
    const zone = m[16];
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60000;
    }
    return { text: printed, t: Number.isFinite(ms) ? ms / 1000 + fraction(m[15]) : undefined, hasYear: true };
  }
  if (m[17] !== undefined) return { text: printed, t: Number(m[17]) + fraction(m[18]), hasYear: true };
  // journalctl -o short-monotonic: seconds since boot, monotonic by construction
  return { text: printed, t: Number(m[19]), hasYear: true };
}

const HALF_YEAR = 183 * 86400;
const YEAR = 365 * 86400;

/**
 * Syslog stamps have no year: a log running over New Year jumps from Dec 31 back
 * to Jan 1. Adding a year whenever time goes back by more than half a year keeps
 * `t` monotonic within one file, which is all the checks need (retransmit timing).
 */
export class YearRollover {
  private offset = 0;
  private last = -Infinity;

  adjust(t: number, hasYear: boolean): number {
    if (hasYear) return t;
    let v = t + this.offset;
    if (v < this.last - HALF_YEAR) {
      this.offset += YEAR;
      v += YEAR;
    }
    this.last = v;
    return v;
  }
}
