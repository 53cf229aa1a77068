/**
 * Strips what surrounds a pluto message body: a syslog/journal prefix
 * (`Jan  8 17:04:06 host pluto[26867]: `), a pluto.log `logtime=yes` stamp
 * (`Jul 12 18:54:37.992206: `, microseconds since libreswan 3.x), an ISO-8601
 * stamp (`journalctl -o short-iso`, rsyslog RFC 3339), and the v3/v4 whack
 * numeric RC prefix (`002 `). One anchored regex per shape, tried by first char.
 */

export interface PrefixSplit {
  /** timestamp as printed */
  time?: string;
  /** seconds since an arbitrary origin (BSD stamps carry no year) */
  t?: number;
  /** true when the prefix itself says pluto wrote the line (pluto[pid]:, a logtime stamp, a whack RC code) */
  plutoPrefix: boolean;
  /** a syslog line from another program (charon, kernel, …): not ours */
  foreign: boolean;
  body: string;
}

// "Jan  8 17:04:06" / "Jan 08 17:04:06.123456"; then either ": " (pluto logtime) or " host prog[pid]: "
const BSD_STAMP = /^([A-Z][a-z]{2}) ( ?\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?=[: ])/;
const ISO_STAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?(?=[: ])/;
// " host pluto[123]: " or " pluto[123]: " or " host ipsec: "
const SYSLOG_TAG = /^ (?:(\S+) )?([A-Za-z0-9_.\/-]+)(?:\[(\d+)\])?: ?/;
const RC_PREFIX = /^\d{3} /;

/** days before the 1st of each month in a leap year: "Feb 29" still parses; only differences within a file matter */
const DAYS_BEFORE: Record<string, number> = { Jan: 0, Feb: 31, Mar: 60, Apr: 91, May: 121, Jun: 152, Jul: 182, Aug: 213, Sep: 244, Oct: 274, Nov: 305, Dec: 335 };
// 2000-01-01T00:00:00Z, so that t reads as a plausible date when printed
const ORIGIN = 946684800;

// consecutive lines mostly share their second: remember the last one converted
let lastSecond = '';
let lastBase: number | undefined;

function bsdSeconds(stamp: RegExpExecArray): number | undefined {
  const key = stamp[0].slice(0, stamp[0].length - (stamp[6]?.length ?? 0));
  if (key === lastSecond) return lastBase;
  const before = DAYS_BEFORE[stamp[1]];
  const day = Number(stamp[2]);
  lastSecond = key;
  lastBase =
    before === undefined || day < 1 || day > 31
      ? undefined
      : ORIGIN + (before + day - 1) * 86400 + Number(stamp[3]) * 3600 + Number(stamp[4]) * 60 + Number(stamp[5]);
  return lastBase;
}

export function splitPrefix(line: string): PrefixSplit {
  let rest = line;
  let time: string | undefined;
  let t: number | undefined;
  let plutoPrefix = false;
  const c = line.charCodeAt(0);
  let stamp: RegExpExecArray | null = null;
  if (c >= 65 && c <= 90) {
    stamp = BSD_STAMP.exec(line);
    if (stamp) {
      time = stamp[0];
      const base = bsdSeconds(stamp);
      if (base !== undefined) t = base + (stamp[6] ? Number(stamp[6]) : 0);
    }
  } else if (c >= 48 && c <= 57) {
    stamp = ISO_STAMP.exec(line);
    if (stamp) {
      time = stamp[0];
      const ms = Date.parse(`${stamp[1]}T${stamp[2].replace(',', '.')}${stamp[3] ?? 'Z'}`);
      if (Number.isFinite(ms)) t = ms / 1000;
    }
  }
  if (stamp) {
    rest = line.slice(stamp[0].length);
    if (rest.startsWith(': ')) {
      // logtime=yes pluto.log: the stamp is followed directly by ": "
      rest = rest.slice(2);
      plutoPrefix = true;
    } else {
      const tag = SYSLOG_TAG.exec(rest);
      if (!tag) return { time, t, plutoPrefix, foreign: true, body: rest };
      const prog = tag[2];
      rest = rest.slice(tag[0].length);
      if (prog === 'pluto' || prog.endsWith('/pluto')) plutoPrefix = true;
      // "ipsec" may be libreswan's own tooling or charon started by `ipsec start`: the body decides
      else if (prog !== 'ipsec' && !prog.startsWith('ipsec_') && prog !== 'libreswan') return { time, t, plutoPrefix, foreign: true, body: rest };
    }
  }
  if (rest.length > 4 && RC_PREFIX.test(rest)) {
    // whack's numeric reply codes (v3/v4 consoles) only ever precede pluto's own messages
    rest = rest.slice(4);
    plutoPrefix = true;
  }
  return { time, t, plutoPrefix, foreign: false, body: rest };
}
