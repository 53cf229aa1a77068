/**
 * IKE moved to UDP 4500 after NAT detection and met silence there (NAT_T_BLOCKED), as a capture
 * shows it (derived/wire/nat.ts natTBlocked) and as a daemon's log shows it (derived/log/
 * retransmits.ts logNatTBlocked): one view per responder, a log and a capture of the same silence
 * joined, each side's evidence among the first lines.
 */
import type { Evidence, EvidenceRef } from '../types.js';
import { derived } from './memo.js';
import { isKind, refsOf } from './log/sessions.js';
import { formatEndpoint, logNatTBlocked } from './log/retransmits.js';
import { natTBlocked } from './wire/nat.js';
import { endpointText, ikeRef } from './wire/refs.js';

export interface NatTBlockedView {
  /** the silent peer's and the requester's addresses */
  responder: string;
  initiator?: string;
  /** as the finding prints them: "198.51.100.20:4500" */
  peer: string;
  from: string;
  exchange?: string;
  transmissions: number;
  answeredOn500?: boolean;
  /** "the capture left.pcap", "the log left.log", or both */
  seenIn: string;
  refs: EvidenceRef[];
}

export const natTBlockedViews = derived((evidence: Evidence): NatTBlockedView[] => {
  const out: NatTBlockedView[] = [];
  for (const { sa, unanswered, request } of natTBlocked(evidence)) {
    const copies = unanswered.flatMap((e) => e.requests);
    out.push({
      responder: request.dst.address, initiator: request.src.address, peer: endpointText(request.dst), from: endpointText(request.src), exchange: request.exchangeName,
      transmissions: copies.length, answeredOn500: sa.exchanges.some((e) => e.answered && e.request?.transport === 'udp500'), seenIn: `the capture ${request.at.source}`, refs: copies.slice(0, 10).map(ikeRef),
    });
  }
  for (const { chain, verdict } of logNatTBlocked(evidence)) {
    const peer = chain.peer!;
    const refs = refsOf([verdict, chain.request, ...chain.retransmits, chain.giveUp, ...chain.also]);
    const same = out.find((v) => v.responder === peer.address);
    if (same) {
      // a capture of the same silence, or an earlier attempt in the same log (keyingtries): one view
      if (same.seenIn.includes(`the log ${chain.session.source}`)) continue;
      same.refs = [...same.refs.slice(0, 3), ...refs.slice(0, 3), ...same.refs.slice(3, 10), ...refs.slice(3, 8)];
      same.seenIn += ` and the log ${chain.session.source}`;
      continue;
    }
    // the log's own "sending packet: from A[4500] to B[4500]" names the requester's end
    const sent = chain.session.events.find((e) => isKind(e, 'packet') && e.data.direction === 'sent' && e.data.remote?.address === peer.address && e.data.remote.port === 4500);
    const local = sent && isKind(sent, 'packet') ? sent.data.local : undefined;
    out.push({
      responder: peer.address, initiator: local?.address, peer: formatEndpoint(peer)!, from: formatEndpoint(local) ?? 'this host', exchange: chain.exchange,
      transmissions: (chain.request ? 1 : 0) + chain.count, seenIn: `the log ${chain.session.source}`, refs,
    });
  }
  return out;
});
