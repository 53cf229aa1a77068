/**
 * `swanctl --list-sas` as printed by src/swanctl/commands/list_sas.c (strongSwan 5.2 to
 * 6.0), one IKE_SA per header line at column 0, its details indented by 2, each
 * CHILD_SA header indented by 2 and its details by 4:
 *
 *   lab: #1, ESTABLISHED, IKEv2, 6f18d4926805bc13_i* 95ffd3821790945b_r
 *     local  'left.example' @ 192.0.2.10[4500]
 *     remote 'right.example' @ 198.51.100.20[4500]
 *     AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
 *     established 2s ago, rekeying in 13513s
 *     net: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128
 *       installed 2s ago, rekeying in 3410s, expires in 3958s
 *       in  bee6676c,   4616 bytes,    10 packets,     1s ago
 *       out 9d390d15,   4616 bytes,    10 packets,     1s ago
 *       local  10.1.0.0/24
 *       remote 10.2.0.0/24
 *
 * Version differences read here (git history of list_sas.c):
 * - before 5.3.0 a CHILD_SA header is `net: #<reqid>, INSTALLED, …` (no unique id);
 * - before 5.4.0 the endpoints have no `[port]`;
 * - before 5.4.1 the IKE SPIs are `spi_i:spi_r`, without the `*` that marks this side;
 * - 5.3.4+ appends virtual IPs `[10.3.0.1]`, remote `EAP: 'id'` / `XAuth: 'id'`;
 * - 5.5.2+ may print marks `(0x…/0x…)`, 5.8.0+ interface ids `(…|0x…)` after an SPI;
 * - 5.9.6+ a `label` line, 6.0.2+ `cpu N` in the CHILD_SA header.
 * A value vici did not send is printed by glibc as "(null)" (e.g. `installed (null)s
 * ago` for a CHILD_SA that is not in the kernel); those stay undefined.
 *
 * The raw (`--raw`/`--pretty`) dump of the same data is read by list-sas-raw.ts.
 */
import type { SaDirection, SaTableRead, SaTableReader, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { EvidenceRef } from '../../../evidence/types.js';
import {
  NULL_TEXT,
  TableBuilder,
  childStateIsInstalled,
  ikeStateIsUp,
  readCount,
  readIkeSpi,
  readMode,
  readProtocol,
  readSeconds,
  readSelectors,
  readSpi,
  sniffScore,
} from './common.js';
import { parseEndpointLine } from './endpoint.js';
import { listSasRawReader } from './list-sas-raw.js';

export { listSasRawReader };

const DECODER = 'strongswan-list-sas';

/** `name: #1, ESTABLISHED, IKEv2, <spis>` */
const IKE_HEADER = /^(\S(?:.*?\S)?): #([^,\s]+), ([^,\s]+), IKEv([^,\s]+), (.*)$/;
/** `net: #1, reqid 1, INSTALLED, TUNNEL, ESP:…` (and the pre-5.3 `net: #1, INSTALLED, …`) */
const CHILD_HEADER = /^(\S(?:.*?\S)?): #([^,\s]+), (.+)$/;
const SPIS_STARRED = /^(\S+?)_i(\*?) (\S+?)_r(\*?)$/;
const SPIS_COLON = /^([0-9A-Fa-f]+|\(null\)):([0-9A-Fa-f]+|\(null\))$/;
const ALGORITHMS = /^[A-Za-z0-9_()-]+(?:\/[A-Za-z0-9_()-]+)+$/;
const ESTABLISHED = /^established (\S+?)s? ago(.*)$/;
const INSTALLED = /^installed (\S+?)s? ago(.*)$/;
const TASKS = /^(queued|active|passive):(\s|$)/;
const DIRECTION = /^(in|out)\s+(\S+?)(?:\/([0-9A-Fa-f]+))?(?: \(([^)]*)\))?,\s+(\S+) bytes,\s+(\S+) packets(?:,\s+(\S+?)s ago)?$/;
const SELECTORS = /^(local|remote)(?:\s+(.*))?$/;

