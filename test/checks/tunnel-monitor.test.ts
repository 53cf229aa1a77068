/**
 * tunnel-monitor: PAN-OS configurations (the lines of Cloudflare's published Magic WAN
 * gateway and tunnel, test/platforms/panos/fixtures/config/README.md) through the real
 * PAN-OS reader and the real check, alone and against a strongSwan peer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tunnelMonitor from '../../checks/tunnel-monitor.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { ConfigFacts } from '../../src/evidence/config-types.js';
import type { Finding } from '../../src/engine/types.js';
import { panosConfigReaders } from '../../src/platforms/panos/configs.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { decodeIpsecConf } from '../../src/platforms/freeswan/ipsec-conf.js';

const [, setReader] = panosConfigReaders;
const panos = (text: string, source: string): ConfigFacts => setReader.decode(text, source, () => ({ files: [] })).facts;
const CLOUDFLARE = readFileSync(join(import.meta.dirname, '../platforms/panos/fixtures/config/cloudflare-magic-wan.set.txt'), 'utf8');
const LAB_RIGHT = readFileSync(join(import.meta.dirname, '../../samples/lab-healthy/right.swanctl.conf'), 'utf8');

async function run(...configs: ConfigFacts[]): Promise<Finding[]> {
  const evidence: Evidence = { inputs: [], configs, diagnostics: [], options: { local: [], peer: [] } };
  return (await analyse(evidence, { checks: [tunnelMonitor] })).findings;
}

const codes = (fs: Finding[]) => fs.map((f) => `${f.code}:${f.severity}`).sort();

/** Cloudflare's gateway 1 / tunnel 1 on the lab's addresses (self, peer), with extra lines. */
function site(self: string, peer: string, selfId: string, peerId: string, vti: string, dest: string, extra: string[] = []): string {
  return [
    'set network ike crypto-profiles ike-crypto-profiles CF_IKE_Crypto_CBC hash [ sha512 sha384 sha256 ]',
    'set network ike crypto-profiles ike-crypto-profiles CF_IKE_Crypto_CBC dh-group [ group14 group5 ]',
    'set network ike crypto-profiles ike-crypto-profiles CF_IKE_Crypto_CBC encryption aes-256-cbc',
    'set network ike crypto-profiles ipsec-crypto-profiles CF_IPsec_Crypto_CBC esp authentication [ sha256 sha1 ]',
    'set network ike crypto-profiles ipsec-crypto-profiles CF_IPsec_Crypto_CBC esp encryption aes-256-cbc',
    'set network ike crypto-profiles ipsec-crypto-profiles CF_IPsec_Crypto_CBC dh-group group14',
    `set network interface tunnel units tunnel.1 ip ${vti}`,
    'set network ike gateway CF_Magic_WAN_IKE_01 protocol ikev2 dpd enable yes',
    'set network ike gateway CF_Magic_WAN_IKE_01 protocol ikev2 ike-crypto-profile CF_IKE_Crypto_CBC',
    'set network ike gateway CF_Magic_WAN_IKE_01 protocol version ikev2',
    `set network ike gateway CF_Magic_WAN_IKE_01 local-address ip ${self}/24`,
    'set network ike gateway CF_Magic_WAN_IKE_01 protocol-common nat-traversal enable no',
    `set network ike gateway CF_Magic_WAN_IKE_01 peer-address ip ${peer}`,
    'set network ike gateway CF_Magic_WAN_IKE_01 authentication pre-shared-key key -AQ==Xdcd9ir5o5xhjuIH---------------------HsRoVf+M0TTG4ja3EzulN37zMOwGs',
    `set network ike gateway CF_Magic_WAN_IKE_01 local-id id ${selfId}`,
    'set network ike gateway CF_Magic_WAN_IKE_01 local-id type fqdn',
    `set network ike gateway CF_Magic_WAN_IKE_01 peer-id id ${peerId}`,
    'set network ike gateway CF_Magic_WAN_IKE_01 peer-id type fqdn',
    'set network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key ike-gateway CF_Magic_WAN_IKE_01',
    'set network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key ipsec-crypto-profile CF_IPsec_Crypto_CBC',
    `set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-monitor destination-ip ${dest}`,
    'set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-monitor tunnel-monitor-profile default',
    'set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-interface tunnel.1',
    ...extra,
  ].join('\n');
}
const left = (extra: string[] = []) => panos(site('192.0.2.10', '198.51.100.20', 'left.example', 'right.example', '10.252.2.27/31', '10.252.2.26', extra), 'left.panos');
const right = (extra: string[] = []) => panos(site('198.51.100.20', '192.0.2.10', 'right.example', 'left.example', '10.252.2.26/31', '10.252.2.27', extra), 'right.panos');
const MONITOR_ON = 'set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-monitor enable yes';
const PASSIVE = 'set network ike gateway CF_Magic_WAN_IKE_01 protocol-common passive-mode yes';

