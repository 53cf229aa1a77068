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

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

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
      const month = MONTHS[stamp[1]];
      if (month !== undefined) {
        // 2000 is a leap year, so "Feb 29" still parses; only differences within a file matter
        t = Date.UTC(2000, month, Number(stamp[2]), Number(stamp[3]), Number(stamp[4]), Number(stamp[5])) / 1000 + (stamp[6] ? Number(stamp[6]) : 0);
        if (!Number.isFinite(t)) t = undefined;
      }
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
