import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import configDiff from '../../checks/config-diff.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { ConfigFacts } from '../../src/evidence/config-types.js';
import type { Finding } from '../../src/engine/types.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { decodeIpsecConf } from '../../src/platforms/freeswan/ipsec-conf.js';

// strongswan/strongswan testing/tests/ikev2/net2net-psk/hosts/{moon,sun}/etc/swanctl/swanctl.conf
// @ 3b902ea59b86a8ac097e27a34db85feb877a00f9 (GPL-2.0-or-later); connections block verbatim,
// secrets blocks left out (see test/platforms/strongswan/swanctl-conf.test.ts for those).
const gw = (self: string, peer: string, selfAddr: string, peerAddr: string, localTs: string, remoteTs: string) => `connections {

   gw-gw {
      local_addrs  = ${selfAddr}
      remote_addrs = ${peerAddr}

      local {
         auth = psk
         id = ${self}.strongswan.org
      }
      remote {
         auth = psk
         id = ${peer}.strongswan.org
      }
      children {
         net-net {
            local_ts  = ${localTs}
            remote_ts = ${remoteTs}

            updown = /usr/local/libexec/ipsec/_updown iptables
            rekey_time = 5400
            rekey_bytes = 500000000
            rekey_packets = 1000000
            esp_proposals = aes128gcm128-x25519
         }
      }
      version = 2
      mobike = no
      reauth_time = 10800
      proposals = aes128-sha256-x25519
   }
}
`;
const MOON = gw('moon', 'sun', '192.168.0.1', '192.168.0.2', '10.1.0.0/16', '10.2.0.0/16');
const SUN = gw('sun', 'moon', '192.168.0.2', '192.168.0.1', '10.2.0.0/16', '10.1.0.0/16');

// strongswan/strongswan testing/tests/ikev2-stroke/net2net-psk/hosts/sun/etc/ipsec.conf @ 3b902ea5… verbatim
// (PH_IP_* are the test harness's address placeholders)
const SUN_STROKE = readFileSync(new URL('../fixtures/configs/strongswan-net2net-psk-sun.ipsec.conf', import.meta.url), 'utf8');

// libreswan/libreswan testing/pluto/ikev2-invalid-ke-08-rekey-child/ipsec.conf
// @ 38e4389c6d6ba12fc61113b8581b13ee0cbca328 (GPL-2.0-or-later), verbatim. west loads `conn west`,
// east loads `conn east`; the test shows the tunnel up, then the CHILD rekey failing on the KE group.
const LS_REKEY = `config setup
	logfile=/tmp/pluto.log
	logtime=no
	logappend=no
	plutodebug=all
	dumpdir=/tmp

conn westnet-eastnet-test
	left=192.1.2.45
	right=192.1.2.23
	leftsubnet=192.0.1.0/24
	rightsubnet=192.0.2.0/24
	leftid=@west
	rightid=@east
	authby=secret
	pfs=yes
	rekey=yes
	ike=aes-sha1-modp8192

conn east
	also=westnet-eastnet-test
	esp=aes-sha1-modp3072

conn west
	also=westnet-eastnet-test
	esp=aes-sha1-modp4096
`;

function swanctl(text: string, source: string): ConfigFacts {
  return decodeSwanctlConf(text, source).facts;
}

function ipsecConf(text: string, source: string, only?: string): ConfigFacts {
  const facts = decodeIpsecConf(text, source).facts;
  return only ? { ...facts, connections: facts.connections.filter((c) => c.name === only) } : facts;
}

async function diff(...configs: ConfigFacts[]): Promise<Finding[]> {
  const evidence: Evidence = { inputs: [], configs, diagnostics: [], options: { local: [], peer: [] } };
  const report = await analyse(evidence, { checks: [configDiff] });
  // these configs carry no secrets: PSK_NOT_COMPARED (info) is config-diff.psk.test.ts's subject
  return report.findings.filter((f) => f.code !== 'PSK_NOT_COMPARED');
}

const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();

