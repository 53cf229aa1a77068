/**
 * FortiGate `diagnose debug application ike -1` output (with `diagnose debug console timestamp
 * enable`, a timestamp in front): `ike <vdom>:<phase1 name or cookies>[:<serial>]: body`
 * (reference/log-signatures.md §7.2; shape as in Fortinet's own KB article 380380, "Incoming
 * proposal ID remains the same in FortiGate"). Most lines are the exchange narrated step by
 * step and say nothing here; the verdict lines are read:
 * - `peer SA proposal not match local policy` / `no SA proposal chosen` — no common proposal
 *   (phase 2 when the exchange being narrated is Quick Mode);
 * - `probable pre-shared secret mismatch` — the responder could not decrypt the peer's Main Mode
 *   message 5 with its pre-shared key (it follows `parse error`);
 * - `sent IKE msg (P1_RETRANSMIT): A:p->B:q` — phase 1 retransmitted; `negotiation timeout, deleting`;
 * - `received notify type X` — a notify from the peer.
 */
import type { LogEventData, LogEventKind } from '../../evidence/log-events.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** [timestamp] ike VDOM:[NAME[:SERIAL]:] body */
export const IKE_DEBUG = /^(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+)?ike (\d{1,5}):(?:([^\s:]+):(?:(\d+):)?)?\s?(.*)$/;

export class IkeDebugReader {
  /** the exchange the debug narrates at the moment: a proposal refusal during Quick Mode is phase 2 */
  private quickMode = false;

  read(body: string, peerHint?: string): Draft[] {
    let m: RegExpExecArray | null;
    if (/quick[- ]mode/i.test(body)) this.quickMode = true;
    else if (/main mode|aggressive mode|SA_INIT|IKE_SA_INIT/i.test(body)) this.quickMode = false;
    const phase = this.quickMode ? 'child' : 'ike';
    if (/peer SA proposal not match local policy|no SA proposal chosen/i.test(body)) return [d('no-proposal-chosen', { phase, direction: 'local', reason: body.trim() })];
    if (/^probable pre-shared secret mismatch/.test(body)) return [d('auth', { ok: false, method: 'psk', direction: 'local', reason: 'probable pre-shared secret mismatch (the peer\'s encrypted message did not parse with this pre-shared key)' })];
    if ((m = /^sent IKE msg \(P1_RETRANSMIT\): (\S+?):(\d+)->(\S+?):(\d+)/.exec(body))) return [d('retransmit', { exchange: 'phase 1', peer: { address: m[3], port: Number(m[4]) } })];
    if (/^negotiation timeout, deleting/.test(body)) return [d('give-up', { detail: body.trim(), state: this.quickMode ? 'phase 2 (Quick Mode)' : 'phase 1', peer: peerHint ? { address: peerHint } : undefined })];
    if ((m = /^received notify type ([A-Z_]+)/.exec(body))) return [d('notify', { direction: 'received', name: m[1] })];
    return [];
  }
}
