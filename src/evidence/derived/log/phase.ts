/**
 * Which IKE phase a failure belongs to, and what the log's author could see. Shared
 * by the proposal, identity and authentication checks so that they agree.
 */
import type { LogEvent, LogEventData, Phase } from '../../log-events.js';
import { exchangeAt, fileEventsOfKind, firstAtOrAfter, type LogFile, type LogSession } from './sessions.js';

/**
 * RFC 7296 §1.2 / §1.3: a notify in IKE_SA_INIT concerns the IKE SA; in IKE_AUTH or
 * CREATE_CHILD_SA it concerns the Child SA (the IKE SA survives). IKEv1: Main and
 * Aggressive Mode are phase 1, Quick Mode phase 2. Without a named exchange, a
 * failure after the IKE SA came up is a Child SA one.
 */
export function phaseOf(file: LogFile, session: LogSession, e: LogEvent, stated?: Phase, exchange?: string): Phase {
  if (stated) return stated;
  const ex = exchange ?? exchangeAt(session.events, e);
  // IKEv1 notifies travel in an INFORMATIONAL_V1 of their own: the exchange they answer is the one in progress
  if (ex && /INFORMATIONAL_V1/i.test(ex)) return ikev1NotifyPhase(session, e) ?? (ikeUpBefore(file, e) ? 'child' : 'ike');
  if (ex) {
    if (/IKE_SA_INIT|MAIN|AGGR|ID_PROT/i.test(ex)) return 'ike';
    if (/IKE_AUTH|CREATE_CHILD|QUICK/i.test(ex)) return 'child';
  }
  return ikeUpBefore(file, e) ? 'child' : 'ike';
}

/**
 * The phase an IKEv1 informational notify (NO_PROPOSAL_CHOSEN, INVALID_ID_INFORMATION, …)
 * concerns, or undefined when the log does not tell. The Main/Aggressive/Quick Mode message
 * last sent or parsed before it names the exchange it refuses (charon "generating QUICK_MODE
 * request …" then "parsed INFORMATIONAL_V1 request … [ HASH N(NO_PROP) ]"). Without one, a
 * NO_PROPOSAL_CHOSEN protected by a HASH payload is phase 2: RFC 2409 §5.7 protects an
 * informational with HASH(1) only once the ISAKMP SA has keys, and phase 1 proposals are
 * settled in Main Mode's first, unencrypted pair (RFC 2409 §5) — so a refused phase 1 proposal
 * is always answered in the clear (`[ N(NO_PROP) ]`). INVALID_ID_INFORMATION gets no such rule:
 * Main Mode's IDs travel encrypted too (messages 5 and 6).
 */
export function ikev1NotifyPhase(session: LogSession, e: LogEvent): Phase | undefined {
  const events = session.events;
  const at = events.indexOf(e);
  let carrier: LogEventData['message'] | undefined;
  for (let i = at; i >= 0; i--) {
    const x = events[i];
    // the ISAKMP SA is up: what is refused now is a Quick Mode
    if (x.kind === 'ike-established' && (x.data as LogEventData['ike-established']).ikeVersion !== 2) return 'child';
    if (x.kind !== 'message') continue;
    const m = x.data as LogEventData['message'];
    if (/INFORMATIONAL_V1/i.test(m.exchange)) {
      carrier ??= m;
      continue;
    }
    if (/QUICK/i.test(m.exchange)) return 'child';
    if (/ID_PROT|MAIN|AGGR/i.test(m.exchange)) return 'ike';
    break;
  }
  const hashed = carrier?.payloads?.includes('HASH');
  if (hashed && carrier!.notifies?.includes('NO_PROPOSAL_CHOSEN')) return 'child';
  return undefined;
}

/** An IKEv1 notify refusing a Quick Mode (phase 2), as ikev1NotifyPhase decides. */
export function inQuickMode(session: LogSession, e: LogEvent): boolean {
  return ikev1NotifyPhase(session, e) === 'child';
}

/** Some IKE SA of the same connection came up earlier in this file. */
export function ikeUpBefore(file: LogFile, e: LogEvent): boolean {
  const first = firstEstablished(file);
  // an event of connection C counts SAs of C and SAs the log did not name; an unnamed event counts any
  const candidates = e.conn ? [first.get(e.conn), first.get(UNNAMED)] : [first.get(ANY)];
  return candidates.some((line) => line !== undefined && line < (e.at.line ?? 0));
}

const firstEstablishedCache = new WeakMap<LogFile, Map<string, number>>();
const ANY = '\u0000any';
const UNNAMED = '\u0000unnamed';

/** First ike-established line per connection name (and for unnamed / any), computed once per file. */
function firstEstablished(file: LogFile): Map<string, number> {
  let m = firstEstablishedCache.get(file);
  if (m) return m;
  m = new Map();
  for (const x of file.events) {
    if (x.kind !== 'ike-established') continue;
    const line = x.at.line ?? 0;
    for (const k of [x.conn ?? UNNAMED, ANY]) if (!m.has(k) || m.get(k)! > line) m.set(k, line);
  }
  firstEstablishedCache.set(file, m);
  return m;
}

/** Some SA of the same connection came up after this event (a failure that was then recovered from). */
export function establishedAfter(file: LogFile, e: LogEvent, kinds: ReadonlyArray<'ike-established' | 'child-established'> = ['ike-established', 'child-established']): LogEvent | undefined {
  const line = e.at.line ?? 0;
  const list = fileEventsOfKind(file, ...kinds);
  for (let i = firstAtOrAfter(list, line + 1); i < list.length; i++) {
    const x = list[i];
    if (!e.conn || !x.conn || x.conn === e.conn) return x;
  }
  return undefined;
}

/** The event's direction if it has one ('sent' | 'received' | 'local'). */
export function directionOf(e: LogEvent): 'sent' | 'received' | 'local' | undefined {
  const d = e.data as { direction?: unknown };
  return d.direction === 'sent' || d.direction === 'received' || d.direction === 'local' ? d.direction : undefined;
}

/**
 * Whose log is this failure in? 'responder' when this daemon decided (it sent the
 * notify or decided locally), 'initiator' when it only received the verdict.
 */
export function sideOf(events: readonly LogEvent[]): 'initiator' | 'responder' {
  return events.some((e) => directionOf(e) === 'sent' || directionOf(e) === 'local') ? 'responder' : 'initiator';
}

/** The IKE version the session negotiated, when the log says. */
export function ikeVersionOf(session: LogSession): 1 | 2 | undefined {
  for (const e of session.events) {
    const v = (e.data as LogEventData['initiate']).ikeVersion;
    if ((e.kind === 'initiate' || e.kind === 'respond' || e.kind === 'ike-established') && v) return v;
    if (e.kind === 'message') {
      const ex = (e.data as LogEventData['message']).exchange;
      if (/IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA/.test(ex)) return 2;
      if (/MAIN|AGGRESSIVE|QUICK|ID_PROT|INFORMATIONAL_V1/i.test(ex)) return 1;
    }
  }
  return undefined;
}
