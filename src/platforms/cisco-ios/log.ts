/**
 * Cisco IOS / IOS-XE IKEv1 debug output (`debug crypto isakmp`, `debug crypto ipsec`) as
 * pasted from a console or `show logging`: `ISAKMP:(9577): body`, `ISAKMP (0:9577): body`,
 * `ISAKMP: body`, `IPSEC(function): body`, with or without a timestamp in front
 * (`*Mar  1 00:01:02.123: `, uptime `00:27:07: `, `Jul 13 10:37:00.123: `), and the
 * %CRYPTO-N-MNEMONIC syslog messages (reference/log-signatures.md §6.2). A separate
 * platform from the ASA: another OS, with other debug texts.
 *
 * What is read (texts from real debug output and Cisco's IPsec troubleshooting documents):
 * - `beginning Main|Aggressive|Quick Mode exchange` — we initiate;
 * - `no offers accepted!` / `phase 1 SA policy not acceptable!` — our ISAKMP policies refused
 *   every transform the peer offered (a single `atts are not acceptable` is one transform only);
 * - `Old State = … New State = IKE_P1_COMPLETE` — the ISAKMP SA is up (the peer named by
 *   `SA has been authenticated with X`);
 * - `processing NOTIFY <TYPE> protocol <P>` — a notify from the peer; PROPOSAL_NOT_CHOSEN for
 *   protocol 2/3 (AH/ESP) is a refused Quick Mode proposal, for protocol 1 (ISAKMP) a phase 1 one;
 *   INVALID_ID_INFO refused proxy identities (crypto ACLs not mirrored);
 * - `IPSEC(validate_transform_proposal): proxy identities not supported` — we refused the
 *   peer's proxy identities; `retransmitting phase 1|2 …` and `deleting SA reason "Death by
 *   retransmission P1|P2"` — no answer; `deleting SA reason "…"` — the SA went away.
 */
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';
import { IOS_IKEV2, IosIkev2Debug } from './ikev2-debug.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** optional timestamp, then ISAKMP/IPSEC debug or a %CRYPTO message */
const LINE = /^(?:<\d{1,3}>)?(?:\*?((?:[A-Z][a-z]{2} +\d{1,2} (?:\d{4} )?)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)(?: [A-Z]{3,4})?: )?(?:(ISAKMP)\s?(?::?\((\d+)(?::(\d+))?\))?\s?:\s?|(IPSEC)\(([a-z_]+)\):\s?|%(CRYPTO|IKEV2)-(\d)-([A-Z_]+):\s)(.*)$/;
const IPV4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/;
/** RFC 2408 §3.4 / RFC 2407 §4.4.1 protocol IDs as IOS prints them in `processing NOTIFY … protocol N` */
const PROTOCOL_PHASE: Record<string, 'ike' | 'child'> = { '1': 'ike', '2': 'child', '3': 'child', '4': 'child' };
/** IOS notify names → RFC 2408 names */
const NOTIFY_NAME: Record<string, string> = { PROPOSAL_NOT_CHOSEN: 'NO_PROPOSAL_CHOSEN', INVALID_ID_INFO: 'INVALID_ID_INFORMATION' };

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (LINE.test(l.trim()) || IOS_IKEV2.test(l.trim())) n++;
  return n;
}