describe('config-diff on mirrored configs (negative cases)', () => {
  it('reports nothing for strongSwan\'s own mirrored moon/sun pair', async () => {
    expect(await diff(swanctl(MOON, 'moon.conf'), swanctl(SUN, 'sun.conf'))).toEqual([]);
  });

  it('pairs swanctl.conf with an ipsec.conf peer by identities and finds them compatible', async () => {
    const fs = await diff(swanctl(MOON, 'moon.conf'), ipsecConf(SUN_STROKE, 'sun-ipsec.conf'));
    // only the lifetime notes: 4h vs 57m IKE rekey, 1h30m vs 17m CHILD rekey
    expect(codes(fs)).toEqual(['LIFETIME_DIFFERS', 'LIFETIME_DIFFERS']);
    expect(fs.every((f) => f.severity === 'info')).toBe(true);
    expect(fs[0].data).toMatchObject({ what: 'IKE SA rekey time', aValue: '4h', bValue: '57m' });
  });

  it('orients an ipsec.conf conn shared verbatim by both peers (left on one, right on the other)', async () => {
    const west = ipsecConf(LS_REKEY.replace('esp=aes-sha1-modp3072', 'esp=aes-sha1-modp4096'), 'west.conf', 'west');
    const east = ipsecConf(LS_REKEY.replace('esp=aes-sha1-modp3072', 'esp=aes-sha1-modp4096'), 'east.conf', 'west');
    expect(await diff(west, east)).toEqual([]);
  });
});

