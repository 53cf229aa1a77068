/**
 * Juniper SRX kmd/iked lines in the two shapes they are met in:
 * - RFC 5424 structured syslog: `<PRI>1 TIMESTAMP HOST kmd PID MSGID [SD] body`
 *   (reference/log-signatures.md §2.6, §8);
 * - BSD syslog as Junos writes its own files and `show log <file>` prints them
 *   (`show log kmd-logs`, `show log messages`), and as remote syslog receives them:
 *   `[<PRI>]Mmm dd hh:mm:ss  HOST kmd[PID]: [KMD_MSGID: ]body`, on high-end SRX with the
 *   SPC prefix `(FPC Slot 1, PIC Slot 0) SPC1_PIC0 kmd[PID]: …`.
 * kmd/iked bodies are decoded; other Junos daemons (mib2d SNMP traps, snmpd and
 * sshd auth failures, PFE firewall lines, dot1xd) are recognised and say nothing —
 * an SNMP or SSH authentication failure is not an IKE authentication failure.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
/** BSD syslog / `show log`: optional PRI, year-less stamp, host, optional SPC prefix, kmd[pid] or iked[pid] */
const BSD = /^(?:<\d{1,3}>)?(?:([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s+(\S+)\s+)?(?:\(FPC Slot \d+, PIC Slot \d+\) \S+ )?(kmd|iked)\[(\d{1,10})\]: (?:([A-Z][A-Z0-9]*_[A-Z0-9_]+): )?/;
const MONTH: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
// the SD element may hold escaped \] (RFC 5424 §6.3.3)
const SD = /^\[(?:[^\]\\]|\\.)*\]\s?/;
const NEGOTIATION = /^(IKE|IPSec) negotiation (failed with error: (.*?)|successfully completed)\. IKE Version: (\d)(.*)$/;
const MAX_DIAGNOSTICS = 20;
/** Junos daemons that share the syslog stream with kmd (RFC 5424 APP-NAME) */
const JUNOS_DAEMONS = new Set(['mib2d', 'rpd', 'snmpd', 'chassisd', 'dcd', 'mgd', 'eventd', 'alarmd', 'l2ald', 'dot1xd', 'pfed', 'jsrpd', 'flowd', 'srxpfe', 'ksyncd']);

interface KmdFields {
  vpn?: string;
  gateway?: string;
  local?: string;
  remote?: string;
  remotePort?: number;
  localId?: string;
  remoteId?: string;
  role?: string;
  duplicated: string[];
}

/** ", VPN: x Gateway: y, Local: a/500, Remote: b/500, Local IKE-ID: …, Remote IKE-ID: …, VR-ID: 5[:,] Role: Initiator" */
function kmdFields(rest: string): KmdFields {
  const f: KmdFields = { duplicated: [] };
  const seen = new Set<string>();
  const re = /(VPN|Gateway|Local IKE-ID|Remote IKE-ID|Local|Remote|VR-ID|Role): ([^,]*?)(?=,| Gateway: |: Role: |$)/g;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(rest)) !== null && guard++ < 32) {
    const [, key, value] = m;
    if (seen.has(key)) f.duplicated.push(key);
    seen.add(key);
    const v = value.trim();
    if (key === 'VPN') f.vpn = v;
    else if (key === 'Gateway') f.gateway = v;
    else if (key === 'Local') f.local ??= v.split('/')[0];
    else if (key === 'Remote') {
      f.remote ??= v.split('/')[0];
      const port = /\/(\d{1,5})$/.exec(v)?.[1];
      if (port) f.remotePort ??= Number(port);
    } else if (key === 'Local IKE-ID') f.localId = v;
    else if (key === 'Remote IKE-ID') f.remoteId = v;
    else if (key === 'Role') f.role = v;
  }
  return f;
}

const notAvailable = (s: string | undefined): string | undefined => (s === undefined || s === 'Not-Available' || s === '' ? undefined : s);

