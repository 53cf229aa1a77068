import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { Severity } from '../src/evidence/types.js';
import { firewallFlows, type FlowResult } from '../src/evidence/derived/firewall/ipsec.js';
import { decisionRef, decisionRefs, describeDecision, fixFor, nearMissNotes } from '../src/evidence/derived/firewall/fix.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';
import { natSeen } from '../src/evidence/derived/middlebox/nat-seen.js';

const BLOCK = '{undecidedLines?would be|is} dropped by {decidedBy} ({ruleset}): {why}{undecidedLines?, unless a rule the evaluator cannot read accepts it first ({undecidedLines}{xtListing?: iptables-nft rules that nft lists without their options; pass `iptables-save` output to judge them})}';
const FLOW_CODE = { ike: 'FIREWALL_BLOCKS_IKE', 'nat-t': 'FIREWALL_BLOCKS_NAT_T', esp: 'FIREWALL_BLOCKS_ESP', ah: 'FIREWALL_BLOCKS_AH' } as const;

export default defineCheck({
  meta: {
    id: 'firewall',
    title: 'Firewall rulesets let IPsec through',
    stage: 'path',
    description:
      'Evaluates iptables-save / ip6tables-save and nft rulesets packet by packet (chains, jumps, policies, interface/address/conntrack/' +
      'policy matches, first match wins) for IKE (UDP 500, RFC 7296 §2), NAT-T (UDP 4500, RFC 3948), ESP (protocol 50, RFC 4303: no ports) ' +
      'and AH (51) each way and per peer, ICMP fragmentation-needed / ICMPv6 packet-too-big (RFC 1191, RFC 8201), and decrypted traffic, ' +
      'which the kernel\'s native IPsec stack delivers on the same interface as the ciphertext (strongSwan wiki "ForwardingAndSplitTunneling").',
    requires: ['rulesets'],
    codes: {
      FIREWALL_BLOCKS_IKE: { severity: 'error', message: `IKE (UDP 500) {direction} {peer} ${BLOCK}.`, hint: 'Let IKE through before that rule: `{fix}`' },
      FIREWALL_BLOCKS_NAT_T: { severity: 'error', message: `NAT-T (UDP 4500) {direction} {peer} ${BLOCK}.`, hint: 'UDP 4500 carries IKE and ESP once a NAT is detected (RFC 3948); add: `{fix}`' },
      FIREWALL_BLOCKS_ESP: { severity: 'error', message: `ESP (IP protocol 50) {direction} {peer} ${BLOCK}.`, hint: 'ESP has no ports: allow the protocol itself, each direction on its own: `{fix}`' },
      FIREWALL_BLOCKS_AH: { severity: 'error', message: `AH (IP protocol 51) {direction} {peer} ${BLOCK}; AH in use per config: {ahInUse}.`, hint: 'If AH is used, allow protocol 51: `{fix}`' },
      ICMP_FRAG_NEEDED_BLOCKED: { severity: 'warning', stage: 'traffic', message: `{icmp} {direction} ${BLOCK}. Path MTU discovery breaks and large packets through the tunnel vanish.`, hint: 'ICMP errors must pass both ways (RFC 4890 §4.3.1 for ICMPv6); add: `{fix}`' },
      DECRYPTED_TRAFFIC_BLOCKED: { severity: 'error', stage: 'traffic', message: 'Traffic from {from} to {to} ({way}; a new TCP connection) {verb} by {decidedBy} ({ruleset}): the tunnel comes up but carries nothing that way.', hint: 'Accept tunnel traffic matched by its IPsec policy rather than by interface: `{fix}`' },
      DECRYPTED_TRAFFIC_UNFILTERED: { severity: 'warning', stage: 'traffic', message: 'Traffic from {remoteTs} to {localTs} is accepted by {decidedBy} ({ruleset}) whether or not it came through the tunnel: the rule cannot tell decrypted packets from plaintext ones arriving on the same interface.', hint: 'Add the IPsec policy match to that rule (iptables `-m policy --dir in --pol ipsec`, nft `meta ipsec exists`, or a mark set for decrypted packets), e.g. `{fix}`' },
      FIREWALL_INTERFACE_LIMITED: { severity: 'info', message: '{flow} {peer} accepted only on {acceptedOn} and dropped on other interfaces ({ruleset}).', hint: 'Make sure {acceptedOn} is the interface that faces the peer (`ip route get PEER`).' },
    },
  },
  run(ctx) {
    const limited = new Map<string, FlowResult[]>();
    for (const r of firewallFlows(ctx.evidence)) {
      if (r.flow === 'decrypted' || r.flow === 'decrypted-plain' || r.flow === 'to-tunnel') checkDecrypted(ctx, r);
      else if (r.blocked.decision.verdict !== 'accept' && r.acceptedOn.length) {
        const key = `${r.ruleset.source}\0${r.acceptedOn.join(',')}`;
        pushTo(limited, key, r);
      } else checkFlow(ctx, r);
    }
    // one finding per ruleset and interface set: the same `-i eth0` usually limits every IPsec rule
    for (const rs of limited.values()) {
      const flows = [...new Set(rs.map((r) => `${r.flow === 'icmp-frag' ? 'ICMP frag-needed' : r.flow.toUpperCase()} ${r.direction === 'in' ? 'in' : 'out'}`))];
      const peers = [...new Set(rs.map((r) => r.peer).filter(Boolean))];
      const evidence = rs.flatMap((r) => decisionRefs(r.accepted ?? r.blocked).slice(0, 1));
      ctx.report({ code: 'FIREWALL_INTERFACE_LIMITED', data: { flow: flows.join(', '), peer: peers.length ? `for ${peers.join(', ')} is` : '(any peer) is', acceptedOn: rs[0].acceptedOn, ruleset: rs[0].ruleset.source }, evidence: dedupe(evidence) });
    }
  },
});