describe('config-diff predicts failures', () => {
  it('IKE_PROPOSAL_MISMATCH names the transform type without overlap and both values', async () => {
    const sun = SUN.replace('proposals = aes128-sha256-x25519', 'proposals = aes128-sha256-modp2048');
    const [f] = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(f.code).toBe('IKE_PROPOSAL_MISMATCH');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ transform: ['DH/KE group'], aValues: ['CURVE_25519'], bValues: ['MODP_2048'] });
    expect(f.message).toContain('(no common DH/KE group in any of them): moon.conf offers `aes128-sha256-x25519` (AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519); sun.conf accepts `aes128-sha256-modp2048`');
    // the fix for each side in its own syntax
    expect(f.hint).toContain('add `aes128-sha256-modp2048` (AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048) in moon.conf, or `aes128-sha256-x25519`');
    expect(f.evidence.map((e) => [e.source, e.line, e.excerpt])).toEqual([
      ['moon.conf', 30, 'proposals = aes128-sha256-x25519'],
      ['sun.conf', 30, 'proposals = aes128-sha256-modp2048'],
    ]);
  });

  it('CHILD_PROPOSAL_MISMATCH on the PFS group alone says IKEv2 fails only at the first rekey (libreswan ikev2-invalid-ke-08)', async () => {
    const fs = await diff(ipsecConf(LS_REKEY, 'west.conf', 'west'), ipsecConf(LS_REKEY, 'east.conf', 'east'));
    expect(codes(fs)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    expect(fs[0].data).toMatchObject({ transform: ['DH/KE group'], aValues: ['MODP_4096'], bValues: ['MODP_3072'], onlyAtRekey: true });
    expect(fs[0].message).toMatch(/fails at its first rekey, after 7h51m/);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([26, 22]);
  });

  it('CHILD_PROPOSAL_MISMATCH on the cipher fails at once', async () => {
    const sun = SUN.replace('esp_proposals = aes128gcm128-x25519', 'esp_proposals = aes256-sha256');
    const [f] = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(f.code).toBe('CHILD_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ onlyAtRekey: false, childA: 'net-net', childB: 'net-net' });
    expect((f.data.transform as string[])[0]).toBe('encryption');
  });

  it('PEER_ID_MISMATCH: what one side sends vs what the other expects, in the direction that fails', async () => {
    const sun = SUN.replace('id = moon.strongswan.org', 'id = gateway.strongswan.org');
    const fs = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(codes(fs)).toEqual(['PEER_ID_MISMATCH']);
    expect(fs[0].data).toMatchObject({ fileFrom: 'moon.conf', fileTo: 'sun.conf', sent: 'moon.strongswan.org', expected: 'gateway.strongswan.org' });
    expect(fs[0].evidence.map((e) => [e.source, e.line])).toEqual([['moon.conf', 9], ['sun.conf', 13]]);
  });

  it('compares @fqdn ids of ipsec.conf with swanctl ids as the same FQDN', async () => {
    const stroke = SUN_STROKE.replace('rightid=@moon.strongswan.org', 'rightid=@moon.example.org');
    const fs = await diff(swanctl(MOON, 'moon.conf'), ipsecConf(stroke, 'sun-ipsec.conf'));
    const ids = fs.filter((f) => f.code === 'PEER_ID_MISMATCH');
    expect(ids).toHaveLength(1);
    expect(ids[0].data).toMatchObject({ sent: 'moon.strongswan.org', expected: '@moon.example.org', toWord: 'right' });
  });

  it('AUTH_METHOD_MISMATCH: psk on one side, certificates expected on the other', async () => {
    const sun = SUN.replace(/remote \{\n {9}auth = psk/, 'remote {\n         auth = pubkey');
    const fs = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(codes(fs)).toEqual(['AUTH_METHOD_MISMATCH']);
    expect(fs[0].data).toMatchObject({ fileFrom: 'moon.conf', uses: 'psk', expects: 'pubkey' });
  });

  it('TS_MISMATCH: disjoint selectors are an error (TS_UNACCEPTABLE)', async () => {
    const sun = SUN.replace('remote_ts = 10.1.0.0/16', 'remote_ts = 10.9.0.0/16');
    const fs = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(codes(fs)).toEqual(['TS_MISMATCH']);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].data).toMatchObject({ aTs: ['10.1.0.0/16'], bTs: ['10.9.0.0/16'], narrowing: false, aKey: 'local_ts', bKey: 'remote_ts' });
  });

  it('TS_MISMATCH: a subset between two gateways that can both initiate is narrowing (warning)', async () => {
    const sun = SUN.replace('remote_ts = 10.1.0.0/16', 'remote_ts = 10.1.0.0/24');
    const [f] = await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'));
    expect(f).toMatchObject({ code: 'TS_MISMATCH', severity: 'warning', data: { narrowing: true, relation: 'superset' } });
    expect(f.message).toContain('(superset: only the intersection can be negotiated)');
    expect(f.hint).toMatch(/IKEv1 Quick Mode .* works only when the side with the narrower selectors initiates/);
  });

  it('no TS_MISMATCH for a road warrior whose selectors fit inside what its %any gateway accepts', async () => {
    // strongSwan ikev2/dpd-restart carol (remote_ts 10.1.0.0/16, local_ts dynamic) against a gateway
    // that accepts any client (remote_addrs %any) into 10.1.0.0/16 ⇄ 10.0.0.0/8
    const carol = 'connections {\n home {\n  local_addrs = 192.168.0.100\n  remote_addrs = 192.168.0.1\n  local {\n   auth = psk\n   id = carol\n  }\n  remote {\n   auth = psk\n   id = moon\n  }\n  children {\n   home {\n    remote_ts = 10.1.0.0/16\n   }\n  }\n }\n}\n';
    const gwConf = 'connections {\n rw {\n  local_addrs = 192.168.0.1\n  local {\n   auth = psk\n   id = moon\n  }\n  remote {\n   auth = psk\n  }\n  children {\n   net {\n    local_ts = 10.1.0.0/16\n    remote_ts = 192.168.0.0/16\n   }\n  }\n }\n}\n';
    expect(await diff(swanctl(carol, 'carol.conf'), swanctl(gwConf, 'moon.conf'))).toEqual([]);
    // the same gateway with a range that does not hold carol's address: an error
    const [f] = await diff(swanctl(carol, 'carol.conf'), swanctl(gwConf.replace('192.168.0.0/16', '10.99.0.0/16'), 'moon.conf'));
    expect(f).toMatchObject({ code: 'TS_MISMATCH', severity: 'error', data: { aTs: ['dynamic'], bTs: ['10.99.0.0/16'] } });
  });

  it('IKE_VERSION_MISMATCH stops the comparison of that pair', async () => {
    const fs = await diff(swanctl(MOON.replace('version = 2', 'version = 1'), 'moon.conf'), swanctl(SUN.replace('proposals = aes128-sha256-x25519', 'proposals = 3des-md5-modp1024'), 'sun.conf'));
    expect(codes(fs)).toEqual(['IKE_VERSION_MISMATCH']);
    expect(fs[0].data).toMatchObject({ versionA: 1, versionB: 2 });
  });

  it('PEER_CONNECTION_NOT_FOUND when the other peer has no connection pointing back', async () => {
    const other = SUN.replace(/192\.168\.0\.[12]/g, '203.0.113.9').replace(/(sun|moon)\.strongswan\.org/g, 'x.example');
    const fs = await diff(swanctl(MOON.replace('gw-gw', 'to-sun'), 'moon.conf'), swanctl(other.replace('gw-gw', 'elsewhere'), 'sun.conf'));
    expect(codes(fs)).toEqual(['PEER_CONNECTION_NOT_FOUND', 'PEER_CONNECTION_NOT_FOUND']);
  });

  it('does not compare when a side leaves proposals to the daemon default', async () => {
    const sun = SUN.replace('      proposals = aes128-sha256-x25519\n', '');
    expect(await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'))).toEqual([]);
  });

  it('honours wildcard expected ids (swanctl remote { id = *@strongswan.org })', async () => {
    // strongswan/strongswan testing/tests/ikev2/forecast/hosts/{moon,carol}/etc/swanctl/swanctl.conf @ 3b902ea5…, verbatim
    const moon = `connections {

   rw {
      local_addrs = PH_IP_MOON
      pools = rw

      local {
         auth = pubkey
         certs = moonCert.pem
         id = moon.strongswan.org
      }
      remote {
         auth = pubkey
         id = *@strongswan.org
      }
      children {
         rw {
            local_ts  = 10.1.0.0/16,224.0.0.0/4
            remote_ts = dynamic,224.0.0.0/4,10.1.255.255

            mark_in  = %unique
            mark_out = %unique
            esp_proposals = aes128gcm128-x25519
         }
      }
      version = 2
      proposals = aes128-sha256-x25519
   }
}

pools {
   rw {
      addrs = 10.1.0.128/26
   }
}
`;
    const carol = `connections {

   home {
      local_addrs  = PH_IP_CAROL
      remote_addrs = PH_IP_MOON
      vips = 0.0.0.0

      local {
         auth = pubkey
         certs = carolCert.pem
         id = carol@strongswan.org
      }
      remote {
         auth = pubkey
         id = moon.strongswan.org
      }
      children {
         home {
            local_ts  = 0.0.0.0/0
            remote_ts = 0.0.0.0/0
            esp_proposals = aes128gcm128-x25519
         }
      }
      version = 2
      proposals = aes128-sha256-x25519
   }
}
`;
    const fs = await diff(swanctl(carol, 'carol.conf'), swanctl(moon, 'moon.conf'));
    expect(fs.filter((f) => f.code === 'PEER_ID_MISMATCH')).toEqual([]);
    // carol proposes 0.0.0.0/0 and only she can initiate: moon narrowing it is the design (split tunnel) → info
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['TS_MISMATCH', 'info']]);
    const other = await diff(swanctl(carol.replace('carol@strongswan.org', 'carol@example.org'), 'carol.conf'), swanctl(moon, 'moon.conf'));
    expect(other.find((f) => f.code === 'PEER_ID_MISMATCH')?.data).toMatchObject({ sent: 'carol@example.org', expected: '*@strongswan.org' });
  });

  it('reads an ipsec.conf written from the right (strongSwan ikev2-stroke/config-payload-swapped)', async () => {
    // strongswan/strongswan testing/tests/ikev2-stroke/config-payload-swapped/hosts/{carol,moon}/etc/ipsec.conf @ 3b902ea5…, verbatim
    const carol = `# /etc/ipsec.conf - strongSwan IPsec configuration file

config setup

conn %default
	ikelifetime=60m
	keylife=20m
	rekeymargin=3m
	keyingtries=1
	keyexchange=ikev2

conn home
	right=PH_IP_CAROL
	rightsourceip=%config
	rightcert=carolCert.pem
	rightid=carol@strongswan.org
	rightfirewall=yes
	righthostaccess=yes
	left=PH_IP_MOON
	leftsubnet=10.1.0.0/16
	leftid=@moon.strongswan.org
	auto=add
`;
    const moon = `# /etc/ipsec.conf - strongSwan IPsec configuration file

config setup

conn %default
	ikelifetime=60m
	keylife=20m
	rekeymargin=3m
	keyingtries=1
	keyexchange=ikev2
	right=PH_IP_MOON
	rightsubnet=10.1.0.0/16
	rightcert=moonCert.pem
	rightid=@moon.strongswan.org
	rightfirewall=yes

conn rw-carol
	left=%any
	leftid=carol@strongswan.org
	leftsourceip=PH_IP_CAROL1
	auto=add

conn rw-dave
	left=%any
	leftid=dave@strongswan.org
	leftsourceip=PH_IP_DAVE1
	auto=add
`;
    const fs = await diff(ipsecConf(carol, 'carol.conf'), ipsecConf(moon, 'moon.conf'));
    // carol pairs with rw-carol (ids both ways); rw-dave is another client's: info only
    expect(fs.map((f) => [f.code, f.severity, f.data.conn])).toEqual([['PEER_CONNECTION_NOT_FOUND', 'info', 'rw-dave']]);
  });

  it('does not pair two road warriors of the same gateway with each other', async () => {
    const dave = MOON.replace(/moon\.strongswan/g, 'dave.strongswan').replace('local_addrs  = 192.168.0.1', 'local_addrs  = 192.168.0.200').replace('remote_addrs = 192.168.0.2', 'remote_addrs = 192.168.0.9');
    const carol = MOON.replace(/moon\.strongswan/g, 'carol.strongswan').replace('local_addrs  = 192.168.0.1', 'local_addrs  = 192.168.0.100').replace('remote_addrs = 192.168.0.2', 'remote_addrs = 192.168.0.9');
    const fs = await diff(swanctl(carol, 'carol.conf'), swanctl(dave, 'dave.conf'));
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['PEER_CONNECTION_NOT_FOUND', 'warning'], ['PEER_CONNECTION_NOT_FOUND', 'warning']]);
  });

  it('leaves libreswan also= building blocks out; %default applies to every conn, even one before it', async () => {
    // libreswan/libreswan testing/pluto/algo-pluto-12-aes-default/{west,east}.conf @ 0c4e3ecc… (GPL-2.0-or-later),
    // rsasigkey lines dropped and only the conns that matter kept
    const head = `config setup
	ikev1-policy=accept

conn westnet-eastnet
	leftsubnet=192.0.1.0/24
	rightsubnet=192.0.2.0/24
	left=192.1.2.45
	leftnexthop=192.1.2.23
	right=192.1.2.23
	rightnexthop=192.1.2.45
	leftid=@west
	rightid=@east
`;
    const west = head + '\nconn %default\n\tkeyexchange=ikev1\n\nconn westnet-eastnet-aes-default\n\talso=westnet-eastnet\n\tike=aes-sha1\n\tesp=aes-sha1\n';
    const east = head + '\nconn westnet-eastnet-aes\n\tkeyexchange=ikev1\n\talso=westnet-eastnet\n\tike=aes-sha1\n\tesp=aes-sha1\n';
    const w = ipsecConf(west, 'west.conf');
    // libreswan confread.c loads every %default before any conn
    expect(w.connections.map((c) => [c.name, c.template ?? false, c.ikeVersion.value])).toEqual([['westnet-eastnet', true, 1], ['westnet-eastnet-aes-default', false, 1]]);
    expect(await diff(w, ipsecConf(east, 'east.conf'))).toEqual([]);
  });
});

