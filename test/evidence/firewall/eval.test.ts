import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIptablesSave } from '../../../src/platforms/netfilter/iptables-save.js';
import { decodeNftRuleset } from '../../../src/platforms/netfilter/nft-ruleset.js';
import { evaluate, evaluateStates, inCidr, type Packet } from '../../../src/evidence/derived/firewall/eval.js';

// real rulesets captured with iptables-save / nft list ruleset in a network namespace (samples/firewall-*/README.md)
const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const v4 = decodeIptablesSave(readFileSync(join(SAMPLES, 'firewall-iptables-gateway-mistakes', 'iptables-save.conf'), 'utf8'), 'rules.v4').ruleset;
const nft = decodeNftRuleset(readFileSync(join(SAMPLES, 'firewall-nft-gateway-mistakes', 'nft-list-ruleset.conf'), 'utf8'), 'ruleset.nft').ruleset;
const healthy = decodeIptablesSave(readFileSync(join(SAMPLES, 'firewall-iptables-gateway-healthy', 'iptables-save.conf'), 'utf8'), 'healthy.v4').ruleset;

const fromPeer = (p: Partial<Packet>): Packet => ({ family: 4, path: 'input', proto: 17, src: '198.51.100.7', dst: '203.0.113.1', sport: 500, dport: 500, ct: 'new', iif: 'eth0', ...p });

describe('firewall evaluator', () => {
  it('an ACCEPT in a user chain reached by jump wins over a later DROP (naive grep says blocked)', () => {
    const e = evaluate(v4, fromPeer({}));
    expect(e.decision).toMatchObject({ verdict: 'accept', byPolicy: false, rule: { at: { line: 19 } }, chain: { name: 'IKE_PEERS' } });
  });

  it('the user chain RETURNs other sources to the caller, where the next DROP decides', () => {
    expect(evaluate(v4, fromPeer({ src: '192.0.2.9' })).decision).toMatchObject({ verdict: 'drop', rule: { at: { line: 11 } }, chain: { name: 'INPUT' } });
  });

  it('an earlier DROP shadows a later ACCEPT', () => {
    const e = evaluate(v4, fromPeer({ sport: 4500, dport: 4500 }));
    expect(e.decision).toMatchObject({ verdict: 'drop', rule: { text: '-A INPUT -p udp -m udp --dport 4500 -j DROP' } });
  });

  it('a port rule never matches ESP; the policy decides and the port rule is a near miss', () => {
    const e = evaluate(v4, fromPeer({ proto: 50, sport: undefined, dport: undefined }));
    expect(e.decision).toMatchObject({ verdict: 'drop', byPolicy: true, chain: { policyText: ':INPUT DROP [0:0]', policyAt: { line: 3 } } });
    expect(e.nearMisses.filter((n) => n.kind === 'no-ports').map((n) => n.rule.at.line)).toEqual([13, 14]);
  });

  it('conntrack state makes the difference: ESTABLISHED ESP passes, NEW does not', () => {
    const esp = fromPeer({ proto: 50, sport: undefined, dport: undefined });
    expect(evaluate(v4, { ...esp, ct: 'established' }).decision).toMatchObject({ verdict: 'accept', rule: { at: { line: 9 } } });
    expect(evaluate(v4, esp).decision.verdict).toBe('drop');
    expect(evaluateStates(v4, esp)).toMatchObject({ stateDecides: true, first: { decision: { byPolicy: true } }, established: { decision: { rule: { at: { line: 9 } } } } });
    expect(evaluateStates(v4, fromPeer({})).stateDecides).toBe(false);
  });

  it('an ACCEPT limited to one interface does not match another', () => {
    const ike = fromPeer({ src: '192.0.2.9' });
    expect(evaluate(nft, { ...ike, iif: 'eth1' }).decision).toMatchObject({ verdict: 'accept', rule: { at: { line: 6 } } });
    expect(evaluate(nft, { ...ike, iif: 'eth0' }).decision).toMatchObject({ verdict: 'drop', rule: { at: { line: 11 } } });
  });

  it('ICMP type 3 code 4 is dropped even as RELATED when the drop comes first; other type 3 codes are not', () => {
    const icmp = { family: 4 as const, path: 'input' as const, proto: 1, ct: 'related' as const, iif: 'eth0' };
    expect(evaluate(v4, { ...icmp, icmp: { type: 3, code: 4 } }).decision).toMatchObject({ verdict: 'drop', rule: { at: { line: 7 } } });
    expect(evaluate(v4, { ...icmp, icmp: { type: 3, code: 3 } }).decision.verdict).toBe('accept');
  });

  it('-m policy --pol ipsec tells decrypted traffic from plaintext with the same addresses', () => {
    const pkt: Packet = { family: 4, path: 'forward', proto: 6, dport: 443, src: '10.2.0.1', dst: '10.1.0.1', ct: 'new', iif: 'eth0', oif: 'eth1' };
    expect(evaluate(healthy, { ...pkt, ipsecIn: true }).decision).toMatchObject({ verdict: 'accept', rule: { at: { line: 23 } } });
    expect(evaluate(healthy, { ...pkt, ipsecIn: false }).decision).toMatchObject({ verdict: 'drop', byPolicy: true });
    // the mistakes ruleset cannot tell them apart
    expect(evaluate(v4, { ...pkt, ipsecIn: false }).decision).toMatchObject({ verdict: 'accept', rule: { at: { line: 18 } } });
  });

  it('a DROP in an earlier base chain is final even if a later one would accept (nft hooks and priorities)', () => {
    const text = 'table ip raw {\n\tchain pre {\n\t\ttype filter hook prerouting priority raw; policy accept;\n\t\tip protocol esp drop\n\t}\n}\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n';
    const rs = decodeNftRuleset(text, 't').ruleset;
    expect(evaluate(rs, fromPeer({ proto: 50 })).decision).toMatchObject({ verdict: 'drop', chain: { name: 'pre' } });
  });

  it('addresses and prefixes compare bitwise, IPv4 and IPv6', () => {
    expect(inCidr('10.2.0.200', { version: 4, addr: '10.2.0.0', prefix: 24 })).toBe(true);
    expect(inCidr('10.2.1.1', { version: 4, addr: '10.2.0.0', prefix: 24 })).toBe(false);
    expect(inCidr('2001:db8:2::7', { version: 6, addr: '2001:db8:2::', prefix: 48 })).toBe(true);
    expect(inCidr('2001:db8:3::7', { version: 6, addr: '2001:db8:2::', prefix: 48 })).toBe(false);
  });

  it('terminates on jump loops and random packets', () => {
    const loop = decodeIptablesSave('*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n', 'loop').ruleset;
    expect(evaluate(loop, fromPeer({})).decision.verdict).toBe('drop');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 }), fc.constantFrom('new', 'established', 'related'), fc.constantFrom('input', 'output', 'forward'), (proto, port, ct, path) => {
        const e = evaluate(nft, { family: 4, path: path as Packet['path'], proto, dport: port, ct: ct as Packet['ct'] });
        expect(['accept', 'drop', 'reject']).toContain(e.decision.verdict);
      }),
      { numRuns: 300 },
    );
  });
});

