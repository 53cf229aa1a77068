/**
 * IKE SAs by SPI pair and their exchanges: request/response pairing, retransmissions
 * with timing, unanswered requests. Computed once per Evidence.
 *
 * IKEv2 (RFC 7296 §2.1, §3.1): an exchange is (message ID, who requested); the R
 * flag says response, the I flag says which side created the IKE SA. A COOKIE or
 * INVALID_KE answer closes the exchange; the initiator's next IKE_SA_INIT (with the
 * cookie) is a new exchange, not a retransmission. Only byte-identical copies are
 * retransmissions (RFC 7296 §2.1 requires identical retransmits).
 *
 * IKEv1 has no R flag: messages of one (exchange type, message ID) alternate
 * between the side that sent the first one and the other; Main Mode pairs 1/2, 3/4,
 * 5/6, Aggressive Mode 1/2 (3 is unanswered by design), Quick Mode 1/2 (3 is
 * unanswered), Informational expects no answer (RFC 2409 §5, §5.5, §5.7).
 *
 * A very long SA keeps only its first and last messages (packet-collector.ts); the
 * middle is counted in PacketEvidence.ikeNotKept. Pairing happens within what is
 * kept, and a request whose answer may have fallen in the dropped middle is never
 * reported unanswered.
 */
import type { Evidence } from '../../types.js';
import type { FrameRef, IkeMessage, IkeNotKept, IkeNotify, IkeProposal, PacketEndpoint } from '../../packet-types.js';
import { derived } from '../memo.js';

export interface IkeExchange {
  version: 1 | 2;
  exchange: number;
  exchangeName: string;
  messageId: number;
  /** the requesting side relative to the IKE SA */
  requester: 'initiator' | 'responder';
  /** first transmission of the request (undefined when only the response was captured) */
  request?: IkeMessage;
  /** every copy of the request, first included (retransmissions are byte-identical copies) */
  requests: IkeMessage[];
  response?: IkeMessage;
  /** every copy of the response, first included */
  responses: IkeMessage[];
  /** false for IKEv1 messages that by design get no answer (AM3, QM3, Informational) */
  expectsResponse: boolean;
  answered: boolean;
  retransmits: number;
  /** seconds between successive request copies (capture time; 0 with zeroed clocks) */
  retransmitIntervals: number[];
  /** byte-identical copies of the response (the responder answering a retransmitted request again, or resending on its own) */
  responseRetransmits: number;
  /** seconds from the first request to the first response */
  responseDelay?: number;
  /** the IKEv2 request was split by RFC 7383 (SKF) into several messages */
  ikeFragments?: number;
  /** unanswered among the kept messages, but messages of this exchange type that came later were not kept: the answer may be among them */
  answerMayBeNotKept?: true;
}

export interface IkeSa {
  key: string;
  version: 1 | 2;
  spiI: string;
  /** the responder SPI once seen (zero until the responder answered) */
  spiR: string;
  /** the side that sent the first message (IKEv2: the I flag decides) */
  initiator: PacketEndpoint;
  responder: PacketEndpoint;
  messages: IkeMessage[];
  exchanges: IkeExchange[];
  first: FrameRef;
  last: FrameRef;
  /** the exchange moved to UDP 4500 (RFC 3947 / RFC 7296 §2.23 port float) */
  usedPort4500: boolean;
  /** cleartext proposals the initiator offered (IKE_SA_INIT / MM1 / AM1) and the one the responder chose */
  offered: IkeProposal[];
  chosen?: IkeProposal;
  /** KE groups the initiator sent in IKE_SA_INIT requests */
  keGroups: number[];
  notifies: Array<IkeNotify & { from: 'initiator' | 'responder'; message: IkeMessage }>;
  /** NAT-D comparisons per message that carried them */
  natD: Array<{ from: 'initiator' | 'responder'; message: IkeMessage; sourceMatches?: boolean; destinationMatches?: boolean }>;
  /** fragmentation support announced: IKEv2 N(IKEV2_FRAGMENTATION_SUPPORTED), IKEv1 FRAGMENTATION vendor ID */
  fragmentationSupported: { initiator: boolean; responder: boolean };
  /**
   * a message from that side was cut short in the capture (snap length, or the file ends inside its
   * record): what it held past the cut is unknown, so nothing is concluded from its absence there
   */
  cutShort: { initiator: boolean; responder: boolean };
  /** IKE_AUTH answered (IKEv2) / Main Mode 6 or Aggressive Mode 2+3 seen (IKEv1); the SA looks established on the wire */
  authCompleted: boolean;
  /** the SA's messages not kept (its dropped middle, per SPI pair): absent when every message was kept */
  notKept?: { messages: number; byExchange: Record<string, number>; gaps: IkeNotKept[] };
}

