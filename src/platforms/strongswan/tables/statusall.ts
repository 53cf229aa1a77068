/**
 * `ipsec statusall` / `ipsec status` of the legacy stroke interface, as printed by
 * libcharon/plugins/stroke/stroke_list.c (strongSwan 5.0 … 5.9). The name is
 * right-aligned in 12 columns (`%12s`), IKE_SAs are `name[uniqueid]`, CHILD_SAs
 * `name{uniqueid}`:
 *
 *   Security Associations (1 up, 0 connecting):
 *           lab[1]: ESTABLISHED 2 seconds ago, 192.0.2.10[left.example]...198.51.100.20[right.example]
 *           lab[1]: IKEv2 SPIs: 6f18d4926805bc13_i* 95ffd3821790945b_r, pre-shared key reauthentication in 2 hours
 *           lab[1]: IKE proposal: AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
 *           net{1}:  INSTALLED, TUNNEL, reqid 1, ESP in UDP SPIs: c1a2b3c4_i c5d6e7f8_o
 *           net{1}:  AES_CBC_128/HMAC_SHA2_256_128, 840 bytes_i (10 pkts, 3s ago), 840 bytes_o (10 pkts, 3s ago), rekeying in 45 minutes
 *           net{1}:   10.1.0.0/24 === 10.2.0.0/24
 *
 * `ipsec status` prints the first line of each IKE_SA and the first and last line of
 * each CHILD_SA. Version differences (git history of stroke_list.c):
 * - before 5.3.0 the `{N}` of a CHILD_SA is its reqid and there is no `reqid N`;
 * - before 5.0.3 the counters are `840 bytes_i (3s ago)`, without packets;
 * - before 5.4.0 the IKE SPIs come out byte-swapped on little-endian hosts (db00982d),
 *   recorded as printed;
 * - the packet count is printed only when the SA was used (`(N pkts, Ns ago)`): a
 *   bare `0 bytes_i` leaves packets and idle time undefined.
 * Durations (`%V`, utils/time.c) are whole seconds up to 120, then whole minutes up
 * to 2 hours, hours up to 2 days, then days, each rounded down: `45 minutes` is read
 * as 2700 s, the lower bound.
 *
 * The daemon status, "Listening IP addresses:", "Connections:" (the loaded
 * configuration), "Shunted Connections:" and pool lines are counted in otherLines.
 * CHILD_SAs under "Routed Connections:" are trap policies (state ROUTED) with no IKE_SA.
 */
