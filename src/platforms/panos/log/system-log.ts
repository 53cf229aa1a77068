/**
 * The forms a PAN-OS System-log record travels in, down to its Event ID, Object and
 * Description (reference/platforms.md §1.1):
 *
 * - syslog CSV: `FUTURE_USE,Receive Time,Serial,Type,Subtype,FUTURE_USE,Generated Time,
 *   Virtual System,Event ID,Object,FUTURE_USE,FUTURE_USE,Module,Severity,Description,…`
 *   (docs.paloaltonetworks.com "System Log Fields", 8.x–11.x keep these first fifteen
 *   fields; 10.x/11.x append FUTURE_USE, FUTURE_USE, High Resolution Timestamp), with or
 *   without a BSD or RFC 5424 syslog header; the Description is quoted when it holds a
 *   comma, a quote inside it doubled.
 * - CEF: the System template of Palo Alto's CEF configuration guide,
 *   `CEF:0|Palo Alto Networks|PAN-OS|$sender_sw_version|$subtype|$type|$number-of-severity|rt=… fname=$object … msg=$opaque … cat=$eventid …`
 *   (SIEM parsers also match `|SYSTEM|vpn|`, so both orders are read). The one public record found
 *   (subtype general, PAN-OS 8.0.0: fixtures/logs/cef-system-general.log) has this order and `msg=` with a leading space.
 * - a `show log system` row: time, severity, subtype, object, event ID, id, description.
 *   No public copy of this output was found: a row is read only when it carries a vpn
 *   Event ID, and its description only through the confirmed templates.
 */
import { VPN_EVENT_ID } from './descriptions.js';
import { secondsOf } from './draft.js';

export interface SystemRecord {
  /** Type field: SYSTEM, TRAFFIC, THREAT, … (only SYSTEM/vpn records are IPsec evidence) */
  type: string;
  subtype: string;
  eventId: string;
  object?: string;
  description: string;
  time?: string;
  t?: number;
  /** the record was recognised but its fields could not be read */
  malformed?: string;
}

const MAX_FIELDS = 128;

/** Comma-separated fields, double-quoted when they hold a comma, `""` for a quote inside (PAN-OS syslog, RFC 4180 style). */
export function splitCsv(s: string, max = MAX_FIELDS): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= s.length && out.length < max) {
    if (s[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) {
          v += s.slice(i);
          i = s.length;
          break;
        }
        v += s.slice(i, q);
        if (s[q + 1] === '"') {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      const comma = s.indexOf(',', i);
      if (comma < 0) break;
      i = comma + 1;
    } else {
      const comma = s.indexOf(',', i);
      if (comma < 0) {
        out.push(s.slice(i));
        break;
      }
      out.push(s.slice(i, comma));
      i = comma + 1;
    }
  }
  return out;
}

// the record starts at FUTURE_USE,Receive Time,Serial,Type: after a syslog header (BSD "<14>Nov  9 19:53:08 host ", RFC 5424) or at the line's start
const CSV_START = /(?:^|\s)\d*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,[A-Z][A-Z_-]{2,},/;
// Prisma Access / Cortex Data Lake forwarding: ISO receive time, serial, type first (pan-os-syslog fixture traffic_prisma_A)
const PRISMA_START = /(?:^|\s)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z,[^,]*,([A-Z][A-Z_-]{2,}),/;

/** A PAN-OS syslog CSV record of any type, or undefined when the line is not one. */
export function parseCsvRecord(line: string): SystemRecord | undefined {
  const start = CSV_START.exec(line);
  if (!start) {
    const prisma = PRISMA_START.exec(line);
    if (!prisma) return undefined;
    // that layout of a SYSTEM record has no public example: recognised, not read
    return { type: prisma[1], subtype: '', eventId: '', description: '', malformed: prisma[1] === 'SYSTEM' ? 'PAN-OS SYSTEM record in the Prisma/Cortex layout, whose fields are not known: not read' : undefined };
  }
  const f = splitCsv(line.slice(start.index + (/^\s/.test(start[0]) ? 1 : 0)));
  const type = f[3] ?? '';
  if (type !== 'SYSTEM') return { type, subtype: f[4] ?? '', eventId: '', description: '' };
  if (f.length < 15) return { type, subtype: f[4] ?? '', eventId: '', description: '', malformed: `PAN-OS SYSTEM record with ${f.length} fields (the Description is field 15): not read` };
  const generated = /^(\d{4}\/\d{2}\/\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(f[6] ?? '');
  // 10.x/11.x: High Resolution Timestamp with its zone (e.g. 2024-01-12T22:47:27.652+11:00), field 26
  const hires = f.length >= 26 ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})$/.exec(f[25] ?? '') : null;
  return {
    type,
    subtype: f[4] ?? '',
    eventId: f[8] ?? '',
    object: f[9] || undefined,
    description: f[14] ?? '',
    time: hires ? f[25] : generated ? f[6] : undefined,
    t: hires ? secondsOf(hires[1], hires[2], hires[3]) : generated ? secondsOf(generated[1], generated[2]) : undefined,
  };
}

