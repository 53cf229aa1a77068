/**
 * BIG-IP's own SAs, ../shared/reference/platforms.md §2.4:
 * - `tmsh show net ipsec ipsec-sa all-properties` (`IPsec::SecurityAssociations`, F5
 *   clouddocs ipsec_sa_view.html): one record per direction — `SRC -> DST`, `tmm: N`,
 *   `Direction: out; SPI: 0x…(…); …`, `Protocol: esp; Mode: tunnel; State: mature`,
 *   `Current Usage: N bytes`. The two directions of one tunnel (reversed addresses) are
 *   one Child SA here, `out` and `in`.
 * - `tmsh show net ipsec` piped through grep, as the seed shows it: `Tunnel State : up`. A
 *   state with nothing else: recorded as a tunnel the box says is up, with no SPI and no
 *   counters — it proves nothing about the path (a box in the middle may drop one direction).
 * - `tmsh show net ipsec ike-sa` (`IKE::SecurityAssociations`, clouddocs isakmp_sa_view.html):
 *   `(tmm: N)` then `A/500 -> B/500`; an IKE SA per such line.
 * - `racoonctl -ll show-sa isakmp` (IKEv1 phase 1, held by racoon): `Source Destination Cookies
 *   ST S V E Created Phase2` rows; `S` is I/R, `ST` racoon's phase 1 status (9 = established,
 *   ipsec-tools PHASE1ST_ESTABLISHED), `Phase2` the Quick Mode SAs negotiated under it (ph2cnt).
 */
