/**
 * IKE exchanges as the log shows them: each request paired with its response by
 * exchange type and message ID (RFC 7296 §2.2: a response carries the request's
 * message ID), with the round-trip time when the log has timestamps. A request
 * without a response is an open exchange; what follows it is the retransmit chain.
 */
import type { Evidence } from '../../types.js';
import type { LogEvent } from '../../log-events.js';
import { derivedFromLogs } from '../memo.js';
import { logSessions, type LogSession } from './sessions.js';

export interface LogExchange {
  session: LogSession;
  exchange: string;
  msgid?: number;
  /** this daemon sent the request (it initiated this exchange) */
  initiatedHere: boolean;
  request?: LogEvent<'message'>;
  response?: LogEvent<'message'>;
  /** seconds between request and response, when both lines carry a timestamp */
  rttSeconds?: number;
  /** notifies in the response (RFC 7296 names), e.g. NO_PROPOSAL_CHOSEN */
  responseNotifies: string[];
}

export const logExchanges = derivedFromLogs((evidence: Evidence): LogExchange[] => logSessions(evidence).flatMap(exchangesOf));

export function exchangesOf(session: LogSession): LogExchange[] {
  const out: LogExchange[] = [];
  const open = new Map<string, LogExchange>();
  for (const e of session.events) {
    if (e.kind !== 'message') continue;
    const m = e as LogEvent<'message'>;
    const { direction, exchange, role, msgid, notifies } = m.data;
    if (!role) continue;
    const initiatedHere = (direction === 'sent') === (role === 'request');
    const key = `${initiatedHere}:${exchange}:${msgid ?? '?'}`;
    if (role === 'request') {
      // a retransmitted request logged again stays one exchange
      if (open.has(key)) continue;
      const x: LogExchange = { session, exchange, msgid, initiatedHere, request: m, responseNotifies: [] };
      open.set(key, x);
      out.push(x);
      continue;
    }
    const x = open.get(key) ?? { session, exchange, msgid, initiatedHere, responseNotifies: [] };
    if (!open.has(key)) out.push(x);
    open.delete(key);
    x.response = m;
    x.responseNotifies = notifies ?? [];
    if (x.request?.t !== undefined && m.t !== undefined) x.rttSeconds = Math.max(0, m.t - x.request.t);
  }
  return out;
}
