import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext, FindingInput } from '../src/engine/types.js';
import { bothSides, corroborate, mergeMutual, natKeys } from '../src/engine/corroborate.js';
import { hostsAt, logFiles, ofKind, refsOf } from '../src/evidence/derived/log/sessions.js';
import { formatEndpoint } from '../src/evidence/derived/log/retransmits.js';
import { ikeSas, type IkeSa } from '../src/evidence/derived/wire/ike-sas.js';
import { natFromBothLogs, natVerdict, type LogNatVerdict } from '../src/evidence/derived/wire/nat.js';
import type { PacketEvidence } from '../src/evidence/packet-types.js';
import { espFlowRefs, ikeRef } from '../src/evidence/derived/wire/refs.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';
import { natTBox } from '../src/evidence/derived/middlebox/nat-t-box.js';
import { natTBlockedViews } from '../src/evidence/derived/nat-t-blocked.js';

export default defineCheck({
  meta: {
    id: 'nat-traversal',
    title: 'NAT traversal',
    stage: 'path',
    description:
      'Reports NAT detected by the IKE daemons (RFC 7296 §2.23 NAT_DETECTION_*_IP, RFC 3947 for IKEv1): which side is behind NAT and the float ' +
      'to UDP 4500 with ESP in UDP (RFC 3948). A port float without a NAT verdict (MOBIKE, RFC 4555) is not NAT.',
    requires: ['logEvents', 'packets'], judges: 'ike', reads: ['nat', 'nat-t-float', 'packet', 'message'],
    codes: {
      NAT_DETECTED: {
        severity: 'info',
        message: 'NAT detected: {behind}; IKE moves to {floatedTo} and ESP is sent in UDP 4500 (RFC 3948).',
        hint: 'Nothing to change if the tunnel works. Keep UDP 4500 open both ways and NAT keep-alives on (strongSwan `keep_alive`/`keepalive`, libreswan `nat-keepalive`, `keep-alive=`); use FQDN or key-id identities rather than addresses behind NAT (`local.id`/`leftid`).',
      },
      UDP_ENCAPSULATION_FORCED: {
        severity: 'info',
        message: "No NAT between {peers}: each peer's log says the other is behind NAT and neither says it is itself, which a NAT on the path would show in the log of the host behind it; both force UDP encapsulation, faking the NAT-D hash, so IKE and ESP run on UDP 4500.",
        hint: 'Nothing to change if intended (strongSwan `encap = yes` or the kernel-libipsec backend, libreswan `encapsulation=yes`). Keep UDP 4500 open in both directions on every firewall between the peers: with encapsulation forced, a path that allows only UDP 500 and ESP (IP protocol 50) breaks the tunnel.',
      },
      NAT_T_BLOCKED: {
        severity: 'error',
        message: 'NAT detected and the exchange moved to UDP 4500, but {peer} never answered there ({exchange}, {transmissions} {transmissions|transmission|transmissions} from {from}){box?: {box} between them {cause}}.',
        hint: '{boxFix?On {box}, {boxFix}.|UDP 4500 is blocked between the peers or not forwarded by the NAT device: allow UDP 4500 in both directions on every firewall and security group on the path, and forward it to the responder if the responder is behind the NAT (alongside UDP 500).}',
      },
      ESP_RAW_DESPITE_NAT: {
        severity: 'error',
        stage: 'traffic',
        message: 'NAT detected between {a} and {b}, yet ESP is sent as IP protocol 50 ({packets} {packets|packet|packets} on {spis}) instead of inside UDP 4500.',
        hint: 'Through a NAT, ESP must be UDP-encapsulated (RFC 3948): enable NAT traversal on both peers (strongSwan `encap = yes` forces it; libreswan `encapsulation=yes`, older versions `nat_traversal=yes`) and check that both send NAT-D payloads.',
      },
    },
  },
  run(ctx) {
    const [fromLog, fromCapture]: FindingInput[][] = [[], []];
    checkLogs({ ...ctx, report: (f) => fromLog.push(f) });
    checkPackets({ ...ctx, report: (f) => fromCapture.push(f) });
    // the daemon's verdict and the NAT-D hashes on the wire about the same peer are one finding
    for (const f of corroborate(bothLogs(fromLog), fromCapture, natKeys)) ctx.report(f);
    reportNatTBlocked(ctx); // a log's and a capture's silence on 4500 are joined in natTBlockedViews
  },
});