import type { SaDirection, SaEndpoint, SaTableRead, SaTableReader, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { EvidenceRef } from '../../../evidence/types.js';
import { TableBuilder, childStateIsInstalled, ikeStateIsUp, readCount, readIkeSpi, readMode, readProtocol, readSelectors, readSpi, sniffScore } from './common.js';
import { readPort } from './endpoint.js';

const DECODER = 'strongswan-statusall';

const IKE_LINE = /^\s*(\S(?:.*?\S)?)\[(\d+)\]: (.*)$/;
const CHILD_LINE = /^\s*(\S(?:.*?\S)?)\{(\d+)\}: {2}(.*)$/;
const IKE_HEADER = /^([A-Z_]+)(?: (\S+) (second|minute|hour|day)s? ago)?, (.*)$/;
const IKE_SPIS = /^IKEv(\S+) SPIs: (\S+)_i(\*?) (\S+)_r(\*?)(.*)$/;
const COUNTERS = /^(\S+) bytes_i(?: \((?:(\S+) pkts?, )?(\S+)s ago\))?, (\S+) bytes_o(?: \((?:(\S+) pkts?, )?(\S+)s ago\))?(?:, rekeying (.*))?$/;
const DURATION = /^(\S+) (second|minute|hour|day)s?$/;
const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;

type Section = 'start' | 'status' | 'pools' | 'listening' | 'connections' | 'shunted' | 'routed' | 'sas';

const SECTION_HEADERS: [RegExp, Section][] = [
  [/^Status of IKE charon daemon\b/, 'status'],
  [/^Virtual IP pools \(size\/online\/offline\):$/, 'pools'],
  [/^Listening IP addresses:$/, 'listening'],
  [/^Connections:$/, 'connections'],
  [/^Shunted Connections:$/, 'shunted'],
  [/^Routed Connections:$/, 'routed'],
  [/^Security Associations \(\d+ up, \d+ connecting\):$/, 'sas'],
];

interface ChildInProgress {
  child: TableChildSa;
  lines: EvidenceRef[];
}

export function readStatusallCounted(input: Iterable<string>, source: string): { read: SaTableRead; used: number } {
  const b = new TableBuilder(source, 'ipsec-statusall', DECODER);
  let section: Section = 'start';
  let currentIke: number | undefined;
  /** `name[N]` → index of the latest IKE_SA header with that key */
  const ikeByKey = new Map<string, number>();
  /** `name{N}` → the latest CHILD_SA header with that key (pre-5.3 keys repeat: {N} is the reqid) */
  const childByKey = new Map<string, ChildInProgress>();
  const children: ChildInProgress[] = [];
  let lineNo = 0;

  for (const raw of input) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    try {
      const kind = readLine(line);
      if (kind === 'used') b.used++;
      else if (kind === 'other') b.table.otherLines++;
      else b.table.unparsed++;
    } catch (err) {
      b.table.unparsed++;
      b.diagnose(lineNo, `the reader failed on this line (${(err as Error).message})`);
    }
  }
  for (const c of children) if (c.lines.length) c.child.lines = c.lines;
  b.table.lines = lineNo;
  return { read: { table: b.table, diagnostics: b.diagnostics }, used: b.used };

  function readLine(line: string): 'used' | 'other' | 'unparsed' {
    const text = line.trim();
    if (text === '') return 'other';
    for (const [re, s] of SECTION_HEADERS) {
      if (re.test(line)) {
        section = s;
        if (s !== 'sas') currentIke = undefined;
        return 'other';
      }
    }
    let m = IKE_LINE.exec(line);
    if (m && section !== 'connections') {
      const r = ikeLine(m[1], m[2], m[3], text);
      if (r) return r;
    }
    m = CHILD_LINE.exec(line);
    if (m && section !== 'connections') {
      const r = childLine(m[1], m[2], m[3], text);
      if (r) return r;
    }
    switch (section) {
      case 'status':
        // uptime:, malloc:, worker threads:, loaded plugins:
        return /^\s+\S[^:]*:\s/.test(line) ? 'other' : 'unparsed';
      case 'listening':
        return /^\s+\S+$/.test(line) ? 'other' : 'unparsed';
      case 'pools':
      case 'connections':
      case 'shunted':
        return /^\s*\S.*?:\s/.test(line) ? 'other' : 'unparsed';
      case 'sas':
        return text === 'none' || text === 'no match' ? 'other' : 'unparsed';
      default:
        return 'unparsed';
    }
  }

  function ikeLine(name: string, id: string, rest: string, text: string): 'used' | 'other' | undefined {
    const key = `${name}[${id}]`;
    const header = IKE_HEADER.exec(rest);
    if (header && header[4].includes('...')) {
      const [, state, ageText, unit, hosts] = header;
      const sa: TableIkeSa = { at: b.ref(lineNo, text), name, uniqueId: id, state, established: ikeStateIsUp(state) };
      if (ageText !== undefined) {
        const age = duration(`${ageText} ${unit}`, 'established age');
        if (age !== undefined) sa.ageSeconds = age;
      }
      const ends = endpoints(hosts);
      if (ends) {
        sa.local = ends.local;
        sa.remote = ends.remote;
      } else {
        b.diagnose(lineNo, `endpoints '${clip(hosts)}' are not 'host[id]...host[id]'`);
      }
      const index = b.addIke(sa);
      ikeByKey.set(key, index);
      if (section === 'sas' || section === 'start') currentIke = index;
      return 'used';
    }
    const index = ikeByKey.get(key);
    if (index === undefined) return undefined;
    const sa = b.table.ikeSas[index];
    let m = IKE_SPIS.exec(rest);
    if (m) {
      const [, version, spiI, starI, spiR, starR, tail] = m;
      if (version === '1' || version === '2') sa.version = Number(version) as 1 | 2;
      else b.diagnose(lineNo, `IKE version 'IKEv${clip(version)}' is neither IKEv1 nor IKEv2`);
      for (const [printed, field] of [[spiI, 'spiInitiator'], [spiR, 'spiResponder']] as const) {
        const spi = readIkeSpi(printed);
        if (spi) sa[field] = spi;
        else b.diagnose(lineNo, `IKE SPI '${clip(printed)}' is not 16 hex digits`);
      }
      if (starI === '*') sa.role = 'initiator';
      else if (starR === '*') sa.role = 'responder';
      for (const part of tail.split(', ').slice(1)) {
        const rekey = /^rekeying in (.*)$/.exec(part);
        const reauth = /reauthentication in (.*)$/.exec(part);
        if (rekey) {
          const v = duration(rekey[1], 'IKE rekey time');
          if (v !== undefined) sa.rekeySeconds = v;
        } else if (reauth) {
          const v = duration(reauth[1], 'IKE reauthentication time');
          if (v !== undefined) sa.reauthSeconds = v;
        } else if (part !== 'rekeying disabled') {
          b.diagnose(lineNo, `'${clip(part)}' is not a rekeying or reauthentication time`);
        }
      }
      return 'used';
    }
    m = /^IKE proposal: (.*)$/.exec(rest);
    if (m) {
      sa.algorithms = m[1];
      return 'used';
    }
    // the remote EAP/XAuth identity and the task queues have no place in the model
    if (/^Remote (?:EAP|XAuth) identity: /.test(rest) || /^Tasks (?:queued|active|passive): /.test(rest)) return 'other';
    return undefined;
  }

  function childLine(name: string, id: string, rest: string, text: string): 'used' | undefined {
    const key = `${name}{${id}}`;
    if (!rest.startsWith(' ')) {
      const started = childHeader(name, id, rest, text);
      if (started) {
        const c: ChildInProgress = { child: b.addChild(started), lines: [] };
        children.push(c);
        childByKey.set(key, c);
        return 'used';
      }
    }
    const c = childByKey.get(key);
    if (!c) return undefined;
    if (rest.startsWith(' ') && rest.includes(' === ')) {
      const [local, remote] = rest.trim().split(' === ', 2);
      c.child.localTs.push(...readSelectors(local));
      c.child.remoteTs.push(...readSelectors(remote));
      c.lines.push(b.ref(lineNo, text));
      return 'used';
    }
    const at = rest.search(/(?:^|, )\S+ bytes_i\b/);
    if (at >= 0) {
      const algorithms = rest.slice(0, at);
      if (algorithms !== '') c.child.algorithms = algorithms;
      counters(c.child, rest.slice(at).replace(/^, /, ''));
      c.lines.push(b.ref(lineNo, text));
      return 'used';
    }
    return undefined;
  }

  function childHeader(name: string, id: string, rest: string, text: string): TableChildSa | undefined {
    const parts = rest.split(', ');
    const [state, modeText] = parts;
    if (!/^[A-Z_]+$/.test(state ?? '') || !/^[A-Z_]+$/.test(modeText ?? '')) return undefined;
    const child: TableChildSa = { at: b.ref(lineNo, text), name, state, installed: childStateIsInstalled(state), protocol: 'esp', localTs: [], remoteTs: [] };
    if (section !== 'routed' && currentIke !== undefined) child.ikeSa = currentIke;
    const mode = readMode(modeText);
    if (mode) child.mode = mode;
    else if (modeText !== 'PASS' && modeText !== 'DROP') b.diagnose(lineNo, `mode '${clip(modeText)}' is not TUNNEL, TRANSPORT or BEET`);
    let reqidSeen = false;
    for (const part of parts.slice(2)) {
      let m = /^reqid (.*)$/.exec(part);
      if (m) {
        reqidSeen = true;
        const r = readCount(m[1]);
        if (r.value !== undefined) child.reqid = r.value;
        else b.diagnose(lineNo, `reqid '${clip(m[1])}' is not a number`);
        continue;
      }
      m = /^(\S+)( in UDP)? SPIs: (\S+)_i (\S+)_o$/.exec(part);
      if (m) {
        const protocol = readProtocol(m[1]);
        if (protocol) child.protocol = protocol;
        else b.diagnose(lineNo, `protocol '${clip(m[1])}' is neither ESP nor AH`);
        child.udpEncap = m[2] !== undefined;
        for (const [printed, dir] of [[m[3], 'in'], [m[4], 'out']] as const) {
          const spi = readSpi(printed);
          if (spi) child[dir] = { spi };
          else b.diagnose(lineNo, `${dir} SPI '${clip(printed)}' is not 8 hex digits; the direction is left out`);
        }
        continue;
      }
      m = /^expires in (.*)$/.exec(part);
      if (m) {
        const v = duration(m[1], 'expiry time');
        if (v !== undefined) child.expiresSeconds = v;
        continue;
      }
      // IPComp CPIs have no place in the model
      if (/^IPCOMP CPIs: /.test(part)) continue;
      b.diagnose(lineNo, `'${clip(part)}' is not a part of a CHILD_SA line this reader knows`);
    }
    // before 5.3.0 (commit 53cf7fa6) the `{N}` was the reqid; since then it is the unique id
    if (reqidSeen) child.uniqueId = id;
    else if (child.reqid === undefined) child.reqid = Number(id);
    return child;
  }

  function counters(child: TableChildSa, text: string): void {
    const m = COUNTERS.exec(text);
    if (!m) {
      b.diagnose(lineNo, `counters '${clip(text)}' are not 'N bytes_i (N pkts, Ns ago), N bytes_o …'`);
      return;
    }
    const [, bytesIn, pktsIn, idleIn, bytesOut, pktsOut, idleOut, rekey] = m;
    direction(child.in, 'in', bytesIn, pktsIn, idleIn);
    direction(child.out, 'out', bytesOut, pktsOut, idleOut);
    if (rekey !== undefined && rekey.startsWith('in ')) {
      const v = duration(rekey.slice(3), 'rekey time');
      if (v !== undefined) child.rekeySeconds = v;
    } else if (rekey !== undefined && rekey !== 'active' && rekey !== 'disabled') {
      b.diagnose(lineNo, `'rekeying ${clip(rekey)}' is not a rekey time`);
    }
  }

  function direction(d: SaDirection | undefined, dir: string, bytes: string, packets: string | undefined, idle: string | undefined): void {
    if (!d) {
      b.diagnose(lineNo, `${dir} counters for a CHILD_SA whose ${dir} SPI was not printed`);
      return;
    }
    const nb = readCount(bytes);
    if (nb.value !== undefined) d.bytes = nb.value;
    else b.diagnose(lineNo, `${dir} bytes '${clip(bytes)}' is not a whole number`);
    if (packets !== undefined) {
      const np = readCount(packets);
      if (np.value !== undefined) d.packets = np.value;
      else b.diagnose(lineNo, `${dir} packets '${clip(packets)}' is not a whole number`);
    }
    if (idle !== undefined) {
      const ni = readCount(idle);
      if (ni.value !== undefined) d.idleSeconds = ni.value;
      else b.diagnose(lineNo, `${dir} idle time '${clip(idle)}s' is not a number of seconds`);
    }
  }

  /** `2 seconds`, `1 minute`, `45 minutes`, `3 hours`, `26 days` */
  function duration(text: string, what: string): number | undefined {
    const m = DURATION.exec(text.trim());
    const n = m ? readCount(m[1]).value : undefined;
    if (!m || n === undefined) {
      b.diagnose(lineNo, `${what} '${clip(text)}' is not 'N seconds/minutes/hours/days'`);
      return undefined;
    }
    return n * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
  }

  function endpoints(hosts: string): { local: SaEndpoint; remote: SaEndpoint } | undefined {
    const split = hosts.indexOf(']...');
    if (split < 0) return undefined;
    const local = hostAndId(hosts.slice(0, split + 1));
    const remote = hostAndId(hosts.slice(split + 4));
    return local && remote ? { local, remote } : undefined;
  }

  /** `192.0.2.10[left.example]`, `%any[%any]`, and a vendor build's `5.5.5.64[4500][5.5.5.64]` */
  function hostAndId(text: string): SaEndpoint | undefined {
    const withPort = /^([^\s[\]]+)\[(\d{1,5})\]\[(.*)\]$/.exec(text);
    const plain = withPort ? undefined : /^([^\s[\]]+)\[(.*)\]$/.exec(text);
    if (withPort) {
      const e: SaEndpoint = { address: withPort[1], id: withPort[3] };
      const port = readPort(withPort[2]);
      if (port !== undefined) e.port = port;
      return e;
    }
    return plain ? { address: plain[1], id: plain[2] } : undefined;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const STATES = 'CREATED|CONNECTING|ESTABLISHED|PASSIVE|REKEYING|REKEYED|DELETING|DESTROYING';
/** Lines only stroke's status output has (a charon log says `IKE_SA lab[1] established`, never `lab[1]: ESTABLISHED`). */
const SNIFF = [
  /^Security Associations \(\d+ up, \d+ connecting\):$/,
  // the real header names the version (`%sSwan VERSION`); console transcripts of test suites sanitise it
  /^Status of IKE charon daemon \([a-z]+Swan \d/,
  new RegExp(`^\\s*\\S(?:.*?\\S)?\\[\\d+\\]: (?:${STATES})(?: \\d+ (?:second|minute|hour|day)s? ago)?, \\S*\\[.*\\]\\.\\.\\.\\S*\\[.*\\]$`),
  /^\s*\S(?:.*?\S)?\[\d+\]: IKEv[12] SPIs: [0-9a-f]{16}_i\*? [0-9a-f]{16}_r\*?/,
  /^\s*\S(?:.*?\S)?\[\d+\]: IKE proposal: \S+$/,
  /^\s*\S(?:.*?\S)?\{\d+\}: {2}[A-Z_]+, (?:TUNNEL|TRANSPORT|BEET|TRANSPORT_PROXY|PASS|DROP)\b/,
  /^\s*\S(?:.*?\S)?\{\d+\}: {2}.*\b\d+ bytes_i\b.*\b\d+ bytes_o\b/,
  /^\s*\S(?:.*?\S)?\{\d+\}: {3}\S.* === \S/,
];

export function sniffStatusall(lines: readonly string[]): number {
  return sniffScore(lines, SNIFF);
}

export const statusallReader: SaTableReader = {
  format: 'ipsec-statusall',
  name: 'strongSwan ipsec statusall / ipsec status',
  sniff: sniffStatusall,
  read: (lines, source) => readStatusallCounted(lines, source).read,
};
