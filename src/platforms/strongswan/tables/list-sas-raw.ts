/**
 * `swanctl --list-sas --raw` (and `--pretty`): the vici `list-sa` events dumped as they
 * came from charon (one event per IKE_SA, then `list-sas reply {}`). The keys are
 * those vici_query.c list_ike / list_child send (strongSwan 5.2 … 6.0):
 *
 *   IKE_SA: uniqueid version state local-host local-port local-id remote-host
 *     remote-port remote-id [remote-eap-id|remote-xauth-id] [initiator=yes]
 *     initiator-spi responder-spi [nat-*] encr-alg [encr-keysize] [integ-alg
 *     [integ-keysize]] prf-alg dh-group [ppk] [established rekey-time reauth-time]
 *     [local-vips=[…] remote-vips=[…]] [tasks-*=[…]] child-sas {…}
 *   CHILD_SA (section `name-uniqueid` since 5.5.2, `name` before): name uniqueid reqid
 *     state mode [label] then, for INSTALLED/REKEYING/REKEYED/DELETING/DELETED only:
 *     protocol [encap=yes] spi-in spi-out [cpi-in cpi-out] [mark-*] [if-id-*]
 *     algorithms, bytes-in packets-in [use-in] bytes-out packets-out [use-out]
 *     [rekey-time] [life-time] install-time; and always local-ts=[…] remote-ts=[…]
 *
 * `initiator=yes` is sent from the first vici version on, so its absence says this
 * host is the responder. The algorithm strings are put together the way the plain
 * --list-sas prints them, so both readers give the same text for the same SA.
 */
