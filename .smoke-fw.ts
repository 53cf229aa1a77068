import { readFileSync } from 'node:fs';
import { decodeIptablesSave } from '/work/main/src/decoders/iptables-save.js';
import { decodeNftRuleset } from '/work/main/src/decoders/nft-ruleset.js';
import { decodeNftJson } from '/work/main/src/decoders/nft-json.js';
import { evaluate } from '/work/main/src/evidence/derived/firewall-eval.js';
const S='/work/main/samples/';
const rs = [
 decodeIptablesSave(readFileSync(S+'firewall-iptables-gateway-mistakes/iptables-save.conf','utf8'),'m.v4'),
 decodeNftRuleset(readFileSync(S+'firewall-nft-gateway-mistakes/nft-list-ruleset.conf','utf8'),'m.nft'),
 decodeNftJson(readFileSync(S+'firewall-nft-gateway-mistakes/nft-j-list-ruleset.json','utf8'),'m.json'),
 decodeNftJson(readFileSync(S+'firewall-nft-json-gateway-healthy/nft-j-list-ruleset.conf','utf8'),'h.json'),
 decodeNftRuleset(readFileSync(S+'firewall-iptables-nft-view/nft-list-ruleset.conf','utf8'),'x.nft'),
];
for (const r of rs) {
  console.log(r.ruleset.source, r.diagnostics);
  for (const t of r.ruleset.tables) for (const c of t.chains) for (const ru of c.rules) if (ru.matches.some(m=>m.kind==='unknown')) console.log('  unknown:', ru.text, JSON.stringify(ru.matches.filter(m=>m.kind==='unknown')));
  for (const [name, p] of Object.entries({
    ike: { family: 4, path: 'input', proto: 17, src: '198.51.100.7', dst: '203.0.113.1', sport: 500, dport: 500, ct: 'new', iif: 'eth0' },
    natt: { family: 4, path: 'input', proto: 17, src: '198.51.100.7', dst: '203.0.113.1', sport: 4500, dport: 4500, ct: 'new', iif: 'eth0' },
    esp: { family: 4, path: 'input', proto: 50, src: '198.51.100.7', dst: '203.0.113.1', ct: 'new', iif: 'eth0' },
    espEst: { family: 4, path: 'input', proto: 50, src: '198.51.100.7', dst: '203.0.113.1', ct: 'established', iif: 'eth0' },
    frag: { family: 4, path: 'input', proto: 1, icmp: {type:3, code:4}, ct: 'related', iif: 'eth0' },
    decIn: { family: 4, path: 'forward', proto: 6, dport: 443, src: '10.2.0.1', dst: '10.1.0.1', ct: 'new', iif: 'eth0', oif: 'eth1', ipsecIn: true },
    plainIn: { family: 4, path: 'forward', proto: 6, dport: 443, src: '10.2.0.1', dst: '10.1.0.1', ct: 'new', iif: 'eth0', oif: 'eth1', ipsecIn: false },
  } as any)) {
    const e = evaluate(r.ruleset, p as any);
    console.log(`  ${name}: ${e.decision.verdict} ${e.decision.byPolicy ? 'POLICY '+e.decision.chain.policyText : e.decision.rule?.at.line+' '+e.decision.rule?.text} | near: ${e.nearMisses.map(n=>n.rule.at.line+':'+n.reason).join('; ')} | undecided ${e.undecided.length}`);
  }
}
