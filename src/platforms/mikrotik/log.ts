/**
 * MikroTik RouterOS IPsec log lines, as `/log print` shows them (`17:12:32 ipsec,error …`,
 * with `jan/02 17:12:32` or `2024-01-02 17:12:32` dates), as a remote syslog server stores
 * them (`Jan  2 17:12:32 router ipsec,error …`), and as copied from Winbox's log window
 * without time or topics (`192.168.1.15 parsing packet failed, possible cause: wrong password`).
 *
 * RouterOS's IKEv1 daemon descends from racoon (ipsec-tools): its texts are racoon's
 * ("phase1 negotiation failed due to time up", "failed to get valid proposal", "ISAKMP-SA
 * established"). What each means, from MikroTik's manual (help.mikrotik.com, IPsec,
 * "Troubleshooting/FAQ") and racoon's source:
 * - `no suitable proposal found` / `failed to get valid proposal` then `failed to pre-process
 *   ph1|ph2 packet`: the peers share no proposal, in phase 1 or phase 2; with `ipsec` debug on,
 *   `rejected enctype|hashtype|…: DB(…):Peer(…) = LOCAL:PEER` names the transform;
 * - `parsing packet failed, possible cause: wrong password`: the peer's encrypted Main Mode
 *   message did not decrypt with our pre-shared key (a responder-side PSK mismatch);
 *   the `phase1 negotiation failed due to time up` that follows for that peer is its symptom,
 *   not a reachability problem;
 * - `phase1|phase2 negotiation failed due to time up`: retransmissions exhausted — "communication
 *   problems between the peers" (manual: addresses, UDP 500/4500 blocked, NAT);
 * - `identity not found for responder: … peer: …` (IKEv2): no identity matches the peer, and
 *   RouterOS answers AUTHENTICATION_FAILED (`reply notify: AUTHENTICATION_FAILED`).
 */
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** optional date/time (`/log print`, remote syslog), optional host, then the topics, one of them ipsec */
const PREFIX = /^(?:<\d{1,3}>)?((?:[a-z]{3}\/\d{2}(?:\/\d{4})? |\d{4}-\d{2}-\d{2} |[A-Z][a-z]{2} +\d{1,2} )?\d{2}:\d{2}:\d{2})?\s*(?:(\S+)\s+)??((?:[a-z0-9-]+,)*ipsec(?:,[a-z0-9!-]+)*)\s+(.*)$/;
/** `message repeated 10 times: [ 203.0.113.10 … ]` */
const REPEATED = /^message repeated \d+ times: \[\s*(.*?)\s*\]$/;
const IP = '(\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)';
/** the bodies that can be told apart without the topics (copied from Winbox's message column) */
const BARE = new RegExp(`^(?:${IP} )?(?:parsing packet failed, possible c(?:au|ou)se: wrong password|failed to pre-process ph[12] packet|failed to get valid proposal|phase[12] negotiation failed due to time up ${IP}\\[\\d+\\]<=>)|^no suitable proposal found\\.?\\s*$`);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The prefix, when it is RouterOS's: a time before the topics, or several topics (`ipsec,error`) — `ipsec auto --up` on a shell prompt is not. */
function prefixOf(line: string, inRouterOsLog = false): RegExpExecArray | undefined {
  const p = PREFIX.exec(line);
  // a bare `ipsec body` (copied without time) is RouterOS's once the file has shown RouterOS lines
  return p && (p[1] !== undefined || p[3].includes(',') || inRouterOsLog) && !/^ipsec\s+(?:auto|whack|start|stop|restart|status|up|down|statusall|listall|pki|setup|reload|secrets|look|verify)\b/.test(`${p[3]} ${p[4]}`) ? p : undefined;
}

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (prefixOf(l.trim()) || BARE.test(l.trim())) n++;
  return n;
}

