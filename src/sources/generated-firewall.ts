/**
 * Firewall front-ends' own configuration files — Shorewall's `rules`, `policy`, `zones`,
 * `mangle`/`tcrules`, firewalld's zone XML, ufw's rule files — are what the tool compiles,
 * not what the kernel runs: their meaning depends on the tool's version, macros and
 * defaults. ipsec-doctor judges the ruleset the kernel holds; given one of these files it
 * says which it is and how to get that ruleset, instead of misreading it.
 */

export interface GeneratedConfig {
  /** what the file is, in words */
  what: string;
  /** how to get the ruleset the kernel runs on that box */
  instead: string;
}

const KERNEL_RULESET = 'pass the ruleset the kernel runs instead: `iptables-save` and `ip6tables-save`, or `nft list ruleset`, on that box';

export function generatedFirewallConfig(text: string): GeneratedConfig | undefined {
  const head = text.slice(0, 64 * 1024);
  // firewalld: /etc/firewalld/zones/*.xml, /usr/lib/firewalld/services/*.xml (firewalld.zone(5))
  if (/<zone(\s[^>]*)?>/.test(head) && /<(service|port|rule|source|interface)\b/.test(head)) return { what: 'a firewalld zone file', instead: `${KERNEL_RULESET} (firewalld compiles its zones into nftables)` };
  // ufw: /etc/ufw/user.rules and before.rules are iptables-restore fragments of ufw's own chains
  if (/^:ufw6?-[a-z-]+ /m.test(head) || /^### tuple ###/m.test(head)) return { what: "a ufw rules file (ufw's own chains, not the whole ruleset)", instead: KERNEL_RULESET };
  // Shorewall: the column headers its files ship with, its ?SECTION/?COMMENT directives, and rules written with zone names
  const shorewallHeader = /^#\s*(ZONE\s+TYPE|SOURCE\s+DEST\s+POLICY|ACTION\s+SOURCE\s+DEST|MARK\s+SOURCE\s+DEST|ZONE\s+INTERFACE|INTERFACE\s+SOURCE\s+ADDRESS)\b/im.test(head);
  const shorewallDirective = /^\?(SECTION|COMMENT|IF|FORMAT)\b/m.test(head);
  const zoneRules = head.split('\n').filter((l) => /^(ACCEPT|DROP|REJECT|CONTINUE|NONE|[A-Z][A-Za-z]+\((ACCEPT|DROP|REJECT)\))[+!]?\s+(\$FW|fw|net|loc|dmz|vpn|all|ipsec)\b\S*\s+\S+/.test(l.trim())).length;
  if (shorewallHeader || shorewallDirective || zoneRules >= 2) return { what: 'a Shorewall configuration file', instead: `${KERNEL_RULESET} (\`shorewall compile\` then \`shorewall show\`, or simply \`iptables-save\` after \`shorewall start\`)` };
  return undefined;
}
