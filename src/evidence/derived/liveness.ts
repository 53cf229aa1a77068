/**
 * Liveness timeouts in daemon logs: an established SA given up because the peer stopped
 * answering DPD (RFC 3706, IKEv1 R_U_THERE) or IKEv2 liveness checks (RFC 7296 §2.4).
 * dead-peer-detection reports them; ike-reachability knows from them that a capture's
 * unanswered INFORMATIONAL requests to that peer are the same silence.
 */
import type { Evidence } from '../types.js';
import type { LogEvent } from '../log-events.js';
import { derived, derivedFromLogs } from './memo.js';
import { fileEventsOfKind, firstAtOrAfter, hostsAt, logFiles, requestOf, sameConn, type LogFile } from './log/sessions.js';
import { formatEndpoint, retransmitChains } from './log/retransmits.js';
import { unansweredGroups, type UnansweredGroup } from './wire/ike.js';
import { listedFirst } from './aggregate.js';

export interface LivenessTimeout {
  file: LogFile;
  /** the line that says the SA was given up */
  anchor: LogEvent;
  /** address (and port when the log prints it) of the silent peer */
  peer?: string;
  /** its address alone */
  address?: string;
  mechanism: string;
  action: string;
  retransmits: number;
  events: (LogEvent | undefined)[];
}

export const livenessTimeouts = derivedFromLogs((evidence: Evidence): LivenessTimeout[] => {
  const out: LivenessTimeout[] = [];
  const reported = new Set<string>();
  for (const file of logFiles(evidence)) {
    // liveness retransmits (on an established SA), tested once per file rather than once per timeout
    const liveness = fileEventsOfKind(file, 'retransmit').filter((r) => /ESTABLISHED|INFORMATIONAL/i.test(`${r.data.state ?? ''} ${r.data.exchange ?? ''}`));
    const giveUps = fileEventsOfKind(file, 'give-up');
    const timeouts = fileEventsOfKind(file, 'dpd').filter((e) => e.data.outcome === 'timeout');
    for (let k = 0; k < timeouts.length; k++) {
      const e = timeouts[k];
      reported.add(`${file.source}:${e.conn ?? ''}`);
      // this silence's retransmits: those since the connection's previous timeout (a long log with many
      // timeouts of one connection otherwise gave each one every earlier retransmit of it)
      let since = 0;
      for (let j = k - 1; j >= 0; j--) if (sameConn(timeouts[j], e)) { since = timeouts[j].at.line ?? 0; break; }
      const line = e.at.line ?? 0;
      const requests: LogEvent<'retransmit'>[] = [];
      for (let i = firstAtOrAfter(liveness, since + 1); i < liveness.length && (liveness[i].at.line ?? 0) < line; i++) if (sameConn(liveness[i], e)) requests.push(liveness[i]);
      const at = firstAtOrAfter(giveUps, line);
      const giveUp = at < giveUps.length && giveUps[at].at.line === e.at.line ? giveUps[at] : undefined;
      const counts = [...requests.map((r) => r.data.count ?? 0), giveUp?.data.retransmits ?? 0];
      const endpoint = giveUp?.data.peer ?? requests[0]?.data.peer;
      const address = endpoint?.address ?? e.data.peer ?? peerOf(file, e);
      out.push({
        file, anchor: e, peer: formatEndpoint(endpoint) ?? address, address,
        mechanism: e.data.mechanism === 'liveness' ? 'IKEv2 liveness checks' : 'DPD (R_U_THERE)',
        action: e.data.action ?? 'SA deleted', retransmits: Math.max(requests.length, ...counts), events: [requestOf(file, requests[0]), ...requests, e],
      });
    }
  }
  // libreswan: the give-up names the state it happened in, and an established IKE SA's state is the proof
  for (const file of logFiles(evidence)) {
    for (const g of fileEventsOfKind(file, 'give-up')) {
      const key = `${file.source}:${g.conn ?? ''}`;
      if (!isEstablishedIkeState(g.data.state) || reported.has(key)) continue;
      reported.add(key);
      const requests = fileEventsOfKind(file, 'retransmit').filter((r) => sameConn(r, g) && r.sa === g.sa && (r.at.line ?? 0) < (g.at.line ?? 0) && isEstablishedIkeState(r.data.state));
      const address = g.data.peer?.address ?? requests[0]?.data.peer?.address ?? peerOf(file, g);
      out.push({
        file, anchor: g, peer: formatEndpoint(g.data.peer) ?? address, address, mechanism: 'IKEv2 liveness checks (or another request on the established IKE SA)',
        action: 'IKE SA deleted', retransmits: Math.max(requests.length, g.data.retransmits ?? 0), events: [requestOf(file, requests[0]), ...requests, g],
      });
    }
  }
  // strongSwan: no dedicated line; an INFORMATIONAL request on an established IKE SA that is given up on
  for (const chain of retransmitChains(evidence)) {
    if (!chain.afterEstablished || !chain.giveUp) continue;
    if (chain.exchange && !/INFORMATIONAL/i.test(chain.exchange)) continue;
    const file = logFiles(evidence).find((f) => f.source === chain.session.source)!;
    if (reported.has(`${file.source}:${chain.session.conn ?? ''}`)) continue;
    const address = chain.peer?.address ?? peerOf(file, chain.giveUp);
    out.push({
      file, anchor: chain.giveUp, peer: formatEndpoint(chain.peer) ?? address, address, mechanism: 'IKEv2 liveness / DPD checks',
      action: 'IKE SA deleted', retransmits: chain.count, events: [chain.request, ...chain.retransmits, chain.giveUp, ...chain.also],
    });
  }
  return out;
});

