/**
 * config-diff across platforms: PAN-OS gateways (Cloudflare's published lines and a
 * pan-os-php sample running config, see test/platforms/panos/fixtures/config/README.md)
 * against the lab's real strongSwan responder, a libreswan peer and another PAN-OS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import configDiff from '../../checks/config-diff.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { ConfigFacts } from '../../src/evidence/config-types.js';
import type { Finding } from '../../src/engine/types.js';
import { panosConfigReaders } from '../../src/platforms/panos/configs.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { decodeIpsecConf } from '../../src/platforms/freeswan/ipsec-conf.js';

const [xmlReader, setReader] = panosConfigReaders;
const S = join(import.meta.dirname, '../../samples');
const text = (p: string) => readFileSync(join(S, p), 'utf8');
const panos = (t: string, source: string): ConfigFacts => setReader.decode(t, source, () => ({ files: [] })).facts;
const LEFT = text('panos-config-vs-strongswan/left.panos-set.conf');
const RIGHT = () => decodeSwanctlConf(text('lab-healthy/right.swanctl.conf'), 'right.swanctl.conf').facts;

async function diff(...configs: ConfigFacts[]): Promise<Finding[]> {
  const evidence: Evidence = { inputs: [], configs, diagnostics: [], options: { local: [], peer: [] } };
  // PAN-OS keys are stored encrypted, the peers' configs here carry none: PSK_NOT_COMPARED is config-diff.psk.test.ts's subject
  return (await analyse(evidence, { checks: [configDiff] })).findings.filter((f) => f.code !== 'PSK_NOT_COMPARED');
}
const codes = (fs: Finding[]) => fs.map((f) => `${f.code}:${f.severity}`).sort();

describe('PAN-OS against strongSwan', () => {
  it('pairs the gateway (peer-address) with the responder (local_addrs); translated proposals overlap; the Cloudflare ID does not', async () => {
    const fs = await diff(panos(LEFT, 'left.panos'), RIGHT());
    expect(codes(fs)).toEqual(['LIFETIME_DIFFERS:info', 'PEER_ID_MISMATCH:error', 'TS_MISMATCH:warning', 'TS_MISMATCH:warning']);
    const id = fs.find((f) => f.code === 'PEER_ID_MISMATCH')!;
    expect(id.data).toMatchObject({ fileFrom: 'left.panos', connFrom: 'CF_Magic_WAN_IKE_01', sent: '28de99ee57424ee0a1591384193982fa.33145236.ipsec.cloudflare.com', expected: 'left.example' });
    expect(id.hint).toContain('`set network ike gateway <gateway> local-id type fqdn|ipaddr|ufqdn|keyid|dn`');
    const ts = fs.find((f) => f.code === 'TS_MISMATCH')!;
    expect(ts.data).toMatchObject({ aKey: 'proxy-id local (none configured)', aTs: ['0.0.0.0/0'], bTs: ['10.1.0.0/24'] });
    expect(ts.hint).toContain('without any, PAN-OS proposes 0.0.0.0/0 both ways, which a policy-based peer refuses (Palo Alto KB kA10g000000ClUFCA0)');
  });

  it('a key typed in clear in a set script is compared by digest like any other; the stored -AQ== form is not', async () => {
    const lab = text('lab-healthy/right.swanctl.conf');
    const secret = /secret = "([^"]+)"/.exec(lab)![1];
    const typed = (key: string) => LEFT.replace(/local-id id \S+/, 'local-id id left.example').replace(/pre-shared-key key \S+/, `pre-shared-key key ${key}`);
    const psk = async (left: string) => (await analyse({ inputs: [], configs: [panos(left, 'left.panos'), RIGHT()], diagnostics: [], options: { local: [], peer: [] } }, { checks: [configDiff] })).findings.filter((f) => f.code.startsWith('PSK_'));
    expect(await psk(typed(secret))).toEqual([]);
    expect((await psk(typed(`${secret}x`))).map((f) => f.code)).toEqual(['PSK_MISMATCH']);
    expect((await psk(LEFT)).map((f) => [f.code, f.data.outcome])).toEqual([['PSK_NOT_COMPARED', 'encrypted']]);
  });

  it('a proposal mismatch is written for each side in its own syntax: PAN-OS crypto-profile names on the firewall, keywords on strongSwan', async () => {
    const right = decodeSwanctlConf(text('lab-healthy/right.swanctl.conf').replace('proposals = aes256-sha256-modp2048', 'proposals = aes128-sha256-ecp256'), 'right.swanctl.conf').facts;
    const f = (await diff(panos(LEFT, 'left.panos'), right)).find((x) => x.code === 'IKE_PROPOSAL_MISMATCH')!;
    expect(f.data.transform).toEqual(['encryption', 'DH/KE group']);
    // the firewall's profile as PAN-OS names it, with the IANA names
    expect(f.message).toContain('left.panos offers `encryption aes-256-cbc, hash sha512 sha384 sha256, dh-group group14 group5` (AES_CBC_256/');
    expect(f.data.fixForA).toBe('`encryption aes-128-cbc, hash sha256, dh-group group19` (AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256)');
    expect(f.data.fixForB).toMatch(/^`aes256-sha512-sha384-sha256-modp2048-modp1536` \(AES_CBC_256\//);
  });

  it('with the lab\'s identity and proxy IDs the two agree on everything but the IKE lifetime', async () => {
    const fixed = LEFT.replace(/local-id id \S+/, 'local-id id left.example').concat(
      '\nset network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab local 10.1.0.0/24\nset network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab remote 10.2.0.0/24\n',
    );
    expect(codes(await diff(panos(fixed, 'left.panos'), RIGHT()))).toEqual(['LIFETIME_DIFFERS:info']);
  });

  it('the factory `default` profiles against aes256-sha256-modp2048: every transform type named, PAN-OS names in the evidence', async () => {
    const def = LEFT.replace(/.*ike-crypto-profile CF_IKE_Crypto_CBC\n/, '').replace(/.*ipsec-crypto-profile CF_IPsec_Crypto_CBC\n/, '').replace(/local-id id \S+/, 'local-id id left.example');
    const fs = (await diff(panos(def, 'left.panos'), RIGHT())).filter((f) => /PROPOSAL/.test(f.code));
    expect(codes(fs)).toEqual(['CHILD_PROPOSAL_MISMATCH:error', 'IKE_PROPOSAL_MISMATCH:error']);
    const ike = fs.find((f) => f.code === 'IKE_PROPOSAL_MISMATCH')!;
    expect(ike.data).toMatchObject({ transform: ['encryption', 'integrity', 'PRF', 'DH/KE group'], aValues: ['AES_CBC_128', '3DES_CBC', 'HMAC_SHA1_96', 'PRF_HMAC_SHA1', 'MODP_1024'] });
    expect(ike.evidence[0].excerpt).toContain('(factory profile default: encryption aes-128-cbc 3des; hash sha1; dh-group group2)');
    expect(ike.hint).toContain('set network ike crypto-profiles ike-crypto-profiles <profile>');
  });

  it('an XML config with no <version> is IKEv1 against the IKEv2-only responder', async () => {
    const xml = xmlReader.decode(text('panos-config-xml-default-version-vs-strongswan/left.panos-xml.conf'), 'left.xml', () => ({ files: [] })).facts;
    const fs = await diff(xml, RIGHT());
    expect(codes(fs)).toEqual(['IKE_VERSION_MISMATCH:error']);
    expect(fs[0].evidence[0]).toMatchObject({ source: 'left.xml', excerpt: '<entry name="SuperPatnerCorp"> [network ike gateway SuperPatnerCorp]' });
  });

  it('a gateway whose local address is only an interface still pairs by the peer address and the identities', async () => {
    const iface = LEFT.replace(/.*local-address ip .*\n/, '').replace(/local-id id \S+/, 'local-id id left.example');
    const c = panos(iface, 'left.panos');
    expect(c.connections[0].local.addrs.value).toEqual(['%any']);
    expect(codes(await diff(c, RIGHT())).filter((x) => x.startsWith('PEER_CONNECTION'))).toEqual([]);
  });
});

describe('PAN-OS against libreswan and PAN-OS', () => {
  it('a libreswan peer written for the PAN-OS side: paired and compatible', async () => {
    const ls = decodeIpsecConf(
      'conn to-pa\n\tleft=198.51.100.20\n\tright=192.0.2.10\n\tleftid=@right.example\n\trightid=@left.example\n\tleftsubnet=10.2.0.0/24\n\trightsubnet=10.1.0.0/24\n\tauthby=secret\n\tikev2=insist\n\tike=aes256-sha2_256;modp2048\n\tesp=aes256-sha2_256\n\tikelifetime=8h\n\tsalifetime=1h\n\tauto=start\n',
      'east.conf',
    ).facts;
    expect(ls.dialect).toBe('libreswan');
    const pa = LEFT.replace(/local-id id \S+/, 'local-id id left.example').concat('\nset network ike gateway CF_Magic_WAN_IKE_01 peer-id id right.example\nset network ike gateway CF_Magic_WAN_IKE_01 peer-id type fqdn\nset network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab local 10.1.0.0/24\nset network tunnel ipsec CF_Magic_WAN_IPsec_01 auto-key proxy-id lab remote 10.2.0.0/24\n');
    expect(await diff(panos(pa, 'left.panos'), ls)).toEqual([]);
  });

  it('two mirrored PAN-OS configs agree; a peer-id that is not the other\'s local-id is a PEER_ID_MISMATCH', async () => {
    const l = text('panos-config-tunnel-monitor-one-sided/left.panos-set.conf');
    const r = text('panos-config-tunnel-monitor-one-sided/right.panos-set.conf');
    expect(await diff(panos(l, 'l'), panos(r, 'r'))).toEqual([]);
    const fs = await diff(panos(l.replace('peer-id id right.example', 'peer-id id other.example'), 'l'), panos(r, 'r'));
    expect(fs.map((f) => [f.code, f.data.sent, f.data.expected])).toEqual([['PEER_ID_MISMATCH', 'right.example', 'other.example']]);
  });

  it('a disabled gateway is never paired or compared: the strongSwan side is left without a counterpart', async () => {
    const off = panos(LEFT.replace('disabled no', 'disabled yes'), 'left.panos');
    const fs = await diff(off, RIGHT());
    expect(fs.map((f) => [f.code, f.data.conn, f.data.file])).toEqual([['PEER_CONNECTION_NOT_FOUND', 'lab', 'right.swanctl.conf']]);
  });
});
