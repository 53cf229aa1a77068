import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIptablesSave } from '../../../src/platforms/netfilter/iptables-save.js';

// real iptables-save / ip6tables-save output captured in a network namespace (see the samples' README.md)
const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const MISTAKES = readFileSync(join(SAMPLES, 'firewall-iptables-gateway-mistakes', 'iptables-save.conf'), 'utf8');
const HEALTHY = readFileSync(join(SAMPLES, 'firewall-iptables-gateway-healthy', 'iptables-save.conf'), 'utf8');
const V6 = readFileSync(join(SAMPLES, 'firewall-ip6tables-ptb-dropped', 'ip6tables-save.conf'), 'utf8');

describe('iptables-save decoder', () => {
  it('reads tables, chain policies with their lines, rules in order with file:line', () => {
    const { ruleset, diagnostics } = decodeIptablesSave(MISTAKES, 'rules.v4');
    expect(diagnostics).toEqual([]);
    expect(ruleset.type).toBe('iptables-save');
    const filter = ruleset.tables.find((t) => t.name === 'filter')!;
    const input = filter.chains.find((c) => c.name === 'INPUT')!;
    expect(input).toMatchObject({ hook: 'input', policy: 'drop', priority: 0, policyAt: { source: 'rules.v4', line: 3 }, policyText: ':INPUT DROP [0:0]' });
    expect(input.rules.map((r) => r.at.line)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const user = filter.chains.find((c) => c.name === 'IKE_PEERS')!;
    expect([user.hook, user.policy, user.rules.length]).toEqual([undefined, undefined, 2]);
    expect(input.rules[3]).toMatchObject({ verdict: { kind: 'jump', target: 'IKE_PEERS' }, text: '-A INPUT -p udp -m udp --dport 500 -j IKE_PEERS' });
  });

  it('decodes icmp type/code, multiport, state, interfaces and addresses', () => {
    const input = decodeIptablesSave(MISTAKES, 'r').ruleset.tables[0].chains[0];
    expect(input.rules[0].matches).toEqual([{ kind: 'proto', protos: [1], negate: false }, { kind: 'icmp', family: 4, types: [{ type: 3, code: 4 }], negate: false }]);
    expect(input.rules[2].matches).toEqual([{ kind: 'ctstate', states: ['related', 'established'], negate: false }]);
    expect(input.rules[6].matches).toContainEqual({ kind: 'iface', dir: 'in', names: ['eth0'], negate: false });
    expect(input.rules[7].matches).toContainEqual({ kind: 'port', dir: 'dst', ranges: [[50, 50], [500, 500], [4500, 4500]], negate: false, proto: 17 });
  });

  it('decodes -m policy, TCPMSS clamping and LOG as non-terminating', () => {
    const { ruleset } = decodeIptablesSave(HEALTHY, 'r');
    const mangle = ruleset.tables.find((t) => t.name === 'mangle')!;
    const fwd = mangle.chains.find((c) => c.name === 'FORWARD')!;
    expect(fwd.rules[0].action.clampMss).toBe('pmtu');
    expect(fwd.rules[0].verdict).toEqual({ kind: 'none' });
    expect(fwd.rules[0].matches).toContainEqual({ kind: 'policy', dir: 'out', pol: 'ipsec' });
    const filterFwd = ruleset.tables.find((t) => t.name === 'filter')!.chains.find((c) => c.name === 'FORWARD')!;
    expect(filterFwd.rules[1].matches).toContainEqual({ kind: 'policy', dir: 'in', pol: 'ipsec', reqid: 1 });
    const log = filterFwd.rules[4];
    expect(log).toMatchObject({ target: 'LOG', verdict: { kind: 'none' }, action: { log: true } });
    expect(log.matches).toContainEqual({ kind: 'policy', dir: 'in', pol: 'none' });
  });

  it('recognises ip6tables-save and ICMPv6 types', () => {
    const { ruleset, diagnostics } = decodeIptablesSave(V6, 'rules.v6');
    expect(diagnostics).toEqual([]);
    expect(ruleset.type).toBe('ip6tables-save');
    expect(ruleset.tables[0].family).toBe('ip6');
    expect(ruleset.tables[0].chains[0].rules[1].matches).toContainEqual({ kind: 'icmp', family: 6, types: [{ type: 2, code: undefined }], negate: false });
    expect(ruleset.tables[0].chains[0].rules[3].matches).toContainEqual({ kind: 'addr', dir: 'src', cidrs: [{ version: 6, addr: '2001:db8:2::7', prefix: 128 }], negate: false });
  });

  it('keeps negation, reads addrtype, and turns unknown match options into unknown matches', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -s 10.0.0.0/8 -m addrtype ! --dst-type LOCAL -m statistic --mode random --probability 0.5 -j DROP\nCOMMIT\n';
    const rule = decodeIptablesSave(text, 'r').ruleset.tables[0].chains[0].rules[0];
    expect(rule.matches).toEqual([
      { kind: 'addr', dir: 'src', cidrs: [{ version: 4, addr: '10.0.0.0', prefix: 8 }], negate: true },
      { kind: 'addrtype', dir: 'dst', types: ['LOCAL'], negate: true },
      { kind: 'unknown', text: '--probability 0.5' },
    ]);
  });

  it('reports what it cannot read with the line, and a missing COMMIT', () => {
    const { diagnostics } = decodeIptablesSave('*filter\n:INPUT DROP [0:0]\nhello world\n-A NOPE -j ACCEPT\n', 'x');
    expect(diagnostics.map((d) => d.at.line)).toEqual([3, 4, 5]);
    expect(diagnostics[2].message).toMatch(/no COMMIT/);
  });

  it('never throws on random or mutated input', () => {
    const lines = MISTAKES.split('\n');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...lines), fc.constantFrom(...lines).map((l) => l.slice(0, 20))), { maxLength: 40 }), (ls) => {
        const r = decodeIptablesSave(ls.join('\n'), 'fuzz');
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => void decodeIptablesSave(s, 'fuzz')), { numRuns: 300 });
  });
});
