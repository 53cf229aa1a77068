import { defineCheck } from '../src/engine/define-check.js';
import { klipsRules } from '../src/evidence/derived/firewall/klips.js';

export default defineCheck({
  meta: {
    id: 'klips-interfaces',
    title: 'Firewall rules for ipsecN interfaces',
    stage: 'traffic',
    description:
      'KLIPS, the FreeS/WAN and Openswan 2.x kernel stack, gave each tunnel an ipsecN interface, and firewall rules of that era accept decrypted ' +
      'traffic "from ipsec0". The kernel\'s native IPsec stack (XFRM, Linux 2.6 and later) has no such interface: decrypted packets arrive on ' +
      'the interface their ciphertext came in on, so those rules never match (FreeS/WAN "IPsec and firewalls"; the Shorewall native-stack note).',
    requires: ['rulesets'],
    codes: {
      KLIPS_INTERFACE_RULE: {
        severity: 'warning',
        message: '{ruleset} accepts {accepts} only on {iface}, an interface the kernel\'s native IPsec stack never creates: decrypted traffic arrives on the interface its ESP came in on, so this rule never matches, and {accepts} from the tunnel {fate}{hostProbed?| (unless an interface of that name exists on this host: kernel-libipsec, an XFRM or VTI interface; --host tells)}.',
        hint: 'Match decrypted traffic by its IPsec policy instead of the interface: iptables `-m policy --dir in --pol ipsec` (e.g. `{fix}`), nft `meta ipsec exists`, or a mark set on the ESP packet in mangle PREROUTING. If this host does use an interface of that name (strongSwan kernel-libipsec\'s ipsec0, an XFRM or VTI interface), run ipsec-doctor --host to confirm it and ignore this.',
      },
    },
  },
  run(ctx) {
    for (const k of klipsRules(ctx.evidence)) {
      const iptables = k.ruleset.type === 'iptables-save' || k.ruleset.type === 'ip6tables-save';
      ctx.report({
        code: 'KLIPS_INTERFACE_RULE',
        data: {
          ruleset: k.ruleset.source, accepts: k.accepts, iface: k.iface, fate: k.fate,
          hostProbed: ctx.evidence.host !== undefined,
          fix: iptables ? k.rule.text.replace(/-i\s+!?\s*ipsec\S*\s*/, '').replace(/ -j ACCEPT/, ' -m policy --dir in --pol ipsec -j ACCEPT') : k.rule.text,
        },
        evidence: [{ ...k.rule.at, excerpt: k.rule.text }],
      });
    }
  },
});
