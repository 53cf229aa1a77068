/**
 * FortiGate event log lines (key=value, as sent to syslog/FortiAnalyzer). Only
 * IPsec VPN events are decoded: `type=event subtype=vpn logid=01010371xx`
 * (FortiOS Log Message Reference 37121-37138, reference/log-signatures.md §7.1).
 * SSL-VPN events share subtype=vpn (logid 010103994x, `tunneltype="ssl…"`): they
 * are recognised and say nothing, as is every other FortiGate log line.
 *
 * FortiOS 4.x wrote the same message IDs with other key names: `log_id=` `pri=`
 * `device_id=` `subtype=ipsec` `rem_ip=` `loc_ip=` `vpn_tunnel=` and an unquoted
 * `error_reason=` whose value holds spaces (`error_reason=peer SA proposal not match
 * local policy peer_notif=N/A`); they are mapped onto today's names. Its alert e-mails
 * put `Message meets Alert condition` in front, and the GUI's log details are pasted
 * one `key=value` per line: those lines are gathered into the record they continue.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';
import { IKE_DEBUG, IkeDebugReader } from './ike-debug.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

const LOGID = /\blogid="?(\d{10})"?/;
/** FortiOS 4.x: `log_id=0101037124` (and `pri=`, `device_id=`, `subtype=ipsec`) */
const LOG_ID_4X = /\blog_id="?(\d{10})"?/;
/** 4.x key names → today's (FortiOS Log Message Reference field names) */
const KEYS_4X: Record<string, string> = {
  log_id: 'logid', pri: 'level', device_id: 'devid', rem_ip: 'remip', loc_ip: 'locip', rem_port: 'remport', loc_port: 'locport',
  out_intf: 'outintf', vpn_tunnel: 'vpntunnel', error_reason: 'reason', xauth_user: 'xauthuser', xauth_group: 'xauthgroup',
};
/** a line of the GUI's one-key-per-line log details, continuing the record above it */
const CONTINUATION = /^\s*[a-z_][a-z0-9_]*=/;
const MAX_CONTINUATION = 60;
const PAIR = /([a-z_][a-z0-9_]*)=(?:"([^"]*)"|(\S*))/g;
const MAX_PAIRS = 200;

/** key=value and key="quoted value" pairs; a value never spans lines in FortiOS output. */
export function parsePairs(line: string): Map<string, string> {
  const out = new Map<string, string>();
  PAIR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (out.size < MAX_PAIRS && (m = PAIR.exec(line)) !== null) {
    if (!out.has(m[1])) out.set(m[1], m[2] ?? m[3] ?? '');
  }
  return out;
}

/**
 * FortiOS 4.x pairs: a value runs to the next ` key=` (4.x leaves values with spaces
 * unquoted); quotes around a value, and the spaces inside them, are dropped.
 */
export function parseLoosePairs(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const keys: { key: string; at: number; end: number }[] = [];
  const re = /(?:^|\s)([a-z_][a-z0-9_]*)=/g;
  let m: RegExpExecArray | null;
  while (keys.length < MAX_PAIRS && (m = re.exec(line)) !== null) keys.push({ key: m[1], at: m.index, end: m.index + m[0].length });
  keys.forEach((k, i) => {
    let v = line.slice(k.end, i + 1 < keys.length ? keys[i + 1].at : line.length).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).trim();
    const name = KEYS_4X[k.key] ?? k.key;
    if (!out.has(name)) out.set(name, v);
  });
  return out;
}

const na = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === 'N/A' ? undefined : v);

/** reasons FortiOS prints when no proposal matched (37124 [T]; debug wording [C]) */
const NO_PROPOSAL = /proposal not match|no SA proposal chosen|no matching proposal|no proposal chosen/i;

/** an address, not a pasted placeholder (`xxx`, `(client's public ip)`) */
const addressOf = (v: string | undefined): string | undefined => (v !== undefined && /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]+)$/.test(v) ? v : undefined);