function negotiation(m: RegExpExecArray): { drafts: Draft[]; fields: KmdFields } {
  const phase = m[1] === 'IKE' ? 'ike' : 'child';
  const ikeVersion = m[4] === '1' ? 1 : m[4] === '2' ? 2 : undefined;
  const fields = kmdFields(m[5]);
  if (!m[3]) {
    // "IKE negotiation successfully completed"
    return {
      fields,
      drafts: phase === 'ike' ? [d('ike-established', { ikeVersion, local: fields.local, remote: fields.remote, localId: notAvailable(fields.localId), remoteId: notAvailable(fields.remoteId) })] : [d('child-established', { name: fields.vpn })],
    };
  }
  const reason = m[3];
  const drafts: Draft[] = [d('negotiation-failed', { phase, reason, peer: fields.remote })];
  if (/^Timed out$/i.test(reason) && fields.role !== 'Responder') {
    // kmd names the phase, not the exchange: "IKE negotiation" is the IKE SA's setup (which of its exchanges timed out, it does not say), "IPSec negotiation" a Child SA
    const state = phase === 'ike' ? (ikeVersion === 2 ? 'IKE SA setup (IKE_SA_INIT or IKE_AUTH)' : `phase 1${ikeVersion === 1 ? ' (Main or Aggressive Mode)' : ''}`) : ikeVersion === 2 ? 'CREATE_CHILD_SA' : 'phase 2 (Quick Mode)';
    drafts.push(d('give-up', { peer: fields.remote ? { address: fields.remote, port: fields.remotePort } : undefined, detail: reason, state }));
  } else if (/traffic.selector|proxy.id/i.test(reason)) {
    drafts.push(d('ts-unacceptable', { direction: 'local' }));
  } else if (/no proposal chosen/i.test(reason)) {
    drafts.push(d('no-proposal-chosen', { phase, direction: 'local', reason }));
  } else if (/IKE-ID validation failed/i.test(reason)) {
    drafts.push(d('id-mismatch', { received: notAvailable(fields.remoteId), detail: reason }));
  } else if (/authentication failed/i.test(reason)) {
    drafts.push(d('auth', { ok: false, direction: 'local', reason, id: notAvailable(fields.remoteId) }));
  }
  return { drafts, fields };
}

/** KMD_PM_SA_ESTABLISHED body: "Local gateway: a, Remote gateway: b, Local ID: …, Remote ID: …, Direction: outbound, SPI: 0x…, …, Mode: Tunnel" */
function saEstablished(sd: string, body: string): Draft[] {
  const spi = /\bSPI: (0x[0-9a-fA-F]+)/.exec(body)?.[1];
  const localId = /\bLocal ID: (.*?), Remote ID:/.exec(body)?.[1];
  const remoteId = /\bRemote ID: (.*?), Direction:/.exec(body)?.[1];
  const mode = /\bMode: (\w+)/.exec(body)?.[1] ?? /\bmode="([^"]*)"/.exec(sd)?.[1];
  const name = /traffic-selector-name="([^"]+)"/.exec(sd)?.[1];
  const direction = /\bDirection: (\w+)/.exec(body)?.[1] ?? /argument1="([^"]*)"/.exec(sd)?.[1];
  return [
    d('child-established', {
      name,
      spis: spi ? [spi] : undefined,
      local: localId ? [localId] : undefined,
      remote: remoteId ? [remoteId] : undefined,
      mode: mode?.toLowerCase(),
      detail: direction ? `${direction} SA` : undefined,
    }),
  ];
}

/** The SAs of one negotiation kmd announced (KMD_PM_SA_ESTABLISHED, one line per direction) before its VPN line. */
interface PendingSas {
  spis: string[];
  local?: string[];
  remote?: string[];
  mode?: string;
}

