import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent, LogEventData, Phase } from '../src/evidence/log-events.js';
import { isNotify, logFiles, ofKind, refsOf, type LogFile, type LogSession } from '../src/evidence/derived/log-sessions.js';
import { establishedAfter, phaseOf, sideOf } from '../src/evidence/derived/log-phase.js';
import { parseProposals, proposalDelta, TRANSFORM_TYPE_NAMES, type ProposalDelta } from '../src/evidence/derived/proposals.js';

const PROPOSAL_KEYWORDS = 'strongSwan swanctl.conf `proposals`/`esp_proposals` (ipsec.conf `ike=`/`esp=`), libreswan `ike=`/`esp=`/`phase2alg=`';

export default defineCheck({
  meta: {
    id: 'proposal-mismatch',
    title: 'IKE / Child SA proposals',
    description:
      'Finds NO_PROPOSAL_CHOSEN (RFC 7296 §3.10.1) in IKE_SA_INIT / Main Mode (IKE SA) and in IKE_AUTH / CREATE_CHILD_SA / Quick Mode (Child SA), ' +
      'and names the transform type (encryption, integrity, PRF, DH/KE group, ESN) without overlap when the log prints both proposal lists. ' +
      'INVALID_KE_PAYLOAD (RFC 7296 §1.2) followed by success is a DH group renegotiation, not a failure.',
    requires: ['logEvents'],
    codes: {
      IKE_PROPOSAL_MISMATCH: {
        severity: 'error',
        message: 'IKE SA (phase 1) proposal rejected with NO_PROPOSAL_CHOSEN in {exchange}, seen from the {side}; transform types without overlap: {transformTypes} (received {received}; configured {configured}).',
        hint: `Make the IKE proposals share at least one ${'{transformTypes}'} on both peers: ${PROPOSAL_KEYWORDS}. Seen from the initiator, NO_PROPOSAL_CHOSEN in IKE_SA_INIT can also mean the responder has no connection for this peer (check its left/right or local_addrs/remote_addrs); the responder's log lists both proposal sets.`,
      },
      CHILD_PROPOSAL_MISMATCH: {
        severity: 'error',
        message: 'Child SA (phase 2) proposal rejected with NO_PROPOSAL_CHOSEN in {exchange}, seen from the {side}; transform types without overlap: {transformTypes} (received {received}; configured {configured}).',
        hint: 'The IKE SA is fine; align the ESP/AH proposal on both peers — encryption, integrity, the PFS group and ESN — and the mode (tunnel/transport): strongSwan swanctl.conf `esp_proposals` and `mode` (ipsec.conf `esp=`, `type=`), libreswan `esp=`/`phase2alg=`, `pfs=`, `type=`. The responder\'s log prints the proposal it refused.',
      },
      DH_GROUP_RENEGOTIATED: {
        severity: 'info',
        message: 'The responder refused DH/KE group {offered} with INVALID_KE_PAYLOAD and asked for {requested}; the initiator retried and the SA came up.',
        hint: 'Harmless but costs one round trip: list {requested} first in the initiator\'s IKE proposal (strongSwan `proposals`/`ike=`, libreswan `ike=`).',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

/** Log side: NO_PROPOSAL_CHOSEN per SA and phase, and INVALID_KE outcomes. */
function checkLogs(ctx: CheckContext): void {
  for (const file of logFiles(ctx.evidence)) {
    for (const session of file.sessions) {
      reportRejections(ctx, file, session);
      reportInvalidKe(ctx, file, session);
    }
  }
}

function reportRejections(ctx: CheckContext, file: LogFile, session: LogSession): void {
  const byPhase = new Map<Phase, LogEvent[]>();
  for (const e of session.events) {
    const stated = e.kind === 'no-proposal-chosen' ? (e.data as LogEventData['no-proposal-chosen']).phase : undefined;
    const isRejection = e.kind === 'no-proposal-chosen' || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'received') || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'sent');
    if (!isRejection) continue;
    const phase = phaseOf(file, session, e, stated);
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), e]);
  }
  // "no IKE config found …, sending NO_PROPOSAL_CHOSEN" is a missing connection, reported by peer-identity
  const noConfig = ofKind(session.events, 'no-config').some((e) => e.data.scope === 'ike');
  for (const [phase, rejections] of byPhase) {
    if (phase === 'ike' && noConfig) continue;
    const lists = proposalLists(session, phase);
    const delta = lists.received.length && lists.configured.length ? proposalDelta(parseProposals(lists.received.join(', '), phase === 'ike' ? 'IKE' : 'ESP'), parseProposals(lists.configured.join(', '), phase === 'ike' ? 'IKE' : 'ESP')) : undefined;
    const first = rejections[0];
    const exchange = exchangeName(session, first, phase);
    ctx.report({
      code: phase === 'ike' ? 'IKE_PROPOSAL_MISMATCH' : 'CHILD_PROPOSAL_MISMATCH',
      data: {
        phase, side: sideOf(rejections), exchange, conn: session.conn, sa: session.sa,
        transformTypes: describeTypes(delta),
        delta: delta?.details ?? [],
        received: lists.received.length ? lists.received : 'not printed in this log',
        configured: lists.configured.length ? lists.configured : 'not printed in this log',
        ...(phase === 'ike' && sideOf(rejections) === 'initiator' ? { alternatives: ['crypto mismatch (encryption, integrity, PRF, DH group)', 'no connection for this peer on the responder (RFC 7296 rule: NO_PROPOSAL_CHOSEN in IKE_SA_INIT)'] } : {}),
      },
      evidence: refsOf([...lists.events, ...rejections]),
    });
  }
}

