import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import { initiatedPeer, isNotify, lastBefore, logFiles, ofKind, sessionAddresses, type LogFile, type LogSession } from '../src/evidence/derived/log/sessions.js';
import { aggregate, pushTo, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { directionOf, ikeVersionOf, inQuickMode } from '../src/evidence/derived/log/phase.js';
import { rejectionsByPhase } from '../src/evidence/derived/log/proposals.js';
import { privateIdClue, translatedPortClue } from '../src/evidence/derived/log/nat-clues.js';

export default defineCheck({
  meta: {
    id: 'peer-identity',
    title: 'Peer identity and connection lookup',
    stage: 'auth',
    description:
      'Compares the identity a peer presented with the one configured (RFC 7296 §2.15 IDi/IDr; RFC 2409 §5 IKEv1 ID payloads): strongSwan ' +
      '"looking for peer configs matching … / no matching peer config found", "IDir … does not match", "received IDr …, but require …"; ' +
      'libreswan "peer ID … does not match expected …", INVALID_ID_INFORMATION. Also finds responders without any connection for the peer ' +
      '(strongSwan "no IKE config found", libreswan "no suitable connection").',
    requires: ['logEvents'], reads: ['identity', 'id-mismatch', 'peer-config-lookup', 'no-config', 'ike-established', 'auth'],
    codes: {
      PEER_ID_MISMATCH: {
        severity: 'error',
        message: 'Identity mismatch: the peer presented {received}; expected {expected} (checked by the {side}){behindNat? — {behindNat}}.',
        hint: 'Make the identities agree: the peer\'s own id (strongSwan swanctl.conf `local.id`, ipsec.conf `leftid`; libreswan `leftid`) must equal this side\'s expectation of it (swanctl.conf `remote.id`, ipsec.conf/libreswan `rightid`), or the certificate subject/subjectAltName. Behind NAT the peer often sends its private address as ID.',
      },
      NO_MATCHING_CONNECTION: {
        severity: 'error',
        message: 'No connection matches this peer: {detail} (local {local}, remote {remote}){behindNat? — {behindNat}}.',
        hint: 'Add or fix the connection on the responder so its addresses match the peer: strongSwan swanctl.conf `local_addrs`/`remote_addrs` (ipsec.conf `left`/`right`), libreswan `left`/`right` (or `right=%any`), and the IKE version (`version`, `keyexchange=`/`ikev2=`). Check the daemon listens on the address the peer targets.',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

type Code = 'PEER_ID_MISMATCH' | 'NO_MATCHING_CONNECTION';
type Found = Map<Code, Occurrence[]>;

/** Repeated attempts with the same identities collapse into one finding. */
function checkLogs(ctx: CheckContext): void {
  const found: Found = new Map();
  const files = logFiles(ctx.evidence);
  const judging = hostsJudgingProposals(files);
  for (const file of files) {
    for (const session of file.sessions) {
      idMismatches(found, file, session);
      missingConfigs(found, file, session);
    }
    possibleMissingConnection(found, file, judging);
  }
  for (const [code, occurrences] of found) {
    for (const { data, evidence } of aggregate(occurrences)) {
      ctx.report({ code, data, evidence, ...(data.certainty === 'possible' ? { severity: 'warning' as const } : {}) });
    }
  }
}

function add(found: Found, file: LogFile, code: Code, data: Record<string, unknown>, events: (LogEvent | undefined)[]): void {
  pushTo(found, code, { key: JSON.stringify([file.source, code, data.conn, data.received, data.expected, data.local, data.remote, data.certainty]), data, events });
}

function idMismatches(found: Found, file: LogFile, session: LogSession): void {
  for (const e of ofKind(session.events, 'id-mismatch')) {
    const peerSentId = session.events.find((x) => x.kind === 'identity' && (x.data as { direction: string }).direction === 'received');
    add(found, file, 'PEER_ID_MISMATCH', {
      received: e.data.received ?? (peerSentId?.data as { id?: string } | undefined)?.id, expected: e.data.expected, side: 'daemon that wrote this log', detail: e.data.detail, conn: session.conn, sa: session.sa,
      ...natClue(privateIdClue(e.data.received, e.data.from)),
    }, [peerSentId, e]);
  }
  // libreswan IKEv1: we refuse the peer's ID in Main Mode with INVALID_ID_INFORMATION (in Quick Mode it is about selectors)
  const invalidIdSent = session.events.filter((e) => isNotify(e, 'INVALID_ID_INFORMATION', 'sent') && !hasEstablished(session, e) && !inQuickMode(session, e));
  if (invalidIdSent.length && !ofKind(session.events, 'id-mismatch').length) {
    add(found, file, 'PEER_ID_MISMATCH', { received: 'the peer\'s ID payload', expected: 'the configured peer ID', side: 'responder', conn: session.conn, sa: session.sa }, invalidIdSent);
  }
}

/** The NAT a line's own facts reveal (data.behindNat), or an empty clause for the message. */
function natClue(clue: string | undefined): Record<string, unknown> {
  return clue ? { behindNat: clue } : {};
}

function hasEstablished(session: LogSession, e: LogEvent): boolean {
  return lastBefore(session.events, e, 'ike-established') !== undefined;
}

function missingConfigs(found: Found, file: LogFile, session: LogSession): void {
  for (const e of ofKind(session.events, 'no-config')) {
    if (e.data.scope === 'child') continue; // selectors: traffic-selectors
    const lookup = lastBefore(session.events, e, 'peer-config-lookup');
    if (e.data.scope === 'peer' && lookup) {
      // RFC 7296 §2.15: the responder picks the peer config by IDi (and IDr); none fits
      add(found, file, 'PEER_ID_MISMATCH', {
        received: lookup.data.remoteId ?? e.data.remote, expected: `a peer config for ${lookup.data.localId ?? '%any'} ... ${lookup.data.remoteId ?? '%any'}, and the responder has none`, side: 'responder',
        localId: lookup.data.localId, remoteId: lookup.data.remoteId, local: lookup.data.local, remote: lookup.data.remote, conn: session.conn, sa: session.sa,
      }, [lookup, e]);
      continue;
    }
    add(found, file, 'NO_MATCHING_CONNECTION', {
      detail: e.data.detail ?? `no ${e.data.scope === 'peer' ? 'peer' : 'IKE'} config found`, local: e.data.local, remote: e.data.remote, scope: e.data.scope, certainty: 'certain', sa: session.sa,
      ...natClue(translatedPortClue(e.data.remotePort)),
    }, [lookup, e]);
  }
}

/**
 * Seen from an IKEv2 initiator, NO_PROPOSAL_CHOSEN in reply to IKE_SA_INIT is
 * ambiguous: crypto mismatch or no connection at all on the responder (both
 * strongSwan and libreswan answer so). Say it as a hypothesis.
 */
function possibleMissingConnection(found: Found, file: LogFile, judging: ReadonlySet<string>): void {
  for (const session of file.sessions) {
    // the responder's own log, also given, shows it compared our proposals: it has a connection for us
    if (judging.has(initiatedPeer(session) ?? sessionAddresses(session).peer ?? '')) continue;
    if (ikeVersionOf(session) === 1) continue; // IKEv1 responders without a connection stay silent
    // the peer's own proposals in our log mean we are the responder judging crypto, not the one refused
    if (ofKind(session.events, 'proposals').some((e) => e.data.source === 'received')) continue;
    if (ofKind(session.events, 'invalid-ke').length) continue; // it asked for another DH group: it has a connection for us
    const rejection = rejectionsByPhase(file, session).get('ike')?.find((e) => directionOf(e) === 'received');
    if (!rejection) continue;
    add(found, file, 'NO_MATCHING_CONNECTION', {
      detail: 'the responder answered IKE_SA_INIT with NO_PROPOSAL_CHOSEN, which it also does when no connection matches this peer',
      local: 'this host', remote: initiatedPeer(session), certainty: 'possible', conn: session.conn, sa: session.sa,
    }, [rejection]);
  }
}

/** Addresses of responders whose logs print the IKE proposals they received: they found a connection for the peer. */
function hostsJudgingProposals(files: readonly LogFile[]): Set<string> {
  const out = new Set<string>();
  for (const file of files) {
    for (const session of file.sessions) {
      if (!ofKind(session.events, 'proposals').some((e) => e.data.source === 'received' && e.data.phase === 'ike')) continue;
      const local = sessionAddresses(session).local;
      if (local) out.add(local);
    }
  }
  return out;
}