class MikrotikDecoder implements LineDecoder {
  /** a proposal refusal waiting for the line that says which phase (`failed to pre-process ph1|ph2 packet`) */
  private refusal: { rejected: string[]; pairs: Map<string, Set<string>> } | undefined;
  /** peers whose pre-shared key did not decrypt: their phase 1 "time up" is the symptom */
  private readonly pskFailed = new Set<string>();
  private routerOs = false;
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const trimmed = line.trim();
    const p = prefixOf(trimmed, this.routerOs);
    let body: string;
    let time: string | undefined;
    if (p) {
      this.routerOs = true;
      body = p[4];
      time = p[1];
    } else if (BARE.test(trimmed)) {
      this.routerOs = true;
      body = trimmed;
    } else return undefined;
    const rep = REPEATED.exec(body);
    if (rep) body = rep[1];
    body = body.replace(/\s+$/, '');
    const drafts = this.body(body);
    if (!drafts.length) return [];
    const excerpt = excerptOf(line);
    const t = secondsOf(time);
    return drafts.map((dr) => ({ kind: dr.kind, at: { source: this.source, line: lineNo }, excerpt, impl: 'mikrotik', time, t, data: dr.data })) as LogEvent[];
  }

  private body(body: string): Draft[] {
    let m: RegExpExecArray | null;
    // debug: "rejected hashtype: DB(prop#1:trns#1):Peer(prop#1:trns#1) = MD5:SHA" (local value : peer value)
    if ((m = /^rejected (\w+): (DB\([^)]*\):Peer\([^)]*\)) = (.*)$/.exec(body))) {
      this.refusal ??= { rejected: [], pairs: new Map() };
      if (this.refusal.rejected.length < 32) this.refusal.rejected.push(`${m[1]} ${m[3]} (local:peer)`);
      // racoon prints every attribute that differs, for each (our transform, peer transform) pair it compared
      if (this.refusal.pairs.size < 64) {
        const set = this.refusal.pairs.get(m[2]) ?? new Set<string>();
        set.add(m[1]);
        this.refusal.pairs.set(m[2], set);
      }
      return [];
    }
    if (/^no suitable proposal found\.?$/.test(body) || new RegExp(`^(?:${IP} )?failed to get valid proposal\\.?$`).test(body)) {
      this.refusal ??= { rejected: [], pairs: new Map() };
      return [];
    }
    if ((m = new RegExp(`^(?:${IP} )?failed to pre-process ph([12]) packet`).exec(body))) {
      const phase = m[2] === '1' ? 'ike' : 'child';
      const peer = m[1];
      const refusal = this.refusal;
      this.refusal = undefined;
      if (!refusal) return [d('negotiation-failed', { phase, reason: body, peer })];
      const rejected = [...new Set(refusal.rejected)];
      const reason = `no suitable proposal found${rejected.length ? `: rejected ${rejected.join(', ')}` : ''}`;
      const missing = withoutOverlap(refusal.pairs);
      return [
        d('respond', { peer, ikeVersion: 1, mode: phase === 'ike' ? undefined : 'quick' }),
        d('negotiation-failed', { phase, reason, peer }),
        d('no-proposal-chosen', { phase, direction: 'local', reason, ...(missing ? { missing } : {}) }),
      ];
    }
    if ((m = new RegExp(`^(?:${IP} )?parsing packet failed, possible c(?:au|ou)se: wrong password`).exec(body))) {
      if (m[1]) this.pskFailed.add(m[1]);
      return [d('auth', { ok: false, method: 'psk', direction: 'local', reason: 'parsing packet failed, possible cause: wrong password (the peer\'s encrypted message did not decrypt with this pre-shared key)', id: m[1] })];
    }
    // "phase1 negotiation failed due to time up 11.32.86.22[500]<=>192.168.1.15[500] …" (local<=>remote)
    if ((m = new RegExp(`^(?:ph(?:ase)?([12])) negotiation failed due to time up\\.?\\s*(?:${IP}\\[(\\d+)\\]<=>${IP}\\[(\\d+)\\])?`).exec(body))) {
      const phase = m[1] === '1' ? 'ike' : 'child';
      const peer = m[4];
      if (phase === 'ike' && peer && this.pskFailed.has(peer)) {
        // racoon gives up on a peer whose messages it could not decrypt: the PSK, not the path
        return [d('negotiation-failed', { phase, reason: `${body} (after this peer's message failed to decrypt: pre-shared key)`, peer })];
      }
      const state = phase === 'ike' ? 'phase 1 (Main or Aggressive Mode)' : 'phase 2 (Quick Mode)';
      return [d('negotiation-failed', { phase, reason: body, peer }), d('give-up', { peer: peer ? { address: peer, port: Number(m[5]) } : undefined, detail: body, state })];
    }
    if ((m = new RegExp(`^(?:${IP} )?phase1 negotiation failed\\.?$`).exec(body))) return [d('negotiation-failed', { phase: 'ike', reason: body, peer: m[1] })];
    // racoon isakmp.c / pfkey.c: "ISAKMP-SA established A[500]-B[500] spi:…", "IPsec-SA established: ESP/Tunnel A[500]->B[500] spi=…"
    if ((m = new RegExp(`^ISAKMP-SA established ${IP}\\[\\d+\\]-${IP}\\[\\d+\\]`).exec(body))) return [d('ike-established', { ikeVersion: 1, local: m[1], remote: m[2] })];
    if ((m = /^IPsec-SA established: (\w+)\/(\w+) \S+->(\S+?)\[\d+\] spi=(\d+)\((0x[0-9a-f]+)\)/.exec(body))) return [d('child-established', { mode: m[2].toLowerCase(), spis: [m[5]], detail: `${m[1]} SA to ${m[3]}` })];
    // IKEv2: "identity not found for responder: ADDR4:8.215.24.90 peer: ADDR4:34.101.118.166"
    if ((m = /^identity not found for (?:responder|initiator): (\S+) peer: (\S+)/.exec(body))) return [d('no-config', { scope: 'peer', local: m[1], remote: m[2], detail: body.slice(0, 200) })];
    if ((m = /^initiator can't find identity for peer: (.*)$/.exec(body))) return [d('no-config', { scope: 'peer', detail: body.slice(0, 200) })];
    if ((m = /^reply notify: ([A-Z_]+)/.exec(body))) return [d('notify', { direction: 'sent', name: m[1] })];
    if ((m = /^(?:got|received) notify: ([A-Z_]+)/.exec(body))) return [d('notify', { direction: 'received', name: m[1] })];
    return [];
  }
}