function decodeVpn(logid: string, f: Map<string, string>): Draft[] {
  const peer = addressOf(na(f.get('remip')));
  const reason = na(f.get('reason'));
  switch (logid) {
    case '0101037124': // IPsec phase 1 error
    case '0101037121': // Negotiate IPsec phase 1 (generic error)
    case '0101037123': {
      // Negotiate IPsec phase 2 (generic error)
      const phase = logid === '0101037123' ? 'child' : 'ike';
      const why = reason ?? na(f.get('status')) ?? na(f.get('result')) ?? na(f.get('msg')) ?? 'error';
      const out: Draft[] = [d('negotiation-failed', { phase, reason: why, peer })];
      if (NO_PROPOSAL.test(why)) out.push(d('no-proposal-chosen', { phase, direction: 'local', reason: why }));
      // the responder has no phase1 (remote-gw / dialup gateway) for this peer
      else if (/no matching gateway/i.test(why)) out.push(d('no-config', { scope: 'ike', remote: peer, detail: `FortiGate: ${why}` }));
      const notif = na(f.get('peer_notif'));
      if (notif && notif !== 'NOT-APPLICABLE') out.push(d('notify', { direction: 'received', name: notif.replace(/-/g, '_') }));
      return out;
    }
    case '0101037127': // Progress IPsec phase 1
    case '0101037128': {
      // Progress IPsec phase 1, error (37128): one step of phase 1 failed
      const mode = f.get('mode') === 'aggressive' ? 'aggressive' : f.get('mode') === 'main' ? 'main' : undefined;
      const ikeVersion = mode ? 1 : undefined;
      const out: Draft[] = [];
      // stage=1 is the first message of the exchange: who started it, and in which mode
      if (f.get('stage') === '1') out.push(f.get('init') === 'local' || f.get('role') === 'initiator' ? d('initiate', { ikeVersion, mode, peer }) : d('respond', { ikeVersion, mode, peer }));
      if (f.get('result') !== 'OK') return [...out, d('negotiation-failed', { phase: 'ike', reason: na(f.get('reason')) ?? na(f.get('status')) ?? na(f.get('result')) ?? 'progress error', peer })];
      // one step of phase 1 went through: not an established IKE SA (stage=N of the exchange)
      out.push(
        d('message', {
          direction: f.get('dir') === 'inbound' ? 'received' : 'sent',
          exchange: mode === 'aggressive' ? 'AGGRESSIVE' : mode === 'main' ? 'ID_PROT' : 'phase1',
          peer: peer ? { address: peer, port: numberOf(f.get('remport')) } : undefined,
        }),
      );
      return out;
    }
    case '0101037133': {
      // [D] IPsec SA installed
      const spis = [na(f.get('in_spi')), na(f.get('out_spi'))].filter((s): s is string => s !== undefined);
      return [d('child-established', { name: na(f.get('vpntunnel')), spis: spis.length ? spis : undefined })];
    }
    case '0101037136': // [D] IPsec DPD failed
      return [d('dpd', { mechanism: 'dpd', outcome: 'timeout', peer })];
    default:
      return [];
  }
}

function numberOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,5}$/.test(s)) return undefined;
  return Number(s);
}

function sniff(lines: readonly string[]): number {
  let n = 0;
  lines.forEach((l, i) => {
    if (LOGID.test(l) && /\b(?:devid|devname)=/.test(l)) n++;
    // 4.x: on the line, or (log details pasted one field per line) on the line below
    else if (LOG_ID_4X.test(l) && /\b(?:type|subtype|pri)=/.test(`${l} ${lines[i + 1] ?? ''}`)) n++;
    else if (IKE_DEBUG.test(l)) n++;
  });
  return n;
}

/** A FortiOS 4.x record pasted one key per line, gathered until it says why (reason/result). */
interface PendingRecord {
  fields: Map<string, string>;
  lines: string[];
  continued: number;
  done: boolean;
  stamp?: string;
}