function kmdMessage(msgid: string, sd: string, body: string, pending: Map<string, PendingSas>): { drafts: Draft[]; fields?: KmdFields; conn?: string } {
  const neg = NEGOTIATION.exec(body);
  if (neg) {
    const r = negotiation(neg);
    return { ...r, conn: r.fields.vpn };
  }
  if (msgid === 'KMD_PM_SA_ESTABLISHED') {
    const drafts = saEstablished(sd, body);
    remember(pending, /\bRemote gateway: ([^,\s]+)/.exec(body)?.[1], drafts[0].data as LogEventData['child-established']);
    return { drafts };
  }
  let m = /KMD_DPD_PEER_DOWN: DPD detected peer (\S+) is dead/.exec(`${msgid}: ${body}`);
  if (m) return { drafts: [d('dpd', { mechanism: 'dpd', outcome: 'timeout', peer: m[1] })] };
  if ((m = /Traffic-selector mismatch, vpn name: (\S+?),/.exec(body))) return { conn: m[1], drafts: [d('ts-unacceptable', { direction: 'local' })] };
  if ((m = /IKE Phase-(1|2) Failure: (.*?)(?: \[spi=|$)/.exec(body))) {
    const phase = m[1] === '1' ? 'ike' : 'child';
    const out: Draft[] = [d('negotiation-failed', { phase, reason: m[2] })];
    if (/no proposal chosen/i.test(m[2])) out.push(d('no-proposal-chosen', { phase, direction: 'local', reason: m[2] }));
    return { drafts: out };
  }
  if (/IKE Phase-1: \(Responder\) Policy lookup failed/.test(body)) return { drafts: [d('no-config', { scope: 'ike', detail: body.slice(0, 200) })] };
  // message IDs named in Juniper's System Log Messages Reference (KMD prefix); read by their ID, as their bodies vary across releases
  if (msgid === 'KMD_PM_P1_POLICY_LOOKUP_FAILURE') return { drafts: [d('no-config', { scope: 'ike', detail: body.slice(0, 200) || msgid })] };
  // phase-2 policy lookup: no proxy-ID / traffic selector of this VPN matches the peer's (traffic-selectors reads scope 'child')
  if (msgid === 'KMD_PM_P2_POLICY_LOOKUP_FAILURE') return { drafts: [d('no-config', { scope: 'child', detail: body.slice(0, 200) || msgid })] };
  if (msgid === 'KMD_DPD_REMOTE_PEER_DOWN') return { drafts: [d('dpd', { mechanism: 'dpd', outcome: 'timeout', peer: /\b(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)\b/.exec(body)?.[1] })] };
  // "VPN v from 1.2.3.4 is up. Local-ip: …, gateway name: g, vpn name: v, …" / "… is down. … Reason: …"
  if ((m = /^VPN (\S+) from (\S+) is (up|down)\./.exec(body))) {
    const vpn = /\bvpn name: ([^,]+)/.exec(body)?.[1] ?? m[1];
    if (m[3] === 'up') {
      // kmd announces the SAs (KMD_PM_SA_ESTABLISHED, no VPN name) just before the VPN that owns them: this line names them
      const sas = pending.get(m[2]);
      pending.delete(m[2]);
      return { conn: vpn, drafts: [d('child-established', { name: vpn, detail: `VPN ${m[1]} to ${m[2]} is up`, ...(sas?.spis.length ? { spis: sas.spis } : {}), local: sas?.local, remote: sas?.remote, mode: sas?.mode })] };
    }
    const reason = /\bReason: (.*)$/.exec(body)?.[1]?.trim();
    return { conn: vpn, drafts: [d('sa-deleted', { what: 'child', reason: reason ? reason.slice(0, 200) : `VPN ${m[1]} to ${m[2]} is down`, direction: 'local' })] };
  }
  return { drafts: [] };
}

function remember(pending: Map<string, PendingSas>, gateway: string | undefined, sa: LogEventData['child-established']): void {
  if (!gateway || !sa.spis?.length) return;
  if (pending.size > 64 && !pending.has(gateway)) pending.clear(); // VPN lines never came: keep memory bounded
  const p = pending.get(gateway) ?? { spis: [] };
  // a new negotiation's inbound SA after two already seen: start again
  if (p.spis.length >= 2) p.spis = [];
  p.spis.push(...sa.spis);
  p.local = sa.local ?? p.local;
  p.remote = sa.remote ?? p.remote;
  p.mode = sa.mode ?? p.mode;
  pending.set(gateway, p);
}

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (/^<\d{1,3}>1 \S+ \S+ (?:kmd|iked) /.test(l) || l.includes('[junos@') || BSD.test(l)) n++;
  return n;
}