/** racoon attribute names in `rejected …:` lines, in TRANSFORM_TYPE_NAMES' words */
const ATTRIBUTE: Record<string, string> = { enctype: 'encryption', hashtype: 'integrity', dh_group: 'DH/KE group', authtype: 'integrity' };

/** The attributes that differed in every pair compared: the transform types without overlap. */
function withoutOverlap(pairs: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  if (!pairs.size) return undefined;
  const all = [...pairs.values()];
  const everywhere = [...all[0]].filter((a) => all.every((s) => s.has(a)));
  const names = [...new Set(everywhere.map((a) => ATTRIBUTE[a] ?? a))];
  return names.length ? names.join(', ') : undefined;
}

/** `/log print` times: `17:12:32`, `jan/02 17:12:32`, `jan/02/2024 17:12:32`, `2024-01-02 17:12:32`, syslog `Jan  2 17:12:32` */
function secondsOf(time: string | undefined): number | undefined {
  if (!time) return undefined;
  const hms = /(\d{2}):(\d{2}):(\d{2})$/.exec(time);
  if (!hms) return undefined;
  let y = 2000;
  let mo = 0;
  let day = 1;
  let m: RegExpExecArray | null;
  if ((m = /^([a-z]{3})\/(\d{2})(?:\/(\d{4}))?/.exec(time))) {
    mo = Math.max(0, MONTHS.indexOf(m[1]));
    day = Number(m[2]);
    if (m[3]) y = Number(m[3]);
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})/.exec(time))) {
    y = Number(m[1]);
    mo = Number(m[2]) - 1;
    day = Number(m[3]);
  } else if ((m = /^([A-Z][a-z]{2}) +(\d{1,2})/.exec(time))) {
    mo = Math.max(0, MONTHS.indexOf(m[1].toLowerCase()));
    day = Number(m[2]);
  }
  const v = Date.UTC(y, mo, day, Number(hms[1]), Number(hms[2]), Number(hms[3])) / 1000;
  return Number.isFinite(v) ? v : undefined;
}

export const mikrotikDialect: LogDialect = {
  id: 'mikrotik',
  name: 'MikroTik RouterOS ipsec log topics (/log print, remote syslog)',
  sniff,
  createDecoder: (source) => new MikrotikDecoder(source),
};