export interface IkeSaView {
  sas: IkeSa[];
  exchanges: IkeExchange[];
  unanswered: IkeExchange[];
  bySpiI: Map<string, IkeSa>;
}

const FRAG_NOTIFY = 16430;

export const ikeSas = derived((evidence: Evidence): IkeSaView => buildIkeSas(evidence.packets?.ikeMessages ?? [], evidence.packets?.ikeNotKept));

export function buildIkeSas(messages: readonly IkeMessage[], notKept: readonly IkeNotKept[] = []): IkeSaView {
  const byKey = new Map<string, IkeSa>();
  for (const m of messages) {
    const key = `v${m.version}:${m.spiI}`;
    let sa = byKey.get(key);
    if (!sa) {
      sa = newSa(key, m);
      byKey.set(key, sa);
    }
    sa.messages.push(m);
    sa.last = m.at;
    if (/[1-9a-f]/.test(m.spiR) && !/[1-9a-f]/.test(sa.spiR)) sa.spiR = m.spiR;
    if (m.transport === 'udp4500') sa.usedPort4500 = true;
  }
  for (const g of notKept) {
    const sa = byKey.get(`v${g.version}:${g.spiI}`);
    if (!sa) continue;
    sa.notKept ??= { messages: 0, byExchange: {}, gaps: [] };
    sa.notKept.messages += g.messages;
    for (const [name, n] of Object.entries(g.byExchange)) sa.notKept.byExchange[name] = (sa.notKept.byExchange[name] ?? 0) + n;
    sa.notKept.gaps.push(g);
  }
  const sas = [...byKey.values()];
  for (const sa of sas) {
    sa.exchanges = sa.version === 2 ? pairV2(sa) : pairV1(sa);
    if (sa.notKept) markAnswerNotKept(sa, sa.notKept.gaps);
    summarise(sa);
  }
  const exchanges = sas.flatMap((s) => s.exchanges);
  return {
    sas,
    exchanges,
    unanswered: exchanges.filter((e) => e.expectsResponse && !e.answered && !e.answerMayBeNotKept),
    bySpiI: new Map(sas.map((s) => [s.spiI, s])),
  };
}

function newSa(key: string, m: IkeMessage): IkeSa {
  // IKEv2: I flag = sent by the original initiator; IKEv1 and odd flags: the first sender
  const fromInitiator = m.version === 2 && !invalidV2Flags(m) ? m.initiatorFlag !== false : true;
  return {
    key, version: m.version, spiI: m.spiI, spiR: m.spiR,
    initiator: fromInitiator ? m.src : m.dst, responder: fromInitiator ? m.dst : m.src,
    messages: [], exchanges: [], first: m.at, last: m.at, usedPort4500: false, offered: [], keGroups: [], notifies: [], natD: [],
    fragmentationSupported: { initiator: false, responder: false }, cutShort: { initiator: false, responder: false }, authCompleted: false,
  };
}

/** Reserved flag bits set (nDPI ipsec_isakmp_esp.pcap frame 207, flags 0xff): the R bit cannot be trusted. */
function invalidV2Flags(m: IkeMessage): boolean {
  return (m.flags & ~0x38) !== 0;
}

function side(sa: IkeSa, m: IkeMessage): 'initiator' | 'responder' {
  if (m.version === 2 && !invalidV2Flags(m) && m.initiatorFlag !== undefined) return m.initiatorFlag ? 'initiator' : 'responder';
  return sameSide(m.src, sa.initiator, sa.responder) ? 'initiator' : 'responder';
}

/**
 * Whether `e` is the host at `ref`: by address (the port floats from 500 to 4500,
 * RFC 3947 §4), by port only when both peers share an address (loopback tests).
 */
function sameSide(e: PacketEndpoint, ref: PacketEndpoint, counterpart: PacketEndpoint): boolean {
  if (ref.address !== counterpart.address) return e.address === ref.address;
  return e.address === ref.address && e.port === ref.port;
}

