import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent, LogEventData, Phase } from '../src/evidence/log-events.js';
import { isNotify, logFiles, ofKind, refsOf, type LogFile, type LogSession } from '../src/evidence/derived/log-sessions.js';
import { establishedAfter, phaseOf, sideOf } from '../src/evidence/derived/log-phase.js';
import { parseProposals, proposalDelta, TRANSFORM_TYPE_NAMES } from '../src/evidence/derived/proposals.js';
import { describeTypes, exchangeName, proposalLists } from '../src/evidence/derived/log-proposals.js';
import { ikeSas, type IkeSa } from '../src/evidence/derived/ike-sas.js';
import type { IkeMessage } from '../src/evidence/packet-types.js';
import { ikeRef, proposalText } from '../src/evidence/derived/wire-refs.js';
import { DH_GROUP } from '../src/decoders/iana.js';

const PROPOSAL_KEYWORDS = 'strongSwan swanctl.conf `proposals`/`esp_proposals` (ipsec.conf `ike=`/`esp=`), libreswan `ike=`/`esp=`/`phase2alg=`';

export default defineCheck({
  meta: {
    id: 'proposal-mismatch',
    title: 'IKE / Child SA proposals',
    description:
      'Finds NO_PROPOSAL_CHOSEN (RFC 7296 §3.10.1) in IKE_SA_INIT / Main Mode (IKE SA) and in IKE_AUTH / CREATE_CHILD_SA / Quick Mode (Child SA), ' +
      'and names the transform type (encryption, integrity, PRF, DH/KE group, ESN) without overlap when the log prints both proposal lists. ' +
      'INVALID_KE_PAYLOAD (RFC 7296 §1.2) followed by success is a DH group renegotiation, not a failure.',
    requires: ['logEvents', 'packets'],
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
    checkPackets(ctx);
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

function reportInvalidKe(ctx: CheckContext, file: LogFile, session: LogSession): void {
  const invalid = ofKind(session.events, 'invalid-ke');
  if (!invalid.length) return;
  const last = invalid[invalid.length - 1];
  const success = establishedAfter(file, last);
  if (!success) {
    const failure = session.events.find((e) => (e.at.line ?? 0) > (last.at.line ?? 0) && (e.kind === 'give-up' || e.kind === 'negotiation-failed'));
    // a NO_PROPOSAL_CHOSEN after the retry is reported as such by reportRejections
    if (!failure || session.events.some((e) => e.kind === 'no-proposal-chosen' || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'received'))) return;
    ctx.report({
      code: 'IKE_PROPOSAL_MISMATCH',
      data: {
        phase: 'ike', side: sideOf(invalid), exchange: 'IKE_SA_INIT', conn: session.conn, sa: session.sa,
        transformTypes: [TRANSFORM_TYPE_NAMES.KE],
        // seen from the initiator: it offered (configured) one group, the responder asked for (sent) another
        delta: [{ type: 'KE', received: [last.data.requested].filter(Boolean), configured: [last.data.offered].filter(Boolean) }],
        received: last.data.requested ?? 'not printed in this log', configured: last.data.offered ?? 'not printed in this log',
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

/**
 * Packet side: a cleartext NO_PROPOSAL_CHOSEN (IKEv2 IKE_SA_INIT response, IKEv1
 * Informational, RFC 7296 §3.10.1 / RFC 2408 §3.14.1) named with the proposals
 * the initiator offered, and INVALID_KE_PAYLOAD (RFC 7296 §1.3) and its outcome.
 * The refusing side's own proposals never cross the wire.
 */
function checkPackets(ctx: CheckContext): void {
  const { sas } = ikeSas(ctx.evidence);
  for (const sa of sas) {
    const rejections = sa.notifies.filter((n) => n.type === NO_PROPOSAL_CHOSEN);
    if (rejections.length) reportWireRejection(ctx, sa, rejections);
  }
  reportWireInvalidKe(ctx, sas);
}

const NO_PROPOSAL_CHOSEN = 14;
const INVALID_KE_PAYLOAD = 17;

function reportWireRejection(ctx: CheckContext, sa: IkeSa, rejections: IkeSa['notifies']): void {
  const first = rejections[0];
  const phase: Phase = first.protocolId === 2 || first.protocolId === 3 ? 'child' : 'ike';
  const by = first.from === 'initiator' ? sa.initiator : sa.responder;
  const completed = sa.exchanges.filter((e) => e.answered && (e.exchange === 35 || e.exchange === 2 || e.exchange === 4)).at(-1)?.response;
  const recovered = sa.authCompleted && !!completed && completed.index > first.message.index;
  const offerMessage = sa.exchanges.find((e) => e.request?.proposals.length)?.request;
  const offered = sa.offered.map(proposalText);
  ctx.report({
    code: phase === 'ike' ? 'IKE_PROPOSAL_MISMATCH' : 'CHILD_PROPOSAL_MISMATCH',
    ...(recovered ? { severity: 'warning' as const } : {}),
    data: {
      phase, exchange: first.message.exchangeName, side: `capture: ${by.address} (the ${first.from}) sent it in frame ${first.message.at.frame}`,
      transformTypes: 'a transform type the capture cannot show (the refusing side never sends its configuration)',
      received: offered.length ? offered : 'not in cleartext', configured: 'not visible on the wire',
      offered, offeredBy: sa.initiator.address, chosen: sa.chosen ? proposalText(sa.chosen) : undefined, rejectedBy: by.address,
      keGroups: sa.keGroups.map((g) => DH_GROUP[g] ?? g), recovered,
      ...(recovered ? { severityReason: `the SA completed afterwards (frame ${completed!.at.frame})` } : {}),
    },
    evidence: [...(offerMessage ? [ikeRef(offerMessage)] : []), ...rejections.slice(0, 5).map((n) => ikeRef(n.message)), ...(recovered ? [ikeRef(completed!)] : [])],
  });
}

function reportWireInvalidKe(ctx: CheckContext, sas: IkeSa[]): void {
  type Outcome = { sa: IkeSa; notify: IkeSa['notifies'][number]; retried: boolean; success?: IkeMessage };
  const groups = new Map<string, Outcome[]>();
  for (const sa of sas) {
    const notify = sa.notifies.find((n) => n.type === INVALID_KE_PAYLOAD && n.from === 'responder');
    if (!notify) continue;
    // RFC 7296 §1.3: the initiator retries with a new SPIi and the requested group
    const retry = sas.find((s) => s !== sa && s.initiator.address === sa.initiator.address && s.responder.address === sa.responder.address &&
      s.messages.some((m) => m.exchange === 34 && !m.response && m.index > notify.message.index) && notify.group !== undefined && s.keGroups.includes(notify.group));
    const success = retry?.exchanges.find((e) => e.exchange === 34 && e.response && /[1-9a-f]/.test(e.response.spiR))?.response;
    const key = `${sa.initiator.address}|${sa.responder.address}|${sa.keGroups[0]}|${notify.group}|${success ? 'ok' : retry ? 'retried' : 'gave-up'}`;
    groups.set(key, [...(groups.get(key) ?? []), { sa, notify, retried: !!retry, success }]);
  }
  for (const events of groups.values()) {
    const { sa, notify, retried, success } = events[0];
    const offered = DH_GROUP[sa.keGroups[0]] ?? String(sa.keGroups[0] ?? 'unknown');
    const requested = notify.group !== undefined ? DH_GROUP[notify.group] ?? String(notify.group) : 'unknown';
    const refs = events.slice(0, 5).flatMap((e) => [ikeRef(e.notify.message), ...(e.success ? [ikeRef(e.success)] : [])]);
    if (success) {
      ctx.report({
        code: 'DH_GROUP_RENEGOTIATED',
        data: { offered, requested, retries: events.length, initiator: sa.initiator.address, responder: sa.responder.address, frames: events.map((e) => e.notify.message.at.frame) },
        evidence: refs,
      });
    } else if (!retried) {
      ctx.report({
        code: 'IKE_PROPOSAL_MISMATCH',
        data: {
          phase: 'ike', exchange: 'IKE_SA_INIT', side: `capture: ${sa.responder.address} answered INVALID_KE_PAYLOAD and ${sa.initiator.address} did not retry`,
          transformTypes: ['DH/KE group'], received: [offered], configured: [requested], offered: sa.offered.map(proposalText), requested,
        },
        evidence: refs,
      });
    }
  }
}
