import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeNftJson } from '../../../src/platforms/netfilter/nft-json.js';
import { decodeNftRuleset } from '../../../src/platforms/netfilter/nft-ruleset.js';

// `nft -j list ruleset` and `nft list ruleset` of the same rulesets, captured in a network namespace
const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const pairs = [
  [join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-j-list-ruleset.json'), join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-list-ruleset.conf')],
  [join(SAMPLES, 'firewall-nft-json-gateway-healthy', 'nft-j-list-ruleset.conf'), join(SAMPLES, 'firewall-nft-json-gateway-healthy', 'nft-list-ruleset.txt')],
];

// `nft list ruleset` / `nft -j list ruleset` of a ruleset with verdict maps, captured in a throwaway netns (nftables 1.0.6), verbatim
const VMAP_TEXT = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state vmap { invalid : drop, established : accept, related : accept }\n\t\tiifname vmap { \"lo\" : accept, \"eth0\" : jump wan }\n\t}\n\n\tchain wan {\n\t\tudp dport { 500, 4500 } accept\n\t\tmeta l4proto esp accept\n\t}\n}\n";
// `nft -j list ruleset` of the same verdict-map ruleset, captured in a throwaway netns, verbatim
const VMAP_JSON = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\", \"json_schema_version\": 1}}, {\"table\": {\"family\": \"inet\", \"name\": \"filter\", \"handle\": 1}}, {\"chain\": {\"family\": \"inet\", \"table\": \"filter\", \"name\": \"input\", \"handle\": 1, \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"drop\"}}, {\"chain\": {\"family\": \"inet\", \"table\": \"filter\", \"name\": \"wan\", \"handle\": 2}}, {\"rule\": {\"family\": \"inet\", \"table\": \"filter\", \"chain\": \"input\", \"handle\": 4, \"expr\": [{\"vmap\": {\"key\": {\"ct\": {\"key\": \"state\"}}, \"data\": {\"set\": [[\"invalid\", {\"drop\": null}], [\"established\", {\"accept\": null}], [\"related\", {\"accept\": null}]]}}}]}}, {\"rule\": {\"family\": \"inet\", \"table\": \"filter\", \"chain\": \"input\", \"handle\": 6, \"expr\": [{\"vmap\": {\"key\": {\"meta\": {\"key\": \"iifname\"}}, \"data\": {\"set\": [[\"lo\", {\"accept\": null}], [\"eth0\", {\"jump\": {\"target\": \"wan\"}}]]}}}]}}, {\"rule\": {\"family\": \"inet\", \"table\": \"filter\", \"chain\": \"wan\", \"handle\": 8, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}}, \"right\": {\"set\": [500, 4500]}}}, {\"accept\": null}]}}, {\"rule\": {\"family\": \"inet\", \"table\": \"filter\", \"chain\": \"wan\", \"handle\": 9, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"l4proto\"}}, \"right\": \"esp\"}}, {\"accept\": null}]}}]}";

describe('nft -j list ruleset decoder', () => {
  for (const [json, text] of pairs) {
    it(`decodes ${json.split('/').slice(-2).join('/')} to the same model as the text listing`, () => {
      const j = decodeNftJson(readFileSync(json, 'utf8'), 'j');
      const t = decodeNftRuleset(readFileSync(text, 'utf8'), 't');
      expect(j.diagnostics).toEqual([]);
      const shape = (r: typeof j.ruleset) => r.tables.map((tb) => ({ family: tb.family, name: tb.name, sets: tb.sets, chains: tb.chains.map((c) => ({ name: c.name, hook: c.hook, policy: c.policy, priority: c.priority, rules: c.rules.map((x) => ({ m: x.matches, v: x.verdict, a: x.action })) })) }));
      expect(shape(j.ruleset)).toEqual(shape(t.ruleset));
    });
  }

  it('verdict maps decode like the text form', () => {
    const j = decodeNftJson(VMAP_JSON, 'j').ruleset.tables[0].chains[0].rules;
    const t = decodeNftRuleset(VMAP_TEXT, 't').ruleset.tables[0].chains[0].rules;
    expect(j.map((r) => [r.matches, r.verdict])).toEqual(t.map((r) => [r.matches, r.verdict]));
  });

  it('renders each rule in nft syntax with its handle for the excerpt', () => {
    const { ruleset } = decodeNftJson(readFileSync(pairs[0][0], 'utf8'), 'j');
    expect(ruleset.tables[0].chains[0].rules[1].text).toBe('icmp type destination-unreachable icmp code frag-needed drop # handle 6');
  });

  it('reports invalid JSON and unexpected shapes instead of throwing', () => {
    expect(decodeNftJson('{"nftables": [', 'x').diagnostics[0].message).toMatch(/not valid JSON/);
    expect(decodeNftJson('{"other": 1}', 'x').diagnostics[0].message).toMatch(/nftables/);
    expect(decodeNftJson('{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}]}', 'x').diagnostics[0].message).toMatch(/unknown chain/);
  });

  it('never throws on random JSON values or mutated real input', () => {
    const real = readFileSync(pairs[1][0], 'utf8');
    fc.assert(fc.property(fc.json(), (s) => void decodeNftJson(`{"nftables": ${s}}`, 'fuzz')), { numRuns: 300 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: real.length }), fc.string({ maxLength: 20 }), (at, ins) => void decodeNftJson(real.slice(0, at) + ins + real.slice(at), 'fuzz')),
      { numRuns: 200 },
    );
    fc.assert(fc.property(fc.anything(), (v) => void decodeNftJson(JSON.stringify({ nftables: [{ table: { family: 'inet', name: 't' } }, { chain: { family: 'inet', table: 't', name: 'c', hook: 'input' } }, { rule: { family: 'inet', table: 't', chain: 'c', expr: [v] } }] }) ?? '', 'fuzz')), { numRuns: 300 });
  });
});