describe('tunnel monitoring on one configuration', () => {
  it('the published config: off on both tunnels; a warning where a backup route exists, info on the backup tunnel', async () => {
    const fs = await run(panos(CLOUDFLARE, 'cf.set'));
    expect(codes(fs)).toEqual(['TUNNEL_MONITOR_DISABLED:info', 'TUNNEL_MONITOR_DISABLED:warning']);
    const primary = fs.find((f) => f.severity === 'warning')!;
    expect(primary.data).toMatchObject({ tunnel: 'CF_Magic_WAN_IPsec_01', backupRoutes: ['default/Magic_WAN_VLAN0010_Tun02', 'default/Magic_WAN_VLAN0020_Tun02'] });
    expect(primary.message).toContain('destination-ip 10.252.2.26 and profile default written, but tunnel-monitor enable is not set');
    expect(primary.message).toContain('traffic to 10.1.10.0/24 stays on tunnel.1');
    expect(primary.hint).toContain('`set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-monitor enable yes`');
    const backup = fs.find((f) => f.severity === 'info')!;
    expect(backup.data.reason).toBe('IKEv2 liveness is on and no backup route exists to fail over to');
  });

  it('enabled with the default profile (wait-recover) where a backup route exists: TUNNEL_MONITOR_NO_FAILOVER on the primary only', async () => {
    const text = CLOUDFLARE.split('\n').flatMap((l) => (/tunnel-monitor-profile default$/.test(l) ? [l, l.replace(/tunnel-monitor tunnel-monitor-profile default$/, 'tunnel-monitor enable yes')] : [l])).join('\n');
    const fs = await run(panos(text, 'cf.set'));
    expect(codes(fs)).toEqual(['TUNNEL_MONITOR_NO_FAILOVER:warning']);
    expect(fs[0].data).toMatchObject({ tunnel: 'CF_Magic_WAN_IPsec_01', profile: 'default', destination: '10.252.2.26' });
    expect(fs[0].message).toContain('10.1.10.0/24 also has a route via tunnel.2 (default/Magic_WAN_VLAN0010_Tun02, metric 11)');
  });

  it('a fail-over profile is what the finding asks for: nothing to report', async () => {
    const text = `${CLOUDFLARE}\nset network profiles monitor-profile FO action fail-over\n` + CLOUDFLARE.split('\n').filter((l) => /tunnel-monitor-profile default$/.test(l)).flatMap((l) => [l.replace('default', 'FO'), l.replace(/tunnel-monitor tunnel-monitor-profile default$/, 'tunnel-monitor enable yes')]).join('\n');
    expect(await run(panos(text, 'cf.set'))).toEqual([]);
  });

  it('liveness off too: warning, the consequence says nothing notices a dead peer before the rekey', async () => {
    const fs = await run(left(['set network ike gateway CF_Magic_WAN_IKE_01 protocol ikev2 dpd enable no']));
    expect(codes(fs)).toEqual(['TUNNEL_MONITOR_DISABLED:warning']);
    expect(fs[0].data.consequence).toBe('liveness is off too, so nothing notices a dead peer before the next rekey (1h)');
  });

  it('a destination outside the tunnel\'s own proxy IDs', async () => {
    const fs = await run(left([MONITOR_ON, 'set network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab local 10.1.0.0/24', 'set network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab remote 10.2.0.0/24']));
    expect(codes(fs)).toEqual(['TUNNEL_MONITOR_DESTINATION_OUTSIDE:warning']);
    expect(fs[0].data).toMatchObject({ destination: '10.252.2.26', whose: "the tunnel's own remote proxy IDs", selectors: ['10.2.0.0/24'] });
    expect(fs[0].evidence.map((e) => e.line)).toEqual([21, 26]);
  });
});

