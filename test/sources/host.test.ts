/**
 * Host probes: the parsers on real command output, key masking, and one real run of
 * every probe inside a throwaway network namespace (root only; skipped otherwise).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskKeys, parsePs, parseSs, parseSysctl, parseXfrmPolicies, parseXfrmStates } from '../../src/sources/host/parse.js';
import { probeHost } from '../../src/sources/host.js';
import { execRunner } from '../../src/sources/host/runner.js';

const REC = join(import.meta.dirname, '..', '..', 'samples', 'host-gateway-misconfigured', 'host');
const rec = (f: string) => readFileSync(join(REC, f), 'utf8');

// libreswan testing/pluto/dpd-04/east.console.txt @ 7d1f4ef21c, `ipsec _kernel policy` (GPL-2.0-or-later), verbatim excerpt
const LIBRESWAN_POLICY = `src 192.1.2.23/32 dst 192.1.2.45/32
	dir out priority PRIORITY ptype main
	tmpl src 192.1.2.23 dst 192.1.2.45
		proto esp reqid REQID mode tunnel
src 192.1.2.45/32 dst 192.1.2.23/32
	dir fwd priority PRIORITY ptype main
	tmpl src 192.1.2.45 dst 192.1.2.23
		proto esp reqid REQID mode tunnel
src 0.0.0.0/0 dst 0.0.0.0/0
	socket out priority 0 ptype main
`;

describe('host probe parsers', () => {
  it('ss -uapnH (real, netns): address, port, owning process', () => {
    expect(parseSs(rec('ss-uapnH.txt'))).toEqual([{ address: '0.0.0.0', port: 4500, process: 'python3', line: expect.stringContaining('0.0.0.0:4500') }]);
    expect(parseSs('UNCONN 0      0      [::]:500 [::]:* users:(("charon",pid=9,fd=13))')[0]).toMatchObject({ address: '::', port: 500, process: 'charon' });
  });

  it('ps: only IKE daemons', () => {
    expect(parsePs(rec('ps.txt'))).toEqual([{ pid: 20917, name: 'charon', args: '/usr/lib/ipsec/charon' }]);
  });

  it('sysctl (real, netns)', () => {
    const s = parseSysctl(rec('sysctl.txt'));
    expect([s['net.ipv4.conf.all.rp_filter'], s['net.ipv4.ip_forward'], s['net.ipv4.ip_no_pmtu_disc']]).toEqual(['1', '0', '1']);
  });

  it('ip xfrm state (libreswan test output) and policy; socket policies are not tunnel policies', () => {
    const states = parseXfrmStates(rec('ip-xfrm-state.txt'));
    expect(states).toHaveLength(2);
    expect(states[0]).toMatchObject({ src: '192.1.2.23', dst: '192.1.2.45', proto: 'esp', spi: '0xSPISPI', mode: 'tunnel', algorithms: ['auth-trunc hmac(sha1)', 'enc cbc(aes)'] });
    const pols = parseXfrmPolicies(LIBRESWAN_POLICY);
    expect(pols.map((p) => [p.src, p.dst, p.dir, p.tmpl?.src])).toEqual([['192.1.2.23/32', '192.1.2.45/32', 'out', '192.1.2.23'], ['192.1.2.45/32', '192.1.2.23/32', 'fwd', '192.1.2.45']]);
  });

  it('keys never survive: any 16+ hex-digit value is masked, SPIs (8 digits) are kept', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{16,80}$/), fc.constantFrom('enc cbc(aes)', 'auth-trunc hmac(sha256)', 'aead rfc4106(gcm(aes))'), (key, alg) => {
        const text = `src 198.51.100.7 dst 203.0.113.1\n\tproto esp spi 0xc1a2b3c4 reqid 1 mode tunnel\n\t${alg} 0x${key} 128\n`;
        const masked = maskKeys(text);
        expect(masked).not.toContain(key);
        expect(JSON.stringify(parseXfrmStates(masked))).not.toContain(key);
        expect(parseXfrmStates(masked)[0].spi).toBe('0xc1a2b3c4');
      }),
      { numRuns: 200 },
    );
  });

  it('parsers never throw on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (s) => {
        parsePs(s);
        parseSs(s);
        parseSysctl(s);
        parseXfrmStates(s);
        parseXfrmPolicies(s);
      }),
      { numRuns: 300 },
    );
  });
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasIp = (() => {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!isRoot || !hasIp) console.warn('host probes in a network namespace: skipped (needs root and iproute2)');

describe.skipIf(!isRoot || !hasIp)('host probes, for real, inside a throwaway network namespace', () => {
  const ns = `ipsecdoc-host-${process.pid}`;
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.ip_forward=0']);
    execFileSync('ip', ['netns', 'exec', ns, 'iptables-restore'], { input: '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p udp -m udp --dport 500 -j ACCEPT\nCOMMIT\n' });
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', ns]);
  });

  it('every probe runs or says why not; the namespace\'s own sysctls and ruleset are read, nothing is changed', async () => {
    const before = execFileSync('ip', ['netns', 'exec', ns, 'iptables-save']).toString().replace(/^#.*\n/gm, '');
    const r = await probeHost(execRunner(['ip', 'netns', 'exec', ns]), { fileExists: () => false });
    for (const p of r.host.probes) expect(['ok', 'skipped', 'failed'], p.id).toContain(p.status);
    expect(r.host.probes.find((p) => p.id === 'sysctl')?.status).toBe('ok');
    expect(r.host.sysctls?.['net.ipv4.conf.all.rp_filter']).toBe('1');
    expect(r.host.sockets).toEqual([]);
    expect(r.host.xfrmStates).toEqual([]);
    expect(r.rulesets.length).toBeGreaterThan(0);
    const input = r.rulesets[0].tables.flatMap((t) => t.chains).find((c) => c.hook === 'input');
    expect(input?.policy).toBe('drop');
    const after = execFileSync('ip', ['netns', 'exec', ns, 'iptables-save']).toString().replace(/^#.*\n/gm, '');
    expect(after).toBe(before);
  });
});

describe('--host reads the kernel SA table with counters', () => {
  it('`ip -s xfrm state` becomes an SA table the traffic checks judge (real output of a 6.1 kernel: one tunnel sends and never hears back)', async () => {
    const { recordedRunner } = await import('../../src/sources/host/runner.js');
    const { analyse } = await import('../../src/run.js');
    const states = readFileSync(join(import.meta.dirname, '..', 'platforms', 'linux', 'fixtures', 'xa.ip-s-xfrm-state.txt'), 'utf8');
    const r = await probeHost(recordedRunner({ 'ip -s xfrm state': states }, true));
    expect(r.host.probes.find((p) => p.id === 'xfrm-state')).toMatchObject({ command: 'ip -s xfrm state', status: 'ok' });
    expect(r.tables.map((t) => [t.source, t.format, t.childSas.length])).toEqual([['host: ip -s xfrm state', 'ip-xfrm-state', 10]]);
    expect(r.host.xfrmStates).toHaveLength(10);
    // no key of the output anywhere in what the probe keeps
    for (const key of states.match(/0x[0-9a-f]{32,}/g) ?? []) expect(JSON.stringify(r)).not.toContain(key.slice(2, 18));
    const report = await analyse({ inputs: [], diagnostics: [], options: { local: [], peer: [] }, saTables: r.tables }, {});
    expect(report.findings.filter((f) => f.code === 'ESP_ONE_WAY').map((f) => f.data.spis)).toEqual(['0xc5a00005']);
  });
});
