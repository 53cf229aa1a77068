/**
 * One dialect, id 'f5', for what a BIG-IP logs: AFM network-firewall events (CSV and RFC 5424
 * structured data, afm-event.ts), the IPsec ALG's flow teardowns in /var/log/ltm, tmm's IKEv2
 * lines in /var/log/ipsec.log (tmm-ike.ts) and racoon's IKEv1 lines in /var/log/racoon.log
 * (racoon.ts). Any of them may be pasted with no-break spaces for spaces (text.ts).
 */
import type { Diagnostic } from '../../../evidence/types.js';
import type { LogEvent } from '../../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../../log-dialect.js';
import { parseLeadingTime } from '../../strongswan/log/timestamp.js';
import { plainSpaces, quotedFields } from '../text.js';
import { decisionFromFields, decisionFromJson, decisionFromSd, jsonDepth, sdPairs, teardownFrom } from './afm-event.js';
import { parseTmmIke, tmmIkeEvents } from './tmm-ike.js';
import { parseRacoon, racoonEvents, sainfoOf } from './racoon.js';
import type { Draft } from './draft.js';

/** `Aug 31 04:23:10 VELASCO info tmm[17718]: ` — syslog time, host, level, tmm (tmm1, tmm2 on multi-tmm boxes) */
const TMM_PREFIX = /^(.*?)\b(?:(\S+)\s+)?(?:emerg|alert|crit|err|warning|notice|info|debug)\s+tmm\d*\[\d+\]:\s+/;
const AFM_MSG = /(?:^|\s)23003137\s+(.*)$/;
/** an RFC 5424 record: `… 1 2015-03-14T20:24:34-07:00 HOST tmm PID 23003137 [F5@…` (corpus: wrapped over lines) */
const SD_HEAD = /\b1 \d{4}-\d\d-\d\dT\S+ (\S+) tmm\d* \d+ 23003137\b(.*)$/;
/** a record longer than this many continuation lines is not one (bounded state) */
const MAX_SD_LINES = 40;
/** a Telemetry Streaming JSON event longer than this is not one (F5's example is 47 lines) */
const MAX_JSON_LINES = 200;
/** Telemetry Streaming's JSON of an AFM network event (one object per line, or pretty-printed) */
const TS_AFM = /"errdefs_msgno"\s*:\s*"23003137"/;
const MAX_DIAGNOSTICS = 20;
/** Telemetry Streaming's `"date_time":"Dec 17 2018 22:46:04"`: month and day, year, clock */
const TS_DATE = /"date_time"\s*:\s*"([A-Z][a-z]{2}) +(\d{1,2}) (\d{4}) (\d\d:\d\d:\d\d)"/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function sniffLine(line: string): number {
  const l = plainSpaces(line);
  if (AFM_MSG.test(l) && /tmm\d*\[\d+\]:|\btmm\d* \d+ 23003137/.test(l)) return 2;
  if (/tmm\d*\[\d+\]:\s+"(IPSEC|IKE)_TEARDOWN"/.test(l)) return 2;
  if (parseTmmIke(l)) return 2;
  // racoon's level words after its ISO stamp: pluto's file log never prints them
  if (parseRacoon(l)) return 2;
  if (/^\[F5@\d+ /.test(l.trim())) return 1;
  if (TS_AFM.test(l)) return 2;
  return 0;
}

export const f5Dialect: LogDialect = {
  id: 'f5',
  name: 'F5 BIG-IP (AFM events, ltm, ipsec.log, racoon.log)',
  sniff: (lines) => lines.reduce((n, l) => n + sniffLine(l), 0),
  createDecoder(source: string): LineDecoder {
    const diagnostics: Diagnostic[] = [];
    // an RFC 5424 record the source wrapped over several lines: kept until its closing `]`
    let pending: { lineNo: number; text: string; excerpt: string; time?: string; box?: string; lines: number } | undefined;
    // a JSON object (Telemetry Streaming) until its braces close
    let json: { lineNo: number; text: string; depth: number; lines: number } | undefined;
    // IKE SAs (initiator SPI) seen past their first exchange, to tell a liveness timeout from a peer that never answered
    const upSas = new Set<string>();
    // racoon's last `selected sainfo` (its selectors) and the second it was printed in
    let sainfo: { time?: string; local: string; remote: string } | undefined;
    const event = (d: Draft, lineNo: number, line: string, time?: string, t?: number): LogEvent => ({ kind: d.kind, data: d.data, at: { source, line: lineNo }, excerpt: excerptOf(line), impl: 'f5', ...(time ? { time } : {}), ...(t !== undefined ? { t } : {}) }) as LogEvent;
    const note = (lineNo: number, message: string) => {
      if (diagnostics.length < MAX_DIAGNOSTICS) diagnostics.push({ at: { source, line: lineNo }, decoder: 'f5', message });
    };
    const finishSd = (): LogEvent[] => {
      const p = pending!;
      pending = undefined;
      const decision = decisionFromSd(sdPairs(p.text));
      if (!decision) {
        note(p.lineNo, 'AFM network event in structured-data form without the action, addresses or protocol: not read');
        return [];
      }
      return [event({ kind: 'firewall-decision', data: { ...decision, box: decision.box ?? p.box } }, p.lineNo, p.excerpt, p.time)];
    };
    const decodeJson = (line: string, lineNo: number): LogEvent[] | undefined => {
      const j = (json ??= { lineNo, text: '', depth: 0, lines: 0 });
      j.text += `${line}\n`;
      j.depth = jsonDepth(line, j.depth);
      if (j.depth > 0 && ++j.lines < MAX_JSON_LINES) return [];
      json = undefined;
      const d = j.depth > 0 ? undefined : decisionFromJson(j.text);
      if (d === 'other') return j.lines ? [] : undefined; // another object: a single line is left unread, as any other line
      if (!d) {
        note(j.lineNo, j.depth > 0 ? `a JSON object still open after ${MAX_JSON_LINES} lines: not read` : 'a JSON AFM network event (Telemetry Streaming) without the action, addresses or protocol, or not JSON: not read');
        return [];
      }
      const when = TS_DATE.exec(j.text);
      const month = when ? MONTHS.indexOf(when[1]) + 1 : 0;
      const time = when && month ? parseLeadingTime(`${when[3]}-${String(month).padStart(2, '0')}-${when[2].padStart(2, '0')}T${when[4]}`) : undefined;
      // a pretty-printed object is cited as its own text on one line (whitespace between members folded)
      return [event({ kind: 'firewall-decision', data: d }, j.lineNo, j.text.replace(/\s*\n\s*/g, ' ').trim(), time?.text, time?.t)];
    };
    return {
      decode(raw: string, lineNo: number): LogEvent[] | undefined {
        const line = plainSpaces(raw);
        if (json || (!pending && line.trimStart().startsWith('{'))) return decodeJson(line, lineNo);
        if (pending) {
          if (/^\s*(\[F5@\d+\s+)?[A-Za-z_]\w*="/.test(line) && pending.lines < MAX_SD_LINES) {
            pending.text += ' ' + line.trim();
            pending.lines++;
            return /"\]/.test(line) ? finishSd() : [];
          }
          const done = finishSd();
          const more = this.decode(raw, lineNo);
          return more === undefined ? (done.length ? done : undefined) : [...done, ...more];
        }
        const time = parseLeadingTime(line.trimStart());
        const sd = SD_HEAD.exec(line);
        if (sd) {
          pending = { lineNo, text: sd[2], excerpt: line, time: time?.text, box: sd[1], lines: 0 };
          return /"\]/.test(sd[2]) ? finishSd() : [];
        }
        const afm = AFM_MSG.exec(line);
        if (afm && (TMM_PREFIX.test(line) || /^\s*"/.test(afm[1]))) {
          const fields = quotedFields(afm[1].trim());
          const decision = fields ? decisionFromFields(fields) : undefined;
          if (!decision) {
            note(lineNo, 'AFM network event (23003137) whose fields hold no action, two addresses and a protocol: not read');
            return [];
          }
          const host = TMM_PREFIX.exec(line)?.[2];
          return [event({ kind: 'firewall-decision', data: { ...decision, box: decision.box ?? host } }, lineNo, line, time?.text, time?.t)];
        }
        const prefix = TMM_PREFIX.exec(line);
        if (prefix) {
          const teardown = teardownFrom(line.slice(prefix[0].length));
          if (teardown) return [event({ kind: 'flow-teardown', data: teardown }, lineNo, line, time?.text, time?.t)];
        }
        const ike = parseTmmIke(line);
        if (ike) {
          const key = ike.spiI ?? '';
          const drafts = tmmIkeEvents(ike, upSas.has(key));
          if (ike.spiR && !/^0+$/.test(ike.spiR) && /established|IKE_AUTH.*(done|complete)/i.test(ike.text)) upSas.add(key);
          return drafts.map((d) => event(d, lineNo, line, time?.text, time?.t));
        }
        const racoon = parseRacoon(line);
        if (racoon) {
          const t = racoon.time ? parseLeadingTime(racoon.time) : time;
          const selected = sainfoOf(racoon);
          if (selected) sainfo = { time: racoon.time, ...selected };
          // only within the same second: racoon runs negotiations side by side, so an older sainfo may be another's
          const withTs = (d: Draft): Draft => (d.kind === 'child-established' && sainfo && sainfo.time === racoon.time ? { kind: d.kind, data: { ...d.data, local: [sainfo.local], remote: [sainfo.remote] } } : d);
          return racoonEvents(racoon).map((d) => event(withTs(d), lineNo, line, t?.text, t?.t));
        }
        return undefined;
      },
      diagnostics: () => {
        if (pending) finishSd();
        return diagnostics;
      },
    };
  },
};
