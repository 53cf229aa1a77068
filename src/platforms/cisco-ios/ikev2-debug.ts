/**
 * Cisco IOS / IOS-XE `debug crypto ikev2` output: `IKEv2:(SESSION ID = n,SA ID = m):body`, `IKEv2:body`,
 * `IKEv2:% body`, `IKEv2-ERROR:(…):body`, and the packet blocks whose lines carry no prefix
 * (`IKEv2 IKE_AUTH Exchange RESPONSE`, `Payload contents:`, ` VID IDr AUTH NOTIFY(NO_PROPOSAL_CHOSEN)`).
 * Texts from real output: Cisco document 117337 (router side of an ASA interop: "IKEv2 profile not
 * found", "Failed to locate an item in the database") and an IOS-XE 16.7 console (IKE_AUTH answered
 * with NO_PROPOSAL_CHOSEN); see docs/platforms/vendor-logs.md.
 *
 * What is read:
 * - `Searching policy based on peer's identity 'X' of type 'T'` — the identity the peer sent;
 * - `IKEv2 profile not found` / `Profile could not be found by peer certificate` — no IKEv2 profile
 *   (`match identity remote`) accepts that identity: no connection for this peer;
 * - `Failed to find a matching policy` — our IKEv2 proposals refused the peer's;
 * - `Verification of peer's authentication data FAILED` — the peer's AUTH did not verify;
 * - a received packet block's `NOTIFY(X)` — the peer's notify: NO_PROPOSAL_CHOSEN in IKE_SA_INIT is a
 *   phase 1 refusal, in IKE_AUTH / CREATE_CHILD_SA a Child SA one; AUTHENTICATION_FAILED, TS_UNACCEPTABLE;
 * - `Generating IKE_SA_INIT message` (we initiate), `Session with IKE ID PAIR (peer, us) is UP`;
 * - `Failed to locate an item in the database` — the negotiation failed (the cause is on an earlier line).
 */
import type { LogEventData, LogEventKind } from '../../evidence/log-events.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** optional timestamp, `IKEv2:` or `IKEv2-ERROR:`, optional `(SESSION ID = n,SA ID = m):` / `(SA ID = m):` */
export const IOS_IKEV2 = /^(?:\*?((?:[A-Z][a-z]{2} +\d{1,2} (?:\d{4} )?)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)(?: [A-Z]{3,4})?: )?IKEv2(-ERROR)?:(?:\((?:SESSION ID = (\d+),\s?)?SA ID = (\d+)\):)?:?\s?(.*)$/;
const EXCHANGE_LINE = /^IKEv2 (IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) Exchange (REQUEST|RESPONSE)\s*$/;

export class IosIkev2Debug {
  /** the packet block being read: its direction (from the Sending/Received Packet line) and exchange */
  private packet: { direction: 'sent' | 'received'; exchange?: string; payloads?: boolean } | undefined;
  /** the session the packet block's first line named: the block's events belong to it */
  blockSession: string | undefined;

  /** A line of a packet block (no prefix of its own); undefined when the line is not one. */
  blockLine(line: string): Draft[] | undefined {
    if (!this.packet) return undefined;
    const text = line.trim();
    const ex = EXCHANGE_LINE.exec(text);
    if (ex) {
      this.packet.exchange = ex[1];
      return [];
    }
    if (/^Initiator SPI : \S+ - Responder SPI : \S+ Message id: \d+$/.test(text)) return [];
    if (text === 'Payload contents:') {
      this.packet.payloads = true;
      return [];
    }
    if (this.packet.payloads && /^[A-Z][A-Za-z_]*(?:\([A-Z_]+\))?(?: [A-Z][A-Za-z_]*(?:\([A-Z_]+\))?)*$/.test(text)) {
      const p = this.packet;
      this.packet = undefined;
      return p.direction === 'received' ? notifies(text, p.exchange) : [];
    }
    if (text === '') return [];
    this.packet = undefined;
    return undefined;
  }

  body(body: string, session: string | undefined): Draft[] {
    const text = body.trim();
    let m: RegExpExecArray | null;
    this.packet = undefined;
    if ((m = /^(Sending|Received) Packet \[(?:To|From) /.exec(text))) {
      this.packet = { direction: m[1] === 'Sending' ? 'sent' : 'received' };
      this.blockSession = session;
      return [];
    }
    if (text === 'Generating IKE_SA_INIT message') return [d('initiate', { ikeVersion: 2, mode: 'ikev2' })];
    // the responder picks its IKEv2 profile by the peer's identity (match identity remote), as charon picks a peer config
    if ((m = /^Searching policy based on peer's identity '([^']*)' of type '([^']*)'/.exec(text))) return [d('identity', { direction: 'received', id: m[1] }), d('peer-config-lookup', { remoteId: m[1] })];
    if (/^% ?IKEv2 profile not found$|^%Profile could not be found by peer certificate\.?$/.test(text)) {
      return [d('no-config', { scope: 'peer', detail: 'IOS: no IKEv2 profile matches the identity the peer sent (crypto ikev2 profile … match identity remote …)' })];
    }
    if (text === 'Failed to find a matching policy') return [d('no-proposal-chosen', { phase: 'ike', direction: 'local', exchange: 'IKE_SA_INIT', reason: 'IOS: Failed to find a matching policy' })];
    if (/^Verification of peer's authentication data FAILED/.test(text)) return [d('auth', { ok: false, direction: 'local', reason: `IOS: ${text}` })];
    if (/^:? ?Failed to locate an item in the database$/.test(text)) return [d('negotiation-failed', { phase: 'ike', reason: 'IOS: Failed to locate an item in the database' })];
    if ((m = /^Session with IKE ID PAIR \(([^,]+), ([^)]+)\) is UP/.exec(text))) return [d('ike-established', { ikeVersion: 2, remoteId: m[1], localId: m[2] })];
    return [];
  }
}

/** " VID IDr AUTH NOTIFY(NO_PROPOSAL_CHOSEN)" of a received message → the peer's notifies. */
function notifies(payloads: string, exchange: string | undefined): Draft[] {
  const out: Draft[] = [];
  for (const n of payloads.matchAll(/NOTIFY\(([A-Z_]+)\)/g)) {
    const name = n[1];
    // IKE proposals travel in IKE_SA_INIT; a later exchange's NO_PROPOSAL_CHOSEN refuses the Child SA (RFC 7296 §1.2, §2.7)
    const phase = exchange === 'IKE_SA_INIT' ? 'ike' : 'child';
    if (name === 'NO_PROPOSAL_CHOSEN') out.push(d('no-proposal-chosen', { phase, direction: 'received', exchange, reason: `the peer answered ${exchange ?? 'the exchange'} with NO_PROPOSAL_CHOSEN` }));
    else if (name === 'AUTHENTICATION_FAILED') out.push(d('auth', { ok: false, direction: 'received', reason: name }));
    else if (name === 'TS_UNACCEPTABLE') out.push(d('ts-unacceptable', { direction: 'received', exchange }));
    else if (!/^NAT_DETECTION|^INITIAL_CONTACT|^SET_WINDOW_SIZE|^ESP_TFC_NO_SUPPORT|^NON_FIRST_FRAGS|^USE_TRANSPORT_MODE|^FRAGMENTATION_SUPPORTED|^REDIRECT_SUPPORTED/.test(name)) {
      out.push(d('notify', { direction: 'received', name, exchange }));
    }
  }
  return out;
}
