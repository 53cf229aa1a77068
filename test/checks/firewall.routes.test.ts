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

async function onHost(routeGet: string | undefined): Promise<{ findings: Finding[]; evidence: Evidence }> {
  const evidence: Evidence = {
    inputs: [], diagnostics: [], options: { local: [], peer: [] },
    configs: [decodeSwanctlConf(MOON, 'moon.swanctl.conf', () => ({ files: [] })).facts],
  };
  const files: Record<string, string> = { 'iptables-save.txt': HEALTHY };
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
});
