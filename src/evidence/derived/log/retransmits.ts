/**
 * Retransmit chains: the retransmissions of one request in one SA, with their
 * timing and how the chain ended (answered, abandoned, or still running when the
 * log stops). RFC 7296 §2.1: only the initiator of an exchange retransmits, so a
 * chain always belongs to the side that wrote the log.
 */
import type { Evidence } from '../../types.js';
import type { Endpoint, LogEvent, LogEventData } from '../../log-events.js';
import { derivedFromLogs } from '../memo.js';
import { logSessions, type LogSession } from './sessions.js';

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

export const retransmitChains = derivedFromLogs((evidence: Evidence): RetransmitChain[] => logSessions(evidence).flatMap(chainsOf));

/** One pass over the session (memory and time linear in its events, whatever the log size). */
function chainsOf(session: LogSession): RetransmitChain[] {
  const chains: RetransmitChain[] = [];
  let current: RetransmitChain | undefined;
  let request: LogEvent<'message'> | undefined;
  let lastExchange: string | undefined;
  let lastSentTo: Endpoint | undefined;
  let bytesSinceRequest: number | undefined;
  let ikeUp = false;
  const open = () => current !== undefined && !current.giveUp && !current.answered;
  for (const e of session.events) {
    switch (e.kind) {
      case 'ike-established':
        ikeUp = true;
        break;
      case 'message': {
        const d = e.data as LogEventData['message'];
        lastExchange = d.exchange;
        if (d.direction === 'received' && open()) current!.answered = true;
        if (d.direction === 'sent' && d.role !== 'response') {
          request = e as LogEvent<'message'>;
          bytesSinceRequest = undefined;
        }
        break;
      }
      case 'packet': {
        const d = e.data as LogEventData['packet'];
        if (d.direction !== 'sent') break;
        lastSentTo = d.remote ?? lastSentTo;
        if (d.bytes !== undefined) {
          bytesSinceRequest = Math.max(bytesSinceRequest ?? 0, d.bytes);
          if (open()) current!.requestBytes = Math.max(current!.requestBytes ?? 0, d.bytes);
        }
        break;
      }
      case 'retransmit':
      case 'give-up': {
        const d = e.data as LogEventData['retransmit'] | LogEventData['give-up'];
        const msgid = e.kind === 'retransmit' ? (d as LogEventData['retransmit']).msgid : undefined;
        if (e.kind === 'give-up' && current?.giveUp && !current.answered) {
          current.also.push(e as LogEvent<'give-up'>);
          break;
        }
        if (!open() || (msgid !== undefined && current!.msgid !== undefined && msgid !== current!.msgid)) {
          current = {
            session, exchange: d.exchange ?? request?.data.exchange ?? lastExchange, msgid, retransmits: [], count: 0, waits: [], answered: false,
            also: [], afterEstablished: ikeUp, request, requestBytes: bytesSinceRequest, peer: undefined,
          };
          chains.push(current);
        }
        const c = current!;
        c.exchange ??= d.exchange;
        c.msgid ??= msgid;
        if (e.kind === 'retransmit') {
          const r = e as LogEvent<'retransmit'>;
          c.retransmits.push(r);
          c.count = Math.max(c.count, r.data.count ?? c.retransmits.length);
          if (r.data.waitSeconds !== undefined) c.waits.push(r.data.waitSeconds);
        } else {
          const g = e as LogEvent<'give-up'>;
          c.giveUp = g;
          if (g.data.retransmits !== undefined) c.count = Math.max(c.count, g.data.retransmits);
        }
        c.peer ??= d.peer ?? c.request?.data.peer ?? lastSentTo;
        const first = c.retransmits[0] ?? c.giveUp;
        const last = c.giveUp ?? c.retransmits[c.retransmits.length - 1];
        const startT = c.request?.t ?? first?.t;
        if (startT !== undefined && last?.t !== undefined) c.spanSeconds = Math.max(0, last.t - startT);
        break;
      }
    }
  }
  return chains;
}

/** "192.0.2.1:4500" / "192.0.2.1" for messages. */
export function formatEndpoint(ep: Endpoint | undefined): string | undefined {
  if (!ep) return undefined;
  return ep.port !== undefined ? `${ep.address}:${ep.port}` : ep.address;
}

/** 'setup': the IKE SA was being set up, and the log does not say whether its first or its auth exchange went unanswered (Juniper kmd "IKE negotiation failed … Timed out"). */
export type IkeStage = 'first' | 'auth' | 'setup' | 'child' | 'other';

/** Which request went unanswered: the first, small, unencrypted one or a later, larger, encrypted one (RFC 7296 §1.2). */
export function stageOf(chain: Pick<RetransmitChain, 'exchange' | 'msgid' | 'giveUp'>): IkeStage {
  // pluto names the state it gave up in (STATE_MAIN_I3, IKE_SA_INIT_I): the most precise hint
  return stageFromName(chain.giveUp?.data.state) ?? stageFromName(chain.exchange) ?? (chain.msgid === 0 ? 'first' : chain.msgid === 1 ? 'auth' : 'other');
}

