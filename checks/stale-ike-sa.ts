import { defineCheck } from '../src/engine/define-check.js';
import { eventsOf } from '../src/evidence/log-events.js';

/** Lines named in one finding: a peer retrying on a dead SA logs one per message. */
const MAX_LINES = 6;

export default defineCheck({
  meta: {
    id: 'stale-ike-sa',
    title: 'Messages for an IKE SA that no longer exists',
    stage: 'liveness',
    description:
      'BIG-IP tmm (ipsec.log) says when a message arrives for an IKE SA it has deleted: "received a message to a dead IKE SA", "message to a nonexistent ike_sa" ' +
      '(F5 "IKEv2 Log Analysis"). The peer still uses an SA this side deleted: harmless when it follows a rekey or a restart and the peer soon starts afresh, ' +
      'a problem only if it goes on.',
    requires: ['logEvents'],
    codes: {
      STALE_IKE_SA: {
        severity: 'info',
        message: '{peer} sent {messages} for an IKE SA this side no longer has ({first}).',
        hint: 'Expected for a while after a rekey, a restart or a DPD deletion on this side; if it goes on, the peer keeps a dead SA: check its DPD/liveness settings, or clear its SA so that it negotiates afresh.',
      },
    },
  },
  run(ctx) {
    // only BIG-IP's tmm logs these (`[IKE]` lines of ipsec.log): racoon.log, AFM events or another daemon's log have nothing for this check to judge
    ctx.judged('IKE events of a BIG-IP ipsec.log (tmm)', (ctx.evidence.logEvents ?? []).filter((e) => e.impl === 'f5' && /\[IKE\]/.test(e.excerpt ?? '')).length);
    const events = eventsOf(ctx.evidence.logEvents, 'stale-sa');
    const byPeer = new Map<string, typeof events>();
    for (const e of events) byPeer.set(e.data.peer ?? '', [...(byPeer.get(e.data.peer ?? '') ?? []), e]);
    for (const [peer, list] of byPeer) {
      ctx.report({
        code: 'STALE_IKE_SA',
        data: { peer: peer ? `The peer ${peer}` : 'A peer', count: list.length, messages: `${list.length} IKE ${list.length === 1 ? 'message' : 'messages'}`, first: list[0].data.detail },
        evidence: list.slice(0, MAX_LINES).map((e) => ({ ...e.at, excerpt: e.excerpt })),
      });
    }
  },
});
