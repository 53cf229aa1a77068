/**
 * firewall: real rulesets (iptables-save / nft output captured in a network namespace,
 * samples/firewall-*) and a real swanctl.conf through the real decoders, evaluator and check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import firewall from '../../checks/firewall.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { Finding } from '../../src/engine/types.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { decodeRuleset, detectRulesetType } from '../../src/sources/ruleset-file.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const read = (p: string) => readFileSync(join(SAMPLES, p), 'utf8');
const MOON = read('firewall-iptables-gateway-mistakes/moon.swanctl.conf');

async function run(rulesets: Array<{ text: string; name: string }>, opts: { config?: boolean; peer?: string[] } = {}): Promise<Finding[]> {
  const evidence: Evidence = {
    inputs: [],
    diagnostics: [],
    options: { local: [], peer: opts.peer ?? [] },
    rulesets: rulesets.map(({ text, name }) => decodeRuleset(text, name, detectRulesetType(text)!).ruleset),
    configs: opts.config === false ? undefined : [decodeSwanctlConf(MOON, 'moon.swanctl.conf', () => ({ files: [] })).facts],
  };
  const report = await analyse(evidence, { checks: [firewall] });
  return report.findings;
}

const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);

describe('firewall check', () => {
  it('iptables mistakes: NAT-T shadowed by an earlier DROP, ESP only via ESTABLISHED, ICMP 3/4 dropped, decrypted traffic unfiltered — IKE not reported', async () => {
    const fs = await run([{ text: read('firewall-iptables-gateway-mistakes/iptables-save.conf'), name: 'rules.v4' }]);
    expect(byCode(fs, 'FIREWALL_BLOCKS_IKE')).toEqual([]);
    const natt = byCode(fs, 'FIREWALL_BLOCKS_NAT_T');
    expect(natt).toHaveLength(1);
    expect(natt[0]).toMatchObject({ severity: 'error', data: { peer: 'from 198.51.100.7', path: 'input' } });
    expect(natt[0].evidence[0]).toEqual({ source: 'rules.v4', line: 12, excerpt: '-A INPUT -p udp -m udp --dport 4500 -j DROP' });
    expect(natt[0].hint).toContain('iptables -t filter -I INPUT 6 -s 198.51.100.7 -p udp --dport 4500 -j ACCEPT');

    const esp = byCode(fs, 'FIREWALL_BLOCKS_ESP');
    expect(esp).toHaveLength(1);
    expect(esp[0]).toMatchObject({ severity: 'warning', data: { stateOnly: true } });
    expect(esp[0].evidence[0]).toMatchObject({ line: 3, excerpt: ':INPUT DROP [0:0]' });
    // the port-50 rule is cited as the one that looks like it allows ESP
    expect(esp[0].evidence.map((e) => e.line)).toContain(14);
    expect(esp[0].message).toMatch(/protocol 50 has no ports/);
    expect(esp[0].hint).toContain('iptables -t filter -A INPUT -s 198.51.100.7 -p esp -j ACCEPT');

    const icmp = byCode(fs, 'ICMP_FRAG_NEEDED_BLOCKED');
    expect(icmp.map((f) => f.data.direction)).toEqual(['inbound (INPUT, IPv4)']);
    expect(icmp[0].evidence[0]).toMatchObject({ line: 7 });

    const unf = byCode(fs, 'DECRYPTED_TRAFFIC_UNFILTERED');
    expect(unf).toHaveLength(1);
    expect(unf[0].evidence[0]).toMatchObject({ line: 18 });
    expect(unf[0].hint).toContain('-A FORWARD -s 10.2.0.0/24 -d 10.1.0.0/24 -i eth0 -m policy --dir in --pol ipsec -j ACCEPT');
  });

  it('healthy iptables gateway: nothing blocked, only the interface note', async () => {
    const fs = await run([{ text: read('firewall-iptables-gateway-healthy/iptables-save.conf'), name: 'healthy.v4' }]);
    expect(fs.map((f) => f.code)).toEqual(['FIREWALL_INTERFACE_LIMITED']);
    expect(fs[0]).toMatchObject({ severity: 'info', data: { acceptedOn: ['eth0'] } });
  });

  it('nft mistakes: the same faults, hints in nft syntax; the JSON form agrees with the text form', async () => {
    const text = await run([{ text: read('firewall-nft-gateway-mistakes/nft-list-ruleset.conf'), name: 'ruleset.nft' }]);
    const json = await run([{ text: read('firewall-nft-gateway-mistakes/nft-j-list-ruleset.json'), name: 'ruleset.json' }]);
    const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();
    expect(codes(text)).toEqual(['DECRYPTED_TRAFFIC_UNFILTERED', 'FIREWALL_BLOCKS_ESP', 'ICMP_FRAG_NEEDED_BLOCKED']);
    expect(codes(json)).toEqual(codes(text));
    expect(byCode(text, 'FIREWALL_BLOCKS_ESP')[0].hint).toContain('nft add rule inet filter input ip saddr 198.51.100.7 meta l4proto esp accept');
    expect(byCode(json, 'ICMP_FRAG_NEEDED_BLOCKED')[0].hint).toContain('nft insert rule inet filter input position 6 icmp type destination-unreachable icmp code frag-needed accept');
  });

  it('healthy nft JSON gateway (named sets, meta ipsec exists, marks): no finding', async () => {
    expect(await run([{ text: read('firewall-nft-json-gateway-healthy/nft-j-list-ruleset.conf'), name: 'ruleset.json' }])).toEqual([]);
  });

  it('IPv6: ICMPv6 packet-too-big dropped; without a config AH is only info', async () => {
    const fs = await run([{ text: read('firewall-ip6tables-ptb-dropped/ip6tables-save.conf'), name: 'rules.v6' }], { config: false });
    expect(byCode(fs, 'ICMP_FRAG_NEEDED_BLOCKED')[0]).toMatchObject({ data: { family: 6 }, evidence: [{ line: 7 }] });
    expect(byCode(fs, 'FIREWALL_BLOCKS_AH').every((f) => f.severity === 'info')).toBe(true);
    expect(byCode(fs, 'FIREWALL_BLOCKS_IKE')).toEqual([]);
  });

  it('--peer outside the accepted address: IKE blocked for that peer only', async () => {
    const fs = await run([{ text: read('firewall-ip6tables-ptb-dropped/ip6tables-save.conf'), name: 'rules.v6' }], { config: false, peer: ['2001:db8:2::7', '2001:db8:9::1'] });
    expect(byCode(fs, 'FIREWALL_BLOCKS_IKE').map((f) => f.data.peer)).toEqual(['from 2001:db8:9::1']);
  });

  it('decrypted traffic dropped by FORWARD policy DROP: DECRYPTED_TRAFFIC_BLOCKED, policy line as evidence', async () => {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n';
    const fs = await run([{ text: rules, name: 'fw.v4' }]);
    expect(byCode(fs, 'DECRYPTED_TRAFFIC_BLOCKED')[0].evidence[0]).toMatchObject({ line: 3, excerpt: ':FORWARD DROP [0:0]' });
    const blocked = byCode(fs, 'DECRYPTED_TRAFFIC_BLOCKED');
    expect(blocked.map((f) => [f.data.from, f.data.to])).toEqual([['10.2.0.0/24', '10.1.0.0/24'], ['10.1.0.0/24', '10.2.0.0/24']]);
    expect(blocked[0].hint).toContain('iptables -t filter -A FORWARD -s 10.2.0.0/24 -d 10.1.0.0/24 -m policy --dir in --pol ipsec -j ACCEPT');
    expect(blocked[1].hint).toContain('iptables -t filter -A FORWARD -s 10.1.0.0/24 -d 10.2.0.0/24 -m policy --dir out --pol ipsec -j ACCEPT');
  });

  it('a middle box (no config, IPsec rules only in FORWARD) is judged on the forward path', async () => {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p udp -m multiport --dports 500,4500 -j ACCEPT\n-A FORWARD -p icmp -m icmp --icmp-type 3/4 -j ACCEPT\nCOMMIT\n';
    const fs = await run([{ text: rules, name: 'middle.v4' }], { config: false });
    expect(byCode(fs, 'FIREWALL_BLOCKS_ESP').map((f) => [f.severity, f.data.path])).toEqual([['error', 'forward'], ['error', 'forward']]);
    expect(byCode(fs, 'FIREWALL_BLOCKS_IKE')).toEqual([]);
  });

  it('mutated real rulesets (lines dropped, duplicated, reordered) never make the check error', async () => {
    const lines = read('firewall-iptables-gateway-mistakes/iptables-save.conf').split('\n');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...lines), { minLength: 1, maxLength: 30 }), async (ls) => {
        const text = ['*filter', ...ls].join('\n');
        const evidence: Evidence = { inputs: [], diagnostics: [], options: { local: [], peer: [] }, rulesets: [decodeRuleset(text, 'fuzz', 'iptables-save').ruleset] };
        const report = await analyse(evidence, { checks: [firewall] });
        expect(report.results[0].status, report.results[0].error).not.toBe('error');
      }),
      { numRuns: 100 },
    );
  });
});