function stageFromName(name: string | undefined): IkeStage | undefined {
  if (!name) return undefined;
  if (/^(phase 1|IKE SA setup)\b/i.test(name)) return 'setup';
  if (/ESTABLISHED|INFORMATIONAL/i.test(name)) return 'other';
  if (/QUICK|CREATE_CHILD_SA/i.test(name)) return 'child';
  if (/IKE_AUTH|MAIN_I3|AGGR_I2|Main Mode I3/i.test(name)) return 'auth';
  if (/IKE_SA_INIT|MAIN_I1|AGGR_I1|Main Mode request|ID_PROT|AGGRESSIVE|MAIN/i.test(name)) return 'first';
  return undefined;
}

/** An explicit verdict logged before the give-up (an identity refused, authentication failed) explains the silence better than the path or the packet size. */
export function verdictBeforeGiveUp(chain: RetransmitChain): boolean {
  const end = chain.giveUp?.at.line ?? Infinity;
  return chain.session.events.some((e) => (e.at.line ?? 0) < end && (e.kind === 'id-mismatch' || (e.kind === 'auth' && !(e.data as { ok: boolean }).ok)));
}

/**
 * libreswan's IKEv1 responder says "probable authentication failure (mismatch of preshared
 * secrets?): malformed payload in packet" when the peer's first encrypted message (MI3, AI2) does
 * not decrypt with its key (ikev1.c: SMF_PSK_AUTH | SMF_FIRST_ENCRYPTED_INPUT); the peer then
 * resends it and pluto resends its own last message (MR2, AR1), waiting for one that decrypts.
 * Those retransmissions, in any state of the same connection that waits for that message, are
 * the PSK failure's symptom, not a peer that does not answer.
 */
export function pskFailureSymptoms(sessions: readonly LogSession[]): LogEvent<'retransmit'>[] {
  const conns = new Set<string | undefined>();
  for (const s of sessions) for (const e of s.events) if (e.kind === 'auth' && isPskDecryptFailure(e.data as LogEventData['auth'])) conns.add(e.conn);
  if (!conns.size) return [];
  return sessions.flatMap((s) => s.events.filter((e): e is LogEvent<'retransmit'> => e.kind === 'retransmit' && conns.has(e.conn) && /^STATE_(?:MAIN_R2|AGGR_R1)$/.test((e.data as LogEventData['retransmit']).state ?? '')));
}

function isPskDecryptFailure(d: LogEventData['auth']): boolean {
  return !d.ok && d.method === 'psk' && /^probable authentication failure/.test(d.reason ?? '');
}

/** How long the request went unanswered: the chain's time span, else the give-up's own figure, else libreswan's announced waits added up. */
export function chainSeconds(chain: RetransmitChain): number | undefined {
  return chain.spanSeconds ?? chain.giveUp?.data.seconds ?? (chain.waits.length ? chain.waits.reduce((a, b) => a + b, 0) : undefined);
}

/** The chain's retransmit count when the log prints one (retransmit lines, a count in the give-up line); a vendor's bare "Timed out" does not. */
export function printedRetransmits(chain: RetransmitChain): number | undefined {
  return chain.retransmits.length > 0 || chain.giveUp?.data.retransmits !== undefined ? chain.count : undefined;
}


/**
 * Retransmit chains that a log shows meeting silence on UDP 4500 after its own NAT verdict
 * (RFC 7296 §2.23: once NAT is detected the initiator moves to 4500; RFC 3947 §4 for IKEv1):
 * a setup request to the peer's port 4500, retransmitted or given up, nothing received from the
 * peer on 4500 in the session, and datagrams the log sizes at no more than 1280 bytes (so not IP
 * fragments lost on the way, which ike-fragmentation judges). The log's counterpart of a
 * capture's natTBlocked() (derived/wire/nat.ts).
 */
export const logNatTBlocked = derivedFromLogs((evidence: Evidence): Array<{ chain: RetransmitChain; verdict: LogEvent }> =>
  retransmitChains(evidence).flatMap((chain) => {
    const { peer, session } = chain;
    if (peer?.port !== 4500 || chain.answered || chain.afterEstablished || chain.requestBytes === undefined || chain.requestBytes > 1280) return [];
    if (!chain.giveUp && chain.retransmits.length < 2) return [];
    const start = (chain.request ?? chain.retransmits[0] ?? chain.giveUp)!.at.line ?? 0;
    const verdict = session.events.find((e) => e.kind === 'nat' && (e.at.line ?? 0) < start && ((e.data as LogEventData['nat']).localBehindNat || (e.data as LogEventData['nat']).remoteBehindNat));
    const heard = session.events.some((e) => e.kind === 'packet' && (e.data as LogEventData['packet']).direction === 'received' && (e.data as LogEventData['packet']).remote?.port === 4500 && (e.data as LogEventData['packet']).remote?.address === peer.address);
    return verdict && !heard ? [{ chain, verdict }] : [];
  }),
);
