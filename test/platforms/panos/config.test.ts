/**
 * PAN-OS configuration readers (XML and `set` commands) on public configurations
 * (fixtures/config/README.md says where each comes from), the neutral facts they give,
 * and the same facts through the real pipeline (diagnose in src/run.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectConfigType } from '../../../src/sources/config-file.js';
import { panosConfigReaders } from '../../../src/platforms/panos/configs.js';
import { parseProposals } from '../../../src/evidence/derived/proposals.js';
import { diagnose } from '../../../src/run.js';
import type { ConfigFacts, ConnectionConfig } from '../../../src/evidence/config-types.js';

const FIX = join(import.meta.dirname, 'fixtures', 'config');
const read = (name: string) => readFileSync(join(FIX, name), 'utf8');
const noInclude = () => ({ files: [] });

function decode(name: string, text = read(name)) {
  const d = detectConfigType(text);
  expect(d?.reader && panosConfigReaders.includes(d.reader), `${name} is claimed by a PAN-OS reader`).toBe(true);
  return d!.reader.decode(text, name, noInclude);
}

const conn = (facts: ConfigFacts, name: string): ConnectionConfig => facts.connections.find((c) => c.name === name)!;
const transforms = (list: string[], protocol: 'IKE' | 'ESP') => list.flatMap((p) => parseProposals(p, protocol)).map((p) => ({ ...p.transforms, unknown: p.unknown }));

// the page's own masked key values: neither may survive into any model, excerpt or report
const CF_KEYS = ['Xdcd9ir5o5xhjuIH', 'rvwEulxx7wLBl', 'HsRoVf+M0TTG4ja3EzulN37zMOwGs'];
const PANOS_PHP_KEY = '8ND8lqVzKL0beoDz5f3yWVelqw';

describe('PAN-OS set commands: Cloudflare Magic WAN guide (PAN-OS 9.1)', () => {
  const { facts, diagnostics } = decode('cloudflare-magic-wan.set.txt');

  it('is read without a diagnostic: one connection per IKE gateway, its tunnel as the child', () => {
    expect(diagnostics).toEqual([]);
    expect(facts).toMatchObject({ type: 'panos-set', dialect: 'panos' });
    expect(facts.connections.map((c) => [c.name, c.children.map((ch) => ch.name)])).toEqual([
      ['CF_Magic_WAN_IKE_01', ['CF_Magic_WAN_IPsec_01']],
      ['CF_Magic_WAN_IKE_02', ['CF_Magic_WAN_IPsec_02']],
    ]);
  });

  it('resolves address objects: the peer-address and the interface address without its prefix length', () => {
    const c = conn(facts, 'CF_Magic_WAN_IKE_01');
    expect(c.remote.addrs.value).toEqual(['162.159.66.164']);
    expect(c.remote.addrs.excerpt).toBe('set network ike gateway CF_Magic_WAN_IKE_01 peer-address ip CF_Magic_WAN_Anycast_01');
    expect(c.local.addrs.value).toEqual(['203.0.113.254']);
    expect(conn(facts, 'CF_Magic_WAN_IKE_02').remote.addrs.value).toEqual(['172.64.242.164']);
  });

  it('version, IDs, PSK authentication, liveness, NAT-T, fragmentation, passive mode as written', () => {
    const c = conn(facts, 'CF_Magic_WAN_IKE_01');
    expect(c.ikeVersion).toMatchObject({ value: 2, key: 'protocol version' });
    expect(c.local.rounds[0].id?.value).toBe('28de99ee57424ee0a1591384193982fa.33145236.ipsec.cloudflare.com');
    expect(c.remote.rounds[0].id).toBeUndefined(); // "Peer Identification: None"
    expect(c.local.rounds[0].auth.value).toBe('psk');
    expect(c.dpd.delay).toMatchObject({ value: 5, key: 'protocol ikev2 dpd enable' });
    expect(c.natTraversal?.value).toBe(false);
    expect(c.encap.value).toBe('no');
    expect(c.fragmentation.value).toBe('no');
    expect(c.passive).toMatchObject({ value: false, implicit: true });
    expect(c.disabled?.value).toBe(false);
  });

  it('translates the crypto profiles into proposals the shared parser reads, keeping the PAN-OS names in the excerpt', () => {
    const c = conn(facts, 'CF_Magic_WAN_IKE_01');
    expect(c.proposals.value).toEqual(['aes256-sha512-sha384-sha256-modp2048-modp1536']);
    expect(c.proposals.excerpt).toBe('CF_IKE_Crypto_CBC: encryption aes-256-cbc; hash sha512 sha384 sha256; dh-group group14 group5');
    expect(transforms(c.proposals.value, 'IKE')).toEqual([
      { ENCR: ['AES_CBC_256'], INTEG: ['HMAC_SHA2_512_256', 'HMAC_SHA2_384_192', 'HMAC_SHA2_256_128'], PRF: ['PRF_HMAC_SHA2_512', 'PRF_HMAC_SHA2_384', 'PRF_HMAC_SHA2_256'], KE: ['MODP_2048', 'MODP_1536'], ESN: [], unknown: [] },
    ]);
    const child = c.children[0];
    expect(child.espProposals.value).toEqual(['aes256-sha256-sha1-modp2048']);
    expect(child.pfs?.value).toBe(true);
    expect(child.rekeyTime.value).toBe(3600);
    expect(c.ikeRekeyTime.value).toBe(8 * 3600);
    expect(c.reauthTime?.value).toBe(0); // authentication-multiple 0
  });

  it('a tunnel without proxy IDs is 0.0.0.0/0 both ways; monitoring is off although a destination and profile are written', () => {
    const child = conn(facts, 'CF_Magic_WAN_IKE_01').children[0];
    expect([child.localTs.value, child.remoteTs.value]).toEqual([['0.0.0.0/0'], ['0.0.0.0/0']]);
    expect(child.tunnelInterface?.value).toBe('tunnel.1');
    expect(child.tunnelMonitor).toMatchObject({ enabled: { value: false, implicit: true }, destination: { value: '10.252.2.26' }, profile: { value: 'default' }, action: { value: 'wait-recover' }, interval: { value: 3 }, threshold: { value: 5 } });
  });

  it('reads the static routes with their address objects resolved', () => {
    expect(facts.routes?.map((r) => [r.name, r.destination.value, r.interface?.value, r.metric?.value, r.nexthop?.value])).toEqual([
      ['default/Magic_WAN_VLAN0010_Tun01', '10.1.10.0/24', 'tunnel.1', 10, '10.252.2.26'],
      ['default/Magic_WAN_VLAN0010_Tun02', '10.1.10.0/24', 'tunnel.2', 11, '10.252.2.28'],
      ['default/Magic_WAN_VLAN0020_Tun01', '10.1.20.0/24', 'tunnel.1', 10, '10.252.2.26'],
      ['default/Magic_WAN_VLAN0020_Tun02', '10.1.20.0/24', 'tunnel.2', 11, '10.252.2.28'],
    ]);
  });

  it('records that a PSK exists, never its value (PAN-OS stores it encrypted; masked anyway)', () => {
    expect(facts.secrets).toEqual([
      expect.objectContaining({ type: 'PSK', ids: ['28de99ee57424ee0a1591384193982fa.33145236.ipsec.cloudflare.com'], excerpt: 'set network ike gateway CF_Magic_WAN_IKE_01 authentication pre-shared-key key <secret masked>' }),
      expect.objectContaining({ type: 'PSK', excerpt: 'set network ike gateway CF_Magic_WAN_IKE_02 authentication pre-shared-key key <secret masked>' }),
    ]);
    const json = JSON.stringify(facts);
    for (const k of CF_KEYS) expect(json).not.toContain(k);
    expect(json).not.toContain('-AQ==');
  });
});

describe('PAN-OS XML: pan-os-php sample running config (PAN-OS 6.1)', () => {
  const { facts, diagnostics } = decode('pan-os-php-policy-best-practices.xml');
  const c = facts.connections[0];

  it('one gateway with its tunnel\'s proxy ID; defaults marked implicit', () => {
    expect(diagnostics).toEqual([]);
    expect(facts).toMatchObject({ type: 'panos-xml', dialect: 'panos' });
    expect(facts.connections.map((x) => x.name)).toEqual(['SuperPatnerCorp']);
    // no <version>: PAN-OS runs IKEv1 (pan-os-codegen ike-gateway.yaml default)
    expect(c.ikeVersion).toMatchObject({ value: 1, implicit: true, key: 'protocol version' });
    expect(c.ikeVersion.at.line).toBe(454);
    expect(c.local.addrs.value).toEqual(['81.81.0.1']);
    expect(c.remote.addrs.value).toEqual(['167.56.79.1']);
    expect(c.dpd.delay).toMatchObject({ value: 5, key: 'protocol ikev1 dpd enable' });
    expect(c.children.map((ch) => [ch.name, ch.localTs.value, ch.remoteTs.value])).toEqual([['SuperPartner-ipsec/proxy1', ['10.0.0.0/16'], ['192.168.1.0']]]);
    expect(c.children[0].tunnelMonitor?.enabled).toMatchObject({ value: false, key: 'tunnel-monitor enable' });
    expect(c.children[0].tunnelMonitor?.enabled.implicit).toBeUndefined();
  });

  it('uses the file\'s own `default` profiles (PAN-OS 6.1 cipher names aes128, 3des)', () => {
    expect(c.proposals.value).toEqual(['aes128-3des-sha1-modp1024']);
    expect(transforms(c.proposals.value, 'IKE')[0]).toMatchObject({ ENCR: ['AES_CBC_128', '3DES_CBC'], INTEG: ['HMAC_SHA1_96'], KE: ['MODP_1024'], unknown: [] });
    expect(c.children[0].espProposals.value).toEqual(['aes128-3des-sha1-modp1024']);
  });

  it('XML excerpts name the setting they hold, and the key element is masked', () => {
    expect(c.dpd.delay.excerpt).toBe('<enable>yes</enable> [network ike gateway SuperPatnerCorp protocol ikev1 dpd enable]');
    expect(facts.secrets[0].excerpt).toBe('<key><secret masked></key> [network ike gateway SuperPatnerCorp authentication pre-shared-key key]');
    expect(JSON.stringify(facts)).not.toContain(PANOS_PHP_KEY);
  });
});

describe('PAN-OS XML: iron-skillet full day-one config (no VPN)', () => {
  it('is claimed, holds no gateway, and reads without a diagnostic', () => {
    const { facts, diagnostics } = decode('iron-skillet-panos-full.xml');
    expect(facts.connections).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

// The Cloudflare gateway 1 and tunnel 1 written as the XML PAN-OS stores them (element paths: pan-os-python network.py)
const CF_XML = `<config version="9.1.0">
  <devices>
    <entry name="localhost.localdomain">
      <network>
        <ike>
          <crypto-profiles>
            <ike-crypto-profiles>
              <entry name="CF_IKE_Crypto_CBC">
                <hash><member>sha512</member><member>sha384</member><member>sha256</member></hash>
                <dh-group><member>group14</member><member>group5</member></dh-group>
                <encryption><member>aes-256-cbc</member></encryption>
                <lifetime><hours>8</hours></lifetime>
                <authentication-multiple>0</authentication-multiple>
              </entry>
            </ike-crypto-profiles>
            <ipsec-crypto-profiles>
              <entry name="CF_IPsec_Crypto_CBC">
                <esp><authentication><member>sha256</member><member>sha1</member></authentication><encryption><member>aes-256-cbc</member></encryption></esp>
                <lifetime><hours>1</hours></lifetime>
                <dh-group>group14</dh-group>
              </entry>
            </ipsec-crypto-profiles>
          </crypto-profiles>
          <gateway>
            <entry name="CF_Magic_WAN_IKE_01">
              <protocol>
                <ikev1><dpd><enable>yes</enable></dpd></ikev1>
                <ikev2><dpd><enable>yes</enable></dpd><ike-crypto-profile>CF_IKE_Crypto_CBC</ike-crypto-profile></ikev2>
                <version>ikev2</version>
              </protocol>
              <local-address><ip>203.0.113.254/24</ip><interface>ethernet1/2</interface></local-address>
              <protocol-common><nat-traversal><enable>no</enable></nat-traversal><fragmentation><enable>no</enable></fragmentation></protocol-common>
              <peer-address><ip>162.159.66.164</ip></peer-address>
              <authentication><pre-shared-key><key>-AQ==Xdcd9ir5o5xhjuIH---------------------HsRoVf+M0TTG4ja3EzulN37zMOwGs</key></pre-shared-key></authentication>
              <local-id><id>28de99ee57424ee0a1591384193982fa.33145236.ipsec.cloudflare.com</id><type>fqdn</type></local-id>
              <disabled>no</disabled>
            </entry>
          </gateway>
        </ike>
        <tunnel>
          <ipsec>
            <entry name="CF_Magic_WAN_IPsec_01">
              <auto-key><ike-gateway><entry name="CF_Magic_WAN_IKE_01"/></ike-gateway><ipsec-crypto-profile>CF_IPsec_Crypto_CBC</ipsec-crypto-profile></auto-key>
              <tunnel-monitor><destination-ip>10.252.2.26</destination-ip><tunnel-monitor-profile>default</tunnel-monitor-profile></tunnel-monitor>
              <tunnel-interface>tunnel.1</tunnel-interface>
              <anti-replay>no</anti-replay>
              <disabled>no</disabled>
            </entry>
          </ipsec>
        </tunnel>
      </network>
    </entry>
  </devices>
</config>
`;

describe('the two syntaxes give the same facts', () => {
  it('Cloudflare gateway 1 as XML equals the set commands, value for value', () => {
    const set = conn(decode('cloudflare-magic-wan.set.txt').facts, 'CF_Magic_WAN_IKE_01');
    const xml = conn(decode('cf.xml', CF_XML).facts, 'CF_Magic_WAN_IKE_01');
    const values = (c: ConnectionConfig) => ({
      v: c.ikeVersion.value, l: c.local.addrs.value, r: c.remote.addrs.value, id: c.local.rounds[0].id?.value, auth: c.local.rounds[0].auth.value,
      p: c.proposals.value, dpd: c.dpd.delay.value, nat: c.natTraversal?.value, life: c.ikeRekeyTime.value,
      ch: c.children.map((ch) => [ch.name, ch.localTs.value, ch.remoteTs.value, ch.espProposals.value, ch.tunnelMonitor?.enabled.value, ch.tunnelMonitor?.destination?.value, ch.tunnelMonitor?.action?.value]),
    });
    expect(values(xml)).toEqual(values(set));
  });
});

describe('proposal translation', () => {
  const gw = (ike: string, ipsec: string) =>
    [
      `set network ike gateway G protocol version ikev2`,
      `set network ike gateway G peer-address ip 192.0.2.1`,
      `set network ike gateway G protocol ikev2 ike-crypto-profile ${ike}`,
      `set network tunnel ipsec T auto-key ike-gateway G`,
      `set network tunnel ipsec T auto-key ipsec-crypto-profile ${ipsec}`,
    ].join('\n');

  it('factory Suite-B-GCM-256 profiles: IKE keeps CBC, ESP is AEAD with its own proposal and no integrity', () => {
    const c = decode('g.txt', gw('Suite-B-GCM-256', 'Suite-B-GCM-256')).facts.connections[0];
    expect(c.proposals).toMatchObject({ value: ['aes256-sha384-ecp384'], implicit: false });
    expect(c.children[0].espProposals.value).toEqual(['aes256gcm16-ecp384']);
    expect(transforms(c.children[0].espProposals.value, 'ESP')[0]).toMatchObject({ ENCR: ['AES_GCM_16_256'], INTEG: [], KE: ['ECP_384'] });
  });

  it('GCM in an IKE profile becomes a proposal of its own with the hashes as PRFs; no-pfs drops the KE', () => {
    const text = `${gw('P', 'Q')}
set network ike crypto-profiles ike-crypto-profiles P encryption [ aes-256-gcm aes-128-cbc ]
set network ike crypto-profiles ike-crypto-profiles P hash sha256
set network ike crypto-profiles ike-crypto-profiles P dh-group group19
set network ike crypto-profiles ipsec-crypto-profiles Q esp encryption [ aes-128-gcm 3des ]
set network ike crypto-profiles ipsec-crypto-profiles Q esp authentication [ none sha1 ]
set network ike crypto-profiles ipsec-crypto-profiles Q dh-group no-pfs`;
    const c = decode('pq.txt', text).facts.connections[0];
    expect(c.proposals.value).toEqual(['aes128-sha256-ecp256', 'aes256gcm16-prfsha256-ecp256']);
    expect(c.children[0].espProposals.value).toEqual(['3des-sha1', 'aes128gcm16']);
    expect(c.children[0].pfs?.value).toBe(false);
  });

  it('a name PAN-OS may add later stays as written, so the profile is not compared rather than guessed', () => {
    const r = decode('u.txt', `${gw('P', 'default')}\nset network ike crypto-profiles ike-crypto-profiles P encryption aes-512-future\nset network ike crypto-profiles ike-crypto-profiles P hash sha256\nset network ike crypto-profiles ike-crypto-profiles P dh-group group14`);
    expect(parseProposals(r.facts.connections[0].proposals.value[0], 'IKE')[0].unknown).toEqual(['aes_512_future']);
    expect(r.diagnostics.map((d) => [d.at.line, d.message])).toEqual([[6, 'IKE crypto profile P: aes-512-future not known here, so the proposals of G are not compared']]);
  });
});

describe('gateway and tunnel details', () => {
  it('proxy IDs with protocol and ports become selectors with [proto/port]; IPv6 proxy IDs too', () => {
    const text = `set network ike gateway G peer-address dynamic
set network ike gateway G protocol-common passive-mode yes
set network ike gateway G peer-id type keyid
set network ike gateway G peer-id id 0a0b0c
set network tunnel ipsec T auto-key ike-gateway G
set network tunnel ipsec T auto-key proxy-id web local 10.1.0.0/24
set network tunnel ipsec T auto-key proxy-id web remote 10.2.0.5
set network tunnel ipsec T auto-key proxy-id web protocol tcp local-port 0
set network tunnel ipsec T auto-key proxy-id web protocol tcp remote-port 443
set network tunnel ipsec T auto-key proxy-id-v6 v6 local 2001:db8:1::/48
set network tunnel ipsec T auto-key proxy-id-v6 v6 remote 2001:db8:2::/48
set network tunnel ipsec T auto-key proxy-id-v6 v6 protocol any`;
    const c = decode('p.txt', text).facts.connections[0];
    expect(c.remote.addrs.value).toEqual(['%any']);
    expect(c.passive?.value).toBe(true);
    expect(c.children.every((ch) => ch.startAction.value === 'none')).toBe(true);
    expect(c.remote.rounds[0].id?.value).toBe('@#0a0b0c');
    expect(c.children.map((ch) => [ch.name, ch.localTs.value, ch.remoteTs.value])).toEqual([
      ['T/web', ['10.1.0.0/24[tcp]'], ['10.2.0.5[tcp/443]']],
      ['T/v6', ['2001:db8:1::/48'], ['2001:db8:2::/48']],
    ]);
  });

  it('a local address given only as an interface takes the interface\'s one address', () => {
    const text = `set network interface ethernet ethernet1/1 layer3 ip 198.51.100.7/24
set network ike gateway G local-address interface ethernet1/1
set network ike gateway G peer-address ip 192.0.2.1`;
    expect(decode('i.txt', text).facts.connections[0].local.addrs.value).toEqual(['198.51.100.7']);
  });

  it('`dpd enable` not written: delay implicit, so the DPD view leaves it undetermined (the default changed between releases)', () => {
    const c = decode('d.txt', 'set network ike gateway G peer-address ip 192.0.2.1\nset network ike gateway G protocol version ikev2').facts.connections[0];
    expect(c.dpd.delay).toMatchObject({ value: 0, implicit: true, key: 'protocol ikev2 dpd enable' });
  });

  it('a CLI prompt in front of each command is dropped; Panorama template commands keep the template as scope', () => {
    const text = `admin@PA-VM# set template branch config devices localhost.localdomain network ike gateway G peer-address ip 192.0.2.1
admin@PA-VM# set template branch config devices localhost.localdomain network ike gateway G protocol version ikev2`;
    const c = decode('t.txt', text).facts.connections[0];
    expect([c.name, c.remote.addrs.value, c.ikeVersion.value]).toEqual(['G', ['192.0.2.1'], 2]);
  });
});

describe('detection', () => {
  it('claims XML pasted from the CLI with its prompt line in front', () => {
    const r = decode('paste.txt', `admin@PA-VM> show config running\n${CF_XML}`);
    expect(r.facts.connections.map((c) => c.name)).toEqual(['CF_Magic_WAN_IKE_01']);
  });

  it('does not claim swanctl.conf, ipsec.conf or a FortiGate config; the other readers do not claim PAN-OS', () => {
    const swanctl = readFileSync(join(import.meta.dirname, '../../../samples/lab-healthy/right.swanctl.conf'), 'utf8');
    const forti = 'config vpn ipsec phase1-interface\n    edit "to-pa"\n        set interface "wan1"\n        set remote-gw 192.0.2.1\n    next\nend\n';
    for (const t of [swanctl, forti, 'conn x\n\tleft=1.2.3.4\n']) for (const r of panosConfigReaders) expect(r.detect(t, t)).toBeUndefined();
    for (const f of ['cloudflare-magic-wan.set.txt', 'pan-os-php-policy-best-practices.xml', 'iron-skillet-panos-full.xml']) {
      expect(panosConfigReaders.includes(detectConfigType(read(f))!.reader)).toBe(true);
    }
  });
});

describe('robustness', () => {
  it('never throws on arbitrary text or truncated XML; malformed markup becomes located diagnostics', () => {
    const [xml, set] = panosConfigReaders;
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        xml.decode(`<config><devices>${s}`, 'f.xml', noInclude);
        set.decode(`set network ike gateway ${s}`, 'f.txt', noInclude);
      }),
      { numRuns: 300 },
    );
    const cut = read('pan-os-php-policy-best-practices.xml').slice(0, 20_000);
    const r = xml.decode(cut, 'cut.xml', noInclude);
    expect(r.diagnostics.some((d) => /not closed at the end of the file/.test(d.message) && d.at.source === 'cut.xml')).toBe(true);
    const s = set.decode('set network ike gateway "G peer-address ip 1.2.3.4\nset zone Z network layer3 [ tunnel.1', 'x.txt', noInclude);
    expect(s.diagnostics.map((d) => [d.at.line, d.message])).toEqual([
      [1, 'set command not read: unterminated double quote'],
      [2, "set command not read: a '[' list without its ']'"],
    ]);
  });
});

describe('end to end (diagnose)', () => {
  it('the published Cloudflare config: no secret in the report, findings located on its lines', async () => {
    const file = join(FIX, 'cloudflare-magic-wan.set.txt');
    const report = await diagnose({ logs: [], pcaps: [], configs: [file], host: false, local: [], peer: [] });
    const json = JSON.stringify(report);
    for (const k of CF_KEYS) expect(json).not.toContain(k);
    expect(report.inputs).toEqual([expect.objectContaining({ kind: 'config', path: file, dialect: 'PAN-OS configuration (set commands)', counters: expect.objectContaining({ connections: 2, secrets: 2 }) })]);
    const tm = report.findings.filter((f) => f.code === 'TUNNEL_MONITOR_DISABLED');
    expect(tm.map((f) => [f.severity, f.data.tunnel])).toEqual([
      ['warning', 'CF_Magic_WAN_IPsec_01'],
      ['info', 'CF_Magic_WAN_IPsec_02'],
    ]);
    expect(tm[0].evidence[0]).toMatchObject({ source: file, line: 115 });
  });

  it('a PAN-OS XML gateway against the lab\'s strongSwan responder: IKEv1 by default against IKEv2', async () => {
    const dir = join(import.meta.dirname, '../../../samples/panos-config-xml-default-version-vs-strongswan');
    const report = await diagnose({ logs: [], pcaps: [], configs: [join(dir, 'left.panos-xml.conf'), join(dir, 'right.swanctl.conf')], host: false, local: [], peer: [] });
    const f = report.findings.find((x) => x.code === 'IKE_VERSION_MISMATCH')!;
    expect(f.data).toMatchObject({ connA: 'SuperPatnerCorp', connB: 'lab', versionA: 1, versionB: 2 });
    expect(f.hint).toContain('set network ike gateway <gateway> protocol version ikev2');
    const json = JSON.stringify(report);
    expect(json).not.toContain(PANOS_PHP_KEY);
    expect(json).not.toContain('lab-only-psk');
  });
});
