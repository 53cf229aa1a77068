import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log-sessions.js';
import { formatEndpoint, retransmitChains, stageOf } from '../src/evidence/derived/retransmits.js';

export default defineCheck({
  meta: {
    id: 'ike-fragmentation',
    title: 'IKE fragmentation and oversized IKE messages',
    description:
      'Reports IKE fragmentation in use (RFC 7383 for IKEv2, the IKEv1 fragmentation vendor extension) and the classic oversized-message failure: ' +
      'the small first exchange (IKE_SA_INIT, Main Mode 1-4) succeeds but the large, certificate-bearing IKE_AUTH / Main Mode 5 never gets an answer, ' +
      'because its IP fragments are dropped on the path.',
    requires: ['logEvents'],
    codes: {
      IKE_FRAGMENTATION_USED: {
        severity: 'info',
        message: 'IKE fragmentation in use: {sent} fragments sent, {received} received, {reassembled} messages reassembled.',
        hint: 'Nothing to fix: the daemons split large IKE messages themselves (RFC 7383), which avoids IP fragmentation. Keep `fragmentation = yes` (strongSwan) / `fragmentation=yes` (libreswan) on both sides.',
      },
      IKE_FRAGMENTS_DROPPED: {
        severity: 'warning',
        message: 'The first exchange with {peer} succeeded but {exchange} got no answer after {retransmits} retransmits, without IKE fragmentation: an oversized IKE message dropped on the path is a likely cause.',
        hint: 'Enable IKE fragmentation on both sides (strongSwan swanctl.conf/ipsec.conf `fragmentation = yes`, libreswan `fragmentation=yes`), or let IP fragments through / lower the MTU on the path (firewalls often drop UDP fragments). Also possible: {alternatives}.',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  for (const file of logFiles(ctx.evidence)) {
    const frags = ofKind(file.events, 'ike-fragment');
    if (!frags.length) continue;
    const sent = frags.filter((e) => e.data.direction === 'sent');
    const received = frags.filter((e) => e.data.direction === 'received');
    const reassembled = frags.filter((e) => e.data.reassembled);
    ctx.report({
      code: 'IKE_FRAGMENTATION_USED',
      data: { sent: sent.length, received: received.length, reassembled: reassembled.length },
      evidence: refsOf([...reassembled.slice(0, 5), ...sent.slice(0, 3), ...received.slice(0, 3)]),
    });
  }
  for (const chain of retransmitChains(ctx.evidence)) {
    if (chain.afterEstablished || chain.answered || !chain.giveUp) continue;
    if (stageOf(chain) !== 'auth') continue;
    const events = chain.session.events;
    if (events.some((e) => e.kind === 'ike-fragment')) continue;
    const end = chain.giveUp.at.line ?? Infinity;
    // an explicit ID or auth verdict explains the silence better than packet size
    if (events.some((e) => (e.at.line ?? 0) < end && (e.kind === 'id-mismatch' || (e.kind === 'auth' && !(e.data as { ok: boolean }).ok)))) continue;
    ctx.report({
      code: 'IKE_FRAGMENTS_DROPPED',
      data: {
        peer: formatEndpoint(chain.peer) ?? 'the peer', exchange: chain.giveUp.data.state ?? chain.exchange ?? 'IKE_AUTH', retransmits: chain.count,
        fragmentation: 'not used', alternatives: ['IKEv1: pre-shared key mismatch (the peer cannot decrypt message 5)', 'the peer rejects our authentication silently'],
      },
      evidence: refsOf([chain.request, ...chain.retransmits, chain.giveUp]),
    });
  }
}
