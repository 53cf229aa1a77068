import { defineCheck } from '../src/engine/define-check.js';
import { natBeforeIpsec, incompleteForwards } from '../src/evidence/derived/firewall/nat.js';
import { describeDecision } from '../src/evidence/derived/firewall/fix.js';

export default defineCheck({
  meta: {
    id: 'nat-table',
    title: 'Address translation around IPsec',
    stage: 'path',
    description:
      'Reads the nat table the way the kernel runs it. A MASQUERADE or SNAT in POSTROUTING ahead of any IPsec exemption rewrites the source of ' +
      'traffic bound for the tunnel after its IPsec policy was looked up; the re-lookup with the new address finds no policy, so it leaves in ' +
      'clear or is dropped (strongSwan, "NAT and IPsec"). Forwarding UDP 500 to a gateway behind the box without UDP 4500 (RFC 3948) and ESP ' +
      'leaves the rest of the tunnel arriving at the box itself.',
    requires: ['rulesets'],
    codes: {
      NAT_BEFORE_IPSEC: {
        severity: 'error',
        message: 'Traffic from {from} to {to}, bound for the tunnel, is {how} by {decidedBy} ({ruleset}) before anything exempts it: after the new source address no IPsec policy matches, so it leaves unencrypted or is dropped.',
        hint: 'Exempt tunnel traffic ahead of the translation: `{fix}` (or `-d REMOTE_SUBNET -j RETURN`; nft: an `accept` for `ip daddr REMOTE_SUBNET` at the top of the postrouting nat chain).',
      },
      IKE_FORWARD_INCOMPLETE: {
        severity: 'error',
        message: '{ruleset} forwards IKE (UDP 500) to {to} but not {missing}: {consequence}',
        hint: 'Forward the rest of the tunnel to the same gateway: {fix}.',
      },
    },
  },
  run(ctx) {
    for (const n of natBeforeIpsec(ctx.evidence)) {
      const iptables = n.ruleset.type === 'iptables-save' || n.ruleset.type === 'ip6tables-save';
      const maybe = n.mayExempt.length > 0;
      ctx.report({
        code: 'NAT_BEFORE_IPSEC',
        ...(n.ts && !maybe ? {} : { severity: 'warning' as const }),
        data: {
          from: n.ts?.local ?? n.ruleFrom ?? 'any local subnet', to: n.ts?.remote ?? n.ruleTo ?? 'any remote subnet', how: n.rule.action.nat?.kind === 'masquerade' ? 'masqueraded' : 'source-translated',
          decidedBy: describeDecision(n.decision), ruleset: n.ruleset.source, family: n.family, tunnel: n.ts,
          fix: iptables ? `iptables -t nat -I ${n.decision.chain.name} 1 -m policy --dir out --pol ipsec -j ACCEPT` : `nft insert rule ${n.decision.table.family} ${n.decision.table.name} ${n.decision.chain.name} ip daddr ${n.ts?.remote ?? 'REMOTE_SUBNET'} accept`,
          ...(n.ts ? {} : { severityReason: 'no config names the tunnel\'s subnets: this translation rewrites traffic to any subnet, a tunnel\'s included' }),
          ...(maybe ? { severityReason: `${n.mayExempt.map((r) => `line ${r.at.line}`).join(', ')} may exempt it, but a match there cannot be read from this form of the ruleset (for iptables-nft rules, \`iptables-save\` shows them whole)` } : {}),
        },
        evidence: [{ ...n.rule.at, excerpt: n.rule.text }, ...n.mayExempt.map((r) => ({ ...r.at, excerpt: r.text }))],
      });
    }
    for (const f of incompleteForwards(ctx.evidence)) {
      const natT = f.missing.includes('nat-t');
      const iptables = f.ruleset.type === 'iptables-save';
      const to = f.to ?? 'the gateway';
      const fixes = f.missing.map((m) => (iptables ? `\`iptables -t nat -A PREROUTING ${m === 'nat-t' ? '-p udp --dport 4500' : '-p esp'} -j DNAT --to-destination ${to}\`` : `\`${m === 'nat-t' ? 'udp dport 4500' : 'meta l4proto esp'} dnat to ${to}\``));
      ctx.report({
        code: 'IKE_FORWARD_INCOMPLETE',
        // ESP alone matters only to peers that do not use NAT-T, and this box translates, so NAT-T is likely
        ...(natT ? {} : { severity: 'warning' as const }),
        data: {
          ruleset: f.ruleset.source, to, missing: f.missing.map((m) => (m === 'nat-t' ? 'UDP 4500 (NAT-T)' : 'ESP (IP protocol 50)')).join(' and '),
          consequence: natT
            ? 'behind this translating box the peers move IKE and ESP to UDP 4500 after the first exchange (RFC 3948), and those packets stop at the box: the tunnel never comes up.'
            : 'peers that do not use NAT-T send ESP, which stops at the box.',
          fix: fixes.join(', '),
          ...(natT ? {} : { severityReason: 'only for peers without NAT-T; behind a translating box they normally use UDP 4500, which is forwarded' }),
        },
        evidence: [{ ...f.rule.at, excerpt: f.rule.text }],
      });
    }
  },
});
