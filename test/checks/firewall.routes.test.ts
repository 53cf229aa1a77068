/**
 * firewall with --host: this host's routes (`ip route get PEER`) say which interface
 * faces the peer, so `-i eth0` rules are judged on that interface instead of being
 * reported as FIREWALL_INTERFACE_LIMITED. Real inputs: the healthy iptables gateway
 * of samples/firewall-iptables-gateway-healthy (IPsec rules limited to eth0) and
 * moon's swanctl.conf; the `ip route get` outputs are iproute2 6.1.0's, printed in a
 * throwaway network namespace addressed like moon (eth0 203.0.113.1/24, default via
 * 203.0.113.254; for the second case 198.51.100.0/24 routed via eth1 192.0.2.254).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import firewall from '../../checks/firewall.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { Finding } from '../../src/engine/types.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { addHostEvidence } from '../../src/sources/host-evidence.js';
import { recordedRunnerFromFiles } from '../../src/sources/host/runner.js';
import { parseRouteGet } from '../../src/sources/host/parse.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const read = (p: string) => readFileSync(join(SAMPLES, p), 'utf8');
const MOON = read('firewall-iptables-gateway-healthy/moon.swanctl.conf');
const HEALTHY = read('firewall-iptables-gateway-healthy/iptables-save.conf');
const VIA_ETH0 = '198.51.100.7 via 203.0.113.254 dev eth0 src 203.0.113.1 uid 0 \n    cache \n';
const VIA_ETH1 = '198.51.100.7 via 192.0.2.254 dev eth1 src 192.0.2.1 uid 0 \n    cache \n';

async function onHost(routeGet: string | undefined, opts: { config?: boolean; defaults?: Record<string, string> } = {}): Promise<{ findings: Finding[]; evidence: Evidence }> {
  const evidence: Evidence = {
    inputs: [], diagnostics: [], options: { local: [], peer: [] },
    configs: opts.config === false ? [] : [decodeSwanctlConf(MOON, 'moon.swanctl.conf', () => ({ files: [] })).facts],
  };
  const files: Record<string, string> = { 'iptables-save.txt': HEALTHY, ...opts.defaults };
  if (routeGet !== undefined) files['ip-route-get.txt'] = routeGet;
  await addHostEvidence(evidence, { runner: recordedRunnerFromFiles(files), readFiles: false });
  const report = await analyse(evidence, { checks: [firewall] });
  return { findings: report.findings, evidence };
}

describe('firewall on this host, with its routes', () => {
  it('parses ip route get: via, dev, src; local addresses; IPv6', () => {
    expect(parseRouteGet('198.51.100.7', VIA_ETH0)).toEqual({ to: '198.51.100.7', via: '203.0.113.254', dev: 'eth0', src: '203.0.113.1' });
    expect(parseRouteGet('203.0.113.1', 'local 203.0.113.1 dev lo src 203.0.113.1 uid 0 \n    cache <local> \n')).toEqual({ to: '203.0.113.1', local: true, dev: 'lo', src: '203.0.113.1' });
    expect(parseRouteGet('2001:db8:2::7', '2001:db8:2::7 from :: via 2001:db8:1::fe dev eth0 src 2001:db8:1::1 metric 1024 pref medium\n'))
      .toEqual({ to: '2001:db8:2::7', via: '2001:db8:1::fe', dev: 'eth0', src: '2001:db8:1::1' });
  });

  it('the peer is reached on eth0, where the rules are: nothing to report (not even the interface note)', async () => {
    const { findings, evidence } = await onHost(VIA_ETH0);
    expect(evidence.host?.routes).toEqual([{ to: '198.51.100.7', via: '203.0.113.254', dev: 'eth0', src: '203.0.113.1' }]);
    expect(evidence.host?.probes.find((p) => p.id === 'route')).toMatchObject({ command: 'ip route get 198.51.100.7', status: 'ok' });
    expect(findings).toEqual([]);
  });

  it('the peer is routed via eth1 while the rules accept IPsec only on eth0: IKE, NAT-T and ESP are blocked there', async () => {
    const { findings } = await onHost(VIA_ETH1);
    const codes = [...new Set(findings.map((f) => f.code))].sort();
    expect(codes).toEqual(['FIREWALL_BLOCKS_ESP', 'FIREWALL_BLOCKS_IKE', 'FIREWALL_BLOCKS_NAT_T']);
    const ike = findings.find((f) => f.code === 'FIREWALL_BLOCKS_IKE' && f.data.path === 'input')!;
    expect(ike.message).toContain('inbound on eth1 (towards the peer, ip route get) (INPUT, IPv4) from 198.51.100.7');
  });

  it('without the route (ip not recorded) the interface note stays, and the skipped probe is said', async () => {
    const { findings, evidence } = await onHost(undefined);
    expect(findings.map((f) => f.code)).toEqual(['FIREWALL_INTERFACE_LIMITED']);
    expect(evidence.host?.probes.find((p) => p.id === 'route')).toMatchObject({ status: 'skipped', reason: 'ip is not installed' });
  });

  // `ip -4 route show default` as iproute2 6.1.0 prints it in a namespace addressed like moon
  const DEFAULT_ETH0 = 'default via 203.0.113.254 dev eth0 \n';
  const DEFAULT_ETH1 = 'default via 192.0.2.254 dev eth1 proto dhcp src 192.0.2.1 metric 100 \n';

  it('no peer known: the default route names the outside interface, and IPsec accepted only on eth0 is judged there', async () => {
    const onEth0 = await onHost(undefined, { config: false, defaults: { 'ip-4-route-show-default.txt': DEFAULT_ETH0, 'ip-6-route-show-default.txt': '' } });
    expect(onEth0.evidence.host?.routes).toEqual([{ to: 'default', family: 4, via: '203.0.113.254', dev: 'eth0' }]);
    expect(onEth0.evidence.host?.probes.filter((p) => p.id === 'route').map((p) => [p.command, p.excerpt])).toEqual([
      ['ip -4 route show default', 'default via 203.0.113.254 dev eth0'],
      ['ip -6 route show default', '(no default route)'],
    ]);
    // IKE, NAT-T and ESP are accepted on the interface the default route leaves by: not even the interface note
    // (AH, which this ruleset does not accept and no config rules out, is still said)
    expect(onEth0.findings.map((f) => f.code).filter((c) => c !== 'FIREWALL_BLOCKS_AH')).toEqual([]);

    const onEth1 = await onHost(undefined, { config: false, defaults: { 'ip-4-route-show-default.txt': DEFAULT_ETH1 } });
    const ike = onEth1.findings.find((f) => f.code === 'FIREWALL_BLOCKS_IKE' && f.data.path === 'input');
    expect(ike?.severity).toBe('error');
    expect(ike?.message).toContain("inbound on eth1 (this host's default route: no peer address is known) (INPUT, IPv4)");
  });

  it('without a default route either, the interface note stays', async () => {
    const { findings } = await onHost(undefined, { config: false, defaults: { 'ip-4-route-show-default.txt': '', 'ip-6-route-show-default.txt': '' } });
    expect(findings.map((f) => f.code)).toContain('FIREWALL_INTERFACE_LIMITED');
    expect(findings.map((f) => f.code)).not.toContain('FIREWALL_BLOCKS_IKE');
  });
});

describe("firewall: the interface ipsec.conf's config setup binds IPsec to", () => {
  // ipsec.conf(5) (FreeS/WAN 2.x, Openswan, libreswan with KLIPS): interfaces="ipsec0=PHYS" names the
  // physical interface the peers' packets arrive on; the conn is moon's of the healthy gateway sample
  const conf = (interfaces: string) => `config setup\n\tinterfaces=${interfaces}\n\nconn net-net\n\tleft=203.0.113.1\n\tleftsubnet=10.1.0.0/24\n\tright=198.51.100.7\n\trightsubnet=10.2.0.0/24\n\tauthby=secret\n\tauto=start\n`;
  async function run(interfaces: string): Promise<Finding[]> {
    const { decodeIpsecConf } = await import('../../src/platforms/freeswan/ipsec-conf.js');
    const { decodeIptablesSave } = await import('../../src/platforms/netfilter/iptables-save.js');
    const evidence: Evidence = {
      // ipsec.conf's left/right say nothing of which end is this host: --local says it
      inputs: [], diagnostics: [], options: { local: ['203.0.113.1'], peer: [] },
      configs: [decodeIpsecConf(conf(interfaces), 'ipsec.conf').facts],
      rulesets: [decodeIptablesSave(HEALTHY, 'iptables-save.conf').ruleset],
    };
    return (await analyse(evidence, { checks: [firewall] })).findings;
  }

  it('interfaces="ipsec0=eth1" while the rules accept IPsec only on eth0: blocked, on eth1, said how it is known', async () => {
    const findings = await run('"ipsec0=eth1"');
    const ike = findings.find((f) => f.code === 'FIREWALL_BLOCKS_IKE' && f.data.path === 'input');
    expect(ike?.severity).toBe('error');
    expect(ike?.message).toContain("inbound on eth1 (the interface config setup's interfaces= binds IPsec to) (INPUT, IPv4)");
  });

  it('interfaces="ipsec0=eth0": accepted where the peers come in, nothing to say', async () => {
    expect((await run('"ipsec0=eth0"')).map((f) => f.code)).toEqual([]);
  });

  it('%defaultroute names no interface: the per-interface note, as before', async () => {
    expect((await run('%defaultroute')).map((f) => f.code)).toEqual(['FIREWALL_INTERFACE_LIMITED']);
  });
});