class FortigateDecoder implements LineDecoder {
  private readonly diags: Diagnostic[] = [];
  private pending: PendingRecord | undefined;
  private readonly debug = new IkeDebugReader();
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const id = LOGID.exec(line);
    if (!id || !/\b(?:devid|devname|type)=/.test(line)) {
      const dbg = IKE_DEBUG.exec(line);
      return dbg ? this.debugEvents(line, lineNo, dbg) : this.decode4x(line, lineNo);
    }
    this.pending = undefined;
    const logid = id[1];
    // 0101037xxx = IPsec; 010103994x = SSL-VPN (same subtype, not IPsec)
    if (!logid.startsWith('0101037')) return [];
    return this.events(line, lineNo, logid, parsePairs(line));
  }

  /** `diagnose debug application ike -1`: the phase1 name (or the cookies) is the connection */
  private debugEvents(line: string, lineNo: number, m: RegExpExecArray): LogEvent[] {
    const [, stamp, , name, , body] = m;
    const conn = name && !/^[0-9a-f]{16}\/[0-9a-f]{16}$/.test(name) ? name : undefined;
    const drafts = this.debug.read(body);
    if (!drafts.length) return [];
    const ms = stamp ? Date.parse(stamp.replace(' ', 'T') + 'Z') : NaN;
    const excerpt = excerptOf(line);
    return drafts.map((dr) => ({ kind: dr.kind, at: { source: this.source, line: lineNo }, excerpt, impl: 'fortigate', time: stamp, t: Number.isFinite(ms) ? ms / 1000 : undefined, conn, data: dr.data })) as LogEvent[];
  }

  /** FortiOS 4.x: `log_id=` with the old key names, whole or one key per line */
  private decode4x(line: string, lineNo: number): LogEvent[] | undefined {
    const id = LOG_ID_4X.exec(line);
    if (id) {
      const fields = parseLoosePairs(line);
      // "2012-07-20 13:08:51 log_id=…" (GUI copy) stamps the record in front instead of date=/time=
      const lead = /^\s*(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\s/.exec(line);
      if (lead && !fields.has('date')) fields.set('date', lead[1]).set('time', lead[2]);
      this.pending = { fields, lines: [line], continued: 0, done: false };
      if (!id[1].startsWith('0101037')) return [];
      const out = this.events(line, lineNo, id[1], fields, true);
      if (out.length) this.pending.done = true;
      return out;
    }
    const p = this.pending;
    if (!p || !CONTINUATION.test(line) || p.continued >= MAX_CONTINUATION) {
      if (!CONTINUATION.test(line)) this.pending = undefined;
      return undefined;
    }
    p.continued++;
    p.lines.push(line);
    const added = parseLoosePairs(line);
    for (const [k, v] of added) if (!p.fields.has(k)) p.fields.set(k, v);
    const logid = p.fields.get('logid') ?? '';
    // the record speaks once it says why: the reason (37124/37121/37123) or the result (37127/37128)
    if (p.done || !logid.startsWith('0101037') || ![...added.keys()].some((k) => k === 'reason' || k === 'result' || k === 'status')) return [];
    const out = this.events(line, lineNo, logid, p.fields, true);
    if (out.length && (added.has('reason') || added.has('result'))) p.done = true;
    return out;
  }

  private events(line: string, lineNo: number, logid: string, f: Map<string, string>, v4 = false): LogEvent[] {
    // 4.x wrote subtype=ipsec for what 5.x and later call subtype=vpn
    const subtype = f.get('subtype');
    if (!(subtype === 'vpn' || (v4 && subtype === 'ipsec')) || (f.get('tunneltype') ?? '').startsWith('ssl')) return [];
    // a 4.x status line without its reason yet says nothing on its own (the reason line follows)
    if (v4 && logid !== '0101037127' && !f.has('reason') && !f.has('result')) return [];
    const drafts = decodeVpn(logid, f);
    if (drafts.length === 0) return [];
    const date = f.get('date');
    const time = f.get('time');
    const stamp = date && time ? `${date} ${time}` : undefined;
    const t = stamp ? toSeconds(date!, time!, f.get('tz')) : undefined;
    const conn = na(f.get('vpntunnel'));
    // a record gathered from one-key-per-line details shows its first line and the line that decided it
    const first = this.pending && this.pending.lines.length > 1 ? this.pending.lines[0].trim() : undefined;
    const excerpt = excerptOf(first && first !== line.trim() ? `${first} … ${line.trim()}` : line);
    return drafts.map((dr) => ({ kind: dr.kind, at: { source: this.source, line: lineNo }, excerpt, impl: 'fortigate', time: stamp, t, conn, data: dr.data })) as LogEvent[];
  }

  diagnostics(): Diagnostic[] {
    return this.diags;
  }
}

function toSeconds(date: string, time: string, tz: string | undefined): number | undefined {
  const zone = tz && /^[+-]\d{4}$/.test(tz) ? `${tz.slice(0, 3)}:${tz.slice(3)}` : 'Z';
  const ms = Date.parse(`${date}T${time}${zone}`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export const fortigateDialect: LogDialect = {
  id: 'fortigate',
  name: 'FortiGate event log (FortiOS 4.x-7.x) and diagnose debug application ike',
  sniff,
  createDecoder: (source) => new FortigateDecoder(source),
};