class IosDecoder implements LineDecoder {
  /** the peer the current ISAKMP SA talks to (IOS names it on some lines only) */
  private peer: string | undefined;
  private readonly ikev2 = new IosIkev2Debug();
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const block = this.ikev2.blockLine(line.length > 20000 ? line.slice(0, 20000) : line);
    if (block) return this.events(line, lineNo, block, undefined, this.ikev2.blockSession);
    const v2 = IOS_IKEV2.exec(line.trim().slice(0, 20000));
    if (v2) return this.events(line, lineNo, this.ikev2.body(v2[5], v2[3]), v2[1], v2[3]);
    const m = LINE.exec(line.trim());
    if (!m) return undefined;
    const [, time, isakmp, first, second, ipsec, , facility, , mnemonic, body] = m;
    // `ISAKMP:(9577)` or `ISAKMP (0:9577)`: the connection id of the ISAKMP SA; 0 before it has one
    const conn = second ?? first;
    const drafts = isakmp ? this.isakmp(body) : ipsec ? this.ipsec(body) : this.syslog(facility, mnemonic, body);
    return this.events(line, lineNo, drafts, time, conn && conn !== '0' ? conn : undefined);
  }

  private events(line: string, lineNo: number, drafts: Draft[], time: string | undefined, sa: string | undefined): LogEvent[] {
    if (!drafts.length) return [];
    const excerpt = excerptOf(line);
    return drafts.map((dr) => ({ kind: dr.kind, at: { source: this.source, line: lineNo }, excerpt, impl: 'cisco-ios', time, conn: undefined, sa, data: dr.data })) as LogEvent[];
  }

  private isakmp(body: string): Draft[] {
    let m: RegExpExecArray | null;
    if ((m = /^Created a peer struct for (\S+?),/.exec(body))) this.peer = m[1];
    if ((m = /^SA has been authenticated with (\S+)/.exec(body))) this.peer = m[1];
    if ((m = /^\s*beginning (Main|Aggressive|Quick) Mode exchange/.exec(body))) {
      const mode = m[1] === 'Main' ? 'main' : m[1] === 'Aggressive' ? 'aggressive' : 'quick';
      return [d('initiate', { peer: this.peer, ikeVersion: 1, mode })];
    }
    if (/^\s*no offers accepted!/.test(body) || /^\s*phase 1 SA policy not acceptable!/.test(body)) {
      return [d('no-proposal-chosen', { phase: 'ike', direction: 'local', exchange: 'Main/Aggressive Mode', reason: body.trim() })];
    }
    if (/^\s*phase 2 SA policy not acceptable!/.test(body)) return [d('no-proposal-chosen', { phase: 'child', direction: 'local', exchange: 'Quick Mode', reason: body.trim() })];
    if (/New State = IKE_P1_COMPLETE/.test(body) && /Old State = IKE_[IR]_MM6|Old State = IKE_[IR]_AM\d/.test(body)) return [d('ike-established', { ikeVersion: 1, remote: this.peer })];
    if ((m = /^\s*processing NOTIFY (\w+) protocol (\d)/.exec(body))) {
      const name = NOTIFY_NAME[m[1]] ?? m[1];
      const phase = PROTOCOL_PHASE[m[2]];
      const out: Draft[] = [d('notify', { direction: 'received', name, exchange: phase === 'child' ? 'Quick Mode' : undefined })];
      if (name === 'NO_PROPOSAL_CHOSEN') out.push(d('no-proposal-chosen', { phase, direction: 'received', exchange: phase === 'child' ? 'Quick Mode' : 'Main/Aggressive Mode', reason: `the peer sent ${m[1]} (protocol ${m[2]})` }));
      if (name === 'INVALID_ID_INFORMATION' && phase === 'child') out.push(d('ts-unacceptable', { direction: 'received', exchange: 'Quick Mode' }));
      return out;
    }
    if ((m = /^\s*retransmitting phase ([12])/.exec(body))) return [d('retransmit', { exchange: m[1] === '1' ? 'Main Mode' : 'Quick Mode', peer: this.peer ? { address: this.peer } : undefined })];
    if ((m = /^\s*deleting SA reason "([^"]*)"/.exec(body))) {
      const peer = /\(peer (\S+?)\)/.exec(body)?.[1] ?? this.peer;
      const death = /^Death by retransmission P([12])/.exec(m[1]);
      if (death) return [d('give-up', { peer: peer ? { address: peer } : undefined, detail: m[1], state: death[1] === '1' ? 'phase 1 (Main or Aggressive Mode)' : 'phase 2 (Quick Mode)' })];
      return [d('sa-deleted', { what: 'ike', reason: m[1] || undefined, direction: 'local' })];
    }
    return [];
  }

  private ipsec(body: string): Draft[] {
    // Cisco "IPsec troubleshooting: understanding and using debug commands": the peer's proxy IDs match no crypto ACL entry here
    if (/proxy identities not supported/.test(body)) return [d('ts-unacceptable', { direction: 'local', exchange: 'Quick Mode' })];
    return [];
  }

  private syslog(facility: string, mnemonic: string, body: string): Draft[] {
    if (facility !== 'CRYPTO') return [];
    // "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at 10.1.1.1"
    const m = /^Processing of (\w+) mode failed with peer at (\S+)/.exec(body);
    if (mnemonic === 'IKMP_MODE_FAILURE' && m) return [d('negotiation-failed', { phase: m[1] === 'Quick' ? 'child' : 'ike', reason: body, peer: m[2] })];
    if (mnemonic === 'IKMP_BAD_MESSAGE') return [d('negotiation-failed', { phase: 'ike', reason: body, peer: IPV4.exec(body)?.[1] })];
    return [];
  }
}

export const ciscoIosDialect: LogDialect = {
  id: 'cisco-ios',
  name: 'Cisco IOS/IOS-XE debug crypto isakmp/ikev2 and %CRYPTO syslog',
  sniff,
  createDecoder: (source) => new IosDecoder(source),
};
