import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeNftRuleset } from '../../../src/platforms/netfilter/nft-ruleset.js';

// real `nft list ruleset` output captured in a network namespace (see the samples' README.md)
const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const MISTAKES = readFileSync(join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-list-ruleset.conf'), 'utf8');
const HEALTHY = readFileSync(join(SAMPLES, 'firewall-nft-json-gateway-healthy', 'nft-list-ruleset.txt'), 'utf8');
const XT = readFileSync(join(SAMPLES, 'firewall-iptables-nft-view', 'nft-list-ruleset.conf'), 'utf8');

// `nft list ruleset` after `nft -f` of a ruleset with verdict maps, in a throwaway netns (nftables 1.0.6), verbatim
const VMAP_TEXT = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state vmap { invalid : drop, established : accept, related : accept }\n\t\tiifname vmap { \"lo\" : accept, \"eth0\" : jump wan }\n\t}\n\n\tchain wan {\n\t\tudp dport { 500, 4500 } accept\n\t\tmeta l4proto esp accept\n\t}\n}\n";

describe('nft list ruleset decoder', () => {
  it('reads tables, base chains (hook, priority, policy line) and user chains', () => {
    const { ruleset, diagnostics } = decodeNftRuleset(MISTAKES, 'ruleset.nft');
    expect(diagnostics).toEqual([]);
    const t = ruleset.tables[0];
    expect([t.family, t.name]).toEqual(['inet', 'filter']);
    expect(t.chains.map((c) => [c.name, c.hook, c.policy])).toEqual([
      ['input', 'input', 'drop'], ['ike_peers', undefined, undefined], ['forward', 'forward', 'drop'], ['output', 'output', 'accept'],
    ]);
    expect(t.chains[0].policyAt).toEqual({ source: 'ruleset.nft', line: 3 });
    expect(t.chains[0].rules.map((r) => r.at.line)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('decodes matches: icmp type+code, anonymous port sets, ct state, iifname, addresses, jump', () => {
    const input = decodeNftRuleset(MISTAKES, 'r').ruleset.tables[0].chains[0];
    expect(input.rules[1].matches).toEqual([{ kind: 'icmp', family: 4, types: [{ type: 3, code: 4 }], negate: false }]);
    expect(input.rules[1].verdict).toEqual({ kind: 'drop' });
    expect(input.rules[3].matches).toContainEqual({ kind: 'port', dir: 'dst', ranges: [[50, 50], [4500, 4500]], negate: false, proto: 17 });
    expect(input.rules[4].matches).toEqual([{ kind: 'ctstate', states: ['established'], negate: false }]);
    expect(input.rules[6].verdict).toEqual({ kind: 'jump', target: 'ike_peers' });
    const fwd = decodeNftRuleset(MISTAKES, 'r').ruleset.tables[0].chains[2];
    expect(fwd.rules[1].matches).toContainEqual({ kind: 'addr', dir: 'src', cidrs: [{ version: 4, addr: '10.2.0.0', prefix: 24 }], negate: false });
  });

  it('resolves named sets and reads ipsec, mark and MSS clamping expressions', () => {
    const { ruleset, diagnostics } = decodeNftRuleset(HEALTHY, 'r');
    expect(diagnostics).toEqual([]);
    const filter = ruleset.tables[0];
    expect(filter.sets.ike_peers).toEqual(['198.51.100.7', '198.51.100.8']);
    const input = filter.chains.find((c) => c.name === 'input')!;
    expect(input.rules[2].matches).toContainEqual({ kind: 'addr', dir: 'src', cidrs: [{ version: 4, addr: '198.51.100.7', prefix: 32 }, { version: 4, addr: '198.51.100.8', prefix: 32 }], negate: false });
    expect(input.rules[3].matches).toContainEqual({ kind: 'proto', protos: [50], negate: false });
    const fwd = filter.chains.find((c) => c.name === 'forward')!;
    expect(fwd.rules[1].matches[0]).toEqual({ kind: 'policy', dir: 'in', pol: 'ipsec' });
    expect(fwd.rules[2].matches[0]).toEqual({ kind: 'policy', dir: 'in', pol: 'ipsec', reqid: 1 });
    expect(fwd.rules[5].matches).toEqual([{ kind: 'mark', value: 0x42, mask: 0xffffffff, negate: false }]);
    expect(fwd.rules[6].action.clampMss).toBe('pmtu');
    const mangle = ruleset.tables[1].chains[0];
    expect([mangle.hook, mangle.priority]).toEqual(['prerouting', -150]);
    expect(mangle.rules[0].action.setMark).toEqual({ value: 0x42, mask: 0xffffffff });
  });

  it('keeps iptables-nft `xt match` as an unknown match the evaluator cannot decide', () => {
    const { ruleset } = decodeNftRuleset(XT, 'r');
    const input = ruleset.tables[0].chains.find((c) => c.name === 'INPUT')!;
    expect(input.rules[0].matches.some((m) => m.kind === 'unknown' && m.text.startsWith('xt match'))).toBe(true);
    expect(input.rules[0].verdict).toEqual({ kind: 'drop' });
  });

  it('expands verdict maps into one rule per key at the same line', () => {
    const { ruleset, diagnostics } = decodeNftRuleset(VMAP_TEXT, 'vmap.nft');
    expect(diagnostics).toEqual([]);
    const input = ruleset.tables[0].chains[0];
    expect(input.rules.map((r) => [r.at.line, r.matches, r.verdict])).toEqual([
      [4, [{ kind: 'ctstate', states: ['invalid'], negate: false }], { kind: 'drop' }],
      [4, [{ kind: 'ctstate', states: ['established'], negate: false }], { kind: 'accept' }],
      [4, [{ kind: 'ctstate', states: ['related'], negate: false }], { kind: 'accept' }],
      [5, [{ kind: 'iface', dir: 'in', names: ['lo'], negate: false }], { kind: 'accept' }],
      [5, [{ kind: 'iface', dir: 'in', names: ['eth0'], negate: false }], { kind: 'jump', target: 'wan' }],
    ]);
  });

  it('says where the text is truncated or unreadable', () => {
    const { diagnostics } = decodeNftRuleset('table inet filter {\n\tchain input {\n\t\ttype filter hook input priority nonsense; policy drop;\n', 'x');
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/priority/), expect.stringMatching(/not closed/)]);
  });

  it('never throws on random or mutated input', () => {
    const lines = HEALTHY.split('\n');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...lines), fc.constantFrom(...lines).map((l) => l.slice(0, 15) + '{')), { maxLength: 40 }), (ls) => {
        expect(Array.isArray(decodeNftRuleset(ls.join('\n'), 'fuzz').diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => void decodeNftRuleset(`table inet t {\nchain c {\n${s}\n`, 'fuzz')), { numRuns: 300 });
  });
});