// rsyslog's traditional file format writes the tag and a space before the message: `CEF: 0|…` (Microsoft's
// CEF-collector troubleshooting guide shows a PAN-OS System record so received)
const CEF_HEADER = /CEF: ?\d+\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|(.*)$/;
const CEF_KEY = /(?:^|\s)([A-Za-z][A-Za-z0-9_.]*)=/g;
const MAX_CEF_KEYS = 200;

/** CEF extension key=value pairs; a value runs to the next ` key=` (CEF escapes `\=`, `\\`, `\n`). */
export function cefExtension(ext: string): Map<string, string> {
  const keys: { key: string; at: number; valueAt: number }[] = [];
  CEF_KEY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (keys.length < MAX_CEF_KEYS && (m = CEF_KEY.exec(ext)) !== null) {
    // an escaped "\=" is part of a value, not a key
    if (ext[m.index + m[0].length - 2] === '\\') continue;
    keys.push({ key: m[1], at: m.index, valueAt: m.index + m[0].length });
  }
  const out = new Map<string, string>();
  keys.forEach((k, i) => {
    const end = i + 1 < keys.length ? keys[i + 1].at : ext.length;
    if (!out.has(k.key)) out.set(k.key, unescapeCef(ext.slice(k.valueAt, end).trim()));
  });
  return out;
}

function unescapeCef(v: string): string {
  return v.replace(/\\([\\=nr|])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** A Palo Alto Networks CEF record, or undefined when the line is not one. */
export function parseCefRecord(line: string): SystemRecord | undefined {
  const at = line.indexOf('CEF:');
  if (at < 0) return undefined;
  const h = CEF_HEADER.exec(line.slice(at));
  if (!h || h[1] !== 'Palo Alto Networks') return undefined;
  const [a, b] = [h[4], h[5]];
  const system = a.toUpperCase() === 'SYSTEM' ? b : b.toUpperCase() === 'SYSTEM' ? a : undefined;
  if (system === undefined) return { type: 'OTHER', subtype: '', eventId: '', description: '' };
  const ext = cefExtension(h[7]);
  const rt = ext.get('rt');
  const ms = rt ? Date.parse(rt) : NaN;
  return {
    type: 'SYSTEM',
    subtype: system,
    // the event ID is the one hyphenated token of cat= (a public SIEM query extracts it the same way)
    eventId: /[a-z0-9]+(?:-[a-z0-9]+)+/.exec(ext.get('cat') ?? '')?.[0] ?? '',
    object: ext.get('fname') || undefined,
    description: ext.get('msg') ?? '',
    time: rt,
    t: Number.isFinite(ms) ? ms / 1000 : undefined,
  };
}

const SHOW_LOG_ROW = /^(\d{4}\/\d{2}\/\d{2}) (\d{2}:\d{2}:\d{2})\s+(\S+)\s+vpn\s+(?:(\S+)\s+)??((?:ikev2|ike|ipsec|tunnel)-[a-z0-9-]+)\s+(?:\d+\s+)?(.*)$/;

/** A `show log system` row of the vpn subtype (see the module comment: layout unconfirmed, claimed only with a vpn Event ID). */
export function parseShowLogRow(line: string): SystemRecord | undefined {
  const m = SHOW_LOG_ROW.exec(line);
  if (!m || !VPN_EVENT_ID.test(m[5])) return undefined;
  return { type: 'SYSTEM', subtype: 'vpn', eventId: m[5], object: m[4] || undefined, description: m[6].trim(), time: `${m[1]} ${m[2]}`, t: secondsOf(m[1], m[2]) };
}

/** The GUI's detailed-log view as lab notes quote it: "Event: ikev2-nego-enc-mismatch", then the description on the following lines. */
export function guiEventHeader(line: string): string | undefined {
  const m = /^\s*Event:\s*(\S+)\s*$/.exec(line);
  return m && VPN_EVENT_ID.test(m[1]) ? m[1] : undefined;
}
