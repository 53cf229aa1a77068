/**
 * host: recorded probe outputs (real command output captured in a throwaway network
 * namespace, see samples/host-gateway-misconfigured/README.md) replayed through the
 * real probe parsers, the real config loader and the real check, end to end via diagnose().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import { recordedRunner, recordedRunnerFromFiles } from '../../src/sources/host/runner.js';
import type { Finding } from '../../src/engine/types.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'host-gateway-misconfigured');
const recorded = (): Record<string, string> => Object.fromEntries(readdirSync(join(SAMPLE, 'host')).map((f) => [f, readFileSync(join(SAMPLE, 'host', f), 'utf8')]));

async function run(files: Record<string, string>, opts: { configs?: string[]; root?: boolean } = {}): Promise<Finding[]> {
  const report = await diagnose({ logs: [], pcaps: [], configs: opts.configs ?? [join(SAMPLE, 'moon.swanctl.conf')], host: true, local: [], peer: [], only: ['host'], hostRunner: recordedRunnerFromFiles(files, opts.root ?? true) });
  return report.findings;
}

describe('host check', () => {
  it('the sample: every expected code, none of the absent ones, each citing its command', async () => {
    const expected = JSON.parse(readFileSync(join(SAMPLE, 'expected.json'), 'utf8')) as { codes: string[]; absent: string[] };
    const fs = await run(recorded());
    const codes = new Set(fs.map((f) => f.code));
    for (const c of expected.codes) expect(codes.has(c), c).toBe(true);
    for (const c of expected.absent) expect(codes.has(c), c).toBe(false);
    for (const f of fs) expect(f.evidence.some((e) => e.command || e.line), f.code).toBe(true);
  });

  it('cites the sysctl lines that matter, with the command', async () => {
    const fs = await run(recorded());
    const rp = fs.find((f) => f.code === 'RP_FILTER_STRICT')!;
    expect(rp.data.ifaces).toEqual(['veth0', 'veth1']);
    expect(rp.evidence[0].command).toMatch(/^sysctl -a -r /);
    expect(rp.evidence[0].excerpt).toContain('net.ipv4.conf.all.rp_filter = 1');
    expect(fs.find((f) => f.code === 'DAEMON_NOT_LISTENING')).toMatchObject({ severity: 'error', data: { missing: '500' } });
    expect(fs.find((f) => f.code === 'IP_FORWARD_DISABLED')!.data.subnets).toEqual(['10.1.0.0/24']);
    const xfrm = fs.find((f) => f.code === 'XFRM_POLICY_MISSING')!;
    expect(xfrm.evidence.map((e) => e.command ?? e.source)).toEqual([join(SAMPLE, 'moon.swanctl.conf'), 'ip xfrm policy']);
  });

  it('no daemon process: DAEMON_NOT_RUNNING and no listening verdict', async () => {
    const files = recorded();
    files['ps.txt'] = files['ps.txt'].split('\n').filter((l) => !/charon/.test(l)).join('\n');
    const codes = (await run(files)).map((f) => f.code);
    expect(codes).toContain('DAEMON_NOT_RUNNING');
    expect(codes).not.toContain('DAEMON_NOT_LISTENING');
  });

  it('a healthy gateway: forwarding on, MSS clamped, sockets on 500 and 4500, loose rp_filter, redirects off → only the daemon info', async () => {
    const files = recorded();
    files['sysctl.txt'] = files['sysctl.txt'].replace(/rp_filter = 1/g, 'rp_filter = 2').replace(/redirects = 1/g, 'redirects = 0').replace('ip_forward = 0', 'ip_forward = 1').replace('ip_no_pmtu_disc = 1', 'ip_no_pmtu_disc = 0');
    files['ss-uapnH.txt'] += files['ss-uapnH.txt'].replace(':4500', ':500');
    files['ip-xfrm-policy.txt'] = 'src 10.1.0.0/24 dst 10.2.0.0/24 \n\tdir out priority 375423 ptype main \n\ttmpl src 203.0.113.1 dst 198.51.100.7\n\t\tproto esp reqid 1 mode tunnel\n';
    const without = (await run(files)).map((f) => f.code).sort();
    expect(without).toEqual(['HOST_DAEMON_RUNNING', 'MSS_CLAMP_MISSING']);
    // the same box with a TCPMSS rule in the live ruleset (real iptables-save of the healthy sample)
    delete files['nft-j-list-ruleset.json'];
    files['iptables-save.txt'] = readFileSync(join(SAMPLE, '..', 'firewall-iptables-gateway-healthy', 'iptables-save.conf'), 'utf8');
    // nft and ip6tables-save are "not installed" in this recording: skipped, not failures
    expect((await run(files)).map((f) => f.code).filter((c) => c !== 'HOST_PROBE_SKIPPED')).toEqual(['HOST_DAEMON_RUNNING']);
  });

  it('probes that cannot run are reported as skipped with the reason, not as failures', async () => {
    const fs = await run({ 'ps.txt': recorded()['ps.txt'] }, { root: false });
    const skipped = fs.filter((f) => f.code === 'HOST_PROBE_SKIPPED');
    expect(skipped.every((f) => f.severity === 'info')).toBe(true);
    expect(skipped.map((f) => f.data.probe)).toEqual(expect.arrayContaining(['sockets', 'xfrm-state', 'xfrm-policy', 'sysctl', 'nft', 'journal']));
    expect(skipped.find((f) => f.data.probe === 'xfrm-state')!.data.reason).toMatch(/needs root/);
    expect(skipped.find((f) => f.data.probe === 'sockets')!.data.reason).toMatch(/not installed/);
  });

  it('an installed SA whose reqid no policy uses is XFRM_POLICY_MISSING; with its policy it is not', async () => {
    const state = 'src 198.51.100.7 dst 203.0.113.1\n\tproto esp spi 0xc1a2b3c4 reqid 7 mode tunnel\n\treplay-window 0 flag af-unspec\n\taead rfc4106(gcm(aes)) 0x0011223344556677889900aabbccddeeff001122 128\n';
    const base = { 'ps.txt': recorded()['ps.txt'], 'ip-xfrm-state.txt': state, 'ip-xfrm-policy.txt': '' };
    const fs = await run(base, { configs: [] });
    const f = fs.find((x) => x.code === 'XFRM_POLICY_MISSING')!;
    expect(f.message).toContain('reqid 7');
    expect(JSON.stringify(fs)).not.toContain('0011223344556677889900aabbccddeeff001122');
    const withPolicy = await run({ ...base, 'ip-xfrm-policy.txt': 'src 10.2.0.0/24 dst 10.1.0.0/24 \n\tdir fwd priority 1 ptype main \n\ttmpl src 198.51.100.7 dst 203.0.113.1\n\t\tproto esp reqid 7 mode tunnel\n' }, { configs: [] });
    expect(withPolicy.map((x) => x.code)).not.toContain('XFRM_POLICY_MISSING');
  });

  it('a recorded runner without a command reports it as not installed', async () => {
    expect(await recordedRunner({}).run('ss', ['-uapnH'])).toMatchObject({ status: 'skipped', reason: 'ss is not installed' });
  });
});
