/**
 * The ipvsadm readers on real text: the public `ipvsadm -Ln` / `-lcn` outputs of the corpus, the
 * rules of ipvsadm(8)'s own examples, and the restore files of the scenarios (fixtures/README.md
 * says where each comes from; this machine's kernel has no IPVS, so no output was captured here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipvsadmListReader, sniffIpvsadmList } from '../../../src/platforms/lvs/ipvsadm-list.js';
import { ipvsadmSaveReader, sniffIpvsadmSave } from '../../../src/platforms/lvs/ipvsadm-save.js';
import { detectIpvs, linesOf } from '../../../src/sources/ipvs-file.js';
import { detectConfigType, looksLikeRuleset } from '../../../src/sources/config-file.js';
import type { IpvsService } from '../../../src/evidence/ipvs-types.js';

const FX = join(import.meta.dirname, 'fixtures');
const read = (file: string) => linesOf(readFileSync(join(FX, file), 'utf8'));
const brief = (s: IpvsService) => ({
  protocol: s.protocol, address: s.address, port: s.port, fwmark: s.fwmark, family: s.family, scheduler: s.scheduler?.value, persistence: s.persistence?.value,
  realServers: s.realServers.map((r) => `${r.address}:${r.port} ${r.forwarding.value}${r.forwarding.implicit ? ' (default)' : ''} w${r.weight}`),
});

describe('ipvsadm -L -n: the public outputs (corpus)', () => {
  const lines = read('public/public-ipvsadm-Ln.examples.txt');
  const { facts, diagnostics } = ipvsadmListReader.read(lines, 'pub');

  it('reads both listings and the connection entries, nothing unparsed', () => {
    expect(diagnostics).toEqual([]);
    expect(facts).toMatchObject({ format: 'ipvsadm-list', lines: 15, unparsed: 0 });
    expect(facts.services.map(brief)).toEqual([
      { protocol: 'tcp', address: '202.168.128.202', port: 80, fwmark: undefined, family: 4, scheduler: 'wrr', persistence: 60, realServers: ['172.24.100.5:80 route w3', '172.24.100.4:80 route w3'] },
      { protocol: undefined, address: undefined, port: undefined, fwmark: 256, family: 4, scheduler: 'rr', persistence: undefined, realServers: ['10.255.0.5:0 masq w1'] },
    ]);
    expect(facts.services[0].realServers[0]).toMatchObject({ activeConns: 0, inactiveConns: 0, at: { line: 5, excerpt: '-> 172.24.100.5:80             Route   3      0          0' } });
  });

  it('connection entries: client, virtual, destination and expiry as printed; a template has client port 0', () => {
    expect(facts.connections?.map((c) => [c.protocol, c.expiresSeconds, c.state, `${c.client.address}:${c.client.port}`, `${c.virtual.address}:${c.virtual.port}`, `${c.destination.address}:${c.destination.port}`])).toEqual([
      ['TCP', 57, 'SYN_RECV', '10.15.144.102:43614', '10.15.62.208:19080', '10.15.144.71:19080'],
      ['TCP', 24, 'NONE', '10.15.62.208:0', '10.15.62.208:19080', '10.15.144.71:19080'],
    ]);
  });

  it('is claimed by the listing reader, by nothing else', () => {
    expect(sniffIpvsadmList(lines)).toBe(7);
    expect(sniffIpvsadmSave(lines)).toBe(0);
    expect(detectIpvs(lines)?.reader).toBe(ipvsadmListReader);
    expect(detectConfigType(lines.join('\n'))).toBeUndefined();
  });
});

describe('ipvsadm -L -n: the shapes ipvsadm 1.31 prints (ipvsadm.c print_service_entry, list_timeout)', () => {
  // built from the printf formats ("%-4s %s", " persistent %u", " mask %s", " ops", "FWM  %d IPv6", "  -> %-28s %-7s %-6d %-10u %-10u",
  // the --tun-info column, "Timeout (tcp tcpfin udp): %d %d %d"): not captured output
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'UDP  192.0.2.1:500 rr persistent 300 mask 255.255.255.0 ops',
    '  -> 10.0.0.5:500                 Masq    1      0          0         ',
    'UDP  [2001:db8::1]:4500 sh (sh-port) persistent 3600',
    '  -> [2001:db8::5]:4500 Tunnel  1      2          3',
    'FWM  1 IPv6 wlc',
    'SCTP 192.0.2.9:5060 rr',
    '  -> 127.0.0.1:5060               Local   1      0          0',
    'Timeout (tcp tcpfin udp): 900 120 300',
  ];
  const { facts, diagnostics } = ipvsadmListReader.read(lines, 'shapes');
  it('reads flags, IPv6, firewall marks, Local, and the timeouts', () => {
    expect(diagnostics).toEqual([]);
    expect(facts.services.map(brief)).toEqual([
      { protocol: 'udp', address: '192.0.2.1', port: 500, fwmark: undefined, family: 4, scheduler: 'rr', persistence: 300, realServers: ['10.0.0.5:500 masq w1'] },
      { protocol: 'udp', address: '2001:db8::1', port: 4500, fwmark: undefined, family: 6, scheduler: 'sh', persistence: 3600, realServers: ['2001:db8::5:4500 tunnel w1'] },
      { protocol: undefined, address: undefined, port: undefined, fwmark: 1, family: 6, scheduler: 'wlc', persistence: undefined, realServers: [] },
      { protocol: 'sctp', address: '192.0.2.9', port: 5060, fwmark: undefined, family: 4, scheduler: 'rr', persistence: undefined, realServers: ['127.0.0.1:5060 local w1'] },
    ]);
    expect(facts.services[0]).toMatchObject({ netmask: '255.255.255.0', onePacket: { line: 4 } });
    expect(facts.timeouts?.udp).toMatchObject({ value: 300, at: { line: 11, excerpt: 'Timeout (tcp tcpfin udp): 900 120 300' } });
  });

  it('--stats and the like print no scheduler or forwarding: not read, and said so', () => {
    const stats = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes', '  -> RemoteAddress:Port', 'UDP  192.0.2.1:500                       1        4        0      1.2K        0', '  -> 10.0.0.5:500                         1        4        0      1.2K        0'];
    const r = ipvsadmListReader.read(stats, 'stats');
    expect(r.facts.services).toEqual([]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/prints no scheduler, persistence or forwarding method/)]);
  });

  it('a line it does not know is counted and located', () => {
    const r = ipvsadmListReader.read(['Prot LocalAddress:Port Scheduler Flags', 'UDP  192.0.2.1:500 rr', 'garbage here'], 'x');
    expect(r.facts.unparsed).toBe(1);
    expect(r.diagnostics[0].at).toEqual({ source: 'x', line: 3 });
  });
});

describe('ipvsadm -S -n / ipvsadm -R rules', () => {
  it('ipvsadm(8) EXAMPLE 1, the restore form: five masqueraded real servers of one TCP service', () => {
    const { facts, diagnostics } = ipvsadmSaveReader.read(read('public/ipvsadm.8-example1.restore'), 'ex1');
    expect(diagnostics).toEqual([]);
    expect(facts.services.map(brief)).toEqual([{
      protocol: 'tcp', address: '207.175.44.110', port: 80, fwmark: undefined, family: 4, scheduler: 'rr', persistence: undefined,
      realServers: [1, 2, 3, 4, 5].map((i) => `192.168.10.${i}:80 masq wundefined`),
    }]);
  });

  it('ipvsadm(8) EXAMPLE 2, as commands (`ipvsadm -A -f 1  -s rr`): a firewall-mark service, port 0 = the packet\'s port', () => {
    const lines = read('public/ipvsadm.8-example2.commands');
    expect(sniffIpvsadmSave(lines)).toBe(6);
    const { facts } = ipvsadmSaveReader.read(lines, 'ex2');
    expect(facts.services.map(brief)).toEqual([{ protocol: undefined, address: undefined, port: undefined, fwmark: 1, family: 4, scheduler: 'rr', persistence: undefined, realServers: [1, 2, 3, 4, 5].map((i) => `192.168.10.${i}:0 masq wundefined`) }]);
  });

  it('the scenarios\' restore files: --set timeouts, persistence, forwarding switches', () => {
    const p300 = ipvsadmSaveReader.read(read('fwmark-dr-p300.ipvsadm-rules'), 'p300').facts;
    expect(p300.timeouts).toMatchObject({ tcp: { value: 900 }, tcpFin: { value: 120 }, udp: { value: 300, at: { line: 1, excerpt: '--set 900 120 300' } } });
    expect(p300.services.map(brief)).toEqual([{ protocol: undefined, address: undefined, port: undefined, fwmark: 1, family: 4, scheduler: 'rr', persistence: 300, realServers: ['192.168.0.2:0 route w1', '192.168.0.3:0 route w1'] }]);
    const nat = ipvsadmSaveReader.read(read('nat-port-5500.ipvsadm-rules'), 'nat').facts;
    expect(nat.services.map((s) => [s.port, s.persistence?.value, s.realServers.map((r) => `${r.port} ${r.forwarding.value}`)])).toEqual([[500, 3600, ['5500 masq']], [4500, 3600, ['4500 masq']]]);
  });

  it('the lines ipvsadm 1.31 writes with -S (print_service_entry, FMT_RULE; print_tunnel_rule): IPv6, -M, --pe, -o, -b, tunnel types', () => {
    const lines = [
      '-A -u [2001:db8::1]:500 -s sh -p 3600 -M 64 -o -b sh-port',
      '-a -u [2001:db8::1]:500 -r [2001:db8::5]:500 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      '-A -f 7 -6 -s rr -p 300 --pe sip',
      '-a -f 7 -6 -r [2001:db8::6]:0 -g -w 2',
    ];
    const { facts, diagnostics } = ipvsadmSaveReader.read(lines, 's');
    expect(diagnostics).toEqual([]);
    expect(facts.services.map(brief)).toEqual([
      { protocol: 'udp', address: '2001:db8::1', port: 500, fwmark: undefined, family: 6, scheduler: 'sh', persistence: 3600, realServers: ['2001:db8::5:500 tunnel w1'] },
      { protocol: undefined, address: undefined, port: undefined, fwmark: 7, family: 6, scheduler: 'rr', persistence: 300, realServers: ['2001:db8::6:0 route w2'] },
    ]);
    expect(facts.services[0]).toMatchObject({ netmask: '64', onePacket: { line: 1 } });
  });

  it('ipvsadm\'s defaults: -g when no switch is given, 300 s for -p without a value (ipvsadm(8)); service names without -n', () => {
    const { facts, diagnostics } = ipvsadmSaveReader.read(['-A -u vpn.example.net:isakmp -s rr -p', '-a -u vpn.example.net:isakmp -r gw1.example.net:isakmp', '-A -u vpn.example.net:ipsec-nat-t -s rr', '-A -u vpn.example.net:domain -s rr'], 'names');
    expect(facts.services.map((s) => [s.address, s.port, s.persistence?.value, s.persistence?.implicit])).toEqual([['vpn.example.net', 500, 300, true], ['vpn.example.net', 4500, undefined, undefined], ['vpn.example.net', undefined, undefined, undefined]]);
    expect(facts.services[0].realServers[0].forwarding).toMatchObject({ value: 'route', implicit: true });
    expect(diagnostics.map((d) => d.at.line)).toEqual([4]);
  });

  it('edits and deletions apply in order, as ipvsadm -R runs them; a real server of an unknown service is refused, located', () => {
    const { facts, diagnostics } = ipvsadmSaveReader.read([
      '-A -u 192.0.2.1:500 -s rr', '-a -u 192.0.2.1:500 -r 10.0.0.5:500 -m', '-a -u 192.0.2.1:500 -r 10.0.0.6:500 -m',
      '-E -u 192.0.2.1:500 -s wlc -p 600', '-e -u 192.0.2.1:500 -r 10.0.0.5:500 -w 5', '-d -u 192.0.2.1:500 -r 10.0.0.6:500',
      '-a -u 192.0.2.9:500 -r 10.0.0.7:500 -m', '-C', '-A -t 192.0.2.1:443 -s rr',
    ], 'edits');
    expect(facts.services.map(brief)).toEqual([{ protocol: 'tcp', address: '192.0.2.1', port: 443, fwmark: undefined, family: 4, scheduler: 'rr', persistence: undefined, realServers: [] }]);
    expect(diagnostics.map((d) => d.at.line)).toEqual([7]);
    const before = ipvsadmSaveReader.read(['-A -u 192.0.2.1:500 -s rr', '-a -u 192.0.2.1:500 -r 10.0.0.5:500 -m', '-E -u 192.0.2.1:500 -s wlc -p 600', '-e -u 192.0.2.1:500 -r 10.0.0.5:500 -w 5'], 'e').facts;
    expect(before.services.map(brief)).toEqual([{ protocol: 'udp', address: '192.0.2.1', port: 500, fwmark: undefined, family: 4, scheduler: 'wlc', persistence: 600, realServers: ['10.0.0.5:500 masq w5'] }]);
  });

  it('is not an iptables-save ruleset, and iptables-save is not ipvsadm', () => {
    const rules = read('fwmark-dr.ipvsadm-rules');
    expect(looksLikeRuleset(rules.join('\n'))).toBe(false);
    expect(sniffIpvsadmSave(read('mark-ike-only.iptables-save'))).toBe(0);
    expect(sniffIpvsadmList(read('mark-ike-only.nft'))).toBe(0);
  });
});
