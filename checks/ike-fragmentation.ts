import { exchangeInWords } from '../src/evidence/derived/words.js';
import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext, FindingInput } from '../src/engine/types.js';
import { corroborate } from '../src/engine/corroborate.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log/sessions.js';
import { formatEndpoint, retransmitChains, stageOf, verdictBeforeGiveUp } from '../src/evidence/derived/log/retransmits.js';
import type { IkeMessage } from '../src/evidence/packet-types.js';
import { fragmentationSupport, fragmentedUnanswered, largeIkeMessages } from '../src/evidence/derived/wire/ike.js';
import { endpointText, frameRef, ikeRef } from '../src/evidence/derived/wire/refs.js';

const SMALL_DATAGRAM = 1280;

export default defineCheck({
  meta: {
    id: 'ike-fragmentation',
    title: 'IKE fragmentation and oversized IKE messages',
    stage: 'path',
    description:
      'Reports IKE fragmentation in use (RFC 7383 for IKEv2, the IKEv1 fragmentation vendor extension) and the classic oversized-message failure: ' +
      'the small first exchange (IKE_SA_INIT, Main Mode 1-4) succeeds but the large, certificate-bearing IKE_AUTH / Main Mode 5 never gets an answer, ' +
      'because its IP fragments are dropped on the path.',
    requires: ['logEvents', 'packets'], judges: 'ike', reads: ['ike-fragment', 'fragmentation-support', 'message', 'packet', 'retransmit', 'give-up'],
    codes: {
      IKE_FRAGMENTATION_USED: {
        severity: 'info',
        routine: true,
        message: 'IKE fragmentation in use: {sent} {sent|fragment|fragments} sent, {received} received, {reassembled} {reassembled|message|messages} reassembled.',
        hint: 'Nothing to fix: the daemons split large IKE messages themselves (RFC 7383), which avoids IP fragmentation. Keep `fragmentation = yes` (strongSwan) / `fragmentation=yes` (libreswan) on both sides.',
      },
      IKE_FRAGMENTS_DROPPED: {
        severity: 'warning',
        message: 'The first exchange with {peer} succeeded but {request} got no answer after {retransmits} {retransmits|retransmission|retransmissions}, without IKE fragmentation: an oversized IKE message dropped on the path is a likely cause.',
        hint: 'Enable IKE fragmentation on both sides (strongSwan swanctl.conf/ipsec.conf `fragmentation = yes`, libreswan `fragmentation=yes`), or let IP fragments through / lower the MTU on the path (firewalls often drop UDP fragments). Also possible: {alternatives}.',
      },
      IKE_FRAGMENTATION_SUPPORT: {
        severity: 'info',
        message: 'IKE fragmentation support announced by {announcedBy} ({ikeSas} IKE {ikeSas|SA|SAs}: {pairs}).',
        hint: 'Both peers must announce it for large IKE_AUTH / Main Mode messages to be split by IKE instead of IP (RFC 7383): strongSwan `fragmentation = yes` (default), libreswan `fragmentation=yes` (default); some vendor gateways need it enabled explicitly.',
      },
      IKE_LARGE_MESSAGE: {
        severity: 'warning',
        message: '{count} {count|message|messages} of {request} from {from} to {to} {count|is|are} up to {largest} bytes at the IP layer: over a 1500-byte path {count|it is|they are} IP-fragmented ({ipFragmented=0?none was|{ipFragmented} {ipFragmented|was|were}} in this capture).',
        hint: 'IP fragments of IKE are often dropped by firewalls, NAT devices and cloud load balancers: enable IKE fragmentation on both peers (strongSwan `fragmentation = yes`, libreswan `fragmentation=yes`, RFC 7383) or make the message smaller (shorter certificate chain, fewer CERTREQs, fewer proposals).',
      },
    },
  },
  run(ctx) {
    const fromLog: FindingInput[] = [];
    const fromCapture: FindingInput[] = [];
    checkLogs({ ...ctx, report: (f) => fromLog.push(f) });
    checkPackets({ ...ctx, report: (f) => fromCapture.push(f) });
    // the daemon's give-up and the capture's fragmented, resent request towards the same peer are one finding
    for (const f of corroborate(fromLog, fromCapture, (f) => (f.code === 'IKE_FRAGMENTS_DROPPED' ? String(f.data?.peer) : undefined))) ctx.report(f);
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
    // a datagram the log shows to be small cannot be an oversized one (IPv6 minimum MTU, RFC 8200 §5)
    if (chain.requestBytes !== undefined && chain.requestBytes < SMALL_DATAGRAM) continue;
    if (verdictBeforeGiveUp(chain)) continue;
    ctx.report({
      code: 'IKE_FRAGMENTS_DROPPED',
      data: {
        peer: formatEndpoint(chain.peer) ?? 'the peer', exchange: chain.giveUp.data.state ?? chain.exchange ?? 'IKE_AUTH', request: exchangeInWords(chain.giveUp.data.state ?? chain.exchange ?? 'IKE_AUTH'), retransmits: chain.count,
        fragmentation: 'not used', requestBytes: chain.requestBytes, alternatives: ['IKEv1: pre-shared key mismatch (the peer cannot decrypt message 5)', 'the peer rejects our authentication silently'],
      },
      evidence: refsOf([chain.request, ...chain.retransmits, chain.giveUp]),
    });
  }
}

/**
 * Packet side: IKE requests IP-fragmented, resent and unanswered after an answered
 * first exchange; who announced fragmentation support (IKEv2 N(IKEV2_FRAGMENTATION_SUPPORTED),
 * RFC 7383 §2.3; IKEv1 FRAGMENTATION vendor ID); IKE messages over a 1500-byte MTU.
 */
function checkPackets(ctx: CheckContext): void {
  const dropped = new Set<IkeMessage>();
  for (const { sa, ex } of fragmentedUnanswered(ctx.evidence)) {
    const req = ex.request!;
    ex.requests.forEach((m) => dropped.add(m));
    ctx.report({
      code: 'IKE_FRAGMENTS_DROPPED',
      severity: 'error',
      data: {
        peer: endpointText(req.dst), exchange: `${ex.exchangeName} (msgid ${ex.messageId})`, retransmits: ex.retransmits, transport: req.transport,
        ipFragments: req.ipFragmentation!.fragments, ipLength: req.ipFragmentation!.totalLength, ikeLength: req.length, allFragmentsCaptured: req.ipFragmentation!.complete,
        fragmentation: sa.fragmentationSupported.initiator && sa.fragmentationSupported.responder ? 'announced by both peers but not used' : sa.cutShort.initiator || sa.cutShort.responder ? 'not known (the capture cut a message short)' : 'not negotiated',
        fragmentationSupported: sa.fragmentationSupported, severityReason: 'the capture shows the request IP-fragmented, resent and never answered',
        alternatives: ['UDP 4500 blocked after the NAT-T float (if only the fragmented messages use 4500)', 'the peer dropping the request for another reason'],
      },
      evidence: ex.requests.slice(0, 6).flatMap((m) => [
        ...(m.ipFragmentation?.frames ?? []).filter((f) => f !== m.at.frame).slice(0, 4).map((f) => frameRef({ ...m.at, frame: f }, `IP fragment of ${m.excerpt}`)),
        ikeRef(m),
      ]),
    });
  }
  for (const { announcedBy, sas, first, notKnownFor } of fragmentationSupport(ctx.evidence)) {
    ctx.report({
      code: 'IKE_FRAGMENTATION_SUPPORT',
      // both peers announcing it is how it should be; one side only is worth reading
      routine: announcedBy === 'both peers',
      data: { announcedBy, pairs: [...new Set(sas.map((s) => `${s.initiator.address} → ${s.responder.address}`))].slice(0, 10), ikeSas: sas.length, both: announcedBy === 'both peers', ...(notKnownFor ? { notKnownFor } : {}) },
      evidence: [ikeRef(first.request!), ikeRef(first.response!)],
    });
  }
  for (const all of largeIkeMessages(ctx.evidence, 1500)) {
    const list = all.filter((m) => !dropped.has(m));
    if (!list.length) continue;
    const m = list[0];
    const largest = Math.max(...list.map((x) => x.ipFragmentation?.totalLength ?? x.ipLength));
    ctx.report({
      code: 'IKE_LARGE_MESSAGE',
      data: { from: m.src.address, to: m.dst.address, exchange: m.exchangeName, request: exchangeInWords(m.exchangeName), count: list.length, largest, ipFragmented: list.filter((x) => x.ipFragmentation).length, certs: list.reduce((n, x) => n + x.certs, 0) },
      evidence: list.slice(0, 6).map(ikeRef),
    });
  }
}
