import { defineCheck } from '../src/engine/define-check.js';
import type { Evidence } from '../src/evidence/types.js';
import type { FindingInput } from '../src/engine/types.js';
import { corroborate, mergePeerViews, sameHostsKey } from '../src/engine/corroborate.js';
import { isNotify, logFiles, ofKind, seenBy, type LogFile, type LogSession } from '../src/evidence/derived/log/sessions.js';
import { establishedAfter, sideOf } from '../src/evidence/derived/log/phase.js';
import { parseProposals, proposalDelta, TRANSFORM_TYPE_NAMES } from '../src/evidence/derived/proposals.js';
import { ADVICE_TEMPLATE, exchangeInWords, OVERLAP_TEMPLATE } from '../src/evidence/derived/words.js';
import { describeTypes, exchangeName, overlapFacts, proposalFix, proposalLists, rejectionsByPhase, unrefusedListMismatches } from '../src/evidence/derived/log/proposals.js';
import { aggregate, pushTo, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { invalidKeOutcomes, wireRejections } from '../src/evidence/derived/wire/ike.js';
import { ikeRef, proposalText } from '../src/evidence/derived/wire/refs.js';
import { DH_GROUP } from '../src/wire/iana.js';

const PROPOSAL_KEYWORDS = 'strongSwan swanctl.conf `proposals`/`esp_proposals` (ipsec.conf `ike=`/`esp=`), libreswan `ike=`/`esp=`/`phase2alg=`, PAN-OS the IKE gateway\'s IKE crypto profile (`set network ike crypto-profiles ike-crypto-profiles NAME encryption …`)';

export default defineCheck({
  meta: {
    id: 'proposal-mismatch',
    title: 'IKE / Child SA proposals',
    stage: 'ike',
    description:
      'Finds NO_PROPOSAL_CHOSEN (RFC 7296 §3.10.1) in IKE_SA_INIT / Main Mode (IKE SA) and in IKE_AUTH / CREATE_CHILD_SA / Quick Mode (Child SA), ' +
      'and names the transform type (encryption, integrity, PRF, DH/KE group, ESN) without overlap when the log prints both proposal lists. ' +
      'INVALID_KE_PAYLOAD (RFC 7296 §1.2) followed by success is a DH group renegotiation, not a failure.',
    requires: ['logEvents', 'packets'], judges: 'ike', reads: ['proposals', 'no-proposal-chosen', 'invalid-ke', 'ike-established', 'child-established', 'negotiation-failed', 'message', 'give-up', 'no-config'],
    codes: {
      IKE_PROPOSAL_MISMATCH: {
        severity: 'error',
        message: 'IKE SA (phase 1) proposal {listsOnly?refused: the two proposal lists share none (this log holds no verdict line)|rejected with NO_PROPOSAL_CHOSEN} in {request}, seen from {seenFrom}; ' + OVERLAP_TEMPLATE + '.',
        hint: `Make the IKE proposals agree (${ADVICE_TEMPLATE}) in ${PROPOSAL_KEYWORDS}. Seen from the initiator, NO_PROPOSAL_CHOSEN in IKE_SA_INIT can also mean the responder has no connection for this peer (check its left/right or local_addrs/remote_addrs); the responder's log lists the proposals it received (strongSwan's also its own).`,
      },
      CHILD_PROPOSAL_MISMATCH: {
        severity: 'error',
        stage: 'child',
        message: 'Child SA (phase 2) proposal {listsOnly?refused: the two proposal lists share none (this log holds no verdict line)|rejected with NO_PROPOSAL_CHOSEN} in {request}, seen from {seenFrom}; ' + OVERLAP_TEMPLATE + '.',
        hint: 'The IKE SA is fine; align the ESP/AH proposals (' + ADVICE_TEMPLATE + '), and check the PFS group, ESN and the mode (tunnel/transport): strongSwan swanctl.conf `esp_proposals` and `mode` (ipsec.conf `esp=`, `type=`), libreswan `esp=`/`phase2alg=`, `pfs=`, `type=`, PAN-OS the tunnel\'s IPSec crypto profile (`set network ike crypto-profiles ipsec-crypto-profiles NAME esp encryption …`, `dh-group`). The responder\'s log prints the proposal it refused.',
      },
      DH_GROUP_RENEGOTIATED: {
        severity: 'info',
        routine: true,
        message: 'The responder refused DH/KE group {offered} with INVALID_KE_PAYLOAD and asked for {requested}; the initiator retried and the SA came up.',
        hint: 'Harmless but costs one round trip: list {requested} first in the initiator\'s IKE proposal (strongSwan `proposals`/`ike=`, libreswan `ike=`).',
      },
    },
  },
  run(ctx) {
    const fromLog: FindingInput[] = [];
    const fromCapture: FindingInput[] = [];
    checkLogs(ctx.evidence, (f) => fromLog.push(f));
    checkPackets(ctx.evidence, (f) => fromCapture.push(f));
    // one refusal between two hosts: the initiator's log, the responder's log and the capture of it are one finding
    // the exchange (or pluto's state, AGGRESSIVE, QUICK) said in words; the raw name stays in data.exchange
    for (const f of corroborate(mergePeerViews(fromLog, sameRefusal), fromCapture, sameRefusal)) ctx.report(f.data?.exchange ? { ...f, data: { ...f.data, request: exchangeInWords(String(f.data.exchange)) } } : f);
  },
});

const sameRefusal = sameHostsKey(['IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH']);

type Report = (f: FindingInput) => void;
type LogCode = 'IKE_PROPOSAL_MISMATCH' | 'CHILD_PROPOSAL_MISMATCH' | 'DH_GROUP_RENEGOTIATED';
type Found = Map<LogCode, Occurrence[]>;

/** Log side: NO_PROPOSAL_CHOSEN per SA and phase, and INVALID_KE outcomes; repeated attempts collapse into one finding. */
function checkLogs(evidence: Evidence, report: Report): void {
  const found: Found = new Map();
  for (const file of logFiles(evidence)) {
    for (const session of file.sessions) {
      reportRejections(found, file, session);
      reportInvalidKe(found, file, session);
    }
  }
  for (const [code, occurrences] of found) for (const { data, evidence: refs } of aggregate(occurrences)) report({ code, data, evidence: refs });
}

const NOT_PRINTED = 'not printed in this log';

function keyOf(file: LogFile, session: LogSession, code: LogCode, data: Record<string, unknown>): string {
  return JSON.stringify([file.source, session.conn, code, data.side, data.transformTypes, data.received, data.configured]);
}

function reportRejections(found: Found, file: LogFile, session: LogSession): void {
  const byPhase = rejectionsByPhase(file, session);
  const listedOnly = unrefusedListMismatches(session, new Set(byPhase.keys())); // both lists, no verdict line: no overlap is the refusal
  for (const [phase, l] of listedOnly) byPhase.set(phase, l.events);
  // "no IKE config found …, sending NO_PROPOSAL_CHOSEN" is a missing connection, reported by peer-identity
  const noConfig = ofKind(session.events, 'no-config').some((e) => e.data.scope === 'ike');
  for (const [phase, rejections] of byPhase) {
    if (phase === 'ike' && noConfig) continue;
    const lists = proposalLists(session, phase);
    const delta = lists.received.length && lists.configured.length ? proposalDelta(parseProposals(lists.received.join(', '), phase === 'ike' ? 'IKE' : 'ESP'), parseProposals(lists.configured.join(', '), phase === 'ike' ? 'IKE' : 'ESP')) : undefined;
    const [first, exchange] = [rejections[0], listedOnly.get(phase)?.exchange ?? exchangeName(session, rejections, phase)];
    const code = phase === 'ike' ? 'IKE_PROPOSAL_MISMATCH' : 'CHILD_PROPOSAL_MISMATCH';
    // without both lists, the daemon may still name the transform type the peer did not offer (PAN-OS)
    const named = [...new Set(ofKind(rejections, 'no-proposal-chosen').flatMap((e) => (e.data.missing ? [e.data.missing] : [])))];
    const [received, configured] = [lists.received.length ? lists.received : NOT_PRINTED, lists.configured.length ? lists.configured : NOT_PRINTED];
    const data = {
        phase, ...seenBy(session, listedOnly.has(phase) ? 'responder' : sideOf(rejections)), exchange, listsOnly: listedOnly.has(phase) || undefined, transformTypes: !delta && named.length ? named : describeTypes(delta), delta: delta?.details ?? [], received, configured,
        ...overlapFacts(!delta ? (named.length ? named : 'unknown') : delta.match ? 'lists-overlap' : delta.types.map((t) => TRANSFORM_TYPE_NAMES[t]), received, configured, delta && proposalFix(lists.received, lists.configured, phase, first.impl), first.impl),
        ...(phase === 'ike' && sideOf(rejections) === 'initiator' ? { alternatives: ['crypto mismatch (encryption, integrity, PRF, DH group)', 'no connection for this peer on the responder (RFC 7296 rule: NO_PROPOSAL_CHOSEN in IKE_SA_INIT)'] } : {}),
    };
    pushTo(found, code, { key: keyOf(file, session, code, data), data, events: [...lists.events, ...rejections] });
  }
}

function reportInvalidKe(found: Found, file: LogFile, session: LogSession): void {
  const invalid = ofKind(session.events, 'invalid-ke');
  if (!invalid.length) return;
  const [last, success] = [invalid[invalid.length - 1], establishedAfter(file, invalid[invalid.length - 1])];
  if (!success) {
    const failure = session.events.find((e) => (e.at.line ?? 0) > (last.at.line ?? 0) && (e.kind === 'give-up' || e.kind === 'negotiation-failed'));
    // a NO_PROPOSAL_CHOSEN after the retry is reported as such by reportRejections
    if (!failure || session.events.some((e) => e.kind === 'no-proposal-chosen' || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'received'))) return;
    const [received, configured] = [last.data.requested ?? NOT_PRINTED, last.data.offered ?? NOT_PRINTED];
    const data = {
        phase: 'ike', ...seenBy(session, sideOf(invalid)), exchange: 'IKE_SA_INIT', transformTypes: [TRANSFORM_TYPE_NAMES.KE],
        // seen from the initiator: it offered (configured) one group, the responder asked for (sent) another
        delta: [{ type: 'KE', received: [last.data.requested].filter(Boolean), configured: [last.data.offered].filter(Boolean) }],
        received, configured, ...overlapFacts([TRANSFORM_TYPE_NAMES.KE], received, configured),
    };
    pushTo(found, 'IKE_PROPOSAL_MISMATCH', { key: keyOf(file, session, 'IKE_PROPOSAL_MISMATCH', data), data, events: [...invalid, failure] });
    return;
  }
  const data = { offered: invalid[0].data.offered, requested: last.data.requested, retries: invalid.length, conn: session.conn, sa: session.sa };
  pushTo(found, 'DH_GROUP_RENEGOTIATED', { key: JSON.stringify([file.source, session.conn, data.offered, data.requested]), data, events: [...invalid, success] });
}