/** The things a `, rekeying in 3410s, expires in 3958s` tail may say. */
interface Timers {
  rekeying?: number;
  reauth?: number;
  expires?: number;
}

interface ChildInProgress {
  child: TableChildSa;
  lines: EvidenceRef[];
}

export function readListSasCounted(input: Iterable<string>, source: string): { read: SaTableRead; used: number } {
  const b = new TableBuilder(source, 'swanctl-list-sas', DECODER);
  let ike: { sa: TableIkeSa; index: number; children: number } | undefined;
  let child: ChildInProgress | undefined;
  let lineNo = 0;

  const closeChild = () => {
    if (child && child.lines.length) child.child.lines = child.lines;
    child = undefined;
  };

  for (const raw of input) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const text = line.trim();
    try {
      const kind = readLine(text);
      if (kind === 'other') b.table.otherLines++;
      else if (kind === 'unparsed') b.table.unparsed++;
      else b.used++;
    } catch (err) {
      // a reader bug must not cost the whole table: the line is counted and said
      b.table.unparsed++;
      b.diagnose(lineNo, `the reader failed on this line (${(err as Error).message})`);
    }
  }
  closeChild();
  b.table.lines = lineNo;
  return { read: { table: b.table, diagnostics: b.diagnostics }, used: b.used };

  function readLine(text: string): 'used' | 'unparsed' | 'other' {
    if (text === '') return 'other';
    let m = IKE_HEADER.exec(text);
    if (m) {
      closeChild();
      const sa = ikeHeader(m, text);
      ike = { sa, index: b.addIke(sa), children: 0 };
      return 'used';
    }
    if (ike && !child && ike.children === 0) {
      // the IKE_SA's own detail lines come before its first CHILD_SA
      const endpoint = parseEndpointLine(text);
      if (endpoint) {
        if (endpoint.badPort) b.diagnose(lineNo, `${endpoint.side} port '${endpoint.badPort}' is not a port number`);
        ike.sa[endpoint.side] = endpoint.endpoint;
        return 'used';
      }
      if (ALGORITHMS.test(text)) {
        ike.sa.algorithms = text;
        return 'used';
      }
      m = ESTABLISHED.exec(text);
      if (m) {
        const age = seconds(m[1], 'established age');
        if (age !== undefined) ike.sa.ageSeconds = age;
        const t = timers(m[2]);
        if (t.rekeying !== undefined) ike.sa.rekeySeconds = t.rekeying;
        if (t.reauth !== undefined) ike.sa.reauthSeconds = t.reauth;
        return 'used';
      }
      // the task queues carry nothing the model holds
      if (TASKS.test(text)) return 'other';
    } else if (ike && TASKS.test(text)) {
      return 'other';
    }
    m = CHILD_HEADER.exec(text);
    if (m) {
      const started = childHeader(m);
      if (started) {
        closeChild();
        child = { child: b.addChild(started), lines: [] };
        if (ike) ike.children++;
        return 'used';
      }
    }
    if (child) return childDetail(text, child);
    return 'unparsed';
  }

  function ikeHeader(m: RegExpExecArray, text: string): TableIkeSa {
    const [, name, uniqueId, state, version, spis] = m;
    const sa: TableIkeSa = { at: b.ref(lineNo, text), state, established: ikeStateIsUp(state) };
    if (name !== NULL_TEXT) sa.name = name;
    if (uniqueId !== NULL_TEXT) sa.uniqueId = uniqueId;
    if (version === '1' || version === '2') sa.version = Number(version) as 1 | 2;
    else if (version !== NULL_TEXT) b.diagnose(lineNo, `IKE version 'IKEv${version}' is neither IKEv1 nor IKEv2`);
    const starred = SPIS_STARRED.exec(spis);
    const colon = starred ? undefined : SPIS_COLON.exec(spis);
    const pair = starred ? [starred[1], starred[3]] : colon ? [colon[1], colon[2]] : undefined;
    if (!pair) {
      b.diagnose(lineNo, `IKE SPIs '${clip(spis)}' are neither 'spi_i spi_r' nor 'spi_i:spi_r'`);
      return sa;
    }
    const [i, r] = pair.map(readIkeSpi);
    if (i) sa.spiInitiator = i;
    if (r) sa.spiResponder = r;
    for (const [printed, read] of [[pair[0], i], [pair[1], r]] as const) {
      if (!read && printed !== NULL_TEXT) b.diagnose(lineNo, `IKE SPI '${clip(printed)}' is not 16 hex digits`);
    }
    // list_sas.c stars the SPI of the side this host is (5.4.1+); older output has no star
    if (starred?.[2] === '*') sa.role = 'initiator';
    else if (starred?.[4] === '*') sa.role = 'responder';
    return sa;
  }

  function childHeader(m: RegExpExecArray): TableChildSa | undefined {
    const [, name, hashId, rest] = m;
    const parts = rest.split(', ');
    let i = 0;
    let reqidText: string | undefined;
    let uniqueId: string | undefined;
    if (parts[i]?.startsWith('reqid ')) {
      reqidText = parts[i++].slice('reqid '.length);
      uniqueId = hashId;
    } else {
      // before 5.3.0 (commit e4a131b1) the `#N` of a CHILD_SA was its reqid
      reqidText = hashId;
    }
    if (parts[i]?.startsWith('cpu ')) i++; // 6.0.2+ per-CPU SAs: not modelled
    const state = parts[i++];
    const modeText = parts[i++];
    const protoText = parts.slice(i).join(', ');
    // a CHILD_SA header always has state, mode and `PROTO:algorithms`
    if (!state || !/^[A-Z_]+$/.test(state) || !modeText || !protoText.includes(':')) return undefined;
    const colon = protoText.indexOf(':');
    const protocol = readProtocol(protoText.slice(0, colon));
    const algorithms = protoText.slice(colon + 1);
    const child: TableChildSa = {
      at: b.ref(lineNo, m[0]),
      state,
      installed: childStateIsInstalled(state),
      // the protocol is printed only for an SA vici listed with its SPIs; ESP is strongSwan's default
      protocol: protocol ?? 'esp',
      localTs: [],
      remoteTs: [],
    };
    if (ike) child.ikeSa = ike.index;
    if (name !== NULL_TEXT) child.name = name;
    if (uniqueId !== undefined && uniqueId !== NULL_TEXT) child.uniqueId = uniqueId;
    const reqid = readCount(reqidText);
    if (reqid.value !== undefined) child.reqid = reqid.value;
    else if (reqid.bad) b.diagnose(lineNo, `reqid '${clip(reqidText ?? '')}' is not a number`);
    const encap = modeText.endsWith('-in-UDP');
    const modeName = encap ? modeText.slice(0, -'-in-UDP'.length) : modeText;
    const mode = readMode(modeName);
    if (mode) child.mode = mode;
    else if (modeName !== 'PASS' && modeName !== 'DROP' && modeName !== NULL_TEXT) b.diagnose(lineNo, `mode '${clip(modeName)}' is not TUNNEL, TRANSPORT or BEET`);
    // "-in-UDP" is printed whenever vici sent encap=yes, which it does with the SPIs
    if (encap) child.udpEncap = true;
    else if (protocol) child.udpEncap = false;
    if (algorithms !== '' && algorithms !== NULL_TEXT) child.algorithms = algorithms;
    return child;
  }

  function childDetail(text: string, c: ChildInProgress): 'used' | 'other' | 'unparsed' {
    let m = INSTALLED.exec(text);
    if (m) {
      const age = seconds(m[1], 'installed age');
      if (age !== undefined) c.child.ageSeconds = age;
      const t = timers(m[2]);
      if (t.rekeying !== undefined) c.child.rekeySeconds = t.rekeying;
      if (t.expires !== undefined) c.child.expiresSeconds = t.expires;
      c.lines.push(b.ref(lineNo, text));
      return 'used';
    }
    m = DIRECTION.exec(text);
    if (m) {
      const [, dir, spiText, , , bytesText, packetsText, idleText] = m;
      c.lines.push(b.ref(lineNo, text));
      const spi = readSpi(spiText);
      if (!spi) {
        if (spiText !== NULL_TEXT) b.diagnose(lineNo, `${dir} SPI '${clip(spiText)}' is not 8 hex digits; the direction is left out`);
        return 'used';
      }
      const d: SaDirection = { spi };
      const bytes = count(bytesText, `${dir} bytes`);
      if (bytes !== undefined) d.bytes = bytes;
      const packets = count(packetsText, `${dir} packets`);
      if (packets !== undefined) d.packets = packets;
      const idle = seconds(idleText, `${dir} idle time`);
      if (idle !== undefined) d.idleSeconds = idle;
      c.child[dir as 'in' | 'out'] = d;
      return 'used';
    }
    m = SELECTORS.exec(text);
    if (m) {
      const list = readSelectors(m[2] ?? '');
      (m[1] === 'local' ? c.child.localTs : c.child.remoteTs).push(...list);
      c.lines.push(b.ref(lineNo, text));
      return 'used';
    }
    // 5.9.6+ security label: not modelled
    if (/^label\s/.test(text)) return 'other';
    return 'unparsed';
  }

  function count(text: string | undefined, what: string): number | undefined {
    const r = readCount(text);
    if (r.bad) b.diagnose(lineNo, `${what} '${clip(text ?? '')}' is not a whole number`);
    return r.value;
  }

  function seconds(text: string | undefined, what: string): number | undefined {
    const r = readSeconds(text);
    if (r.bad) b.diagnose(lineNo, `${what} '${clip(text ?? '')}s' is not a number of seconds`);
    return r.value;
  }

  /** `, rekeying in 3410s, reauth in 9413s, expires in 3958s` */
  function timers(tail: string): Timers {
    const t: Timers = {};
    for (const part of tail.split(',')) {
      const p = part.trim();
      if (p === '') continue;
      const m = /^(rekeying|reauth|expires) in (\S+?)s?$/.exec(p);
      if (!m) {
        b.diagnose(lineNo, `'${clip(p)}' is not a 'rekeying/reauth/expires in Ns' timer`);
        continue;
      }
      const v = seconds(m[2], `${m[1]} time`);
      if (v !== undefined) t[m[1] as keyof Timers] = v;
    }
    return t;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Lines only `swanctl --list-sas` prints (a charon log quotes none of them at column 0 or with this indentation). */
const SNIFF = [
  /^\S(?:.*?\S)?: #\d+, [A-Z_]+, IKEv[12], [0-9a-f]{16}(?:_i\*? [0-9a-f]{16}_r\*?|:[0-9a-f]{16})$/,
  /^ {2}(?:local {2}|remote )'.*' @ \S+/,
  /^ {2}\S+: #\d+, (?:reqid \d+, )?[A-Z_]+, (?:TUNNEL|TRANSPORT|BEET|TRANSPORT_PROXY)(?:-in-UDP)?, (?:ESP|AH|\(null\)):/,
  /^ {4}installed (?:\d+|\(null\))s? ago/,
  /^ {4}(?:in {2}|out )(?:[0-9a-f]{8}|\(null\))\S*(?: \([^)]*\))?,\s+(?:\d+|\(null\)) bytes,\s+(?:\d+|\(null\)) packets/,
  /^ {2}established \d+s ago/,
];

export function sniffListSas(lines: readonly string[]): number {
  return sniffScore(lines, SNIFF);
}

export const listSasReader: SaTableReader = {
  format: 'swanctl-list-sas',
  name: 'strongSwan swanctl --list-sas',
  sniff: sniffListSas,
  read: (lines, source) => readListSasCounted(lines, source).read,
};
