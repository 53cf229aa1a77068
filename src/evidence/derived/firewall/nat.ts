/**
 * Address translation that breaks IPsec, read from the nat table.
 *
 * Source NAT before IPsec: the kernel looks up the IPsec policy when it routes the packet,
 * but a MASQUERADE/SNAT in POSTROUTING rewrites the source afterwards and the packet is
 * looked up again with the new address (xfrm "re-lookup after NAT"), which no policy
 * selects: it leaves in clear or is dropped. The usual exemption is a rule ahead of the
 * translation that accepts traffic bound for the tunnel (`-m policy --dir out --pol ipsec
 * -j ACCEPT`, `-d REMOTE_SUBNET -j RETURN`, nft `ip daddr REMOTE accept`) — strongSwan
 * documentation, "NAT and IPsec".
 *
 * Port forwarding to a gateway behind the box: forwarding UDP 500 alone leaves UDP 4500
 * (NAT-T, RFC 3948) — and ESP when the peers use no NAT-T — arriving at the box itself.
 */
import type { Evidence } from '../../types.js';
import type { Rule, Ruleset } from '../../ruleset-types.js';
import { derived } from '../memo.js';
import { cidrText, evaluateNat, type Decision, type Packet } from './eval.js';
import { endpointsOf, firstHost, versionOf } from './ipsec.js';

export interface NatBeforeIpsec {
  ruleset: Ruleset;
  rule: Rule;
  decision: Decision;
  /** the tunnel's selectors the probe came from; undefined when no config names any (then any subnet) */
  ts?: { local: string; remote: string };
  family: 4 | 6;
  /** ACCEPT/RETURN rules passed over because a match cannot be read (nft's `xt match policy`): they may be the exemption */
  mayExempt: Rule[];
  /** with no tunnel known: the sources and destinations the translating rule itself is limited to (`-s 172.17.0.0/16`) */
  ruleFrom?: string;
  ruleTo?: string;
}

export interface IncompleteForward {
  ruleset: Ruleset;
  /** the DNAT rule for UDP 500 */
  rule: Rule;
  to?: string;
  /** what is not forwarded the same way */
  missing: Array<'nat-t' | 'esp'>;
}

const NAT_KINDS = new Set(['snat', 'masquerade', 'netmap']);

/** The address conditions of a rule, in words: `172.17.0.0/16`, `anything but 10.0.0.0/8`. */
function addrLimits(rule: Rule): { ruleFrom?: string; ruleTo?: string } {
  const words = (dir: 'src' | 'dst') => {
    const m = rule.matches.find((x) => x.kind === 'addr' && x.dir === dir);
    if (!m || m.kind !== 'addr') return undefined;
    const list = m.cidrs.map(cidrText).join(', ');
    return m.negate ? `anything but ${list}` : list;
  };
  const ruleFrom = words('src');
  const ruleTo = words('dst');
  return { ...(ruleFrom ? { ruleFrom } : {}), ...(ruleTo ? { ruleTo } : {}) };
}

export const natBeforeIpsec = derived((evidence: Evidence): NatBeforeIpsec[] => {
  const ep = endpointsOf(evidence);
  const out: NatBeforeIpsec[] = [];
  for (const ruleset of evidence.rulesets ?? []) {
    const pairs: Array<{ local: string; remote: string } | undefined> = ep.tsPairs.length ? ep.tsPairs : [undefined];
    for (const ts of pairs) {
      const family = ts ? versionOf(ts.local.split('/')[0]) : 4;
      // traffic from the local selector to the remote one, already matched to an outbound IPsec policy
      const packet: Packet = { family, path: 'forward', proto: 6, sport: 49152, dport: 443, ct: 'new', ipsecOut: true, ...(ts ? { src: firstHost(ts.local), dst: firstHost(ts.remote) } : {}) };
      const { decision, undecided } = evaluateNat(ruleset, packet, 'postrouting');
      const nat = decision?.rule?.action.nat;
      const mayExempt = undecided.filter((r) => (r.verdict.kind === 'accept' && !r.action.nat) || r.verdict.kind === 'return');
      if (decision?.rule && nat && NAT_KINDS.has(nat.kind)) out.push({ ruleset, rule: decision.rule, decision, ts, family, mayExempt, ...(ts ? {} : addrLimits(decision.rule)) });
    }
  }
  return out;
});

export const incompleteForwards = derived((evidence: Evidence): IncompleteForward[] => {
  const out: IncompleteForward[] = [];
  for (const ruleset of evidence.rulesets ?? []) {
    const dnat = (proto: number, dport?: number) => evaluateNat(ruleset, { family: 4, path: 'forward', proto, sport: dport, dport, ct: 'new' }, 'prerouting').decision?.rule;
    const ike = dnat(17, 500);
    if (!ike || ike.action.nat?.kind !== 'dnat') continue;
    const to = ike.action.nat.to?.replace(/:\d+$/, '');
    const same = (r: Rule | undefined) => r?.action.nat?.kind === 'dnat' && (to === undefined || r.action.nat.to?.replace(/:\d+$/, '') === to);
    const missing: IncompleteForward['missing'] = [];
    if (!same(dnat(17, 4500))) missing.push('nat-t');
    if (!same(dnat(50))) missing.push('esp');
    if (missing.length) out.push({ ruleset, rule: ike, to, missing });
  }
  return out;
});
