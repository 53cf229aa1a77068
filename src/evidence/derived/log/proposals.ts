/**
 * The proposal lists and exchange names a log shows around a NO_PROPOSAL_CHOSEN,
 * for the proposal checks (log side).
 */
import type { LogEvent, LogEventData, Phase } from '../../log-events.js';
import { isNotify, ofKind, type LogFile, type LogSession } from './sessions.js';
import { ikeVersionOf, phaseOf } from './phase.js';
import { TRANSFORM_TYPE_NAMES, parseProposals, proposalDelta, type Proposal, type ProposalDelta } from '../proposals.js';
import { ianaNames, writeProposal } from '../config/proposal-syntax.js';

/** received/configured proposal lists printed in the session for this phase (charon prints both when none matched). */
export function proposalLists(session: LogSession, phase: Phase): { received: string[]; configured: string[]; events: LogEvent[] } {
  const out = { received: [] as string[], configured: [] as string[], events: [] as LogEvent[] };
  for (const e of ofKind(session.events, 'proposals')) {
    if (e.data.phase !== phase || e.data.source === 'selected') continue;
    // charon prints its configured list again at each attempt: each proposal once
    for (const p of e.data.proposals) if (!out[e.data.source].includes(p)) out[e.data.source].push(p);
    out.events.push(e);
  }
  return out;
}

/**
 * The exchange a refusal happened in, named as the first of its lines that names one (pluto's "no local
 * proposal matches …" does not, the line after it does), or by IKE version and phase.
 */
export function exchangeName(session: LogSession, rejections: readonly LogEvent[], phase: Phase): string {
  const e = rejections.find((r) => r.kind === 'no-proposal-chosen' && (r.data as LogEventData['no-proposal-chosen']).exchange) ?? rejections[0];
  // an IKEv1 notify comes in an INFORMATIONAL_V1 of its own: name the exchange it refuses (phase.ts ikev1NotifyPhase)
  const named = e.kind === 'no-proposal-chosen' ? (e.data as LogEventData['no-proposal-chosen']).exchange : e.kind === 'message' ? (e.data as LogEventData['message']).exchange : undefined;
  if (named && !/INFORMATIONAL_V1/i.test(named)) return named;
  const v1 = ikeVersionOf(session) === 1 || !!named;
  if (phase === 'ike') return v1 ? 'Main/Aggressive Mode' : 'IKE_SA_INIT';
  return v1 ? 'Quick Mode' : 'IKE_AUTH/CREATE_CHILD_SA';
}

/** The mismatching transform types in words, or why they cannot be named. */
export function describeTypes(delta: ProposalDelta | undefined): string[] | string {
  if (!delta) return 'not visible in this log';
  if (delta.match) return 'none (the printed lists overlap: check mode, PFS group and selectors)';
  return delta.types.map((t) => TRANSFORM_TYPE_NAMES[t]);
}

/** What a proposal finding knows of the overlap, as values the templates word (OVERLAP_TEMPLATE, ADVICE_TEMPLATE). */
export interface OverlapFacts {
  /** types: the transform types in `missing` have no value in common; unknown: the log cannot say; lists-overlap: the printed lists do overlap; capture: the refusing side's configuration never goes on the wire */
  overlapKind: 'types' | 'unknown' | 'lists-overlap' | 'capture';
  missing?: string[];
  /** the lists the log printed (a list it did not print is said once, not as "received not printed in this log") */
  printedReceived?: string[];
  printedConfigured?: string[];
  /** a proposal to add on this host / on the peer, in the daemon's syntax with the IANA names */
  fixHere?: string;
  fixThere?: string;
  /** the log is pluto's, which prints only the peer's offer, never its own list (libreswan ikev2_proposals.c v4.10–v5.4) */
  libreswan?: boolean;
}

export function overlapFacts(
  types: readonly string[] | 'unknown' | 'lists-overlap' | 'capture', received: string[] | string, configured: string[] | string, fix?: ProposalFix, impl?: string,
): OverlapFacts {
  const printed = { printedReceived: Array.isArray(received) ? received : undefined, printedConfigured: Array.isArray(configured) ? configured : undefined, ...(impl === 'libreswan' ? { libreswan: true } : {}) };
  // a capture: the refusing side never sends its own list (RFC 7296 §3.10.1 NO_PROPOSAL_CHOSEN carries no data)
  if (types === 'capture' || types === 'unknown' || types === 'lists-overlap') return { overlapKind: types, ...printed };
  return { overlapKind: 'types', missing: [...types], ...printed, ...(fix ? { fixHere: fix.here, fixThere: fix.there } : {}) };
}

