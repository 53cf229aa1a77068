/**
 * tmsh configuration → a ruleset the netfilter evaluator walks: the seed's four AFM rules and
 * its virtual server (fixtures/PROVENANCE.md), and the evaluation order AFM documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTmsh, looksLikeTmsh } from '../../../src/platforms/f5/config/afm-ruleset.js';
import { evaluate } from '../../../src/evidence/derived/firewall/eval.js';
import { detectRulesetType } from '../../../src/sources/ruleset-file.js';
import { detectConfigType } from '../../../src/sources/config-file.js';

const FX = join(import.meta.dirname, 'fixtures');
const rules = readFileSync(join(FX, 'seed-afm-rules.tmsh'), 'utf8');
const vs = readFileSync(join(FX, 'seed-vs-fwd.tmsh'), 'utf8');
const pkt = (proto: number, src: string, dst: string, port?: number, ct: 'new' | 'established' = 'new') => ({ family: 4 as const, path: 'forward' as const, proto, src, dst, sport: port, dport: port, ct });

describe('tmsh AFM rules (seed)', () => {
  it('is claimed by the F5 ruleset reader and by no IKE config reader', () => {
    expect(looksLikeTmsh(rules)).toBe(true);
    expect(detectRulesetType(rules)).toBe('f5-tmsh');
    expect(detectConfigType(rules)).toBeUndefined();
    expect(detectRulesetType(vs)).toBe('f5-tmsh');
  });

  it('rules in rule-number order (the seed lists 9, 11, 10, 12), addresses and service-name ports read', () => {
    const { ruleset, diagnostics } = decodeTmsh(rules, 'r');
    expect(diagnostics).toEqual([]);
    const chain = ruleset.tables[0].chains[0];
    expect(chain.rules.filter((r) => r.target === 'accept-decisively').map((r) => r.text.split(':')[0])).toEqual(['velascoOUT_ESP', 'velascoIN_ESP', 'velascoOUT500', 'velascoIN500']);
    expect(ruleset.tables[0].family).toBe('ip');
    expect(ruleset.middleBox?.ruleHosts.sort()).toEqual(['1.1.1.1', '2.2.2.2']);
    expect(ruleset.middleBox?.espFlows).toMatchObject({ value: 'per-direction', implicit: true });
  });

  it('all four rules: IKE and ESP pass both ways', () => {
    const { ruleset } = decodeTmsh(rules, 'r');
    for (const [a, b] of [['1.1.1.1', '2.2.2.2'], ['2.2.2.2', '1.1.1.1']]) {
      expect(evaluate(ruleset, pkt(17, a, b, 500)).decision.verdict).toBe('accept');
      expect(evaluate(ruleset, pkt(50, a, b)).decision.verdict).toBe('accept');
    }
  });

  it('the IN rules disabled: return ESP meets the default (undecided without the mode); with lookupspi on, the outbound flow does not carry it', () => {
    const text = rules.replace(/(velascoIN_ESP \{|velascoIN500 \{)/g, '$1\n    status disabled');
    const { ruleset } = decodeTmsh(`${text}\nsys db tm.fw.defaultaction {\n    value "reject"\n}\n`, 'r');
    const back = evaluate(ruleset, pkt(50, '2.2.2.2', '1.1.1.1'));
    expect(back.decision.verdict).toBe('reject');
    expect(back.decision.rule?.target).toBe('(Default)');
    expect(evaluate(ruleset, pkt(50, '2.2.2.2', '1.1.1.1', undefined, 'established')).decision.verdict).toBe('reject');
    // IKE answers ride the initiator's flow: one UDP flow for both directions
    expect(evaluate(ruleset, pkt(17, '2.2.2.2', '1.1.1.1', 500, 'established')).decision.verdict).toBe('accept');
    expect(evaluate(ruleset, pkt(17, '2.2.2.2', '1.1.1.1', 500)).decision.verdict).toBe('reject');
  });

  it('lookupspi disabled: one ESP flow for both directions', () => {
    const text = rules.replace(/(velascoIN_ESP \{)/, '$1\n    status disabled') + '\nsys db ipsec.lookupspi {\n    value "disable"\n}\n';
    const { ruleset } = decodeTmsh(text, 'r');
    expect(ruleset.middleBox?.espFlows).toMatchObject({ value: 'bidirectional' });
    expect(evaluate(ruleset, pkt(50, '2.2.2.2', '1.1.1.1', undefined, 'established')).decision.verdict).toBe('accept');
  });

  it('`accept` (not decisively) goes on to the next context, whose default then applies', () => {
    const text = rules.replaceAll('\u00a0', ' ').replace(/action accept-decisively(\s+ip-protocol esp\s+log yes\s+rule-number 10)/, 'action accept$1') + '\nsys db tm.fw.defaultaction {\n    value "drop"\n}\n';
    const { ruleset } = decodeTmsh(text, 'r');
    expect(evaluate(ruleset, pkt(50, '2.2.2.2', '1.1.1.1')).decision.verdict).toBe('drop');
    expect(evaluate(ruleset, pkt(50, '1.1.1.1', '2.2.2.2')).decision.verdict).toBe('accept');
  });
});

describe('virtual servers and the DB key', () => {
  it('the seed VS-FWD: FastL4, forwarding to 0.0.0.0:any, translate-address disabled', () => {
    const { ruleset } = decodeTmsh(vs, 'v');
    expect(ruleset.middleBox?.virtualServers).toEqual([expect.objectContaining({ name: 'VS-FWD', kind: 'fastl4', destination: '0.0.0.0:any', destinationPort: 'any', source: '0.0.0.0/0', translateAddress: expect.objectContaining({ value: false }) })]);
  });
  it('a Standard server with ipsecalg: the ALG, and translate-address enabled when not written (the default)', () => {
    const text = 'ltm virtual /Common/vs_ipsec {\n    destination /Common/0.0.0.0:isakmp\n    ip-protocol udp\n    mask any\n    pool /Common/peer_pool\n    profiles {\n        /Common/ipsecalg { }\n        /Common/udp { }\n    }\n    source 0.0.0.0/0\n}\n';
    const v = decodeTmsh(text, 'v').ruleset.middleBox!.virtualServers[0];
    expect(v).toMatchObject({ kind: 'standard', destinationPort: 'isakmp', pool: { value: '/Common/peer_pool' }, translateAddress: { value: true, implicit: true } });
    expect(v.ipsecAlg?.line).toBe(7);
  });
  it('`tmsh list sys db ipsec.lookupspi` and the modify command', () => {
    expect(decodeTmsh('sys db ipsec.lookupspi {\n    value "enable"\n}\n', 'd').ruleset.middleBox?.espFlows).toMatchObject({ value: 'per-direction', at: { line: 2 } });
    expect(decodeTmsh('tmsh modify sys db ipsec.lookupspi value disable\n', 'd').ruleset.middleBox?.espFlows?.value).toBe('bidirectional');
  });
  it('unbalanced braces: a located diagnostic, what was read is kept', () => {
    const { ruleset, diagnostics } = decodeTmsh(rules.slice(0, rules.length - 3), 'r');
    expect(diagnostics.some((d) => /unbalanced/.test(d.message))).toBe(true);
    expect(ruleset.tables[0].chains[0].rules.length).toBeGreaterThan(2);
  });
});
