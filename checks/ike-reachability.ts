import { defineCheck } from '../src/engine/define-check.js';
import type { FindingInput } from '../src/engine/types.js';
import type { Evidence } from '../src/evidence/types.js';
import { corroborate } from '../src/engine/corroborate.js';
import { initiatedPeer, logFiles, ofKind, refsOf } from '../src/evidence/derived/log/sessions.js';
import { establishedAfter } from '../src/evidence/derived/log/phase.js';
import { listedFirst, pushTo } from '../src/evidence/derived/aggregate.js';
import { chainSeconds, formatEndpoint, logNatTBlocked, printedRetransmits, pskFailureSymptoms, retransmitChains, stageOf, verdictBeforeGiveUp, type IkeStage, type RetransmitChain } from '../src/evidence/derived/log/retransmits.js';
import { fragmentedUnansweredExchanges, icmpGroups, unansweredGroups, type UnansweredGroup } from '../src/evidence/derived/wire/ike.js';
import { natTBlockedExchanges } from '../src/evidence/derived/wire/nat.js';
import { isEstablishedIkeState, livenessSilencedGroups } from '../src/evidence/derived/liveness.js';
import { exchangeInWords, TRIES_CLAUSE } from '../src/evidence/derived/words.js';
import { endpointText, icmpRef, ikeRef, secondsBetween } from '../src/evidence/derived/wire/refs.js';

type Report = (f: FindingInput) => void;

const CAUSES: Record<Exclude<IkeStage, 'setup'>, string[]> = {
  first: ['UDP 500/4500 blocked on the path (firewall, security group, ISP)', 'wrong peer address', 'IKE daemon not running on the peer', 'peer behind NAT without port forwarding', 'IKEv1 responder silently dropping a peer it has no connection for'],
  auth: ['large IKE_AUTH / Main Mode 5 message (certificates) dropped as IP fragments: enable IKE fragmentation or fix the MTU path', 'IKEv1: pre-shared key mismatch (the peer cannot decrypt message 5)', 'UDP 4500 blocked after the switch from 500 (NAT-T / MOBIKE)'],
  child: ['the peer dropped the Child SA request (Quick Mode: often a proposal it likes none of)', 'path loss'],
  other: ['path loss or the peer went away'],
};

export default defineCheck({
  meta: {
    id: 'ike-reachability',
    title: 'IKE reachability', stage: 'path',
    description:
      'Finds IKE requests that were never answered (RFC 7296 §2.1 retransmission timers; strongSwan "retransmit N of request", "giving up after N retransmits", ' +
      '"peer not responding"; libreswan "N second timeout exceeded after N retransmits"), with the retransmit timing and the peer address and port ' +
      '(500 vs 4500). Requests after the IKE SA came up (liveness/DPD) are left to dead-peer-detection.',
    requires: ['logEvents', 'packets'], judges: 'ike', reads: ['message', 'packet', 'retransmit', 'give-up', 'initiate', 'respond', 'ike-established', 'network-error', 'peer-retransmit', 'negotiation-failed'],
    codes: {
      IKE_NO_RESPONSE: {
        severity: 'error',
        message: `No response from {peer} to {requestersShown?{requests} {requests|request|requests} of {request} from {requesters.length} peers ({requestersShown})|{request}}${TRIES_CLAUSE}.`,
        hint: 'Check the path to {peer} ({port?UDP port {port}|UDP port 500, or 4500 after NAT-T}). Likely causes: {causes}. A capture on both sides (udp port 500 or udp port 4500) shows where the packets stop.',
      },
      IKE_PORT_UNREACHABLE: {
        severity: 'error',
        message: '{from} answered {what} from {sender} with ICMP port unreachable ({count}×): nothing listens on UDP {port} at {target}.',
        hint: 'Start the IKE daemon on {target} (strongSwan: `systemctl start strongswan` / charon; libreswan: `ipsec start`) and check that it listens on UDP 500 and 4500 (`ss -ulpn`); if {target} is not the VPN gateway, fix the peer address (strongSwan `remote_addrs`/`right=`, libreswan `right=`).',
      },
      IKE_ADMIN_PROHIBITED: {
        severity: 'error',
        message: '{from} rejects {what} from {sender} to {target} with ICMP administratively prohibited (type {type} code {code}, {count}×): a filter blocks it.',
        hint: 'A firewall or ACL at {from} rejects the traffic (iptables/nftables REJECT with admin-prohibited, a router ACL, a cloud security group): allow UDP 500 and 4500, and IP protocol 50 (ESP) when there is no NAT, between the two gateways.',
      },
    },
  },
  run(ctx) {
    const [fromLog, fromCapture]: FindingInput[][] = [[], []];
    checkLogs(ctx.evidence, (f) => fromLog.push(f));
    checkPackets(ctx.evidence, (f) => fromCapture.push(f));
    // the same unanswered exchange towards the same peer, seen by the daemon and on the wire, is one problem (a log's 'setup' is the first or auth exchange)
    const sameSilence = (f: FindingInput) => (f.code === 'IKE_NO_RESPONSE' ? (f.data?.stage === 'setup' ? ['first', 'auth'] : [f.data?.stage]).map((s) => `${String(f.data?.peer)}|${String(s)}`) : undefined);
    for (const f of corroborate(fromLog, fromCapture, sameSilence)) ctx.report(f);
  },
});

