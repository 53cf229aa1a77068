import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import type { FindingInput } from '../src/engine/types.js';
import { mergePeerViews, sameHostsKey } from '../src/engine/corroborate.js';
import { isNotify, logFiles, ofKind, seenBy, type LogSession } from '../src/evidence/derived/log/sessions.js';
import { aggregate, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { ikeUpBefore, inQuickMode, sideOf } from '../src/evidence/derived/log/phase.js';
import type { LogFile } from '../src/evidence/derived/log/sessions.js';

export default defineCheck({
  meta: {
    id: 'traffic-selectors',
    title: 'Traffic selectors',
    stage: 'child',
    description:
      'Finds Child SAs refused because the traffic selectors do not fit (RFC 7296 §2.9 TS_UNACCEPTABLE; IKEv1 Quick Mode INVALID_ID_INFORMATION, RFC 2407 §4.6.2): ' +
      'strongSwan "traffic selectors … unacceptable", "no matching CHILD_SA config found", libreswan "responding with TS_UNACCEPTABLE", ' +
      '"IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE".',
    requires: ['logEvents'], reads: ['ts', 'ts-unacceptable', 'child-established', 'child-failed', 'no-config', 'message', 'notify'],
    codes: {
      TS_MISMATCH: {
        severity: 'error',
        message: 'Traffic selectors refused, seen from {seenFrom}: {selectors}.',
        hint: 'Make the selectors mirror each other: this side\'s local subnet is the peer\'s remote one and vice versa — strongSwan swanctl.conf `local_ts`/`remote_ts` (ipsec.conf `leftsubnet`/`rightsubnet`), libreswan `leftsubnet`/`rightsubnet` (and `leftprotoport`/`rightprotoport`, `narrowing=`). {whereToLook}',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

/** Repeated refusals of the same selectors collapse into one finding per file. */
function checkLogs(ctx: CheckContext): void {
  const refusals: Occurrence[] = [];
  for (const file of logFiles(ctx.evidence)) {
    for (const session of file.sessions) reportSession(refusals, file, session);
  }
  const found: FindingInput[] = aggregate(refusals).map(({ data, evidence }) => ({ code: 'TS_MISMATCH', data, evidence }));
  // the initiator's "received TS_UNACCEPTABLE" and the responder's refusal with its selectors are one failure
  for (const f of mergePeerViews(found, sameHostsKey(['TS_MISMATCH']))) ctx.report(f);
}

function reportSession(out: Occurrence[], file: LogFile, session: LogSession): void {
  const refusals: LogEvent[] = [
    ...ofKind(session.events, 'ts-unacceptable'),
    ...ofKind(session.events, 'no-config').filter((e) => e.data.scope === 'child'),
    ...session.events.filter((e) => isNotify(e, 'TS_UNACCEPTABLE', 'received') || isNotify(e, 'TS_UNACCEPTABLE', 'sent')),
    // IKEv1: INVALID_ID_INFORMATION after the ISAKMP SA is up, or answering a Quick Mode, is about Quick Mode IDs (proxy IDs)
    ...session.events.filter((e) => (isNotify(e, 'INVALID_ID_INFORMATION', 'received') || isNotify(e, 'INVALID_ID_INFORMATION', 'sent')) && (ikeUpBefore(file, e) || inQuickMode(session, e))),
  ];
  if (!refusals.length) return;
  refusals.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0));
  const { local, remote, events: tsEvents } = selectorsOf(session, refusals);
  const side = sideOf(refusals);
  // the responder's charon (`cfg 2`) lists what its own child config would accept; pluto's initiator prints what the peer answered
  const other = side === 'responder' ? listingBefore(session, refusals[0].at.line ?? 0, 'configured') : answeredAt(session, refusals);
  const [otherLocal, otherRemote] = [other?.local ?? [], other?.remote ?? []];
  const proposed = local.length || remote.length ? `local ${local.join(', ') || '?'} === remote ${remote.join(', ') || '?'}` : '';
  const counter = otherLocal.length || otherRemote.length ? `local ${otherLocal.join(', ') || '?'} === remote ${otherRemote.join(', ') || '?'}` : '';
  const facts = side === 'responder' ? { acceptedLocal: otherLocal, acceptedRemote: otherRemote } : { answeredLocal: otherLocal, answeredRemote: otherRemote };
  const data = {
    ...seenBy(session, side), local, remote,
    ...(counter ? { ...facts, differs: differingSides(local, remote, otherLocal, otherRemote) } : {}),
    selectors: !proposed ? 'this log does not print them'
      : counter ? `proposed ${proposed}, while ${side === 'responder' ? "this side's configuration accepts" : 'the peer answered with'} ${counter}${differsText(local, remote, otherLocal, otherRemote)}`
      : `proposed ${proposed}`,
    whereToLook: side === 'initiator' ? 'This is the initiator\'s log: the responder\'s log prints which selectors it refused (charon at `cfg 2` also the ones it has configured).'
      : counter || refusals[0].impl !== 'strongswan' ? 'This responder refused the selectors the initiator proposed; compare them with its own subnets.'
      : 'This responder refused the selectors the initiator proposed; with `cfg 2` logging its log also lists the selectors it has configured.',
  };
  out.push({ key: JSON.stringify([file.source, session.conn, side, data.selectors]), data, events: [...tsEvents, ...(other?.events ?? []), ...refusals] });
}

/** What the peer answered, where the initiator's log prints it with the refusal (pluto "… response {…} does not fit the proposal {…}"). */
function answeredAt(session: LogSession, refusals: readonly LogEvent[]): { local: string[]; remote: string[]; events: LogEvent[] } | undefined {
  const e = ofKind(session.events, 'ts').find((t) => t.data.source === 'received' && refusals.some((r) => r.at.line === t.at.line));
  return e && { local: e.data.local ?? [], remote: e.data.remote ?? [], events: [] };
}

/** Which side of the pair (this host's own subnets, the peer's) is not what the other set holds. */
function differingSides(local: string[], remote: string[], acceptedLocal: string[], acceptedRemote: string[]): ('local' | 'remote')[] {
  const out: ('local' | 'remote')[] = [];
  if (local.length && acceptedLocal.length && !sameSet(local, acceptedLocal)) out.push('local');
  if (remote.length && acceptedRemote.length && !sameSet(remote, acceptedRemote)) out.push('remote');
  return out;
}

function differsText(local: string[], remote: string[], acceptedLocal: string[], acceptedRemote: string[]): string {
  const d = differingSides(local, remote, acceptedLocal, acceptedRemote);
  if (d.length === 2) return ' (both sides differ)';
  if (d.length === 1) return d[0] === 'local' ? ' (this side\'s own subnets differ)' : ' (the peer\'s subnets differ)';
  return '';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * The last selector listing of `source` printed before `line` in this session: charon prints it one
 * selector per line ("proposing traffic selectors for us:" / " 10.2.0.0/24" / "… for other:" / …),
 * one event each; a local selector after remote ones starts another candidate config's listing.
 */
function listingBefore(session: LogSession, line: number, source: 'proposed' | 'configured'): { local: string[]; remote: string[]; events: LogEvent[] } | undefined {
  const events = ofKind(session.events, 'ts');
  let end = -1;
  for (let i = 0; i < events.length; i++) if ((events[i].at.line ?? 0) < line && events[i].data.source === source) end = i;
  if (end === -1) return undefined;
  const run: LogEvent<'ts'>[] = [];
  let sawLocal = false;
  for (let i = end; i >= 0 && events[i].data.source === source; i--) {
    const e = events[i];
    if (e.data.remote?.length && sawLocal) break;
    if (e.data.local?.length) sawLocal = true;
    run.unshift(e);
  }
  const local = unique(run.flatMap((e) => e.data.local ?? []));
  const remote = unique(run.flatMap((e) => e.data.remote ?? []));
  return { local, remote, events: run };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function selectorsOf(session: LogSession, refusals: readonly LogEvent[]): { local: string[]; remote: string[]; events: LogEvent[] } {
  for (const e of refusals) {
    const d = e.data as { local?: string[]; remote?: string[] };
    if (e.kind === 'ts-unacceptable' && (d.local?.length || d.remote?.length)) return { local: d.local ?? [], remote: d.remote ?? [], events: [] };
    if (e.kind === 'no-config') {
      const nc = e.data as { local?: string; remote?: string };
      if (nc.local || nc.remote) return { local: nc.local ? [nc.local] : [], remote: nc.remote ? [nc.remote] : [], events: [] };
    }
  }
  // fall back to selectors the log printed for this SA (proposed by us, or received)
  const listing = listingBefore(session, refusals[refusals.length - 1].at.line ?? Infinity, 'proposed');
  if (listing) return listing;
  const printed = ofKind(session.events, 'ts').filter((e) => e.data.source === 'received');
  const last = printed[printed.length - 1];
  if (last) return { local: last.data.local ?? [], remote: last.data.remote ?? [], events: [last] };
  return { local: [], remote: [], events: [] };
}
