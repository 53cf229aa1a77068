/**
 * Retransmit chains: the retransmissions of one request in one SA, with their
 * timing and how the chain ended (answered, abandoned, or still running when the
 * log stops). RFC 7296 §2.1: only the initiator of an exchange retransmits, so a
 * chain always belongs to the side that wrote the log.
 */
import type { Evidence } from '../types.js';
import type { Endpoint, LogEvent, LogEventData } from '../log-events.js';
import { derived } from './memo.js';
import { establishedBefore, exchangeAt, logSessions, type LogSession } from './log-sessions.js';

export interface RetransmitChain {
  session: LogSession;
  /** the request being retransmitted, when the log says */
  exchange?: string;
  msgid?: number;
  retransmits: LogEvent<'retransmit'>[];
  giveUp?: LogEvent<'give-up'>;
  /** highest retransmit count printed (or the give-up's count) */
  count: number;
  /** seconds between the first and last event of the chain, when timestamps exist */
  spanSeconds?: number;
  /** waits libreswan announces ("will wait 0.5 seconds"), in order */
  waits: number[];
  /** where the request went: peer address and port (500 vs 4500 tells NAT-T / MOBIKE) */
  peer?: Endpoint;
  /** a message was received in the session after the chain started */
  answered: boolean;
  /** the IKE SA was up before the chain began: a liveness/DPD or rekey request, not setup */
  afterEstablished: boolean;
  /** the request that started it (sent message) */
  request?: LogEvent<'message'>;
  /** size of the largest datagram sent for this request, when the log prints packet sizes (charon "sending packet: … (288 bytes)") */
  requestBytes?: number;
  /** further give-up lines for the same chain (charon: "giving up after 5 retransmits" then "peer not responding") */
  also: LogEvent<'give-up'>[];
}

export const retransmitChains = derived((evidence: Evidence): RetransmitChain[] => logSessions(evidence).flatMap(chainsOf));

function chainsOf(session: LogSession): RetransmitChain[] {
  const chains: RetransmitChain[] = [];
  let current: RetransmitChain | undefined;
  const events = session.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === 'retransmit' || e.kind === 'give-up') {
      const d = e.data as LogEventData['retransmit'] | LogEventData['give-up'];
      const exchange = d.exchange ?? exchangeOfRequest(events, e);
      const msgid = e.kind === 'retransmit' ? (d as LogEventData['retransmit']).msgid : undefined;
      if (e.kind === 'give-up' && current?.giveUp && !current.answered) {
        current.also.push(e as LogEvent<'give-up'>);
        continue;
      }
      if (!current || current.giveUp || current.answered || (msgid !== undefined && current.msgid !== undefined && msgid !== current.msgid)) {
        current = {
          session, exchange, msgid, retransmits: [], count: 0, waits: [], answered: false, also: [],
          afterEstablished: establishedBefore(events, e), request: lastSentRequest(events, e),
        };
        chains.push(current);
      }
      current.exchange ??= exchange;
      current.msgid ??= msgid;
      if (e.kind === 'retransmit') {
        const r = e as LogEvent<'retransmit'>;
        current.retransmits.push(r);
        current.count = Math.max(current.count, r.data.count ?? current.retransmits.length);
        if (r.data.waitSeconds !== undefined) current.waits.push(r.data.waitSeconds);
        current.peer ??= r.data.peer;
      } else {
        const g = e as LogEvent<'give-up'>;
        current.giveUp = g;
        if (g.data.retransmits !== undefined) current.count = Math.max(current.count, g.data.retransmits);
        current.peer ??= g.data.peer;
      }
      const first = current.retransmits[0] ?? current.giveUp;
      const last = current.giveUp ?? current.retransmits[current.retransmits.length - 1];
      const startT = current.request?.t ?? first?.t;
      if (startT !== undefined && last?.t !== undefined) current.spanSeconds = Math.max(0, last.t - startT);
      continue;
    }
    if (current && !current.giveUp && e.kind === 'message' && (e.data as LogEventData['message']).direction === 'received') current.answered = true;
  }
  for (const c of chains) {
    c.peer ??= c.request?.data.peer ?? lastPacketPeer(session.events, c);
    c.requestBytes = largestSent(session.events, c);
  }
  return chains;
}

function lastSentRequest(events: readonly LogEvent[], e: LogEvent): LogEvent<'message'> | undefined {
  for (let j = events.indexOf(e) - 1; j >= 0; j--) {
    const x = events[j];
    if (x.kind === 'message') {
      const d = x.data as LogEventData['message'];
      if (d.direction === 'sent' && d.role !== 'response') return x as LogEvent<'message'>;
    }
  }
  return undefined;
}

function largestSent(events: readonly LogEvent[], chain: RetransmitChain): number | undefined {
  const from = chain.request ?? chain.retransmits[0] ?? chain.giveUp;
  const to = chain.giveUp ?? chain.retransmits[chain.retransmits.length - 1];
  if (!from || !to) return undefined;
  let max: number | undefined;
  for (let j = events.indexOf(from); j >= 0 && j <= events.indexOf(to); j++) {
    const x = events[j];
    if (x.kind !== 'packet') continue;
    const d = x.data as LogEventData['packet'];
    if (d.direction === 'sent' && d.bytes !== undefined) max = Math.max(max ?? 0, d.bytes);
  }
  return max;
}

function exchangeOfRequest(events: readonly LogEvent[], e: LogEvent): string | undefined {
  return lastSentRequest(events, e)?.data.exchange ?? exchangeAt(events, e);
}

function lastPacketPeer(events: readonly LogEvent[], chain: RetransmitChain): Endpoint | undefined {
  const anchor = chain.retransmits[0] ?? chain.giveUp;
  if (!anchor) return undefined;
  for (let j = events.indexOf(anchor); j >= 0; j--) {
    const x = events[j];
    if (x.kind === 'packet') {
      const d = x.data as LogEventData['packet'];
      if (d.direction === 'sent' && d.remote) return d.remote;
    }
  }
  return undefined;
}

/** "192.0.2.1:4500" / "192.0.2.1" for messages. */
export function formatEndpoint(ep: Endpoint | undefined): string | undefined {
  if (!ep) return undefined;
  return ep.port !== undefined ? `${ep.address}:${ep.port}` : ep.address;
}

export type IkeStage = 'first' | 'auth' | 'child' | 'other';

/** Which request went unanswered: the first, small, unencrypted one or a later, larger, encrypted one (RFC 7296 §1.2). */
export function stageOf(chain: Pick<RetransmitChain, 'exchange' | 'msgid' | 'giveUp'>): IkeStage {
  // pluto names the state it gave up in (STATE_MAIN_I3, IKE_SA_INIT_I): the most precise hint
  return stageFromName(chain.giveUp?.data.state) ?? stageFromName(chain.exchange) ?? (chain.msgid === 0 ? 'first' : chain.msgid === 1 ? 'auth' : 'other');
}

function stageFromName(name: string | undefined): IkeStage | undefined {
  if (!name) return undefined;
  if (/ESTABLISHED|INFORMATIONAL/i.test(name)) return 'other';
  if (/QUICK|CREATE_CHILD_SA/i.test(name)) return 'child';
  if (/IKE_AUTH|MAIN_I3|AGGR_I2|Main Mode I3/i.test(name)) return 'auth';
  if (/IKE_SA_INIT|MAIN_I1|AGGR_I1|Main Mode request|ID_PROT|AGGRESSIVE|MAIN/i.test(name)) return 'first';
  return undefined;
}