/** Packet side: cleartext NO_PROPOSAL_CHOSEN (RFC 7296 §3.10.1, RFC 2408 §3.14.1) with the initiator's offer, INVALID_KE_PAYLOAD (RFC 7296 §1.3) and its outcome. */
function checkPackets(ev: Evidence, report: Report): void {
  for (const { sa, notifies, phase, offer, completedBy } of wireRejections(ev)) {
    const [first, offered] = [notifies[0], sa.offered.map(proposalText)];
    const [by, cleartext] = [first.from === 'initiator' ? sa.initiator : sa.responder, offered.length ? offered : 'not in cleartext'];
    const side = `capture: ${by.address} (the ${first.from}) sent it in frame ${first.message.at.frame}`;
    report({
      code: phase === 'ike' ? 'IKE_PROPOSAL_MISMATCH' : 'CHILD_PROPOSAL_MISMATCH', ...(completedBy ? { severity: 'warning' as const } : {}),
      data: {
        phase, exchange: first.message.exchangeName, side, seenFrom: `the ${side}`,
        transformTypes: 'a transform type the capture cannot show (the refusing side never sends its configuration)',
        ...overlapFacts('capture', cleartext, 'not visible on the wire'),
        received: cleartext, configured: 'not visible on the wire', offered, offeredBy: sa.initiator.address, initiator: sa.initiator.address, responder: sa.responder.address,
        chosen: sa.chosen ? proposalText(sa.chosen) : undefined, rejectedBy: by.address, keGroups: sa.keGroups.map((g) => DH_GROUP[g] ?? g), recovered: !!completedBy,
        ...(completedBy ? { severityReason: `the SA completed afterwards (frame ${completedBy.at.frame})` } : {}),
      },
      evidence: [offer, ...notifies.slice(0, 5).map((n) => n.message), completedBy].filter((m) => m !== undefined).map(ikeRef),
    });
  }
  for (const outcomes of invalidKeOutcomes(ev)) {
    const { sa, offered, requested, retried, success } = outcomes[0];
    const names = [offered, requested].map((g) => (g === undefined ? 'unknown' : DH_GROUP[g] ?? String(g)));
    const evidence = outcomes.slice(0, 5).flatMap((o) => [o.notify.message, ...(o.success ? [o.success] : [])]).map(ikeRef);
    const hosts = { initiator: sa.initiator.address, responder: sa.responder.address };
    if (success) report({ code: 'DH_GROUP_RENEGOTIATED', data: { offered: names[0], requested: names[1], retries: outcomes.length, ...hosts, frames: outcomes.map((o) => o.notify.message.at.frame) }, evidence });
    else if (!retried) {
      const side = `capture: ${sa.responder.address} answered INVALID_KE_PAYLOAD and ${sa.initiator.address} did not retry`;
      const data = { phase: 'ike', exchange: 'IKE_SA_INIT', side, seenFrom: `the ${side}`, ...hosts, offered: sa.offered.map(proposalText), requested: names[1] };
      report({ code: 'IKE_PROPOSAL_MISMATCH', data: { ...data, transformTypes: ['DH/KE group'], received: [names[0]], configured: [names[1]], ...overlapFacts(['DH/KE group'], [names[0]], [names[1]]) }, evidence });
    }
  }
}