// how the judged interface is known (FlowResult.facingBy)
const FACING_BY = { name: 'the outside interface, by its name', route: 'towards the peer, ip route get', config: "the interface config setup's interfaces= binds IPsec to", 'default-route': "this host's default route: no peer address is known" } as const;

function dedupe<T extends { source: string; line?: number }>(refs: T[]): T[] {
  return refs.filter((r, i) => refs.findIndex((x) => x.source === r.source && x.line === r.line) === i);
}

function checkFlow(ctx: CheckContext, r: FlowResult): void {
  const d = r.blocked.decision;
  const icmp = r.flow === 'icmp-frag';
  const peer = `${r.peer ? `${r.direction === 'in' ? 'from' : 'to'} ${r.peer}` : '(any peer)'}${r.translatedPort !== undefined ? ` with source port ${r.translatedPort} (behind a NAT that translates ports)` : ''}`;
  const facing = r.facing ? ` on ${r.facing} (${FACING_BY[r.facingBy ?? 'route']})` : '';
  const direction = `${r.direction === 'in' ? 'inbound' : 'outbound'}${facing} (${r.path.toUpperCase()}, IPv${r.family})`;
  if (d.verdict === 'accept') return;
  let severity: Severity | undefined;
  // conntrack accepts the flow once this side has sent: the first packet the far side sends still dies
  if (r.acceptedWhenEstablished && (r.flow === 'esp' || r.flow === 'ah')) severity = 'warning';
  if (r.uncertain) severity = 'warning';
  // without a config nobody says AH is used: AH support is only a MAY in RFC 4301 §3.2 and most tunnels are ESP-only
  if (r.flow === 'ah' && !ctx.evidence.configs?.length) severity = 'info';
  // no peer known, and the ruleset's IPsec rules are all for the other family: IPsec over this family is probably unused
  if (r.familyUnused && severity !== 'info') severity = 'warning';
  // the canonical flow passes; only a peer behind a port-translating NAT is refused
  if (r.translatedPort !== undefined) severity = 'warning';
  const natTUnseen = r.flow === 'nat-t' && r.ruleset.middleBox !== undefined && !natSeen(ctx.evidence).seen && (severity = 'info'); // a box between the peers (F5 AFM) meets UDP 4500 only once a NAT moves the tunnel there (RFC 3947)
  const spec = icmp
    ? { proto: r.family === 6 ? 58 : 1, icmp: r.family === 6 ? { type: 2 } : { type: 3, code: 4 } }
    : { proto: r.flow === 'esp' ? 50 : r.flow === 'ah' ? 51 : 17, dport: r.flow === 'ike' ? 500 : r.flow === 'nat-t' ? 4500 : undefined, [r.direction === 'in' ? 'src' : 'dst']: r.peer };
  ctx.report({
    code: icmp ? 'ICMP_FRAG_NEEDED_BLOCKED' : FLOW_CODE[r.flow as keyof typeof FLOW_CODE], severity,
    data: {
      direction, peer, family: r.family, path: r.path, ruleset: r.ruleset.source, decidedBy: describeDecision(d),
      icmp: r.family === 6 ? 'ICMPv6 packet-too-big (type 2)' : 'ICMP fragmentation-needed (type 3 code 4)',
      stateOnly: r.acceptedWhenEstablished,
      why: whyBlocked(r, icmp),
      undecided: r.blocked.undecided.map((u) => `${u.at.source}:${u.at.line}`),
      // skipped rules it could not read: the drop is then conditional; nft lists iptables-nft rules as `xt match …` / {"xt": …} without their options
      ...(r.blocked.undecided.length ? { undecidedLines: [...new Set(r.blocked.undecided.map((u) => `line ${u.at.line}`))], xtListing: r.blocked.undecided.some((u) => /\bxt\b/.test(u.text)) } : {}),
      ahInUse: r.flow === 'ah' ? (ctx.evidence.configs?.length ? 'yes' : 'unknown') : undefined,
      ...(r.translatedPort !== undefined ? { sourcePort: r.translatedPort, severityReason: `accepted from source port ${r.flow === 'ike' ? 500 : 4500} only: a peer behind a NAT that translates ports sends from another one (here ${r.translatedPort}), which this ruleset drops` } : {}),
      ...(natTUnseen ? { severityReason: 'no input shows the peers on UDP 4500: it is used only once a NAT appears (or encapsulation is forced), which then breaks the tunnel silently' } : r.familyUnused ? { severityReason: `no peer address is known and this ruleset's IPsec rules are all for IPv${r.family === 4 ? 6 : 4}: IPv${r.family} IPsec is probably not used here (pass --peer to judge it)` } : {}),
      fix: fixFor(r, spec),
    },
    // for a translated source port, the rule pinned to port 500/4500 is the one to change
    evidence: [...decisionRefs(r.blocked), ...(r.translatedPort !== undefined ? r.blocked.nearMisses.filter((n) => n.kind === 'port').slice(0, 2).map((n) => ({ ...n.rule.at, excerpt: n.rule.text })) : [])],
  });
}

