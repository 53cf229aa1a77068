/**
 * keepalived.conf on the samples keepalived 2.2.7 ships (Debian 12, /usr/share/doc/keepalived/samples)
 * and on the scenario files, which keepalived's own parser accepts (fixtures/*.config-test).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepalivedReader, sniffKeepalived } from '../../../src/platforms/lvs/keepalived-conf.js';
import { detectIpvs, linesOf } from '../../../src/sources/ipvs-file.js';
import { detectConfigType } from '../../../src/sources/config-file.js';
import type { IpvsService } from '../../../src/evidence/ipvs-types.js';

const FX = join(import.meta.dirname, 'fixtures');
const read = (file: string) => linesOf(readFileSync(join(FX, file), 'utf8'));
const brief = (s: IpvsService) => ({
  service: s.fwmark !== undefined ? `fwmark ${s.fwmark}` : `${s.protocol} ${s.address}:${s.port}`, scheduler: s.scheduler?.value, persistence: s.persistence?.value, group: s.group,
  realServers: s.realServers.map((r) => `${r.address}:${r.port} ${r.forwarding.value}${r.forwarding.implicit ? ' (default)' : ''}`),
});

describe('keepalived.conf: the samples keepalived 2.2.7 ships', () => {
  it('keepalived.conf.fwmark: a persistent firewall-mark service, LVS-NAT, TCP_CHECK blocks skipped', () => {
    const { facts, diagnostics } = keepalivedReader.read(read('public/keepalived.conf.fwmark'), 'fwmark');
    expect(diagnostics).toEqual([]);
    expect(facts.services.map(brief)).toEqual([{ service: 'fwmark 1', scheduler: 'rr', persistence: 900, group: undefined, realServers: ['192.168.201.100:0 masq', '192.168.201.101:0 masq'] }]);
    expect(facts.services[0].at).toEqual({ source: 'fwmark', line: 7, excerpt: 'virtual_server fwmark 1 {' });
    expect(facts.services[0].realServers[0].forwarding.at).toMatchObject({ line: 10, excerpt: 'lb_kind NAT' });
  });

  it('keepalived.conf.UDP_CHECK: a UDP service; the commented `!\\t\\trequire_reply` is a comment', () => {
    const { facts, diagnostics } = keepalivedReader.read(read('public/keepalived.conf.UDP_CHECK'), 'udp');
    expect(diagnostics).toEqual([]);
    expect(facts.services.map(brief)).toEqual([{ service: 'udp 10.10.10.2:1358', scheduler: 'rr', persistence: 50, group: undefined, realServers: ['192.168.200.6:1358 masq'] }]);
  });

  it('keepalived.conf.virtual_server_group: one IPVS service per group entry (addresses, a range, fwmarks), sharing the real servers', () => {
    const { facts } = keepalivedReader.read(read('public/keepalived.conf.virtual_server_group'), 'vsg');
    expect(facts.services.map((s) => brief(s).service)).toEqual(['tcp 10.0.0.1:8080', 'tcp 10.0.0.2:80', 'tcp 192.168.200.1:1358', 'tcp 192.168.200.3-10:80', 'fwmark 1', 'fwmark 2']);
    expect(new Set(facts.services.map((s) => s.group))).toEqual(new Set(['VSG_1']));
    expect(facts.services[3].at).toMatchObject({ line: 17, excerpt: '192.168.200.3-10 80' });
  });

  it('keepalived.conf.IPv6: an IPv6 service; the `# virtual_server group …` comment is not read', () => {
    const { facts } = keepalivedReader.read(read('public/keepalived.conf.IPv6'), 'v6');
    expect(facts.services.map(brief)).toEqual([{ service: 'tcp ae00::1:80', scheduler: 'rr', persistence: 50, group: undefined, realServers: ['ae00::10:25 masq'] }]);
    expect(facts.services[0].family).toBe(6);
  });

  it('every shipped sample with a virtual_server is claimed by the keepalived reader only, and by no IKE config reader', () => {
    for (const f of readdirSync(join(FX, 'public')).filter((n) => n.startsWith('keepalived.conf.'))) {
      const lines = read(join('public', f));
      expect(detectIpvs(lines)?.reader, f).toBe(keepalivedReader);
      expect(detectConfigType(lines.join('\n')), f).toBeUndefined();
    }
  });
});

describe('keepalived.conf: the scenarios (accepted by keepalived --config-test 2.2.7)', () => {
  it.each(readdirSync(FX).filter((f) => f.endsWith('.keepalived.conf')))('%s: keepalived found nothing to say, and neither do we', (f) => {
    expect(readFileSync(join(FX, `${f}.config-test`), 'utf8')).toBe('');
    const { facts, diagnostics } = keepalivedReader.read(read(f), f);
    expect(diagnostics).toEqual([]);
    expect(facts.unparsed).toBe(0);
    expect(facts.services.length).toBeGreaterThan(0);
  });

  it('keepalived\'s defaults where nothing is written: UDP, NAT, wlc, 360 s for a bare persistence_timeout and for port 0 (check_data.c)', () => {
    const { facts } = keepalivedReader.read([
      'virtual_server 192.0.2.1 500 {', '  real_server 10.0.0.5 500 {', '  }', '}',
      'virtual_server 192.0.2.1 4500 {', '  persistence_timeout', '  protocol TCP', '  real_server 10.0.0.5 4500 {', '    lvs_method DR', '  }', '}',
      'virtual_server 192.0.2.2 0 {', '  lb_kind TUN', '  real_server 10.0.0.6 { }', '}',
    ], 'defaults');
    expect(facts.services.map(brief)).toEqual([
      { service: 'udp 192.0.2.1:500', scheduler: 'wlc', persistence: undefined, group: undefined, realServers: ['10.0.0.5:500 masq (default)'] },
      { service: 'tcp 192.0.2.1:4500', scheduler: 'wlc', persistence: 360, group: undefined, realServers: ['10.0.0.5:4500 route'] },
      { service: 'udp 192.0.2.2:0', scheduler: 'wlc', persistence: 360, group: undefined, realServers: ['10.0.0.6:0 tunnel'] },
    ]);
    expect(facts.services.map((s) => [s.protocol, s.scheduler?.implicit, s.persistence?.implicit])).toEqual([['udp', true, undefined], ['tcp', true, true], ['udp', true, true]]);
  });

  it('lvs_timeouts in global_defs; ops only for UDP (keepalived resets it for TCP)', () => {
    const { facts } = keepalivedReader.read(read('nat-transport.keepalived.conf'), 'nt');
    expect(facts.timeouts).toMatchObject({ tcp: { value: 900 }, tcpFin: { value: 120 }, udp: { value: 300, at: { line: 3, excerpt: 'lvs_timeouts tcp 900 tcpfin 120 udp 300' } } });
    const ops = keepalivedReader.read(['virtual_server 192.0.2.1 80 {', 'protocol TCP', 'ops', 'real_server 10.0.0.5 80 {', '}', '}', 'virtual_server 192.0.2.1 500 {', 'ops', 'real_server 10.0.0.5 500 {', '}', '}'], 'ops').facts;
    expect(ops.services.map((s) => Boolean(s.onePacket))).toEqual([false, true]);
  });

  it('braces anywhere, quotes, comments after `!`/`#`, an undefined group and stray braces are located', () => {
    const { facts, diagnostics } = keepalivedReader.read([
      'virtual_server 192.0.2.1 500 { lb_algo "rr" # inline comment', '  real_server 10.0.0.5 500', '  {', '  }', '}', '}',
      'virtual_server group NOPE {', 'real_server 10.0.0.5 500 {', '}', '}', 'include /etc/keepalived/conf.d/*.conf',
    ], 'odd');
    expect(facts.services.map(brief)).toEqual([{ service: 'udp 192.0.2.1:500', scheduler: 'rr', persistence: undefined, group: undefined, realServers: ['10.0.0.5:500 masq (default)'] }]);
    expect(diagnostics.map((d) => [d.at.line, d.message.slice(0, 30)])).toEqual([[6, "a '}' that closes no block"], [7, "virtual_server_group 'NOPE' is"], [11, "'include /etc/keepalived/conf."]]);
    expect(facts.unparsed).toBe(1);
  });

  it('a VRRP-only keepalived.conf holds no IPVS and is not claimed', () => {
    expect(sniffKeepalived(['vrrp_instance VI_1 {', 'state MASTER', 'interface eth0', '}'])).toBe(0);
  });
});