const THIS_HOST = "this host (the log's author) is behind NAT";
function checkLogs(ctx: CheckContext): void {
  for (const file of logFiles(ctx.evidence)) {
    const verdicts = ofKind(file.events, 'nat').filter((e) => e.data.localBehindNat || e.data.remoteBehindNat);
    if (!verdicts.length) continue;
    const local = verdicts.some((e) => e.data.localBehindNat);
    const remote = verdicts.some((e) => e.data.remoteBehindNat);
    const faked = verdicts.every((e) => e.data.fakeNat);
    const floats = ofKind(file.events, 'nat-t-float');
    const to = floats.find((e) => e.data.to)?.data.to;
    ctx.report({
      code: 'NAT_DETECTED',
      data: {
        // RFC 7296 §2.23: a peer that forces UDP encapsulation (strongSwan encap=yes/forceencaps,
        // kernel-libipsec) sends a fake NAT_DETECTION_SOURCE_IP, which reads as "remote behind NAT"
        // "local host …": the peer's DESTINATION_IP hash missed us, a real NAT; "remote host …" (SOURCE_IP) a forcing peer fakes too
        behind: local && remote ? `${THIS_HOST}, and the peer is behind NAT too or forces UDP encapsulation, which fakes the NAT-D hash (this log alone cannot tell which)`
          : local ? THIS_HOST : 'the peer is behind NAT (or it forces UDP encapsulation, which fakes the NAT-D hash)',
        localBehindNat: local, remoteBehindNat: remote, faked,
        floatedTo: formatEndpoint(to) ?? 'UDP port 4500',
        // the peer as the log's packet lines name it: a responder's log often says no float target
        ...hostsAt(file, verdicts[0]),
      },
      evidence: refsOf([...verdicts, ...floats.slice(0, 3)]),
    });
  }
}

/**
 * Both peers' logs decide who is behind NAT: a NAT shows in the log of the host behind it
 * (the peer's NAT_DETECTION_DESTINATION_IP hash misses its own address, RFC 7296 §2.23);
 * "remote host is behind NAT" about a host whose own log does not say so is a faked
 * source hash (UDP encapsulation forced). Neither behind NAT: one UDP_ENCAPSULATION_FORCED;
 * else one NAT_DETECTED naming the host(s) behind NAT and any peer that forces encapsulation.
 */
function bothLogs(fromLog: FindingInput[]): FindingInput[] {
  const verdict = (f: FindingInput) => f.code === 'NAT_DETECTED' && typeof f.data?.localBehindNat === 'boolean';
  return mergeMutual(fromLog, verdict, (a, b) => {
    const { natted, forcing, behind } = natFromBothLogs(a.data as unknown as LogNatVerdict, b.data as unknown as LogNatVerdict);
    const base = { peerAddress: a.data!.peerAddress, seenIn: "both peers' logs", logs: [a.data, b.data] };
    const evidence = [...a.evidence.slice(0, 3), ...b.evidence.slice(0, 3)];
    if (!natted.length) return { code: 'UDP_ENCAPSULATION_FORCED', data: { ...base, peers: `${String(a.data!.localAddress)} and ${String(b.data!.localAddress)}` }, evidence };
    return { code: 'NAT_DETECTED', data: { ...a.data, ...base, behind, behindAddresses: natted, forcesEncapsulation: forcing }, evidence };
  }, (a, b) => b.localAddress === a.peerAddress && (b.peerAddress === a.localAddress || a.localBehindNat === true)); // the peer of a host behind NAT sees the NAT's address
}