describe('between the peers', () => {
  it('monitoring on one side only', async () => {
    const fs = await run(left([MONITOR_ON]), right());
    expect(codes(fs)).toEqual(['TUNNEL_MONITOR_DISABLED:info', 'TUNNEL_MONITOR_ONE_SIDED:warning']);
    const f = fs.find((x) => x.code === 'TUNNEL_MONITOR_ONE_SIDED')!;
    expect(f.data).toMatchObject({ fileA: 'left.panos', fileB: 'right.panos', fileWithout: 'right.panos' });
    expect(f.message).toContain('left.panos monitors 10.252.2.26 every 3 s, action wait-recover after 5 lost probes; right.panos destination-ip 10.252.2.27');
  });

  it('monitoring on both sides: nothing between them', async () => {
    expect(await run(left([MONITOR_ON]), right([MONITOR_ON]))).toEqual([]);
  });

  it('both passive', async () => {
    const fs = (await run(left([PASSIVE]), right([PASSIVE]))).filter((f) => f.code === 'BOTH_PEERS_PASSIVE');
    expect(fs).toHaveLength(1);
    expect(fs[0].evidence.map((e) => e.excerpt)).toEqual([PASSIVE, PASSIVE]);
    expect(fs[0].data).toMatchObject({ howA: 'is in passive mode (responder only)', howB: 'is in passive mode (responder only)' });
  });

  it('one passive side is normal (the other initiates); a strongSwan peer that only waits for an operator counts as passive against a PAN-OS passive gateway', async () => {
    expect((await run(left([PASSIVE]), right())).map((f) => f.code)).not.toContain('BOTH_PEERS_PASSIVE');
    const ss = decodeSwanctlConf(LAB_RIGHT.replace('dpd_action = clear', 'dpd_action = clear\n        start_action = none'), 'right.swanctl.conf').facts;
    const fs = (await run(left([PASSIVE]), ss)).filter((f) => f.code === 'BOTH_PEERS_PASSIVE');
    expect(fs[0].data.howB).toContain('swanctl --initiate');
    // without start_action written, the strongSwan side's intent is unknown: not judged
    expect((await run(left([PASSIVE]), decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts)).map((f) => f.code)).not.toContain('BOTH_PEERS_PASSIVE');
  });

  it('two strongSwan/libreswan peers that both wait for an operator are the usual lab setup, not a finding', async () => {
    const conf = (self: string, peer: string) => `conn x\n\tleft=${self}\n\tright=${peer}\n\tauto=add\n`;
    const fs = await run(decodeIpsecConf(conf('192.0.2.10', '198.51.100.20'), 'a.conf').facts, decodeIpsecConf(conf('198.51.100.20', '192.0.2.10'), 'b.conf').facts);
    expect(fs.map((f) => f.code)).not.toContain('BOTH_PEERS_PASSIVE');
  });

  it('NAT-T off on PAN-OS against strongSwan: info without a NAT, error when the configs show one', async () => {
    const ss = decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts;
    const plain = (await run(left(), ss)).filter((f) => f.code === 'NAT_T_ONE_SIDED');
    expect(plain.map((f) => f.severity)).toEqual(['info']);
    expect(plain[0].data).toMatchObject({ stateA: 'has NAT traversal disabled', stateB: 'does NAT traversal (built in)', natEvident: false });
    const behindNat = panos(site('10.0.0.2', '198.51.100.20', 'left.example', 'right.example', '10.252.2.27/31', '10.252.2.26'), 'left.panos');
    const [f] = (await run(behindNat, ss)).filter((x) => x.code === 'NAT_T_ONE_SIDED');
    expect(f.severity).toBe('error');
    expect(f.message).toContain('10.0.0.2 is known to its peer as 192.0.2.10: a NAT sits between them');
  });

  it('NAT-T on one PAN-OS and off on the other: warning', async () => {
    const fs = (await run(left(['set network ike gateway CF_Magic_WAN_IKE_01 protocol-common nat-traversal enable yes']), right())).filter((f) => f.code === 'NAT_T_ONE_SIDED');
    expect(fs.map((f) => f.severity)).toEqual(['warning']);
  });

  it('a monitor destination outside the strongSwan peer\'s local selectors (the SA is narrowed to them)', async () => {
    const ss = decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts;
    const [f] = (await run(left([MONITOR_ON]), ss)).filter((x) => x.code === 'TUNNEL_MONITOR_DESTINATION_OUTSIDE');
    expect(f.data).toMatchObject({ destination: '10.252.2.26', whose: "the peer's local selectors in right.swanctl.conf", selectors: ['10.2.0.0/24'] });
    // inside them: nothing
    const inside = panos(site('192.0.2.10', '198.51.100.20', 'left.example', 'right.example', '10.252.2.27/31', '10.2.0.1', [MONITOR_ON]), 'left.panos');
    expect((await run(inside, ss)).map((x) => x.code)).not.toContain('TUNNEL_MONITOR_DESTINATION_OUTSIDE');
  });
});

describe('not applicable', () => {
  it('strongSwan configs alone: no tunnel monitor to judge, no finding', async () => {
    const ss = decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts;
    expect(await run(ss)).toEqual([]);
  });
});
