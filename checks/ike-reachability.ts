import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log-sessions.js';
import { establishedAfter } from '../src/evidence/derived/log-phase.js';
import { formatEndpoint, retransmitChains, stageOf, type IkeStage, type RetransmitChain } from '../src/evidence/derived/retransmits.js';

const CAUSES: Record<IkeStage, string[]> = {
  first: ['UDP 500/4500 blocked on the path (firewall, security group, ISP)', 'wrong peer address', 'IKE daemon not running on the peer', 'peer behind NAT without port forwarding', 'IKEv1 responder silently dropping a peer it has no connection for'],
  auth: ['large IKE_AUTH / Main Mode 5 message (certificates) dropped as IP fragments: enable IKE fragmentation or fix the MTU path', 'IKEv1: pre-shared key mismatch (the peer cannot decrypt message 5)', 'UDP 4500 blocked after the switch from 500 (NAT-T / MOBIKE)'],
  child: ['the peer dropped the Child SA request (Quick Mode: often a proposal it likes none of)', 'path loss'],
  other: ['path loss or the peer went away'],
};

export default defineCheck({
  meta: {
    id: 'ike-reachability',
    title: 'IKE reachability',
    description:
      'Finds IKE requests that were never answered (RFC 7296 §2.1 retransmission timers; strongSwan "retransmit N of request", "giving up after N retransmits", ' +
      '"peer not responding"; libreswan "N second timeout exceeded after N retransmits"), with the retransmit timing and the peer address and port ' +
      '(500 vs 4500). Requests after the IKE SA came up (liveness/DPD) are left to dead-peer-detection.',
    requires: ['logEvents'],
    codes: {
      IKE_NO_RESPONSE: {
        severity: 'error',
        message: 'No response from {peer} to {exchange} after {retransmits} retransmits over {seconds} s (stage: {stage}).',
        hint: 'Check on the path to {peer} (UDP port {port}). Likely causes for this stage: {causes}. A capture on both sides (udp port 500 or udp port 4500) shows where the packets stop.',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  const files = new Map(logFiles(ctx.evidence).map((f) => [f.source, f]));
  for (const chain of retransmitChains(ctx.evidence)) {
    if (chain.afterEstablished || chain.answered) continue;
    if (/ESTABLISHED/i.test(`${chain.giveUp?.data.state ?? ''} ${chain.retransmits[0]?.data.state ?? ''}`)) continue;
    const file = files.get(chain.session.source)!;
    const last = chain.giveUp ?? chain.retransmits[chain.retransmits.length - 1];
    if (!last) continue;
    if (!chain.giveUp && establishedAfter(file, last)) continue; // retransmitted, then got through
    if (explainedElsewhere(chain)) continue;
    const stage = stageOf(chain);
    const networkErrors = ofKind(file.events, 'network-error').filter((e) => !chain.session.conn || !e.conn || e.conn === chain.session.conn);
    ctx.report({
      code: 'IKE_NO_RESPONSE',
      data: {
        peer: formatEndpoint(chain.peer) ?? peerAddress(chain),
        port: chain.peer?.port ?? 'the IKE port (500, or 4500 after NAT-T)',
        exchange: chain.giveUp?.data.state ?? chain.exchange ?? 'the request',
        msgid: chain.msgid, retransmits: chain.count, seconds: chain.spanSeconds ?? chain.giveUp?.data.seconds ?? sum(chain.waits),
        waits: chain.waits, gaveUp: !!chain.giveUp, stage, causes: CAUSES[stage], conn: chain.session.conn,
        icmpErrors: networkErrors.map((e) => e.data.detail),
      },
      evidence: refsOf([chain.request, ...chain.retransmits, chain.giveUp, ...chain.also, ...networkErrors]),
    });
  }
}

/** An explicit diagnosis before the give-up (ID refused, auth failed) is the better one. */
function explainedElsewhere(chain: RetransmitChain): boolean {
  const end = chain.giveUp?.at.line ?? Infinity;
  return chain.session.events.some((e) => (e.at.line ?? 0) < end && (e.kind === 'id-mismatch' || (e.kind === 'auth' && !(e.data as { ok: boolean }).ok)));
}

function peerAddress(chain: RetransmitChain): string {
  for (const e of chain.session.events) if (e.kind === 'initiate' && (e.data as { peer?: string }).peer) return (e.data as { peer: string }).peer;
  return 'the peer';
}

function sum(xs: number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) : undefined;
}