/**
 * Packet side. NAT-D (RFC 7296 §2.23, RFC 3947 §3.2): a NAT_DETECTION_SOURCE_IP
 * hash that differs from the captured source puts the sender behind NAT, a
 * DESTINATION_IP mismatch the receiver. Then: did UDP 4500 get answers, and is ESP
 * UDP-encapsulated (RFC 3948) as it must be through a NAT?
 */
function checkPackets(ctx: CheckContext): void {
  const packets = ctx.evidence.packets;
  if (!packets) return;
  const natted = ikeSas(ctx.evidence).sas.map((sa) => ({ sa, ...natVerdict(sa) })).filter((v) => v.behind.length);
  const groups = new Map<string, typeof natted>();
  for (const v of natted) pushTo(groups, v.behind.join(','), v);
  for (const [behind, list] of groups) {
    const { proof } = list[0];
    const float = list.map((v) => v.sa.messages.find((m) => m.transport === 'udp4500')).find(Boolean);
    ctx.report({
      code: 'NAT_DETECTED',
      data: {
        behind: `${behind.split(',').join(' and ')} ${behind.includes(',') ? 'are' : 'is'} behind NAT${list[0].basis.includes('only') ? ' (going by NAT-D source hashes only, which a peer forcing UDP encapsulation also fakes)' : ''}`,
        behindAddresses: behind.split(','), basis: list[0].basis,
        floatedTo: float ? `UDP 4500 (frame ${float.at.frame})` : 'UDP 4500 (not seen in this capture)',
        peers: [...new Set(list.map((v) => `${v.sa.initiator.address} ⇄ ${v.sa.responder.address}`))].slice(0, 10), ikeSas: list.length,
      },
      evidence: [...proof.slice(0, 4).map(ikeRef), ...(float ? [ikeRef(float)] : [])],
    });
  }
  reportRawEsp(ctx, packets, natted.map((v) => v.sa));
}

function reportNatTBlocked(ctx: CheckContext): void {
  for (const v of natTBlockedViews(ctx.evidence)) {
    const box = natTBox(ctx.evidence, v.initiator, v.responder); // F5's IPsec ALG or an AFM refusal of 4500, named with the cause
    const { peer, from, exchange, transmissions, answeredOn500, seenIn } = v;
    ctx.report({ code: 'NAT_T_BLOCKED', data: { peer, from, exchange, transmissions, answeredOn500, seenIn, ...box?.data }, evidence: bothSides(v.refs, box?.refs ?? []) });
  }
}

function reportRawEsp(ctx: CheckContext, packets: PacketEvidence, sas: IkeSa[]): void {
  const seen = new Set<string>();
  for (const sa of sas) {
    const [a, b] = [sa.initiator.address, sa.responder.address];
    const key = [a, b].sort().join('|');
    if (seen.has(key)) continue;
    const raw = packets.espFlows.filter((f) => f.protocol === 'esp' && f.encap === 'ip' && ((f.src === a && f.dst === b) || (f.src === b && f.dst === a)));
    if (!raw.length) continue;
    seen.add(key);
    const bothWays = new Set(raw.map((f) => f.src)).size === 2;
    // a 1:1 NAT can pass protocol 50; when it flows both ways it works, but breaks behind any NAPT
    ctx.report({
      code: 'ESP_RAW_DESPITE_NAT', ...(bothWays ? { severity: 'warning' as const } : {}),
      data: { a, b, packets: raw.reduce((n, f) => n + f.packets, 0), spis: raw.map((f) => `0x${f.spiHex}`), bothWays, ...(bothWays ? { severityReason: 'ESP passes in both directions (1:1 NAT)' } : {}) },
      evidence: [...sa.natD.slice(0, 2).map((n) => ikeRef(n.message)), ...raw.flatMap((f) => espFlowRefs(f, 2))],
    });
  }
}
