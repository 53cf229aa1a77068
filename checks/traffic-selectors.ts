import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import type { FindingInput } from '../src/engine/types.js';
import { mergePeerViews, sameHostsKey } from '../src/engine/corroborate.js';
import { isNotify, logFiles, ofKind, seenBy, type LogSession } from '../src/evidence/derived/log/sessions.js';
import { aggregate, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { ikeUpBefore, sideOf } from '../src/evidence/derived/log/phase.js';
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
    requires: ['logEvents'],
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
    // IKEv1: INVALID_ID_INFORMATION after the ISAKMP SA is up is about Quick Mode IDs (proxy IDs)
    ...session.events.filter((e) => (isNotify(e, 'INVALID_ID_INFORMATION', 'received') || isNotify(e, 'INVALID_ID_INFORMATION', 'sent')) && ikeUpBefore(file, e)),
  ];
  if (!refusals.length) return;
  refusals.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0));
  const { local, remote, events: tsEvents } = selectorsOf(session, refusals);
  const side = sideOf(refusals);
  const data = {
    ...seenBy(session, side), local, remote,
    selectors: local.length || remote.length ? `local ${local.join(', ') || '?'} === remote ${remote.join(', ') || '?'}` : 'the selectors are not printed in this log',
    whereToLook: side === 'initiator' ? 'This is the initiator\'s log: the responder\'s log prints which selectors it refused and which it has configured.' : 'This responder refused the selectors the initiator proposed.',
  };
  out.push({ key: JSON.stringify([file.source, session.conn, side, data.selectors]), data, events: [...tsEvents, ...refusals] });
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
  const printed = ofKind(session.events, 'ts').filter((e) => e.data.source !== 'selected');
  const last = printed[printed.length - 1];
  if (last) return { local: last.data.local ?? [], remote: last.data.remote ?? [], events: [last] };
  return { local: [], remote: [], events: [] };
}
