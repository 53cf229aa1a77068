/**
 * Packet-side facts the IKE checks share, built on the SA/exchange pairing of
 * wire/ike-sas.ts. They group and count; the checks decide what a fact means.
 */
import type { Evidence } from '../../types.js';
import type { IcmpError, IcmpErrorKind, IkeMessage } from '../../packet-types.js';
import { ikeSas, type IkeExchange, type IkeSa } from './ike-sas.js';
import { derived } from '../memo.js';
import { endpointText } from './refs.js';
import { pushTo } from '../aggregate.js';

export type WireStage = 'first' | 'auth' | 'child' | 'other';

export interface UnansweredGroup {
  /** unanswered exchanges of one exchange type to one responder (from one requester or several) */
  exchanges: IkeExchange[];
  /** who sent them (address:port), in order of first request */
  requesters: string[];
  /** the one with the most copies: its request, retransmits and timing are reported */
  worst: IkeExchange;
  request: IkeMessage;
  stage: WireStage;
  /** ICMP errors that quote the request's destination address and port */
  icmp: IcmpError[];
}

const hasSpi = (spi: string) => /[1-9a-f]/.test(spi);

/** Where in the life of an SA a request sits (RFC 7296 §1.2–1.4; RFC 2409 §5). */
export function wireStage(ex: IkeExchange, request: IkeMessage): WireStage {
  const first = !hasSpi(request.spiR);
  if (ex.exchange === 34 || ex.exchange === 4 || (ex.exchange === 2 && first)) return 'first';
  if (ex.exchange === 35 || ex.exchange === 43 || ex.exchange === 2) return 'auth';
  if (ex.exchange === 36 || ex.exchange === 32) return 'child';
  return 'other';
}

export function quotesIke(e: IcmpError): boolean {
  const q = e.quoted;
  if (!q) return false;
  return q.kind === 'ike' || q.kind === 'nat-keepalive' || q.kind === 'esp-in-udp' || (q.protocol === 17 && [500, 4500].includes(q.dstPort ?? 0));
}

export const unansweredGroups = derived((evidence: Evidence): UnansweredGroup[] => {
  const icmp = (evidence.packets?.icmpErrors ?? []).filter(quotesIke);
  const groups = new Map<string, IkeExchange[]>();
  for (const ex of ikeSas(evidence).unanswered) {
    if (!ex.request) continue;
    // the silent side and what it ignored: a gateway that answers none of its peers' DPD requests is one problem, not one per peer
    const key = `${endpointText(ex.request.dst)}|${ex.exchangeName}`;
    pushTo(groups, key, ex);
  }
  return [...groups.values()].map((exchanges) => {
    const worst = exchanges.reduce((a, b) => (b.requests.length > a.requests.length ? b : a));
    const request = worst.request!;
    return {
      exchanges, worst, request, stage: wireStage(worst, request), requesters: [...new Set(exchanges.map((e) => endpointText(e.request!.src)))],
      icmp: icmp.filter((e) => e.quoted?.dst === request.dst.address && e.quoted?.dstPort === request.dst.port),
    };
  });
});

export interface IcmpGroup {
  errors: IcmpError[];
  /** what was refused, e.g. "IKE on UDP 500", "ESP (IP protocol 50)" */
  what: string;
  target: string;
}

/** ICMP errors of one kind quoting IKE (or, with `withEsp`, ESP/AH), grouped by reporter and target. */
export function icmpGroups(evidence: Evidence, kind: IcmpErrorKind, withEsp: boolean): IcmpGroup[] {
  const groups = new Map<string, IcmpError[]>();
  for (const e of evidence.packets?.icmpErrors ?? []) {
    const q = e.quoted;
    if (e.kind !== kind || !q || !(quotesIke(e) || (withEsp && (q.kind === 'esp' || q.kind === 'ah')))) continue;
    const key = `${e.from}|${q.dst}|${q.dstPort ?? q.protocol}`;
    pushTo(groups, key, e);
  }
  return [...groups.values()].map((errors) => {
    const q = errors[0].quoted!;
    const what = q.kind === 'esp' || q.kind === 'ah' ? `${q.kind.toUpperCase()} (IP protocol ${q.protocol})` : `${q.kind === 'ike' ? 'IKE' : q.kind} on UDP ${q.dstPort}`;
    return { errors, what, target: q.dstPort !== undefined ? endpointText({ address: q.dst, port: q.dstPort }) : q.dst };
  });
}

export interface Rejection {
  sa: IkeSa;
  notifies: IkeSa['notifies'];
  phase: 'ike' | 'child';
  /** the message that carried the offer (IKE_SA_INIT / MM1 / AM1 request) */
  offer?: IkeMessage;
  /** the exchange that completed the SA after the rejection, if any */
  completedBy?: IkeMessage;
}

/** NO_PROPOSAL_CHOSEN (14 in both versions) seen in cleartext, per IKE SA. */
export const wireRejections = derived((evidence: Evidence): Rejection[] =>
  ikeSas(evidence).sas.flatMap((sa) => {
    const notifies = sa.notifies.filter((n) => n.type === 14);
    if (!notifies.length) return [];
    const done = sa.exchanges.filter((e) => e.answered && (e.exchange === 35 || e.exchange === 2 || e.exchange === 4)).at(-1)?.response;
    return [{
      sa, notifies,
      phase: notifies[0].protocolId === 2 || notifies[0].protocolId === 3 ? 'child' : 'ike',
      offer: sa.exchanges.find((e) => e.request?.proposals.length)?.request,
      completedBy: sa.authCompleted && done && done.index > notifies[0].message.index ? done : undefined,
    }];
  }),
);