function checkLogs(evidence: Evidence, report: Report): void {
  // repeated attempts of the same connection to the same peer (revival, keyingtries) are one finding
  const groups = new Map<string, RetransmitChain[]>();
  const files = new Map(logFiles(evidence).map((f) => [f.source, f]));
  const pskSymptoms = new Set(logFiles(evidence).flatMap((f) => pskFailureSymptoms(f.sessions))); // reported with AUTH_FAILED (authentication)
  for (const chain of retransmitChains(evidence)) {
    if (chain.afterEstablished || chain.answered || (chain.retransmits.length && chain.retransmits.every((r) => pskSymptoms.has(r)))) continue;
    if (/ESTABLISHED/i.test(`${chain.giveUp?.data.state ?? ''} ${chain.retransmits[0]?.data.state ?? ''}`) || isEstablishedIkeState(chain.giveUp?.data.state)) continue;
    const file = files.get(chain.session.source)!;
    const last = chain.giveUp ?? chain.retransmits[chain.retransmits.length - 1];
    if (!last || (!chain.giveUp && establishedAfter(file, last))) continue; // nothing to cite, or retransmitted, then got through
    if (verdictBeforeGiveUp(chain)) continue;
    const key = [chain.session.source, chain.session.conn, stageOf(chain), formatEndpoint(chain.peer)].join('|');
    pushTo(groups, key, chain);
  }
  for (const chains of groups.values()) {
    const chain = chains[chains.length - 1];
    const file = files.get(chain.session.source)!;
    const stage = stageOf(chain);
    const networkErrors = ofKind(file.events, 'network-error').filter((e) => !chain.session.conn || !e.conn || e.conn === chain.session.conn);
    const seconds = chainSeconds(chain);
    const retransmits = printedRetransmits(chain);
    const natT = logNatTBlocked(evidence).some((b) => b.chain === chain) ? { explainedBy: 'NAT_T_BLOCKED', severityReason: 'the log shows NAT detected and the exchange moved to UDP 4500, where nothing came back: NAT_T_BLOCKED is the diagnosis' } : undefined;
    report({
      code: 'IKE_NO_RESPONSE', ...(natT ? { severity: 'info' as const } : {}),
      data: { ...natT,
        peer: formatEndpoint(chain.peer) ?? initiatedPeer(chain.session) ?? 'the peer',
        port: chain.peer?.port,
        exchange: chain.giveUp?.data.state ?? chain.exchange, request: exchangeInWords(chain.giveUp?.data.state ?? chain.exchange),
        msgid: chain.msgid, counted: retransmits !== undefined, retransmits, seconds: seconds || undefined,
        waits: chain.waits, gaveUp: !!chain.giveUp, requestBytes: chain.requestBytes, stage, causes: causesFor(stage, chain), conn: chain.session.conn,
        attempts: chains.length, icmpErrors: networkErrors.map((e) => e.data.detail),
      },
      evidence: refsOf([...[chains[0], chain].flatMap((c) => [c.request, ...c.retransmits, c.giveUp, ...c.also]), ...networkErrors.slice(0, 5)]),
    });
  }
}

/** Order the candidates by what the log already rules out or points at. */
function causesFor(stage: IkeStage, chain: RetransmitChain): string[] {
  // 'setup': the log does not say which exchange of the IKE SA's setup went unanswered, so the causes of both
  let causes = stage === 'setup' ? [...CAUSES.first, ...CAUSES.auth] : CAUSES[stage];
  if (chain.requestBytes !== undefined && chain.requestBytes < 1280) causes = causes.filter((c) => !/large|oversized/.test(c));
  // RFC 7296 §2.23: after NAT detection the initiator moves to 4500; a silence that starts there points at 4500
  if (chain.peer?.port === 4500) causes = [...causes.filter((c) => /4500/.test(c)), ...causes.filter((c) => !/4500/.test(c))];
  return causes;
}

