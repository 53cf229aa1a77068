/**
 * Who is behind NAT: according to one IKE SA's packets — NAT-D hashes (RFC 7296 §2.23,
 * RFC 3947 §3.2), else an initiator's source port rewritten by a NAPT — or according to
 * both peers' logs.
 */
import type { Evidence } from '../../types.js';
import type { IkeMessage } from '../../packet-types.js';
import { ikeSas, type IkeExchange, type IkeSa } from './ike-sas.js';
import { derived } from '../memo.js';

export function natVerdict(sa: IkeSa): { behind: string[]; proof: IkeMessage[]; basis: string } {
  const behind = new Set<string>();
  const proof: IkeMessage[] = [];
  for (const n of sa.natD) {
    const sender = n.message.src.address;
    const receiver = n.message.dst.address;
    if (n.sourceMatches === false) behind.add(sender);
    if (n.destinationMatches === false) behind.add(receiver);
    if (n.sourceMatches === false || n.destinationMatches === false) proof.push(n.message);
  }
  // RFC 7296 §2.23: a peer may send a wrong NAT_DETECTION_SOURCE_IP on purpose to force UDP encapsulation
  // (strongSwan `encap = yes`, libreswan `encapsulation=yes`); a destination mismatch cannot be faked that way
  const forcedPossible = !sa.natD.some((n) => n.destinationMatches === false);
  if (behind.size || sa.natD.length) return { behind: [...behind].sort(), proof, basis: forcedPossible ? 'NAT-D source hash mismatch only (NAT, or UDP encapsulation forced by a peer)' : 'NAT-D destination hash mismatch' };
  // no NAT-D at all: an initiator that speaks to port 500 from another source port went through a NAPT
  const first = sa.messages[0];
  if (first && first.dst.port === 500 && first.src.port !== 500 && first.src.port !== 4500 && (first.exchange === 34 || first.exchange === 2 || first.exchange === 4)) {
    return { behind: [first.src.address], proof: [first], basis: `source port ${first.src.port} instead of 500 (no NAT-D payloads)` };
  }
  return { behind: [], proof: [], basis: '' };
}

/** One daemon log's NAT verdict (nat-traversal's NAT_DETECTED data). */
export interface LogNatVerdict {
  localAddress?: string;
  localBehindNat: boolean;
  remoteBehindNat: boolean;
}

/**
 * Both peers' logs decide who is behind NAT: a NAT shows in the log of the host behind it
 * (the peer's NAT_DETECTION_DESTINATION_IP hash misses its own address, RFC 7296 §2.23);
 * "remote host is behind NAT" about a host whose own log does not say so comes from a
 * faked source hash (the peer forces UDP encapsulation: strongSwan encap=yes, kernel-libipsec).
 */
export function natFromBothLogs(a: LogNatVerdict, b: LogNatVerdict): { natted: string[]; forcing: string[]; behind: string } {
  const host = (v: LogNatVerdict) => v.localAddress ?? 'a peer';
  const natted = [a, b].filter((v) => v.localBehindNat).map(host);
  const forcing = [[a, b], [b, a]].filter(([x, y]) => x.remoteBehindNat && !y.localBehindNat).map(([, y]) => host(y));
  const plural = (n: number, one: string, many: string) => (n > 1 ? many : one);
  const forced = forcing.length ? `; ${forcing.join(' and ')} ${plural(forcing.length, 'is not but forces', 'are not but force')} UDP encapsulation, which fakes the NAT-D hash` : '';
  const behind = `${natted.join(' and ')} ${plural(natted.length, 'is', 'are')} behind NAT, by ${plural(natted.length, 'its', 'their')} own log${forced}`;
  return { natted, forcing, behind };
}

export interface NatTBlocked {
  sa: IkeSa;
  /** the requests on UDP 4500 that met silence */
  unanswered: IkeExchange[];
  /** the first of them */
  request: IkeMessage;
}

/**
 * IKE SAs that detected NAT and moved to UDP 4500 (RFC 7296 §2.23, RFC 3947 §4) where
 * the responder never answered and never sent anything on 4500: the port is blocked or
 * not forwarded. Requests that left IP-fragmented point at fragment loss instead.
 */
export const natTBlocked = derived((evidence: Evidence): NatTBlocked[] =>
  ikeSas(evidence).sas.flatMap((sa) => {
    if (!natVerdict(sa).behind.length) return [];
    const unanswered = sa.exchanges.filter((e) => e.request?.transport === 'udp4500' && e.expectsResponse && !e.answered && !e.answerMayBeNotKept);
    if (!unanswered.length || unanswered.every((e) => e.request!.ipFragmentation)) return [];
    const request = unanswered[0].request!;
    if (sa.messages.some((m) => m.transport === 'udp4500' && m.src.address === request.dst.address)) return [];
    return [{ sa, unanswered, request }];
  }),
);

/** The unanswered exchanges of natTBlocked(), as a set (ike-reachability asks once per unanswered exchange). */
export const natTBlockedExchanges = derived((evidence: Evidence): Set<IkeExchange> => new Set(natTBlocked(evidence).flatMap((b) => b.unanswered)));