export interface InvalidKeOutcome {
  sa: IkeSa;
  notify: IkeSa['notifies'][number];
  offered?: number;
  requested?: number;
  /** the initiator started a new IKE_SA_INIT later with the requested group (RFC 7296 §1.3) */
  retried: boolean;
  /** that retry's accepted IKE_SA_INIT response */
  success?: IkeMessage;
}

/** INVALID_KE_PAYLOAD answers grouped by initiator, responder, groups and outcome. */
export const invalidKeOutcomes = derived((evidence: Evidence): InvalidKeOutcome[][] => {
  const { sas } = ikeSas(evidence);
  const groups = new Map<string, InvalidKeOutcome[]>();
  for (const sa of sas) {
    const notify = sa.notifies.find((n) => n.type === 17 && n.from === 'responder');
    if (!notify) continue;
    const requested = notify.group;
    // capture clocks may jump: "later" is arrival order, and per message, not per SA
    const retry = sas.find((s) => s !== sa && s.initiator.address === sa.initiator.address && s.responder.address === sa.responder.address &&
      requested !== undefined && s.keGroups.includes(requested) && s.messages.some((m) => m.exchange === 34 && !m.response && m.index > notify.message.index));
    const success = retry?.exchanges.find((e) => e.exchange === 34 && e.response && hasSpi(e.response.spiR))?.response;
    const outcome: InvalidKeOutcome = { sa, notify, offered: sa.keGroups[0], requested, retried: !!retry, success };
    const key = `${sa.initiator.address}|${sa.responder.address}|${outcome.offered}|${requested}|${success ? 'ok' : retry ? 'retried' : 'gave-up'}`;
    pushTo(groups, key, outcome);
  }
  return [...groups.values()];
});

const isFirstExchange = (e: IkeExchange) => e.exchange === 34 || e.exchange === 2 || e.exchange === 4;

/** Requests that went out IP-fragmented, were resent and never answered, in SAs whose first exchange was answered. */
export const fragmentedUnanswered = derived((evidence: Evidence): { sa: IkeSa; ex: IkeExchange }[] =>
  ikeSas(evidence).sas.flatMap((sa) => {
    if (!sa.exchanges.some((e) => e.answered && isFirstExchange(e))) return [];
    return sa.exchanges.filter((ex) => ex.request?.ipFragmentation && !ex.answered && !ex.answerMayBeNotKept && ex.expectsResponse && ex.retransmits >= 1).map((ex) => ({ sa, ex }));
  }),
);

/** The exchanges of fragmentedUnanswered(), as a set (ike-reachability asks once per unanswered exchange). */
export const fragmentedUnansweredExchanges = derived((evidence: Evidence): Set<IkeExchange> => new Set(fragmentedUnanswered(evidence).map(({ ex }) => ex)));

/** SAs whose first exchange was captured, grouped by who announced fragmentation support. */
export interface FragmentationSupportGroup {
  announcedBy: string;
  sas: IkeSa[];
  first: IkeExchange;
  /** sides whose announcement cannot be known: their message was cut short in the capture */
  notKnownFor?: ('initiator' | 'responder')[];
}

export const fragmentationSupport = derived((evidence: Evidence): FragmentationSupportGroup[] => {
  const groups = new Map<string, FragmentationSupportGroup>();
  for (const sa of ikeSas(evidence).sas) {
    const first = sa.exchanges.find((e) => e.answered && e.request && isFirstExchange(e));
    if (!first) continue;
    const { initiator: i, responder: r } = sa.fragmentationSupported;
    // a side whose message the capture cut short may have announced it past the cut (RFC 7383 §2.3: a notify
    // anywhere in IKE_SA_INIT): absence is concluded only from messages seen whole
    const unknownI = !i && sa.cutShort.initiator;
    const unknownR = !r && sa.cutShort.responder;
    const announcedBy = unknownI || unknownR
      ? [i ? 'the initiator' : undefined, r ? 'the responder' : undefined].filter(Boolean).join(' and ') + `${i || r ? '; ' : 'no peer in what was captured; '}whether ${unknownI && unknownR ? 'either peer' : unknownI ? 'the initiator' : 'the responder'} announced it is not known, as the capture cut its message short`
      : i && r ? 'both peers' : i ? 'the initiator only' : r ? 'the responder only' : 'neither peer';
    const g = groups.get(announcedBy) ?? { announcedBy, sas: [], first, ...(unknownI || unknownR ? { notKnownFor: [...(unknownI ? ['initiator' as const] : []), ...(unknownR ? ['responder' as const] : [])] } : {}) };
    g.sas.push(sa);
    groups.set(announcedBy, g);
  }
  return [...groups.values()];
});

/** IKE messages whose IP datagram (reassembled if fragmented) exceeds `limit`, grouped by sender and exchange. */
export function largeIkeMessages(evidence: Evidence, limit: number): IkeMessage[][] {
  const groups = new Map<string, IkeMessage[]>();
  for (const m of evidence.packets?.ikeMessages ?? []) {
    if ((m.ipFragmentation?.totalLength ?? m.ipLength) <= limit) continue;
    const key = `${m.src.address}|${m.exchangeName}`;
    pushTo(groups, key, m);
  }
  return [...groups.values()];
}