describe('conntrack status (`ct status dnat`, `--ctstate DNAT`)', () => {
  // a port forward of IKE to a gateway behind the box, and firewalld's way of letting forwarded DNAT traffic in
  const nftText = `table ip nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tiifname "ppp0" udp dport 500 dnat to 10.0.0.5\n\t}\n}\ntable ip filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tct status dnat accept\n\t}\n}\n`;
  const iptText = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -i ppp0 -p udp -m udp --dport 500 -j DNAT --to-destination 10.0.0.5\nCOMMIT\n*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT\nCOMMIT\n';
  const fwd = (p: Partial<Packet>): Packet => ({ family: 4, path: 'forward', proto: 17, src: '198.51.100.7', dst: '10.0.0.5', sport: 500, dport: 500, ct: 'new', iif: 'ppp0', oif: 'eth0', ...p });
  for (const [name, rs] of [['nft', decodeNftRuleset(nftText, 'r.nft').ruleset], ['iptables', decodeIptablesSave(iptText, 'r.v4').ruleset]] as const) {
    it(`${name}: the forwarded IKE was translated by the nat chain, so the status rule accepts it, decided`, () => {
      const e = evaluate(rs, fwd({}));
      expect(e.decision.verdict).toBe('accept');
      expect(e.undecided).toEqual([]);
    });
    it(`${name}: UDP 4500 is not forwarded by any nat rule: not DNAT, dropped by the policy, decided`, () => {
      const e = evaluate(rs, fwd({ sport: 4500, dport: 4500 }));
      expect(e.decision.verdict).toBe('drop');
      expect(e.undecided).toEqual([]);
    });
    it(`${name}: a packet of an established connection: whether it was translated is not known`, () => {
      expect(evaluate(rs, fwd({ ct: 'established' })).undecided.length).toBe(1);
    });
  }
});
