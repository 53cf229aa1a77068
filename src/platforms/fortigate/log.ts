/**
 * FortiGate event log lines (key=value, as sent to syslog/FortiAnalyzer). Only
 * IPsec VPN events are decoded: `type=event subtype=vpn logid=01010371xx`
 * (FortiOS Log Message Reference 37121-37138, reference/log-signatures.md §7.1).
 * SSL-VPN events share subtype=vpn (logid 010103994x, `tunneltype="ssl…"`): they
 * are recognised and say nothing, as is every other FortiGate log line.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

const LOGID = /\blogid="?(\d{10})"?/;
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

const na = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === 'N/A' ? undefined : v);

/** reasons FortiOS prints when no proposal matched (37124 [T]; debug wording [C]) */
const NO_PROPOSAL = /proposal not match|no SA proposal chosen|no matching proposal|no proposal chosen/i;

function decodeVpn(logid: string, f: Map<string, string>): Draft[] {
  const peer = na(f.get('remip'));
  const reason = na(f.get('reason'));
  switch (logid) {
    case '0101037124': // IPsec phase 1 error
    case '0101037121': // Negotiate IPsec phase 1 (generic error)
    case '0101037128': // Progress IPsec phase 1, error
    case '0101037123': {
      // Negotiate IPsec phase 2 (generic error)
      const phase = logid === '0101037123' ? 'child' : 'ike';
      const why = reason ?? na(f.get('status')) ?? na(f.get('result')) ?? na(f.get('msg')) ?? 'error';
      if (logid === '0101037128' && f.get('result') === 'OK') return [];
      const out: Draft[] = [d('negotiation-failed', { phase, reason: why, peer })];
      if (NO_PROPOSAL.test(why)) out.push(d('no-proposal-chosen', { phase, direction: 'local', reason: why }));
      const notif = na(f.get('peer_notif'));
      if (notif && notif !== 'NOT-APPLICABLE') out.push(d('notify', { direction: 'received', name: notif.replace(/-/g, '_') }));
      return out;
    }
    case '0101037127': {
      // one step of phase 1 went through: not an established IKE SA (stage=N of the exchange)
      if (f.get('result') !== 'OK') return [d('negotiation-failed', { phase: 'ike', reason: na(f.get('result')) ?? na(f.get('status')) ?? 'progress error', peer })];
      const mode = f.get('mode') === 'aggressive' ? 'aggressive' : f.get('mode') === 'main' ? 'main' : undefined;
      const ikeVersion = mode ? 1 : undefined;
      const out: Draft[] = [];
      if (f.get('stage') === '1') out.push(f.get('init') === 'local' || f.get('role') === 'initiator' ? d('initiate', { ikeVersion, mode, peer }) : d('respond', { ikeVersion, mode, peer }));
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
  for (const l of lines) if (LOGID.test(l) && /\b(?:devid|devname)=/.test(l)) n++;
  return n;
}

class FortigateDecoder implements LineDecoder {
  private readonly diags: Diagnostic[] = [];
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const id = LOGID.exec(line);
    if (!id || !/\b(?:devid|devname|type)=/.test(line)) return undefined;
    const logid = id[1];
    // 0101037xxx = IPsec; 010103994x = SSL-VPN (same subtype, not IPsec)
    if (!logid.startsWith('0101037')) return [];
    const f = parsePairs(line);
    if (f.get('subtype') !== 'vpn' || (f.get('tunneltype') ?? '').startsWith('ssl')) return [];
    const drafts = decodeVpn(logid, f);
    if (drafts.length === 0) return [];
    const date = f.get('date');
    const time = f.get('time');
    const stamp = date && time ? `${date} ${time}` : undefined;
    const t = stamp ? toSeconds(date!, time!, f.get('tz')) : undefined;
    const conn = na(f.get('vpntunnel'));
    const excerpt = excerptOf(line);
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
  name: 'FortiGate event log',
  sniff,
  createDecoder: (source) => new FortigateDecoder(source),
};
