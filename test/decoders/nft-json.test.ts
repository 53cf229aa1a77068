import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeNftJson } from '../../src/decoders/nft-json.js';
import { decodeNftRuleset } from '../../src/decoders/nft-ruleset.js';

// `nft -j list ruleset` and `nft list ruleset` of the same rulesets, captured in a network namespace
const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const pairs = [
  [join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-j-list-ruleset.json'), join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-list-ruleset.conf')],
  [join(SAMPLES, 'firewall-nft-json-gateway-healthy', 'nft-j-list-ruleset.conf'), join(SAMPLES, 'firewall-nft-json-gateway-healthy', 'nft-list-ruleset.txt')],
];

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