describe('config-diff weighs every proposal of both sides', () => {
  const dir = new URL('../../samples/config-proposal-mismatch/', import.meta.url);
  const carol = () => swanctl(readFileSync(new URL('carol.swanctl.conf', dir), 'utf8'), 'carol.swanctl.conf');
  const moon = (edit = (t: string) => t) => swanctl(edit(readFileSync(new URL('moon.swanctl.conf', dir), 'utf8')), 'moon.swanctl.conf');

  it('config-proposal-mismatch: both sides\' two proposals are listed, values are each side\'s union, fixes in swanctl syntax', async () => {
    const f = (await diff(carol(), moon())).find((x) => x.code === 'IKE_PROPOSAL_MISMATCH')!;
    expect(f.data).toMatchObject({ combination: false, transform: ['encryption', 'integrity', 'PRF', 'DH/KE group'] });
    // carol's second proposal (…-ecp224) and moon's second (aes256-sha512-ecp521) are part of the comparison
    expect(f.data.aValues).toEqual(expect.arrayContaining(['ECP_192', 'ECP_224', 'HMAC_SHA2_256_128']));
    expect(f.data.bValues).toEqual(expect.arrayContaining(['AES_CBC_256', 'HMAC_SHA2_512_256', 'ECP_521']));
    expect(f.message).toContain('`3des-sha256-ecp224` (3DES_CBC/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_224)');
    expect(f.message).toContain('`aes256-sha512-ecp521` (AES_CBC_256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_521)');
    expect(f.message).not.toMatch(/accepts only/);
    expect(f.hint).toContain('add `aes192-sha384-ecp384` (AES_CBC_192/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384) in carol.swanctl.conf');
  });

  it('a type that meets in another pair is not named as without overlap: moon also offering 3des-sha1-ecp521 leaves only the combination', async () => {
    const m = moon((t) => t.replace('proposals = aes192-sha384-ecp384,aes256-sha512-ecp521', 'proposals = aes192-sha384-ecp384,3des-sha1-ecp521'));
    const f = (await diff(carol(), m)).find((x) => x.code === 'IKE_PROPOSAL_MISMATCH')!;
    // 3DES and SHA1 now meet (carol's first proposal and moon's second); only the DH group keeps them apart
    expect(f.data.transform).toEqual(['DH/KE group']);
    expect(f.data.aValues).toEqual(['ECP_192', 'ECP_224']);
    expect(f.data.bValues).toEqual(['ECP_384', 'ECP_521']);
  });

  it('the fix for a libreswan or PAN-OS side is written in that daemon\'s syntax', async () => {
    const { writeProposal } = await import('../../src/evidence/derived/config/proposal-syntax.js');
    const { parseProposal } = await import('../../src/evidence/derived/proposals.js');
    const p = parseProposal('aes192-sha384-ecp384', 'IKE');
    expect(writeProposal(p, 'libreswan', 'IKE')).toBe('aes192-sha2_384-dh20');
    expect(writeProposal(p, 'panos', 'IKE')).toBe('encryption aes-192-cbc, hash sha384, dh-group group20');
    // PAN-OS has no AES-192-GCM: no PAN-OS spelling rather than a wrong one
    expect(writeProposal(parseProposal('aes192gcm16-ecp384', 'ESP'), 'panos', 'ESP')).toBeUndefined();
  });

  it('ESN is weighed per proposal: `…-esn` alone against strongSwan\'s default (no ESN) has no common ESN', async () => {
    const sun = SUN.replace('esp_proposals = aes128gcm128-x25519', 'esp_proposals = aes128gcm128-x25519-esn');
    const f = (await diff(swanctl(MOON, 'moon.conf'), swanctl(sun, 'sun.conf'))).find((x) => x.code === 'CHILD_PROPOSAL_MISMATCH')!;
    expect(f.data).toMatchObject({ transform: ['ESN'], aValues: ['NO_ESN'], bValues: ['ESN'] });
    // either notation on both sides agrees
    const both = SUN.replace('esp_proposals = aes128gcm128-x25519', 'esp_proposals = aes128gcm128-x25519-esn-noesn');
    expect((await diff(swanctl(MOON, 'moon.conf'), swanctl(both, 'sun.conf'))).map((x) => x.code)).not.toContain('CHILD_PROPOSAL_MISMATCH');
  });
});