import type { SaDirection, SaTableFormat, SaTableReader, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { Diagnostic, EvidenceRef } from '../../../evidence/types.js';
import { isAddress, plainSpaces } from '../text.js';

const IPSEC_TITLE = /^\s*IPsec::SecurityAssociations\s*$/;
const IKE_TITLE = /^\s*IKE::SecurityAssociations\s*$/;
const PAIR = /^\s*([0-9a-fA-F.:%]+)\s+->\s+([0-9a-fA-F.:%]+)\s*$/;
const IKE_PAIR = /^\s*([0-9a-fA-F.:]+)\/(\d+)\s+->\s+([0-9a-fA-F.:]+)\/(\d+)\s*$/;
const DIRECTION = /^\s*Direction:\s*(in|out);\s*SPI:\s*0x([0-9a-fA-F]+)/;
const PROTOCOL = /^\s*Protocol:\s*(esp|ah|ipcomp);\s*Mode:\s*(\w+);\s*State:\s*(\w+)/i;
const USAGE = /^\s*Current Usage:\s*(\d+)\s*bytes/;
const TUNNEL_STATE = /^\s*Tunnel State\s*:\s*(\w+)\s*$/;
const TOTAL = /^\s*Total records returned:\s*\d+\s*$/;
const RACOON_HEAD = /^\s*Source\s+Destination\s+Cookies\s+ST\s+S\s+V\s+E\s+Created/;
const RACOON_ROW = /^\s*(\S+)\.(\d+)\s+(\S+)\.(\d+)\s+([0-9a-f]{16}):([0-9a-f]{16})\s+(\d+)\s+([IR])\s+(\d+)\s+(\w)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(\d+)\s*$/;
const OTHER = /^\s*(-{5,}|tmm:\s*\d+|\(tmm:\s*\d+\)|Authenticated Encryption|Encryption|Authentication|Hard lifetime|Soft lifetime|Replay window|Last use|Version:|#|\[.*\].*#|\(tmos\)#)/;

interface Record_ {
  at: EvidenceRef;
  lines: EvidenceRef[];
  src: string;
  dst: string;
  dir?: 'in' | 'out';
  spi?: string;
  protocol?: 'esp' | 'ah' | 'ipcomp';
  mode?: string;
  state?: string;
  bytes?: number;
}

function read(lines: Iterable<string>, source: string, format: SaTableFormat): ReturnType<SaTableReader['read']> {
  const ikeSas: TableIkeSa[] = [];
  const childSas: TableChildSa[] = [];
  const records: Record_[] = [];
  const diagnostics: Diagnostic[] = [];
  let n = 0;
  let other = 0;
  let unparsed = 0;
  let cur: Record_ | undefined;
  for (const raw of lines) {
    n++;
    const line = plainSpaces(raw).replace(/\r$/, '');
    const ref = { source, line: n, excerpt: line.trim() };
    let m: RegExpExecArray | null;
    if (!line.trim() || IPSEC_TITLE.test(line) || IKE_TITLE.test(line) || TOTAL.test(line) || RACOON_HEAD.test(line)) {
      other++;
      continue;
    }
    if ((m = IKE_PAIR.exec(line))) {
      ikeSas.push({ at: ref, state: 'listed', established: false, local: { address: m[1], port: Number(m[2]) }, remote: { address: m[3], port: Number(m[4]) } });
      continue;
    }
    if ((m = PAIR.exec(line)) && isAddress(m[1]) && isAddress(m[2])) {
      cur = { at: ref, lines: [], src: m[1], dst: m[2] };
      records.push(cur);
      continue;
    }
    if (cur && (m = DIRECTION.exec(line))) {
      cur.dir = m[1] as 'in' | 'out';
      cur.spi = m[2].toLowerCase().padStart(8, '0');
      cur.lines.push(ref);
      continue;
    }
    if (cur && (m = PROTOCOL.exec(line))) {
      cur.protocol = m[1].toLowerCase() as Record_['protocol'];
      cur.mode = m[2].toLowerCase();
      cur.state = m[3].toLowerCase();
      cur.lines.push(ref);
      continue;
    }
    if (cur && (m = USAGE.exec(line))) {
      cur.bytes = Number(m[1]);
      cur.lines.push(ref);
      continue;
    }
    if ((m = TUNNEL_STATE.exec(line))) {
      const up = m[1].toLowerCase() === 'up';
      childSas.push({ at: ref, state: `Tunnel State: ${m[1]}`, installed: up, protocol: 'esp', localTs: [], remoteTs: [] });
      continue;
    }
    if ((m = RACOON_ROW.exec(line))) {
      // racoonctl prints the local end first; ST 9 is PHASE1ST_ESTABLISHED in ipsec-tools' handler.h
      ikeSas.push({
        at: ref, state: `ST ${m[7]}`, established: m[7] === '9', version: 1,
        local: { address: m[1], port: Number(m[2]) }, remote: { address: m[3], port: Number(m[4]) },
        spiInitiator: m[5], spiResponder: m[6], role: m[8] === 'I' ? 'initiator' : 'responder', childSasNegotiated: Number(m[12]),
      });
      continue;
    }
    if (OTHER.test(line)) {
      other++;
      continue;
    }
    unparsed++;
    if (diagnostics.length < 10) diagnostics.push({ at: { source, line: n }, decoder: format, message: 'line not understood in this BIG-IP IPsec listing: skipped' });
  }
  // the two directions of one tunnel: reversed addresses, one `out` and one `in`
  const used = new Set<Record_>();
  for (const r of records) {
    if (used.has(r)) continue;
    used.add(r);
    const twin = records.find((o) => !used.has(o) && o.src === r.dst && o.dst === r.src && o.dir !== r.dir && o.protocol === r.protocol);
    if (twin) used.add(twin);
    const both = [r, twin].filter((x): x is Record_ => x !== undefined);
    const dirOf = (x: Record_): SaDirection => ({ ...(x.spi ? { spi: x.spi } : {}), src: x.src, dst: x.dst, ...(x.bytes !== undefined ? { bytes: x.bytes } : {}) });
    const out = both.find((x) => x.dir === 'out');
    const inn = both.find((x) => x.dir === 'in');
    const state = both.map((x) => x.state ?? '?').join('/');
    childSas.push({
      at: r.at, lines: both.flatMap((x) => (x === r ? x.lines : [x.at, ...x.lines])), state,
      installed: both.every((x) => x.state === 'mature' || x.state === 'dying'),
      protocol: r.protocol ?? 'esp', ...(r.mode === 'tunnel' || r.mode === 'transport' ? { mode: r.mode } : {}),
      ...(out ? { out: dirOf(out) } : {}), ...(inn ? { in: dirOf(inn) } : {}),
      ...(!out && !inn ? { unpaired: dirOf(r) } : {}),
      localTs: [], remoteTs: [],
    });
  }
  return { table: { source, format, platform: 'f5', ikeSas, childSas, policies: [], lines: n, otherLines: other, unparsed }, diagnostics };
}

function shapes(lines: readonly string[], res: RegExp[]): number {
  return lines.slice(0, 50).filter((l) => res.some((re) => re.test(plainSpaces(l)))).length;
}

export const netIpsecReader: SaTableReader = {
  format: 'f5-show-net-ipsec',
  name: 'F5 tmsh show net ipsec',
  sniff: (lines) => shapes(lines, [IPSEC_TITLE, DIRECTION, PROTOCOL, USAGE, TUNNEL_STATE]),
  read: (lines, source) => read(lines, source, 'f5-show-net-ipsec'),
};

export const ikeSaReader: SaTableReader = {
  format: 'f5-show-net-ike-sa',
  name: 'F5 tmsh show net ipsec ike-sa',
  sniff: (lines) => (lines.slice(0, 50).some((l) => IKE_TITLE.test(l)) ? shapes(lines, [IKE_TITLE, IKE_PAIR]) : 0),
  read: (lines, source) => read(lines, source, 'f5-show-net-ike-sa'),
};

export const racoonctlReader: SaTableReader = {
  format: 'f5-racoonctl-show-sa',
  name: 'racoonctl show-sa isakmp (BIG-IP IKEv1)',
  sniff: (lines) => shapes(lines, [RACOON_HEAD, RACOON_ROW]),
  read: (lines, source) => read(lines, source, 'f5-racoonctl-show-sa'),
};