import type { SaDirection, SaEndpoint, SaTableRead, SaTableReader, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { EvidenceRef } from '../../../evidence/types.js';
import {
  TableBuilder,
  childStateIsInstalled,
  ikeStateIsUp,
  readCount,
  readIkeSpi,
  readMode,
  readProtocol,
  readSeconds,
  readSpi,
  sniffScore,
} from './common.js';
import { readPort } from './endpoint.js';
import { ViciDumpParser, type ViciKeyValue, type ViciList, type ViciMessage, type ViciSection } from './vici-dump.js';

const DECODER = 'strongswan-list-sas';

/** The entries of one section by key (the first one wins: vici never repeats a key). */
class Fields {
  private readonly kv = new Map<string, ViciKeyValue>();
  private readonly lists = new Map<string, ViciList>();
  readonly sections: ViciSection[] = [];

  constructor(section: ViciSection) {
    for (const e of section.entries) {
      if (e.kind === 'kv' && !this.kv.has(e.key)) this.kv.set(e.key, e);
      else if (e.kind === 'list' && !this.lists.has(e.key)) this.lists.set(e.key, e);
      else if (e.kind === 'section') this.sections.push(e);
    }
  }

  get(key: string): string | undefined {
    return this.kv.get(key)?.value;
  }

  line(key: string): number | undefined {
    return this.kv.get(key)?.line ?? this.lists.get(key)?.line;
  }

  text(key: string): string {
    return this.kv.get(key)?.text ?? this.lists.get(key)?.text ?? '';
  }

  list(key: string): string[] | undefined {
    return this.lists.get(key)?.items;
  }
}

export function readListSasRawCounted(input: Iterable<string>, source: string): { read: SaTableRead; used: number } {
  const b = new TableBuilder(source, 'swanctl-list-sas-raw', DECODER);
  const parser = new ViciDumpParser((m) => addMessage(m));
  let lineNo = 0;
  for (const raw of input) {
    lineNo++;
    try {
      const kind = parser.feed(lineNo, raw);
      if (kind === 'blank') b.table.otherLines++;
      else if (kind === 'unparsed') b.table.unparsed++;
      // message lines are counted with their message: used when it held an SA, other when not
    } catch (err) {
      b.table.unparsed++;
      b.diagnose(lineNo, `the reader failed on this line (${(err as Error).message})`);
    }
  }
  try {
    parser.finish(lineNo);
  } catch (err) {
    b.diagnose(lineNo, `the reader failed at the end of the input (${(err as Error).message})`);
  }
  for (const p of parser.problems) b.diagnose(p.line, p.message);
  b.table.lines = lineNo;
  return { read: { table: b.table, diagnostics: b.diagnostics }, used: b.used };

  function addMessage(m: ViciMessage): void {
    let sas = 0;
    // an event's body holds one section per IKE_SA, named after its connection
    for (const e of m.body.entries) {
      if (e.kind !== 'section') continue;
      addIke(e);
      sas++;
    }
    if (sas > 0) b.used += m.lineCount;
    else b.table.otherLines += m.lineCount;
  }

  function addIke(s: ViciSection): void {
    const f = new Fields(s);
    const state = f.get('state') ?? '';
    const sa: TableIkeSa = { at: b.ref(s.line, s.text), name: s.name, state, established: ikeStateIsUp(state) };
    const uniqueId = f.get('uniqueid');
    if (uniqueId !== undefined) sa.uniqueId = uniqueId;
    const version = f.get('version');
    if (version === '1' || version === '2') sa.version = Number(version) as 1 | 2;
    else if (version !== undefined) b.diagnose(f.line('version')!, `IKE version '${clip(version)}' is neither 1 nor 2`);
    sa.local = endpoint(f, 'local');
    sa.remote = endpoint(f, 'remote');
    for (const [key, field] of [['initiator-spi', 'spiInitiator'], ['responder-spi', 'spiResponder']] as const) {
      const printed = f.get(key);
      const spi = readIkeSpi(printed);
      if (spi) sa[field] = spi;
      else if (printed !== undefined) b.diagnose(f.line(key)!, `${key} '${clip(printed)}' is not 16 hex digits`);
    }
    sa.role = f.get('initiator') === 'yes' ? 'initiator' : 'responder';
    const algorithms = ikeAlgorithms(f);
    if (algorithms) sa.algorithms = algorithms;
    const age = seconds(f, 'established');
    if (age !== undefined) sa.ageSeconds = age;
    const rekey = seconds(f, 'rekey-time');
    if (rekey !== undefined) sa.rekeySeconds = rekey;
    const reauth = seconds(f, 'reauth-time');
    if (reauth !== undefined) sa.reauthSeconds = reauth;
    const index = b.addIke(sa);
    const children = f.sections.find((c) => c.name === 'child-sas');
    for (const c of children?.entries ?? []) if (c.kind === 'section') addChild(c, index);
  }

  function addChild(s: ViciSection, ikeIndex: number): void {
    const f = new Fields(s);
    const state = f.get('state') ?? '';
    const protocol = readProtocol(f.get('protocol'));
    const child: TableChildSa = {
      at: b.ref(s.line, s.text),
      ikeSa: ikeIndex,
      // 5.5.2+ names the section `name-uniqueid` and sends the name; before, the section is the name
      name: f.get('name') ?? s.name,
      state,
      installed: childStateIsInstalled(state),
      // vici sends the protocol only with the SPIs; ESP is strongSwan's default
      protocol: protocol ?? 'esp',
      localTs: f.list('local-ts') ?? [],
      remoteTs: f.list('remote-ts') ?? [],
    };
    const uniqueId = f.get('uniqueid');
    if (uniqueId !== undefined) child.uniqueId = uniqueId;
    const reqid = count(f, 'reqid');
    if (reqid !== undefined) child.reqid = reqid;
    const modeText = f.get('mode');
    if (modeText !== undefined) {
      const mode = readMode(modeText);
      if (mode) child.mode = mode;
      else if (modeText !== 'PASS' && modeText !== 'DROP') b.diagnose(f.line('mode')!, `mode '${clip(modeText)}' is not TUNNEL, TRANSPORT or BEET`);
    }
    if (f.get('encap') === 'yes') child.udpEncap = true;
    else if (protocol) child.udpEncap = false;
    const algorithms = childAlgorithms(f);
    if (algorithms) child.algorithms = algorithms;
    for (const dir of ['in', 'out'] as const) {
      const d = direction(f, dir);
      if (d) child[dir] = d;
    }
    const age = seconds(f, 'install-time');
    if (age !== undefined) child.ageSeconds = age;
    const rekey = seconds(f, 'rekey-time');
    if (rekey !== undefined) child.rekeySeconds = rekey;
    const expires = seconds(f, 'life-time');
    if (expires !== undefined) child.expiresSeconds = expires;
    const lines = evidenceLines(f, s, ['install-time', 'spi-in', 'bytes-in', 'packets-in', 'use-in', 'spi-out', 'bytes-out', 'packets-out', 'use-out', 'local-ts', 'remote-ts']);
    if (lines.length) child.lines = lines;
    b.addChild(child);
  }

  function endpoint(f: Fields, side: 'local' | 'remote'): SaEndpoint {
    const e: SaEndpoint = {};
    const address = f.get(`${side}-host`);
    if (address !== undefined) e.address = address;
    const portText = f.get(`${side}-port`);
    if (portText !== undefined) {
      const port = readPort(portText);
      if (port !== undefined) e.port = port;
      else b.diagnose(f.line(`${side}-port`)!, `${side}-port '${clip(portText)}' is not a port number`);
    }
    const id = f.get(`${side}-id`);
    if (id !== undefined) e.id = id;
    return e;
  }

  function direction(f: Fields, dir: 'in' | 'out'): SaDirection | undefined {
    const printed = f.get(`spi-${dir}`);
    if (printed === undefined) return undefined;
    const spi = readSpi(printed);
    if (!spi) {
      b.diagnose(f.line(`spi-${dir}`)!, `spi-${dir} '${clip(printed)}' is not 8 hex digits; the direction is left out`);
      return undefined;
    }
    const d: SaDirection = { spi };
    const bytes = count(f, `bytes-${dir}`);
    if (bytes !== undefined) d.bytes = bytes;
    const packets = count(f, `packets-${dir}`);
    if (packets !== undefined) d.packets = packets;
    const idle = seconds(f, `use-${dir}`);
    if (idle !== undefined) d.idleSeconds = idle;
    return d;
  }

  function count(f: Fields, key: string): number | undefined {
    const r = readCount(f.get(key));
    if (r.bad) b.diagnose(f.line(key)!, `${key} '${clip(f.get(key)!)}' is not a whole number`);
    return r.value;
  }

  function seconds(f: Fields, key: string): number | undefined {
    const r = readSeconds(f.get(key));
    if (r.bad) b.diagnose(f.line(key)!, `${key} '${clip(f.get(key)!)}' is not a number of seconds`);
    return r.value;
  }

  /** the lines (other than the section's own) that carry the counters and selectors, for --pretty */
  function evidenceLines(f: Fields, s: ViciSection, keys: string[]): EvidenceRef[] {
    const seen = new Set<number>([s.line]);
    const refs: EvidenceRef[] = [];
    for (const key of keys) {
      const line = f.line(key);
      if (line === undefined || seen.has(line)) continue;
      seen.add(line);
      refs.push(b.ref(line, f.text(key)));
    }
    return refs.sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
  }
}

/** As list_sas.c prints an IKE proposal: ENCR[-KS][/INTEG[-KS]]/PRF/DH[/KEn_…][/PPK]. */
function ikeAlgorithms(f: Fields): string | undefined {
  const encr = f.get('encr-alg');
  if (encr === undefined) return undefined;
  let s = withSize(encr, f.get('encr-keysize'));
  const integ = f.get('integ-alg');
  if (integ !== undefined) s += `/${withSize(integ, f.get('integ-keysize'))}`;
  for (const key of ['prf-alg', 'dh-group']) {
    const v = f.get(key);
    if (v !== undefined) s += `/${v}`;
  }
  s += additionalKeyExchanges(f);
  if (f.get('ppk') === 'yes') s += '/PPK';
  return s;
}

/** As list_sas.c prints a CHILD_SA proposal: ENCR[-KS][/INTEG[-KS]][/PRF][/DH][/KEn_…][/ESN]. */
function childAlgorithms(f: Fields): string | undefined {
  const parts: string[] = [];
  const encr = f.get('encr-alg');
  if (encr !== undefined) parts.push(withSize(encr, f.get('encr-keysize')));
  const integ = f.get('integ-alg');
  if (integ !== undefined) parts.push(withSize(integ, f.get('integ-keysize')));
  for (const key of ['prf-alg', 'dh-group']) {
    const v = f.get(key);
    if (v !== undefined) parts.push(v);
  }
  let s = parts.join('/') + additionalKeyExchanges(f);
  if (f.get('esn') !== undefined) s += '/ESN';
  return s === '' ? undefined : s;
}

function withSize(alg: string, size: string | undefined): string {
  return size === undefined ? alg : `${alg}-${size}`;
}

/** ake1 … ake7: RFC 9370 additional key exchanges (6.0), printed `/KE1_…`. */
function additionalKeyExchanges(f: Fields): string {
  let s = '';
  for (let i = 1; i <= 7; i++) {
    const v = f.get(`ake${i}`);
    if (v !== undefined) s += `/KE${i}_${v}`;
  }
  return s;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Message lines and --pretty key lines only a list-sas dump has (swanctl.conf uses `_` keys and `children {`). */
const SNIFF = [
  /^(?:list-sa event|list-sas reply|ike-updown event|child-updown event|ike-rekey event|child-rekey event) \{/,
  /^\s+(?:initiator-spi|responder-spi) = [0-9a-f]{16}$/,
  /^\s+(?:local-host|remote-host|spi-in|spi-out|bytes-in|bytes-out|packets-in|packets-out|install-time) = \S/,
  /^\s+child-sas \{$/,
];

export function sniffListSasRaw(lines: readonly string[]): number {
  return sniffScore(lines, SNIFF);
}

export const listSasRawReader: SaTableReader = {
  format: 'swanctl-list-sas-raw',
  name: 'strongSwan swanctl --list-sas --raw/--pretty',
  sniff: sniffListSasRaw,
  read: (lines, source) => readListSasRawCounted(lines, source).read,
};