/**
 * pluto's state name for an established IKEv2 IKE SA, as its retransmit give-up prints it
 * (retransmit.c: "<state>: N second timeout exceeded after M retransmits.  No response (or no
 * acceptable response) to our IKEv2 message"): ESTABLISHED_IKE_SA (v5), STATE_V2_ESTABLISHED_IKE_SA
 * (v4), STATE_PARENT_I3 / STATE_PARENT_R2 (v3). Any request on it that times out — a liveness
 * probe, a rekey, a CREATE_CHILD_SA — ends the IKE SA as a dead peer.
 */
export function isEstablishedIkeState(state: string | undefined): boolean {
  return !!state && /^(?:STATE_V2_)?ESTABLISHED_IKE_SA$|^STATE_PARENT_(?:I3|R2)$/.test(state);
}

function peerOf(file: LogFile, e: LogEvent): string | undefined {
  const est = fileEventsOfKind(file, 'ike-established').find((x) => sameConn(x, e) && x.data.remote);
  return est?.data.remote;
}

export interface WireSilence {
  /** the capture's unanswered requests this timeout accounts for (derived/wire/ike.ts groups) */
  groups: UnansweredGroup[];
  /** a sentence saying so, for DPD_TIMEOUT's message */
  text?: string;
}

/**
 * Each liveness timeout with the capture's view of it, once per evidence: dead-peer-detection
 * cites these frames in DPD_TIMEOUT, and ike-reachability lowers these same silences
 * (livenessSilencedGroups) as its symptom.
 */
export const livenessSilences = derived((evidence: Evidence): Map<LivenessTimeout, WireSilence> => new Map(livenessTimeouts(evidence).map((t) => [t, wireSilence(evidence, t)])));

/** The capture's unanswered groups that a log's liveness timeout accounts for. */
export const livenessSilencedGroups = derived((evidence: Evidence): Set<UnansweredGroup> => new Set([...livenessSilences(evidence).values()].flatMap((s) => s.groups)));

/**
 * A capture's view of one timeout: the liveness requests (stage 'other': INFORMATIONAL)
 * from this log's host (when its packet lines name it) to that peer — the one the timeout
 * names, or its session's — that got no answer on the wire, and a sentence saying so;
 * empty without a capture or when the capture saw answers.
 */
function wireSilence(evidence: Evidence, t: LivenessTimeout): WireSilence {
  const { localAddress, peerAddress } = hostsAt(t.file, t.anchor);
  const peers = new Set([peerAddress, t.address].filter((a): a is string => !!a));
  const groups = unansweredGroups(evidence).filter(
    (g) => g.stage === 'other' && peers.has(g.request.dst.address) && (!localAddress || g.exchanges.some((e) => e.requests[0].src.address === localAddress)),
  );
  if (!groups.length) return { groups };
  const requests = groups.flatMap((g) => g.exchanges.flatMap((e) => e.requests));
  const exchanges = groups.reduce((n, g) => n + g.exchanges.length, 0);
  const { worst } = groups[0];
  const to = groups[0].request.dst.address;
  const what = exchanges === 1
    ? `the ${worst.exchangeName} request (msgid ${worst.messageId}) to ${to} sent ${requests.length === 1 ? 'once' : `${requests.length} times`} and never answered`
    : `${exchanges} ${worst.exchangeName} requests to ${to}, ${requests.length} transmissions, none answered`;
  const frames = listedFirst(requests.map((m) => String(m.at.frame)), 8);
  return { groups, text: `the capture ${requests[0].at.source} shows ${what} (frame${requests.length === 1 ? '' : 's'} ${frames})` };
}
