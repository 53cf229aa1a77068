/**
 * libreswan `ipsec status` / `ipsec whack --status` (also `--showstates`): the state
 * list gives the IKE and Child SAs, each Child SA's Traffic line its SPIs and byte
 * counts, the connection list the endpoints, IDs, selectors and negotiated algorithms.
 * Everything else (interfaces, algorithm lists, config) is counted in otherLines.
 *
 * Traffic lines are this format's: `ipsec trafficstatus` prints none, and its
 * `#N: "conn", type=ESP, …` lines are not status lines, so the two sniffers never claim
 * the same line; an input holding both (a console transcript) goes to whichever has
 * more lines of its own.
 */
import type { Diagnostic } from '../../../evidence/types.js';
import type { SaTable, SaTableRead, SaTableReader, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import { applyTimer, parseTimerItem, type SaTimers } from './events.js';
import { emptyTable, evidenceAt, isBlank, MAX_LINE, parseCount, sniffCount, stripReplyCode, withoutCr, type Shape } from './lines.js';
import { parseTopology } from './topology.js';
import { parseTrafficBytes } from './said.js';
import { readStateName, readStory, type StateReading } from './states.js';
import {
  DETAIL_KEYS, endsLikeStateLine, parseConnLine, parseStateLine, parseTrafficLine, PENDING_LINE, STATUS_HEADER, TOPOLOGY_TAIL,
  type StateLine, type TrafficLine,
} from './status-lines.js';
import { resolveConnections, type ConnInfo, type SaMeta } from './status-connections.js';

const DECODER = 'libreswan-status';

export const statusReader: SaTableReader = {
  format: 'libreswan-status',
  name: 'libreswan ipsec status',
  sniff(lines) {
    return sniffCount(lines, statusShape);
  },
  read(lines, source) {
    const r = new StatusRead(source);
    for (const raw of lines) r.line(raw);
    return r.finish();
  },
};

/**
 * `own`: shapes no log line has — full state lines, Traffic lines, topology lines,
 * status headers, known connection details. `foreign`: what pluto never prints in a
 * status (shell prompts, log lines): a console transcript that shows some status among
 * them is a log.
 */
function statusShape(body: string, code: string | undefined): Shape {
  if (isBlank(body)) return 'neutral';
  if (STATUS_HEADER.test(body)) return 'own';
  if (body.startsWith('#')) {
    const st = parseStateLine(body);
    if (st !== undefined) return endsLikeStateLine(st) ? 'own' : 'neutral';
    if (parseTrafficLine(body) !== undefined) return 'own';
    return PENDING_LINE.test(body) || code === '000' ? 'neutral' : 'foreign';
  }
  const conn = parseConnLine(body);
  if (conn !== undefined && conn.detail) return DETAIL_KEYS.test(conn.text) ? 'own' : 'neutral';
  if (conn !== undefined && isTopologyLine(conn.text)) return TOPOLOGY_TAIL.test(conn.text) ? 'own' : 'neutral';
  return code === '000' ? 'neutral' : 'foreign';
}

function isTopologyLine(text: string): boolean {
  return parseTopology(text.split('; ')[0]) !== undefined;
}

class StatusRead {
  private readonly table: SaTable;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly conns = new Map<string, ConnInfo>();
  private readonly ikeMeta: SaMeta[] = [];
  private readonly childMeta: SaMeta[] = [];
  /** serial → index of its Child SA */
  private readonly childBySerial = new Map<string, number>();
  private readonly ikeSerials = new Set<string>();
  private other = 0;
  private n = 0;

  constructor(private readonly source: string) {
    this.table = emptyTable(source, 'libreswan-status');
  }

  line(raw: string): void {
    this.n++;
    const text = withoutCr(raw);
    if (text.length > MAX_LINE) {
      this.table.unparsed++;
      this.diag(`line of ${text.length} characters is longer than pluto prints (${MAX_LINE})`);
      return;
    }
    const { code, body } = stripReplyCode(text);
    if (isBlank(body)) this.other++;
    else if (body.startsWith('#')) this.saLine(body, text, code);
    else if (body.startsWith('"')) this.connLine(body, text, code);
    else if (STATUS_HEADER.test(body) || code === '000') this.other++;
    else this.table.unparsed++;
  }

  private saLine(body: string, text: string, code: string | undefined): void {
    const st = parseStateLine(body);
    if (st !== undefined) return this.stateLine(st, text);
    const tr = parseTrafficLine(body);
    if (tr !== undefined) return this.trafficLine(tr, text);
    if (PENDING_LINE.test(body) || code === '000') this.other++;
    else this.table.unparsed++;
  }

  private stateLine(st: StateLine, text: string): void {
    const reading: StateReading = st.stateName !== undefined ? readStateName(st.stateName) : readStory(st.story);
    let link: string | undefined;
    let newest = false;
    for (const item of st.items) {
      const m = /^(IKE SA|ISAKMP SA) #(\d+)$|^isakmp#(\d+)$/.exec(item);
      if (m !== null) {
        link = m[2] ?? m[3];
        // 4.x/5.x print the parent's kind: IKEv1's is an ISAKMP SA, IKEv2's an IKE SA (3.x: `isakmp#N` for both)
        reading.version ??= m[1] === 'ISAKMP SA' ? 1 : m[1] === 'IKE SA' ? 2 : undefined;
      } else if (item === 'newest' || /^newest (?:ISAKMP|IPSEC)$/.test(item)) newest = true;
    }
    // an established Child SA names its IKE SA: whatever the story says, it is a Child SA
    if (link !== undefined) reading.kind = 'child';
    const at = evidenceAt(this.source, this.n, text);
    const meta: SaMeta = { key: st.designation.key, peer: st.peer, newest, link, line: this.n };
    const port = parseCount(st.portText);
    if (port !== undefined && port <= 65535) meta.port = port;
    else this.diag(`remote port '${st.portText}' is not a number`);
    const state = st.stateName ?? st.story;
    const timers: SaTimers = {};
    for (const item of st.items) {
      const t = parseTimerItem(item);
      if (t === undefined || t.event === 'NONE') continue;
      const seconds = /^-?\d{1,12}$/.test(t.secondsText) ? Number(t.secondsText) : undefined;
      if (seconds === undefined) this.diag(`${t.event} time '${t.secondsText}s' is not a number`);
      else applyTimer(timers, reading.kind, reading.version, t.event, seconds);
    }
    const uniqueId = `#${st.serial}`;
    if (reading.kind === 'ike') {
      const sa: TableIkeSa = { at, name: st.designation.name, uniqueId, state, established: reading.up, ...timers };
      if (reading.version !== undefined) sa.version = reading.version;
      if (reading.role !== undefined) sa.role = reading.role;
      this.table.ikeSas.push(sa);
      this.ikeMeta.push(meta);
      this.ikeSerials.add(st.serial);
      return;
    }
    const child: TableChildSa = {
      at, name: st.designation.name, uniqueId, state, installed: reading.up, protocol: 'esp', localTs: [], remoteTs: [], ...timers,
    };
    meta.protocolKnown = false;
    this.childBySerial.set(st.serial, this.table.childSas.length);
    this.table.childSas.push(child);
    this.childMeta.push(meta);
  }

  private trafficLine(tr: TrafficLine, text: string): void {
    const ref = evidenceAt(this.source, this.n, text);
    let index = this.childBySerial.get(tr.serial);
    if (index === undefined) {
      if (this.ikeSerials.has(tr.serial)) this.diag(`Traffic line for #${tr.serial}, whose state line reads as an IKE SA`);
      // only established Child SAs get a Traffic line (IS_IPSEC_SA_ESTABLISHED, state.c show_states)
      index = this.table.childSas.length;
      this.childBySerial.set(tr.serial, index);
      this.table.childSas.push({
        at: ref, name: tr.designation.name, uniqueId: `#${tr.serial}`, state: 'established', installed: true, protocol: 'esp', localTs: [], remoteTs: [],
      });
      this.childMeta.push({ key: tr.designation.key, newest: false, line: this.n, protocolKnown: false });
    } else {
      (this.table.childSas[index].lines ??= []).push(ref);
    }
    this.applyTraffic(this.table.childSas[index], this.childMeta[index], tr);
  }

  private applyTraffic(child: TableChildSa, meta: SaMeta, tr: TrafficLine): void {
    const protocol = tr.saids.some((s) => s.protocol === 'esp') ? 'esp' : tr.saids.some((s) => s.protocol === 'ah') ? 'ah' : tr.saids.some((s) => s.protocol === 'ipcomp') ? 'ipcomp' : undefined;
    if (tr.saids.some((s) => s.protocol === 'tun')) child.mode = 'tunnel';
    if (protocol === undefined) return;
    child.protocol = protocol;
    meta.protocolKnown = true;
    const pair = tr.saids.filter((s) => s.protocol === protocol);
    if (pair.length !== 2) {
      this.diag(`${pair.length} ${protocol} SA IDs in the Traffic line of ${child.uniqueId} (expected 2)`);
      return;
    }
    const [outbound, inbound] = pair;
    for (const s of pair) if (s.spi === undefined) this.diag(`SPI '${s.spiText}' of ${child.uniqueId} is not hex`);
    const label = protocol === 'ipcomp' ? 'IPCOMP' : protocol.toUpperCase();
    // counts print only when the kernel answered; an SA without one is left without bytes
    child.out = { spi: outbound.spi, src: inbound.address, dst: outbound.address, ...this.bytes(tr, `${label}out`, child) };
    child.in = { spi: inbound.spi, src: outbound.address, dst: inbound.address, ...this.bytes(tr, `${label}in`, child) };
    if (tr.usedAgoText !== undefined) {
      // `used Ns ago`: when the outbound policy's use count last changed (st_outbound_time)
      const ago = /^(\d{1,12})s$/.exec(tr.usedAgoText);
      if (ago !== null) child.out.idleSeconds = Number(ago[1]);
      else this.diag(`'used ${tr.usedAgoText} ago' of ${child.uniqueId} is not a number of seconds`);
    }
  }

  private bytes(tr: TrafficLine, key: string, child: TableChildSa): { bytes?: number } {
    const text = tr.counts.get(key);
    if (text === undefined) return {};
    const bytes = parseTrafficBytes(text);
    if (bytes === undefined) this.diag(`${key}=${text} of ${child.uniqueId} is not a byte count`);
    return bytes === undefined ? {} : { bytes };
  }

  private connLine(body: string, text: string, code: string | undefined): void {
    const conn = parseConnLine(body);
    if (conn === undefined || (!conn.detail && !isTopologyLine(conn.text))) {
      if (code === '000') this.other++;
      else this.table.unparsed++;
      return;
    }
    const info: ConnInfo = this.conns.get(conn.designation.key) ?? { lines: new Map() };
    this.conns.set(conn.designation.key, info);
    info.lines.set(this.n, evidenceAt(this.source, this.n, text));
    if (!conn.detail) info.topology = { text: conn.text.split('; ')[0], line: this.n };
    else (info.details ??= []).push({ text: conn.text, line: this.n });
  }

  private diag(message: string): void {
    this.diagnostics.push({ at: { source: this.source, line: this.n }, decoder: DECODER, message });
  }

  finish(): SaTableRead {
    const connLines = [...this.conns.values()].reduce((sum, c) => sum + c.lines.size, 0);
    const used = resolveConnections(this.table, this.conns, this.ikeMeta, this.childMeta, (line, message) => {
      this.diagnostics.push({ at: { source: this.source, line }, decoder: DECODER, message });
    });
    this.table.lines = this.n;
    this.table.otherLines = this.other + connLines - used;
    return { table: this.table, diagnostics: this.diagnostics };
  }
}