class SrxDecoder implements LineDecoder {
  private readonly diags: Diagnostic[] = [];
  private dropped = 0;
  private readonly pending = new Map<string, PendingSas>();
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const h = RFC5424.exec(line);
    if (!h) return this.decodeBsd(line, lineNo);
    const [, , timestamp, , app, , msgid] = h;
    let rest = line.slice(h[0].length);
    let sd = '';
    if (rest.startsWith('[')) {
      const s = SD.exec(rest);
      if (s) {
        sd = s[0];
        rest = rest.slice(s[0].length);
      }
    } else if (rest.startsWith('- ')) rest = rest.slice(2);
    else if (rest === '-') rest = '';
    if (app !== 'kmd' && app !== 'iked') {
      // Junos' own daemons are this dialect's lines, but never IPsec evidence
      const junos = sd.startsWith('[junos@') || JUNOS_DAEMONS.has(app) || /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(msgid) || rest.includes('PFE_FW_SYSLOG');
      return junos ? [] : undefined;
    }
    const ms = Date.parse(timestamp);
    return this.body(line, lineNo, msgid, sd, rest.trim(), timestamp, Number.isFinite(ms) ? ms / 1000 : undefined);
  }

  /** `show log kmd-logs` / BSD syslog: the body is the same text kmd writes in RFC 5424, with the msgid in front */
  private decodeBsd(line: string, lineNo: number): LogEvent[] | undefined {
    const b = BSD.exec(line);
    if (!b) return undefined;
    const [, mon, day, hh, mm, ss, , , , msgid] = b;
    const time = mon ? `${mon} ${day} ${hh}:${mm}:${ss}` : undefined;
    const month = mon ? MONTH[mon] : undefined;
    // BSD syslog has no year: seconds within an arbitrary year, as the ASA reader does
    const t = month !== undefined ? Date.UTC(2000, month, Number(day), Number(hh), Number(mm), Number(ss)) / 1000 : undefined;
    return this.body(line, lineNo, msgid ?? '-', '', line.slice(b[0].length).trim(), time, Number.isFinite(t) ? t : undefined);
  }

  private body(line: string, lineNo: number, msgid: string, sd: string, body: string, time: string | undefined, t: number | undefined): LogEvent[] {
    const { drafts, fields, conn } = kmdMessage(msgid, sd, body, this.pending);
    if (fields && fields.duplicated.length) this.diagnose(lineNo, `kmd line repeats ${fields.duplicated.join(', ')}; the first value was kept`);
    if (fields && NEGOTIATION.test(body) && !fields.vpn) this.diagnose(lineNo, 'kmd negotiation line without a VPN name');
    if (drafts.length === 0) return [];
    const excerpt = excerptOf(line);
    return drafts.map((dr) => ({
      kind: dr.kind,
      at: { source: this.source, line: lineNo },
      excerpt,
      impl: 'juniper-srx',
      time,
      t,
      conn,
      data: dr.data,
    })) as LogEvent[];
  }

  diagnostics(): Diagnostic[] {
    return this.dropped ? [...this.diags, { at: { source: this.source }, decoder: 'juniper-srx', message: `${this.dropped} more malformed kmd lines` }] : this.diags;
  }

  private diagnose(line: number, message: string): void {
    if (this.diags.length < MAX_DIAGNOSTICS) this.diags.push({ at: { source: this.source, line }, decoder: 'juniper-srx', message });
    else this.dropped++;
  }
}

export const juniperSrxDialect: LogDialect = {
  id: 'juniper-srx',
  name: 'Juniper SRX kmd syslog (RFC 5424, BSD syslog, show log)',
  sniff,
  createDecoder: (source) => new SrxDecoder(source),
};