/**
 * Packet side: requests on UDP 500/4500 that got no response in the capture
 * (pairing in derived/wire/ike-sas.ts), and ICMP errors that quote IKE: port unreachable
 * (nothing listens, RFC 1122 §4.1.3.1) and administratively prohibited (a filter, RFC 1812 §5.2.7.1).
 */
function checkPackets(evidence: Evidence, report: Report): void {
  for (const group of unansweredGroups(evidence)) {
    const { exchanges, worst, request: req, stage, icmp, requesters } = group;
    const seconds = secondsBetween(req.at, worst.requests[worst.requests.length - 1].at) ?? 'unknown (capture clock zeroed)';
    const many = requesters.length > 1;
    const explained = explanation(evidence, group);
    report({
      code: 'IKE_NO_RESPONSE',
      // a symptom of a diagnosis reported at error; liveness and Child SA requests of an SA that is up are a smaller matter than an SA that cannot start
      ...(explained ? { severity: 'info' as const } : stage === 'other' || stage === 'child' ? { severity: 'warning' as const } : {}),
      data: {
        ...explained, peer: endpointText(req.dst), port: req.dst.port, from: endpointText(req.src),
        exchange: worst.exchangeName, request: exchangeInWords(worst.exchangeName), msgid: worst.messageId, ...(many ? { requesters, requestersShown: listedFirst(requesters, 3) } : {}),
        counted: true, retransmits: worst.retransmits, seconds: typeof seconds === 'number' && seconds > 0 ? seconds : undefined, clockZeroed: typeof seconds === 'string' || undefined,
        retransmitIntervals: worst.retransmitIntervals.map((s) => Math.round(s * 1000) / 1000), stage, causes: CAUSES[stage],
        responderSpiZero: !/[1-9a-f]/.test(req.spiR), spiI: req.spiI, requests: exchanges.length, transmissions: exchanges.reduce((n, e) => n + e.requests.length, 0),
        ipFragmented: !!req.ipFragmentation, transport: req.transport, icmpErrors: icmp.map((e) => `${e.kind} from ${e.from} (frame ${e.at.frame})`),
      },
      evidence: [...exchanges.flatMap((e) => e.requests).slice(0, 16).map(ikeRef), ...icmp.slice(0, 4).map(icmpRef)],
    });
  }
  for (const [kind, code] of ICMP_CODES) {
    for (const { errors, what, target } of icmpGroups(evidence, kind, kind === 'admin-prohibited')) {
      const { quoted: q, from, type, code: icmpCode } = errors[0];
      report({
        code,
        data: { from, target, port: q!.dstPort ?? 'n/a', sender: q!.src, what, count: errors.length, type, code: icmpCode, quotedKind: q!.kind, frames: errors.map((e) => e.at.frame) },
        evidence: errors.slice(0, 10).map(icmpRef),
      });
    }
  }
}
const ICMP_CODES = [['port-unreachable', 'IKE_PORT_UNREACHABLE'], ['admin-prohibited', 'IKE_ADMIN_PROHIBITED']] as const;

/** The finding that says why these requests met silence, if any: IP fragments dropped, UDP 4500 blocked after NAT detection, a liveness timeout in the log, an ICMP answer. */
function explanation(evidence: Evidence, group: UnansweredGroup) {
  const { exchanges, request, icmp } = group;
  const frag = exchanges.every((e) => fragmentedUnansweredExchanges(evidence).has(e)) ? request.ipFragmentation : undefined;
  if (frag) return { explainedBy: 'IKE_FRAGMENTS_DROPPED', severityReason: `the request left as a ${frag.totalLength}-byte datagram in ${frag.fragments} IP fragments and was resent and never answered: IKE_FRAGMENTS_DROPPED is the diagnosis` };
  if (exchanges.every((e) => natTBlockedExchanges(evidence).has(e))) return { explainedBy: 'NAT_T_BLOCKED', severityReason: 'NAT was detected and the exchange moved to UDP 4500, where nothing ever came back: NAT_T_BLOCKED is the diagnosis' };
  if (livenessSilencedGroups(evidence).has(group)) return { explainedBy: 'DPD_TIMEOUT', severityReason: `the log shows the SA given up because ${request.dst.address} stopped answering liveness checks: DPD_TIMEOUT is the diagnosis` };
  // the answer was an ICMP error (RFC 1122 §4.1.3.1, RFC 1812 §5.2.7.1): nothing listens, or a filter rejects
  const [kind, code] = ICMP_CODES.find(([k]) => icmp.some((e) => e.kind === k)) ?? [];
  const error = icmp.find((e) => e.kind === kind);
  return error && { explainedBy: code!, severityReason: `${error.from} answered with ICMP ${kind!.replace('-', ' ')} (frame ${error.at.frame}): ${code} is the diagnosis` };
}