function isResponse(sa: IkeSa, m: IkeMessage): boolean {
  if (!invalidV2Flags(m)) return m.response === true;
  // nonsense flags: an IKE_SA_INIT from the initiator with a zero responder SPI is a request
  return side(sa, m) === 'responder';
}

function pairV2(sa: IkeSa): IkeExchange[] {
  const out: IkeExchange[] = [];
  const latest = new Map<string, IkeExchange>();
  for (const m of sa.messages) {
    const response = isResponse(sa, m);
    const from = side(sa, m);
    const requester = response ? other(from) : from;
    const key = `${m.messageId}|${requester}`;
    let ex = latest.get(key);
    if (!response) {
      if (ex && ex.requests.some((r) => r.digest === m.digest)) {
        // a fragmented request is retransmitted fragment by fragment: count it once, at fragment 1
        if (m.ikeFragment && m.ikeFragment.number !== 1) ex.requests.push(m);
        else addRequestCopy(ex, m);
        continue;
      }
      if (ex && !ex.answered && m.ikeFragment && ex.request?.ikeFragment) {
        // RFC 7383: each SKF fragment is its own message with the same message ID
        ex.requests.push(m);
        ex.ikeFragments = (ex.ikeFragments ?? 1) + 1;
        continue;
      }
      ex = newExchange(m, requester, true);
      ex.request = m;
      ex.requests.push(m);
      latest.set(key, ex);
      out.push(ex);
      continue;
    }
    if (!ex) {
      ex = newExchange(m, requester, true);
      latest.set(key, ex);
      out.push(ex);
    }
    addResponse(ex, m);
  }
  return out;
}

function pairV1(sa: IkeSa): IkeExchange[] {
  const out: IkeExchange[] = [];
  const groups = new Map<string, { starter: PacketEndpoint; other: PacketEndpoint; exchanges: IkeExchange[]; starterMessages: number }>();
  for (const m of sa.messages) {
    const gkey = `${m.exchange}|${m.messageId}`;
    let g = groups.get(gkey);
    if (!g) groups.set(gkey, (g = { starter: m.src, other: m.dst, exchanges: [], starterMessages: 0 }));
    const copyOf = g.exchanges.find((e) => e.requests.some((r) => r.digest === m.digest) || e.responses.some((r) => r.digest === m.digest));
    if (copyOf) {
      if (copyOf.requests.some((r) => r.digest === m.digest)) addRequestCopy(copyOf, m);
      else addResponse(copyOf, m);
      continue;
    }
    const fromStarter = sameSide(m.src, g.starter, g.other);
    if (fromStarter) {
      g.starterMessages++;
      const ex = newExchange(m, side(sa, m), expectsV1Response(m.exchange, g.starterMessages));
      ex.request = m;
      ex.requests.push(m);
      g.exchanges.push(ex);
      out.push(ex);
      continue;
    }
    const open = g.exchanges.find((e) => e.expectsResponse && !e.answered);
    if (open) addResponse(open, m);
    else {
      const ex = newExchange(m, other(side(sa, m)), true);
      addResponse(ex, m);
      g.exchanges.push(ex);
      out.push(ex);
    }
  }
  return out;
}

/**
 * A request kept before a gap whose dropped messages include answers of its exchange
 * type (IKEv2: responses by the R flag sent by the other side, I flag; IKEv1 has no R
 * flag, so any message of that type) may have been answered there: not reported
 * unanswered. A flood of dropped requests alone (an IKE_SA_INIT retransmitted forever)
 * does not hide the silence.
 */
function markAnswerNotKept(sa: IkeSa, gaps: readonly IkeNotKept[]): void {
  for (const ex of sa.exchanges) {
    if (!ex.expectsResponse || ex.answered || !ex.request) continue;
    const first = ex.request.index;
    const byFlags = sa.version === 2 && !invalidV2Flags(ex.request);
    const hidden = gaps.some((g) => {
      const answers = byFlags ? g.responsesByExchange[ex.request!.initiatorFlag ? 'responder' : 'initiator'] : g.byExchange;
      return g.resumesAt > first && (answers[ex.exchangeName] ?? 0) > 0;
    });
    if (hidden) ex.answerMayBeNotKept = true;
  }
}