export interface ProposalFix {
  here: string;
  there: string;
}

/**
 * A fix a log's two lists allow (charon prints the peer's offer as "received proposals" and its own
 * as "configured proposals"): the peer's first proposal added here, or this host's first there, in
 * this daemon's config syntax with the IANA names (the peer's daemon may spell it differently).
 */
export function proposalFix(received: readonly string[], configured: readonly string[], phase: Phase, impl: string): ProposalFix | undefined {
  const protocol = phase === 'ike' ? 'IKE' : 'ESP';
  const [theirs] = parseProposals(received.join(', '), protocol);
  const [ours] = parseProposals(configured.join(', '), protocol);
  if (!theirs || !ours) return undefined;
  const dialect = impl === 'strongswan' || impl === 'libreswan' ? impl : undefined;
  const say = (p: Proposal) => {
    const written = dialect && writeProposal(p, dialect, protocol);
    return written ? `\`${written}\` (${ianaNames(p)})` : ianaNames(p);
  };
  return { here: say(theirs), there: say(ours) };
}

/** NO_PROPOSAL_CHOSEN sent, received or decided in this session, by the phase it concerns (one pass). */
export function rejectionsByPhase(file: LogFile, session: LogSession): Map<Phase, LogEvent[]> {
  const byPhase = new Map<Phase, LogEvent[]>();
  let exchange: string | undefined; // of the latest message: one pass, however long the log
  for (const e of session.events) {
    if (e.kind === 'message') exchange = (e.data as LogEventData['message']).exchange;
    const isRejection = e.kind === 'no-proposal-chosen' || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'received') || isNotify(e, 'NO_PROPOSAL_CHOSEN', 'sent');
    if (!isRejection) continue;
    const stated = e.kind === 'no-proposal-chosen' ? (e.data as LogEventData['no-proposal-chosen']).phase : undefined;
    const phase = phaseOf(file, session, e, stated, exchange);
    const list = byPhase.get(phase);
    if (list) list.push(e);
    else byPhase.set(phase, [e]);
  }
  return byPhase;
}

/**
 * Phases whose two printed lists (charon "received proposals: …" / "configured proposals: …")
 * share no proposal although the log shows no verdict line (an excerpt cut after the lists):
 * the daemon that printed both compared them, and no overlap is the refusal (RFC 7296 §2.7:
 * the responder must pick one received proposal it accepts, or answer NO_PROPOSAL_CHOSEN).
 * Each phase maps to the list lines. A "selected proposal" line after them says one was chosen.
 * libreswan prints no such pair outside its verdict line ("no local proposal matches remote
 * proposals …" names only the remote list), so this is charon's case.
 */
export function unrefusedListMismatches(session: LogSession, refused: ReadonlySet<Phase>): Map<Phase, { events: LogEvent[]; exchange?: string; note: { listsOnly: true } }> {
  const out = new Map<Phase, { events: LogEvent[]; exchange?: string; note: { listsOnly: true } }>();
  for (const phase of ['ike', 'child'] as const) {
    if (refused.has(phase)) continue;
    const lists = proposalLists(session, phase);
    if (!lists.received.length || !lists.configured.length) continue;
    const last = lists.events[lists.events.length - 1];
    const chosen = ofKind(session.events, 'proposals').some((e) => e.data.phase === phase && e.data.source === 'selected' && (e.at.line ?? 0) > (last.at.line ?? 0));
    if (chosen) continue;
    const protocol = phase === 'ike' ? 'IKE' : 'ESP';
    if (proposalDelta(parseProposals(lists.received.join(', '), protocol), parseProposals(lists.configured.join(', '), protocol)).match) continue;
    // the lists alone do not say which IKE version printed them
    const exchange = ikeVersionOf(session) ? undefined : phase === 'ike' ? 'IKE_SA_INIT or Main/Aggressive Mode' : 'IKE_AUTH/CREATE_CHILD_SA or Quick Mode';
    out.set(phase, { events: lists.events, exchange, note: { listsOnly: true } });
  }
  return out;
}
