/**
 * firewall on a box between the peers: the real rulesets the lab's middle box held
 * (`nft list ruleset` / `nft -j list ruleset` in its network namespace, samples/lab-<scenario>/
 * middle-box/) with both peers' real swanctl.conf. The two configs name both ends of the
 * tunnel, so the ruleset is judged on its forward path (and the box's own ICMP errors on
 * output), not as if it were one of the peers; a box between them never sees decrypted traffic.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const LEFT = '192.0.2.10';
const RIGHT = '198.51.100.20';

async function firewallFindings(scenario: string, ruleset: 'ruleset.nft.conf' | 'ruleset.nft-json.conf', configs: Array<'left' | 'right'> = ['left', 'right']): Promise<Finding[]> {
  const dir = join(SAMPLES, `lab-${scenario}`);
  const report = await diagnose({
    logs: [],
    pcaps: [],
    configs: [join(dir, 'middle-box', ruleset), ...configs.map((side) => join(dir, `${side}.swanctl.conf`))],
    host: false,
    local: [],
    peer: [],
  });
  expect(report.diagnostics).toEqual([]);
  return report.findings.filter((f) => f.check === 'firewall');
}

const summary = (fs: Finding[]) => fs.map((f) => [f.code, f.severity, f.data.path, f.data.peer]);

describe.each(['ruleset.nft.conf', 'ruleset.nft-json.conf'] as const)('firewall: the lab middle box (%s)', (ruleset) => {
  it('healthy: a stateful forwarding firewall that lets IKE, NAT-T, ESP and ICMP errors through has nothing to report', async () => {
    expect(await firewallFindings('healthy', ruleset)).toEqual([]);
  });

  it('udp500-dropped: IKE from each end is dropped on the forward path; no decrypted-traffic findings for a box that only sees ciphertext', async () => {
    const fs = await firewallFindings('udp500-dropped', ruleset);
    expect(summary(fs)).toEqual([
      ['FIREWALL_BLOCKS_IKE', 'error', 'forward', `from ${LEFT}`],
      ['FIREWALL_BLOCKS_IKE', 'error', 'forward', `from ${RIGHT}`],
    ]);
    expect(fs[0].evidence[0].excerpt).toMatch(/udp dport 500 drop/);
  });

  it('esp-return-dropped: the drop of ESP-in-UDP from the responder depends on payload bytes: a warning, that direction only', async () => {
    const fs = await firewallFindings('esp-return-dropped', ruleset);
    expect(summary(fs)).toEqual([['FIREWALL_BLOCKS_NAT_T', 'warning', 'forward', `from ${RIGHT}`]]);
    expect(fs[0].message, fs[0].message).toMatch(/@th,64,32 != 0(x0)?. holds too/);
    expect(fs[0].evidence[0].excerpt).toMatch(/^ip saddr 198\.51\.100\.20 udp sport 4500 @th,64,32 != 0(x0)? drop/);
  });

  it('pmtu-blackhole: fragmentation-needed dropped both when forwarded and when the router sends its own', async () => {
    const fs = await firewallFindings('pmtu-blackhole', ruleset);
    expect(fs.map((f) => [f.code, f.data.path])).toEqual([
      ['ICMP_FRAG_NEEDED_BLOCKED', 'forward'],
      ['ICMP_FRAG_NEEDED_BLOCKED', 'output'],
    ]);
  });

  it('nat-udp4500-blocked: NAT-T dropped from each end (the responder accepts any address, the initiator names it)', async () => {
    const fs = await firewallFindings('nat-udp4500-blocked', ruleset);
    expect(summary(fs)).toEqual([
      ['FIREWALL_BLOCKS_NAT_T', 'error', 'forward', `from ${LEFT}`],
      ['FIREWALL_BLOCKS_NAT_T', 'error', 'forward', `from ${RIGHT}`],
    ]);
  });
});