function proposalLists(session: LogSession, phase: Phase): { received: string[]; configured: string[]; events: LogEvent[] } {
  const out = { received: [] as string[], configured: [] as string[], events: [] as LogEvent[] };
  for (const e of ofKind(session.events, 'proposals')) {
    if (e.data.phase !== phase || e.data.source === 'selected') continue;
    out[e.data.source].push(...e.data.proposals);
    out.events.push(e);
  }
  return out;
}

function exchangeName(session: LogSession, e: LogEvent, phase: Phase): string {
  if (e.kind === 'no-proposal-chosen') {
    const ex = (e.data as LogEventData['no-proposal-chosen']).exchange;
    if (ex) return ex;
  }
  if (e.kind === 'message') return (e.data as LogEventData['message']).exchange;
  const v1 = session.events.some((x) => x.kind === 'initiate' || x.kind === 'respond' ? (x.data as LogEventData['initiate']).ikeVersion === 1 : false);
  if (phase === 'ike') return v1 ? 'Main/Aggressive Mode' : 'IKE_SA_INIT';
  return v1 ? 'Quick Mode' : 'IKE_AUTH/CREATE_CHILD_SA';
}

function describeTypes(delta: ProposalDelta | undefined): string[] | string {
  if (!delta) return 'not visible in this log';
  if (delta.match) return 'none (the printed lists overlap: check mode, PFS group and selectors)';
  return delta.types.map((t) => TRANSFORM_TYPE_NAMES[t]);
}

function reportInvalidKe(ctx: CheckContext, file: LogFile, session: LogSession): void {
  const invalid = ofKind(session.events, 'invalid-ke');
  if (!invalid.length) return;
  const last = invalid[invalid.length - 1];
  const success = establishedAfter(file, last);
  if (!success) {
    const failure = session.events.find((e) => (e.at.line ?? 0) > (last.at.line ?? 0) && (e.kind === 'give-up' || e.kind === 'negotiation-failed' || e.kind === 'no-proposal-chosen'));
    if (!failure) return;
    ctx.report({
      code: 'IKE_PROPOSAL_MISMATCH',
      data: {
        phase: 'ike', side: sideOf(invalid), exchange: 'IKE_SA_INIT', conn: session.conn, sa: session.sa,
        transformTypes: [TRANSFORM_TYPE_NAMES.KE],
        delta: [{ type: 'KE', received: [last.data.offered].filter(Boolean), configured: [last.data.requested].filter(Boolean) }],
        received: last.data.offered ?? 'not printed in this log', configured: last.data.requested ?? 'not printed in this log',
      },
      evidence: refsOf([...invalid, failure]),
    });
    return;
  }
  ctx.report({
    code: 'DH_GROUP_RENEGOTIATED',
    data: { offered: invalid[0].data.offered, requested: last.data.requested, retries: invalid.length, conn: session.conn },
    evidence: refsOf([...invalid, success]),
  });
}
