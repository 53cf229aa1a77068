/**
 * dead-peer-detection, config side: real configs through the real decoders and the
 * real check. The libreswan expectations are what pluto itself printed when it
 * loaded the same file (testing/pluto/addconn-09-dpd-vs-liveness/west.console.txt).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import deadPeerDetection from '../../checks/dead-peer-detection.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { ConfigFacts } from '../../src/evidence/config-types.js';
import type { Finding } from '../../src/engine/types.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';
import { decodeIpsecConf } from '../../src/platforms/freeswan/ipsec-conf.js';

// libreswan/libreswan testing/pluto/addconn-09-dpd-vs-liveness/west.conf
// @ 88362b37ab581018c08f77d30b754b0841ee4945 (GPL-2.0-or-later), verbatim.
const LS_ADDCONN09 = `config setup
	ikev1-policy=accept
	# put the logs in /tmp for the UMLs, so that we can operate
	# without syslogd, which seems to break on UMLs
	logfile=/tmp/pluto.log
	logtime=no
	logappend=no
	dumpdir=/tmp
	plutodebug=all

conn ikev1-dpdtimeout=10s
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev1
	dpdtimeout=10s # needs dpddelay=
conn ikev1-dpddelay=10s
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev1
	dpddelay=10s # needs dpdtimeout=
conn ikev1-dpdaction=clear
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev1
	dpdaction=clear # needs dpddelay=
conn ikev1-dpdaction=clear-dpdtimeout=10s
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev1
	dpdtimeout=10s  # needs dpddelay=
	dpdaction=clear # needs dpddelay=
conn ikev1-dpddelay=10s-dpdtimeout=0s
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev1
	dpddelay=10s
	dpdtimeout=0 # needs to be non-zero

conn ikev2-dpdtimeout=10s
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev2
	dpdtimeout=10s # ignored on IKEv2

conn ikev2-dpdaction=clear
	left=1.2.3.4
	right=5.6.7.8
	keyexchange=ikev2
	dpdaction=clear # requires dpddelay
`;

// strongswan/strongswan testing/tests/ikev2/dpd-clear/hosts/{moon,carol}/etc/ipsec.conf
// @ db93938297cff4524b229a6a6bc00d85743c6f3a (GPL-2.0-or-later; the last commit before they became swanctl.conf), verbatim.
const SS_MOON_RW = `# /etc/ipsec.conf - strongSwan IPsec configuration file

config setup

conn %default
	ikelifetime=60m
	keylife=20m
	rekeymargin=3m
	keyingtries=1
	keyexchange=ikev2
	dpdaction=clear
	dpddelay=10

conn rw
	left=PH_IP_MOON
	leftcert=moonCert.pem
	leftid=@moon.strongswan.org
	leftsubnet=10.1.0.0/16
	right=%any
	rightid=carol@strongswan.org
	auto=add
`;
const SS_CAROL = `# /etc/ipsec.conf - strongSwan IPsec configuration file

config setup

conn %default
	ikelifetime=60m
	keylife=20m
	rekeymargin=3m
	keyingtries=1

conn home
	left=PH_IP_CAROL
	leftcert=carolCert.pem
	leftid=carol@strongswan.org
	leftfirewall=yes
	right=PH_IP_MOON
	rightid=@moon.strongswan.org
	rightsubnet=10.1.0.0/16
	keyexchange=ikev2
	auto=add
`;

// strongswan/strongswan testing/tests/ikev2/mobike-nat-mappings/hosts/alice/etc/swanctl/swanctl.conf
// @ 3b902ea59b86a8ac097e27a34db85feb877a00f9 (GPL-2.0-or-later), verbatim.
const SS_ALICE = `connections {

   mobike {
      remote_addrs = PH_IP_SUN

      vips = 0.0.0.0

      dpd_delay = 5

      local {
         auth = pubkey
         certs = aliceCert.pem
         id = alice@strongswan.org
      }
      remote {
         auth = pubkey
         id = sun.strongswan.org
      }
      children {
         mobike {
            remote_ts = 10.2.0.0/16
         }
      }
   }
}
`;

// strongswan/strongswan testing/tests/ikev2/dpd-restart/hosts/carol/etc/swanctl/swanctl.conf @ 3b902ea5…, verbatim.
const SS_CAROL_RESTART = `connections {

   home {
      local_addrs  = 192.168.0.100
      remote_addrs = 192.168.0.1

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
            remote_ts = 10.1.0.0/16
            esp_proposals =aes128gcm16-x25519
            dpd_action = restart
         }
      }
      version = 2
      mobike = no
      proposals = aes128-sha256-x25519
      dpd_delay = 10
   }
}
`;

async function check(...configs: ConfigFacts[]): Promise<Finding[]> {
  const evidence: Evidence = { inputs: [], configs, diagnostics: [], options: { local: [], peer: [] } };
  return (await analyse(evidence, { checks: [deadPeerDetection] })).findings;
}

const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);

describe('dead-peer-detection: libreswan settings pluto ignores', () => {
  it('flags exactly the settings pluto warned about when loading the same file', async () => {
    const fs = await check(decodeIpsecConf(LS_ADDCONN09, 'west.conf').facts);
    const ignored = byCode(fs, 'DPD_SETTING_IGNORED');
    // pluto: "obsolete keyword ignored: dpdaction=clear" for /etc/ipsec.conf:25, :31, :49;
    // "IKEv1 dpd settings are ignored unless both dpdtimeout= and dpddelay= are set" for the conns at 11, 16, 26;
    // "IKEv2 ignores dpdtimeout==; use dpddelay= and retransmit-timeout=" for the conn at 39.
    // Line 36 (dpddelay with dpdtimeout=0) got no pluto warning, but IKEv1 DPD stays off there too.
    expect(ignored.map((f) => f.evidence[0].line).sort((a, b) => a! - b!)).toEqual([15, 20, 25, 30, 31, 36, 43, 49]);
    expect(ignored.find((f) => f.evidence[0].line === 43)?.message).toMatch(/IKEv2 ignores dpdtimeout=; use dpddelay= and retransmit-timeout=/);
    expect(ignored.find((f) => f.evidence[0].line === 25)?.message).toMatch(/obsolete keyword ignored: dpdaction=/);
    expect(ignored.every((f) => f.severity === 'info')).toBe(true);
    // no conn ends up with working DPD
    expect(byCode(fs, 'DPD_DISABLED').map((f) => f.data.conn)).toHaveLength(7);
    expect(byCode(fs, 'DPD_ACTION_NONE')).toEqual([]);
  });

  it('IKEv1 with both dpddelay and dpdtimeout (libreswan dpd-01) runs DPD: nothing to report', async () => {
    const conf = LS_ADDCONN09.split('conn ikev1-dpdtimeout=10s')[0] + 'conn both\n\tleft=1.2.3.4\n\tright=5.6.7.8\n\tkeyexchange=ikev1\n\tdpddelay=3\n\tdpdtimeout=10\n';
    expect(await check(decodeIpsecConf(conf, 'w.conf').facts)).toEqual([]);
  });
});

describe('dead-peer-detection: strongSwan', () => {
  it('ipsec.conf: dpdaction defaults to none, so carol runs no DPD; only moon detects (DPD_MISMATCH)', async () => {
    const fs = await check(decodeIpsecConf(SS_MOON_RW, 'moon.conf').facts, decodeIpsecConf(SS_CAROL, 'carol.conf').facts);
    expect(fs.map((f) => f.code).sort()).toEqual(['DPD_DISABLED', 'DPD_MISMATCH']);
    const off = byCode(fs, 'DPD_DISABLED')[0];
    expect(off).toMatchObject({ severity: 'warning', data: { conn: 'home', file: 'carol.conf', siteToSite: true, noticedAfter: '17m', noticedAfterSeconds: 1020 } });
    // the evidence is the section that leaves dpdaction at its default and the keylife that bounds detection
    expect(off.evidence.map((e) => e.line)).toEqual([11, 7]);
    const mm = byCode(fs, 'DPD_MISMATCH')[0];
    expect(mm.data).toMatchObject({ stateA: 'checks every 10s', stateB: 'runs no DPD' });
    // moon answers road warriors (right=%any): clear is right there, no DPD_ACTION_NONE
  });

  it('swanctl: dpd_delay without dpd_action clears and stays down (DPD_ACTION_NONE)', async () => {
    const fs = await check(decodeSwanctlConf(SS_ALICE, 'alice.conf').facts);
    expect(fs.map((f) => f.code)).toEqual(['DPD_ACTION_NONE']);
    expect(fs[0].data).toMatchObject({ conn: 'mobike', child: 'mobike', action: 'clear', actionKey: 'dpd_action', delay: '5s', peer: ['PH_IP_SUN'] });
    expect(fs[0].evidence.map((e) => e.line)).toEqual([8, 20]);
  });

  it('swanctl: dpd_delay with dpd_action = restart is healthy', async () => {
    expect(await check(decodeSwanctlConf(SS_CAROL_RESTART, 'carol.conf').facts)).toEqual([]);
  });

  it('swanctl: start_action = trap makes dpd_action = clear recover on the next packet', async () => {
    const conf = SS_ALICE.replace('remote_ts = 10.2.0.0/16', 'remote_ts = 10.2.0.0/16\n            start_action = trap');
    expect(await check(decodeSwanctlConf(conf, 'alice.conf').facts)).toEqual([]);
  });

  it('swanctl: dpd_timeout is IKEv1 only', async () => {
    const conf = SS_CAROL_RESTART.replace('dpd_delay = 10', 'dpd_delay = 10\n      dpd_timeout = 60');
    const fs = await check(decodeSwanctlConf(conf, 'carol.conf').facts);
    expect(fs.map((f) => [f.code, f.evidence[0].line])).toEqual([['DPD_SETTING_IGNORED', 27]]);
    expect(fs[0].message).toMatch(/dpd_timeout applies to IKEv1 only/);
  });

  it('DPD_MISMATCH as info when both run DPD at very different intervals', async () => {
    const fast = decodeSwanctlConf(SS_CAROL_RESTART, 'carol.conf').facts;
    const moon = decodeSwanctlConf(SS_CAROL_RESTART.replace(/carol/g, 'x').replace('local_addrs  = 192.168.0.100', 'local_addrs  = 192.168.0.1').replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.100').replace('dpd_delay = 10', 'dpd_delay = 300s'), 'moon.conf').facts;
    const mm = byCode(await check(fast, moon), 'DPD_MISMATCH');
    expect(mm).toHaveLength(1);
    expect(mm[0]).toMatchObject({ severity: 'info', data: { delayA: 10, delayB: 300 } });
  });

  it('ipsec.conf: dpddelay without dpdaction and dpdtimeout under IKEv2 are ignored by strongSwan', async () => {
    const conf = SS_CAROL.replace('\tkeyexchange=ikev2\n', '\tkeyexchange=ikev2\n\tdpddelay=30s\n\tdpdtimeout=120s\n');
    const fs = await check(decodeIpsecConf(conf, 'carol.conf').facts);
    const ignored = byCode(fs, 'DPD_SETTING_IGNORED');
    expect(ignored.map((f) => [f.data.key, f.evidence[0].line])).toEqual([['dpddelay', 20], ['dpdtimeout', 21]]);
    expect(ignored[0].message).toMatch(/dpdaction=none \(the default\)/);
    // DPD stays off; the evidence is the dpdaction default (the conn header) that turns it off
    expect(byCode(fs, 'DPD_DISABLED')[0].evidence[0].line).toBe(11);
  });
});

describe('dead-peer-detection: each peer judged with the other', () => {
  const lab = (dir: string, f: string) => decodeSwanctlConf(readFileSync(new URL(`../../samples/${dir}/${f}`, import.meta.url), 'utf8'), `${dir}/${f}`).facts;

  it('lab-healthy: the right side clears but the left restarts, so the tunnel does not stay down — info naming both', async () => {
    const fs = byCode(await check(lab('lab-healthy', 'left.swanctl.conf'), lab('lab-healthy', 'right.swanctl.conf')), 'DPD_ACTION_NONE');
    expect(fs).toHaveLength(1);
    const [f] = fs;
    expect(f).toMatchObject({ severity: 'info', data: { file: 'lab-healthy/right.swanctl.conf', host: '198.51.100.20', action: 'clear', recoveredBy: 'lab-healthy/left.swanctl.conf' } });
    expect(f.message).not.toMatch(/stays down/);
    expect(f.message).toContain('the peer does (lab-healthy/left.swanctl.conf: dpd_action = restart)');
    expect(f.data.severityReason).toMatch(/left\.swanctl\.conf restarts the tunnel/);
    // the peer's restart line is evidence too
    expect(f.evidence.map((e) => `${e.source}:${e.line}`)).toContain('lab-healthy/left.swanctl.conf:21');
  });

  it('the right config alone: nothing says anyone restarts it, so the warning stands', async () => {
    const [f] = byCode(await check(lab('lab-healthy', 'right.swanctl.conf')), 'DPD_ACTION_NONE');
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.message).toMatch(/stays down until someone restarts it/);
  });

  it('config-proposal-mismatch: DPD_DISABLED is a warning for carol and info for moon, each saying why', async () => {
    const dir = 'config-proposal-mismatch';
    const fs = byCode(await check(lab(dir, 'carol.swanctl.conf'), lab(dir, 'moon.swanctl.conf')), 'DPD_DISABLED');
    const carol = fs.find((f) => f.data.conn === 'home')!;
    const moon = fs.find((f) => f.data.conn === 'rw')!;
    expect(carol.severity).toBe('warning');
    expect(carol.data.severityReason).toMatch(/fixed address \(192\.168\.0\.1\), site to site/);
    expect(moon.severity).toBe('info');
    expect(moon.data.severityReason).toMatch(/road warriors \(%any\)/);
  });
});
