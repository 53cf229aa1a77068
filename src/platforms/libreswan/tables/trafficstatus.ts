/**
 * libreswan `ipsec trafficstatus` / `ipsec whack --trafficstatus`: one line per
 * established Child SA, with the kernel's byte counts and no SPIs.
 *
 *   3.32: `006 #2: "conn", type=ESP, add_time=1234567890, inBytes=336, outBytes=336, id='@east'`
 *   4.x:  `006 #2: "conn", type=ESP, add_time=…, inBytes=84, outBytes=84, maxBytes=2^63B, id='@east'`
 *   5.x:  `#2: "rw"[1] 192.0.2.45, type=ESP, add_time=…, inBytes=84, outBytes=84, maxBytes=2^63B, id='@road', lease=10.0.9.10/32`
 * (state.c jam_state_traffic in 3.32/4.10, whack_trafficstatus.c jam_child_sa_traffic
 * in 5.x). An XAUTH user puts `username=U` before type and drops `id=`; 5.x may follow
 * type with `(nic-offload=packet)`; in/outBytes are missing when the kernel did not
 * answer. Only established Child SAs are listed (show_state_traffic skips the others),
 * which is the one state this table tells: `established`.
 *
 * What the neutral model cannot hold is read and dropped: add_time (an absolute time),
 * maxBytes, the peer's id, the lease (its line does not say which end holds it). The
 * directions carry bytes but no SPI: `spi` stays undefined, "not printed" (the status
 * reader does the same for an SPI that is not hex).
 */
import type { Diagnostic } from '../../../evidence/types.js';
import type { SaTableReader, TableChildSa } from '../../../evidence/sa-table-types.js';
import { readDesignation } from './designation.js';
import { emptyTable, evidenceAt, isBlank, MAX_LINE, parseCount, sniffCount, stripReplyCode, withoutCr } from './lines.js';

const DECODER = 'libreswan-trafficstatus';

const PROTOCOLS: Record<string, TableChildSa['protocol']> = { ESP: 'esp', AH: 'ah', IPCOMP: 'ipcomp' };

export interface TrafficstatusLine {
  serial: string;
  name: string;
  fields: Map<string, string>;
}

/** `#N: DESIGNATION, key=value, …`, where only id='…' may hold `, ` (a DN) */
export function parseTrafficstatusLine(body: string): TrafficstatusLine | undefined {
  const head = /^#(\d{1,12}): /.exec(body);
  if (head === null) return undefined;
  const d = readDesignation(body, head[0].length);
  if (d === undefined) return undefined;
  const first = body.indexOf(', ', d.end);
  if (first < 0) return undefined;
  const fields = new Map<string, string>();
  let pos = first;
  while (pos < body.length) {
    const key = /^, ([A-Za-z_]{1,32})=/.exec(body.slice(pos, pos + 40));
    if (key === null) return undefined;
    const start = pos + key[0].length;
    let end: number;
    if (key[1] === 'id' && body[start] === "'") {
      end = closingQuote(body, start + 1);
      if (end < 0) return undefined;
      fields.set('id', body.slice(start + 1, end));
      end++;
    } else {
      end = nextField(body, start);
      fields.set(key[1], body.slice(start, end));
    }
    pos = end;
  }
  if (!fields.has('type') || !fields.has('add_time')) return undefined;
  return { serial: head[1], name: d.name, fields };
}

/** the `'` that ends the id: the last one before the next field or the end of the line */
function closingQuote(s: string, from: number): number {
  let q = s.indexOf("'", from);
  while (q >= 0) {
    if (q === s.length - 1 || /^, [A-Za-z_]{1,32}=/.test(s.slice(q + 1, q + 40))) return q;
    q = s.indexOf("'", q + 1);
  }
  return -1;
}

function nextField(s: string, from: number): number {
  let c = s.indexOf(', ', from);
  while (c >= 0 && !/^, [A-Za-z_]{1,32}=/.test(s.slice(c, c + 40))) c = s.indexOf(', ', c + 1);
  return c < 0 ? s.length : c;
}

export const trafficstatusReader: SaTableReader = {
  format: 'libreswan-trafficstatus',
  name: 'libreswan ipsec trafficstatus',
  sniff(lines) {
    return sniffCount(lines, (body, code) => {
      if (isBlank(body)) return 'neutral';
      const t = body.startsWith('#') ? parseTrafficstatusLine(body) : undefined;
      if (t !== undefined && /^\d+$/.test(t.fields.get('add_time') ?? '')) return 'own';
      return code !== undefined && !body.startsWith('#') ? 'neutral' : 'foreign';
    });
  },
  read(lines, source) {
    const table = emptyTable(source, 'libreswan-trafficstatus');
    const diagnostics: Diagnostic[] = [];
    let n = 0;
    const diag = (message: string) => diagnostics.push({ at: { source, line: n }, decoder: DECODER, message });
    for (const raw of lines) {
      n++;
      const text = withoutCr(raw);
      if (text.length > MAX_LINE) {
        table.unparsed++;
        diag(`line of ${text.length} characters is longer than pluto prints (${MAX_LINE})`);
        continue;
      }
      const { code, body } = stripReplyCode(text);
      const parsed = body.startsWith('#') ? parseTrafficstatusLine(body) : undefined;
      const child = parsed === undefined ? undefined : childOf(parsed, evidenceAt(source, n, text), diag);
      if (child !== undefined) table.childSas.push(child);
      // whack's other replies (4.x `021 no such connection …`) belong to the output; an SA line that did not read does not
      else if (isBlank(body) || (code !== undefined && !body.startsWith('#'))) table.otherLines++;
      else table.unparsed++;
    }
    table.lines = n;
    return { table, diagnostics };
  },
};

function childOf(t: TrafficstatusLine, at: TableChildSa['at'], diag: (m: string) => void): TableChildSa | undefined {
  const type = t.fields.get('type') ?? '';
  // 5.x: `ESP(nic-offload=packet)`
  const protocol = PROTOCOLS[type.replace(/\(.*$/, '')];
  if (protocol === undefined) {
    diag(`type=${type} is not ESP, AH or IPCOMP`);
    return undefined;
  }
  if (parseCount(t.fields.get('add_time') ?? '') === undefined) diag(`add_time=${t.fields.get('add_time')} is not a number`);
  const child: TableChildSa = { at, name: t.name, uniqueId: `#${t.serial}`, state: 'established', installed: true, protocol, localTs: [], remoteTs: [] };
  for (const [key, dir] of [['inBytes', 'in'], ['outBytes', 'out']] as const) {
    const text = t.fields.get(key);
    if (text === undefined) continue;
    const bytes = parseCount(text);
    if (bytes === undefined) diag(`${key}=${text} is not a byte count`);
    else child[dir] = { bytes };
  }
  return child;
}