function whyBlocked(r: FlowResult, icmp: boolean): string {
  if (r.maybe) {
    const unknown = r.blocked.decision.rule!.matches.flatMap((m) => (m.kind === 'unknown' ? [`\`${m.text}\``] : []));
    return `that rule matches it on everything the evaluator can check and drops it when ${unknown.join(' and ')} holds too, which depends on more than addresses, ports and state: it may be dropped`;
  }
  const parts = [
    r.acceptedWhenEstablished && !icmp
      ? 'it passes only as ESTABLISHED, after this side has sent first — stateful filters track each direction, so each needs its own rule'
      : 'no earlier rule accepts it',
  ];
  const notes = nearMissNotes(r.blocked);
  if (notes.length) parts.push(`rules that look like they allow it do not match: ${notes.join('; ')}`);
  return parts.join('; ');
}

function checkDecrypted(ctx: CheckContext, r: FlowResult): void {
  const ts = pairOf(r);
  if ((r.flow === 'decrypted' || r.flow === 'to-tunnel') && r.blocked.decision.verdict !== 'accept' && !r.accepted) {
    const d = r.blocked.decision;
    const inbound = r.flow === 'decrypted';
    const [from, to] = inbound ? [ts.remoteTs, ts.localTs] : [ts.localTs, ts.remoteTs];
    const fix = fixFor(r, { proto: 6, src: from, dst: to, ipsecIn: inbound, ipsecOut: !inbound }).replace(/ -p tcp| meta l4proto tcp/, '');
    // an ACCEPT passed over because one of its matches cannot be read (nft's `xt match policy` for an iptables-nft rule) may be the one that lets it through
    const mayAccept = r.blocked.undecided.filter((u) => u.verdict.kind === 'accept');
    // ESP is let through by its mark and ESP in UDP is not marked: blocked only once a NAT moves the tunnel to UDP 4500
    const natT = r.ciphertext === 'esp-in-udp';
    const natTUsed = ctx.evidence.configs?.some((c) => c.connections.some((k) => /^(yes|force|true)$/i.test(k.encap.value)));
    ctx.report({
      code: 'DECRYPTED_TRAFFIC_BLOCKED',
      ...(mayAccept.length || (natT && !natTUsed) ? { severity: 'warning' as const } : {}),
      data: {
        from, to,
        way: !inbound ? 'going into the tunnel' : natT ? 'decrypted from ESP in UDP 4500 (NAT-T), which the rule marking ESP leaves unmarked' : 'decrypted, coming out of the tunnel',
        ...(natT ? { ciphertext: 'esp-in-udp', modelled: 'the decrypted packet keeps the mark of the packet it came out of (skb->mark survives xfrm input)', ...(natTUsed ? {} : { severityReason: 'only when a NAT between the peers moves the tunnel to UDP 4500 (no config here forces encapsulation)' }) } : {}), verb: d.verdict === 'reject' ? 'is rejected' : 'is dropped', decidedBy: describeDecision(d), ruleset: r.ruleset.source, fix,
        ...(mayAccept.length ? { undecided: mayAccept.map((u) => `${u.at.source}:${u.at.line}`), severityReason: `${mayAccept.map((u) => `line ${u.at.line}`).join(', ')} may accept it, but a match there cannot be read from this form of the ruleset (for iptables-nft rules, \`iptables-save\` shows them whole)` } : {}),
      },
      evidence: [...decisionRefs(r.blocked), ...mayAccept.map((u) => ({ ...u.at, excerpt: u.text }))],
    });
  }
  const a = r.accepted?.decision;
  // accepted by a rule that did not look at conntrack or the IPsec policy: plaintext spoofing the remote selector passes too
  if (r.flow === 'decrypted-plain' && a?.rule && !a.rule.matches.some((m) => m.kind === 'ctstate' || m.kind === 'policy' || m.kind === 'mark')) {
    ctx.report({
      code: 'DECRYPTED_TRAFFIC_UNFILTERED',
      data: { ...ts, decidedBy: describeDecision(a), ruleset: r.ruleset.source, fix: addPolicyMatch(r, a.rule.text) },
      evidence: [decisionRef(a)],
    });
  }
}

const pairOf = (r: FlowResult): { remoteTs: string; localTs: string } => ({ remoteTs: r.ts?.remote ?? '?', localTs: r.ts?.local ?? '?' });

function addPolicyMatch(r: FlowResult, text: string): string {
  if (r.ruleset.type === 'iptables-save' || r.ruleset.type === 'ip6tables-save') return text.replace(/ -j /, ' -m policy --dir in --pol ipsec -j ');
  return text.replace(/ accept( # handle \d+)?$/, ' meta ipsec exists accept');
}