function expectsV1Response(exchange: number, nth: number): boolean {
  switch (exchange) {
    case 2: // Main Mode: MM1, MM3, MM5 are answered
      return nth <= 3;
    case 4: // Aggressive Mode: AM1 → AM2; AM3 closes
    case 32: // Quick Mode: QM1 → QM2; QM3 closes
      return nth === 1;
    case 5: // Informational: one-way
      return false;
    default:
      return true;
  }
}

function newExchange(m: IkeMessage, requester: 'initiator' | 'responder', expectsResponse: boolean): IkeExchange {
  return {
    version: m.version, exchange: m.exchange, exchangeName: m.exchangeName, messageId: m.messageId, requester,
    requests: [], responses: [], expectsResponse, answered: false, retransmits: 0, retransmitIntervals: [], responseRetransmits: 0,
  };
}

function addRequestCopy(ex: IkeExchange, m: IkeMessage): void {
  const prev = ex.requests[ex.requests.length - 1];
  ex.requests.push(m);
  ex.retransmits++;
  ex.retransmitIntervals.push(Math.max(0, m.at.ts - prev.at.ts));
}

function addResponse(ex: IkeExchange, m: IkeMessage): void {
  if (ex.responses.some((r) => r.digest === m.digest)) ex.responseRetransmits++;
  ex.responses.push(m);
  if (ex.response) return;
  ex.response = m;
  ex.answered = true;
  if (ex.request) ex.responseDelay = Math.max(0, m.at.ts - ex.request.at.ts);
}

function summarise(sa: IkeSa): void {
  for (const m of sa.messages) {
    const from = side(sa, m);
    // a literal, not a spread: notifies come in several shapes and a megamorphic spread cost ~0.5 µs each (bench/pcap.mjs)
    for (const n of m.notifies) sa.notifies.push(sideNotify(n, from, m));
    if (m.natDetection.length) {
      const src = m.natDetection.filter((n) => n.kind === 'source');
      const dst = m.natDetection.filter((n) => n.kind === 'destination');
      sa.natD.push({
        from, message: m,
        sourceMatches: anyMatch(src),
        destinationMatches: anyMatch(dst),
      });
    }
    const supports = m.notifies.some((n) => m.version === 2 && n.type === FRAG_NOTIFY) || m.vendorIds.some((v) => v.name === 'IKE FRAGMENTATION');
    if (supports) sa.fragmentationSupported[from] = true;
    if (m.truncated) sa.cutShort[from] = true;
  }
  const init = sa.exchanges.find((e) => (e.exchange === 34 || e.exchange === 2 || e.exchange === 4) && e.request?.proposals.length);
  if (init?.request) sa.offered = init.request.proposals;
  for (const e of sa.exchanges) {
    if (e.exchange === 34 && e.request?.keGroup !== undefined && !sa.keGroups.includes(e.request.keGroup)) sa.keGroups.push(e.request.keGroup);
    if (!sa.chosen && (e.exchange === 34 || e.exchange === 2 || e.exchange === 4) && e.response?.proposals.length) sa.chosen = e.response.proposals[0];
  }
  if (sa.version === 2) sa.authCompleted = sa.exchanges.some((e) => e.exchange === 35 && e.answered);
  else {
    const mm = sa.exchanges.filter((e) => e.exchange === 2);
    const am = sa.exchanges.filter((e) => e.exchange === 4);
    sa.authCompleted = (mm.length >= 3 && mm[2].answered) || (am.length >= 2 && am[0].answered);
  }
}

function sideNotify(n: IkeNotify, from: 'initiator' | 'responder', message: IkeMessage): IkeSa['notifies'][number] {
  const out: IkeSa['notifies'][number] = { type: n.type, name: n.name, error: n.error, dataLength: n.dataLength, from, message };
  if (n.protocolId !== undefined) out.protocolId = n.protocolId;
  if (n.spi !== undefined) out.spi = n.spi;
  if (n.group !== undefined) out.group = n.group;
  return out;
}

function anyMatch(list: { matches?: boolean }[]): boolean | undefined {
  const known = list.filter((n) => n.matches !== undefined);
  if (!known.length) return undefined;
  return known.some((n) => n.matches);
}

function other(s: 'initiator' | 'responder'): 'initiator' | 'responder' {
  return s === 'initiator' ? 'responder' : 'initiator';
}

export function sameEndpoint(a: PacketEndpoint, b: PacketEndpoint): boolean {
  return a.address === b.address && a.port === b.port;
}
