/**
 * Rules written for KLIPS, the FreeS/WAN / Openswan 2.x kernel stack that gave every
 * tunnel an `ipsecN` interface (seed 002; seed 004: "there is NO ipsecN interface" with the
 * kernel's native stack). With the native (XFRM) stack, decrypted traffic arrives on the
 * interface its ciphertext came in on, so a rule that accepts on `ipsec0` / `ipsec+` never
 * matches, and what it was meant to let through is left to the rules after it. An
 * interface of that name can still exist — strongSwan's kernel-libipsec TUN device is
 * `ipsec0`, and XFRM/VTI interfaces may be named so — which only this host can tell.
 */
import type { Evidence } from '../../types.js';
import type { Match, Rule, Ruleset } from '../../ruleset-types.js';
import { derived } from '../memo.js';
import { evaluate, type Packet } from './eval.js';
import { describeDecision } from './fix.js';

export interface KlipsRule {
  ruleset: Ruleset;
  rule: Rule;
  /** the interface name as written: ipsec0, ipsec+, "ipsec*" */
  iface: string;
  /** what the rule accepts, in words (`L2TP (UDP 1701)`, `TCP port 22`, `all traffic`) */
  accepts: string;
  /** what then happens to that traffic, decrypted, arriving on an outside interface: `is dropped by DROP rule at …` */
  fate: string;
}

const KLIPS_NAME = /^ipsec(\d+|\+|\*)$/;

/** Well-known services a KLIPS rule let in from the tunnel (the FreeS/WAN document's L2TP example first). */
const SERVICES: Record<string, string> = { 'udp/1701': 'L2TP (UDP 1701)', 'udp/53': 'DNS (UDP 53)', 'tcp/53': 'DNS (TCP 53)', 'tcp/22': 'SSH (TCP 22)', 'udp/500': 'IKE (UDP 500)', 'udp/4500': 'NAT-T (UDP 4500)' };

export const klipsRules = derived((evidence: Evidence): KlipsRule[] => {
  const out: KlipsRule[] = [];
  const existing = new Set((evidence.host?.routes ?? []).map((r) => r.dev).filter((d): d is string => Boolean(d)));
  for (const ruleset of evidence.rulesets ?? []) {
    for (const t of ruleset.tables) {
      for (const c of t.chains) {
        for (const rule of c.rules) {
          if (rule.verdict.kind !== 'accept') continue;
          const iface = rule.matches.find((m): m is Extract<Match, { kind: 'iface' }> => m.kind === 'iface' && !m.negate && m.names.some((n) => KLIPS_NAME.test(n)));
          if (!iface) continue;
          const name = iface.names.find((n) => KLIPS_NAME.test(n))!;
          if ([...existing].some((d) => d === name || (/[+*]$/.test(name) && d.startsWith(name.slice(0, -1))))) continue;
          out.push({ ruleset, rule, iface: name, accepts: acceptsText(rule), fate: fateOf(ruleset, rule) });
        }
      }
    }
  }
  return out;
});

/**
 * The rule's traffic as the native stack delivers it: decrypted (policy ipsec in), on the
 * interface the ESP came in on — the ruleset's outside interface when it names one.
 */
function fateOf(ruleset: Ruleset, rule: Rule): string {
  const proto = rule.matches.find((m) => m.kind === 'proto' && !m.negate);
  const port = rule.matches.find((m) => m.kind === 'port' && m.dir === 'dst' && !m.negate);
  const outside = ruleset.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.flatMap((r) => r.matches))).flatMap((m) => (m.kind === 'iface' ? m.names : [])).find((n) => /^(ppp|pppoe|wan|wwan|dsl|dialer|eth)\d*[+*]?$/.test(n));
  const packet: Packet = {
    family: ruleset.type === 'ip6tables-save' ? 6 : 4, path: 'input', ct: 'new', ipsecIn: true, sport: 49152,
    proto: proto && proto.kind === 'proto' ? proto.protos[0] : 6,
    ...(port && port.kind === 'port' ? { dport: port.ranges[0][0] } : {}),
    ...(outside ? { iif: outside.replace(/[+*]$/, '0') } : {}),
  };
  const d = evaluate(ruleset, packet).decision;
  const on = outside ? ` on ${outside.replace(/[+*]$/, '0')}` : '';
  return d.verdict === 'accept' ? `arriving${on} is accepted by ${describeDecision(d)} instead` : `arriving${on} ${d.verdict === 'reject' ? 'is rejected' : 'is dropped'} by ${describeDecision(d)}`;
}

function acceptsText(rule: Rule): string {
  const proto = rule.matches.find((m) => m.kind === 'proto' && !m.negate);
  const protoName = proto && proto.kind === 'proto' ? ({ 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' } as Record<number, string>)[proto.protos[0]] ?? `protocol ${proto.protos[0]}` : undefined;
  const port = rule.matches.find((m) => m.kind === 'port' && m.dir === 'dst' && !m.negate);
  if (port && port.kind === 'port' && protoName) {
    const [lo, hi] = port.ranges[0];
    const key = `${protoName}/${lo}`;
    if (lo === hi && SERVICES[key]) return SERVICES[key];
    return `${protoName.toUpperCase()} port ${lo === hi ? lo : `${lo}-${hi}`}`;
  }
  return protoName ? `all ${protoName.toUpperCase()}` : 'all traffic';
}
