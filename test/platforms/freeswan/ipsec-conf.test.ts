import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIpsecConf, detectIpsecConfDialect } from '../../../src/platforms/freeswan/ipsec-conf.js';
import type { IncludeResolver } from '../../../src/platforms/freeswan/config-common.js';

// strongswan/strongswan testing/tests/ikev2-stroke/net2net-psk/hosts/sun/etc/ipsec.conf
// @ 3b902ea59b86a8ac097e27a34db85feb877a00f9 (GPL-2.0-or-later), verbatim.
const SS_SUN = readFileSync(new URL('../../fixtures/configs/strongswan-net2net-psk-sun.ipsec.conf', import.meta.url), 'utf8');

// libreswan/libreswan testing/pluto/ikev2-59-alias-retransmit/north.conf
// @ 38e4389c6d6ba12fc61113b8581b13ee0cbca328 (GPL-2.0-or-later); the two rsasigkey
// lines (public keys) are shortened, everything else verbatim.
const LS_NORTH = `# /etc/ipsec.conf - Libreswan IPsec configuration file

version 2.0

config setup
	logfile=/tmp/pluto.log
	logtime=yes
	logappend=no
	plutodebug="all"
	dumpdir=/tmp

conn %default
	ike=aes256-sha2_256;modp2048
	esp=aes128-sha2_512;modp3072

conn north-eastnets
	also=north-east-base
	leftsubnet=198.18.66.0/24
	rightsubnets={ 192.0.2.0/24, 192.0.22.0/24 }
	auto=ignore

conn north-east-base
	left=192.1.3.33
	right=192.1.2.23
	# Left security gateway, subnet behind it, next hop toward right.
	leftid=@north
	# Right security gateway, subnet behind it, next hop toward left.
	rightid=@east
	leftrsasigkey=0sAQPl33O2PtU2qPE9DdMCq3/sTJ6LDg7Szw9Zv22IIYaTnhA0ry3Ps37r5bIksqWwAQN9tZatZu5Iwij
	rightrsasigkey=0sAQO9bJbr33iJs+13DaF/e+UWwsnkfZIKkJ1VQ7RiEwOFeuAme1QfygmTz/8lyQJMeMqU5T6s0fmo5
`;

// libreswan/libreswan testing/pluto/dpd-01/east.conf @ 88362b37ab581018c08f77d30b754b0841ee4945 (GPL-2.0-or-later);
// rsasigkey lines shortened.
const LS_DPD_EAST = `version 2.0

config setup
	ikev1-policy=accept
	logfile=/tmp/pluto.log
	plutodebug=all

conn %default
	keyexchange=ikev1
	dpddelay=3
	dpdtimeout=10
	dpdaction=clear

conn west-east
	left=192.1.2.45
	right=192.1.2.23
	leftid=@west
	rightid=@east
	leftrsasigkey=0sAQOm9dY/449sAWr8e3xtV4tJOQ1396zihfGYHkttpT6
	rightrsasigkey=0sAQO9bJbr33iJs+13DaF/e+UWwsnkfZIKkJ1VQ7RiEw
`;

describe('ipsec.conf as strongSwan reads it', () => {
  it('detects the dialect and applies conn %default', () => {
    expect(detectIpsecConfDialect(SS_SUN)).toBe('strongswan');
    const { facts, diagnostics } = decodeIpsecConf(SS_SUN, 'sun.conf');
    expect(diagnostics).toEqual([]);
    expect(facts.dialect).toBe('strongswan');
    expect(facts.connections.map((c) => c.name)).toEqual(['net-net']);
    const c = facts.connections[0];
    expect(c.symmetric).toBe(true);
    expect(c.ikeVersion).toMatchObject({ value: 2, at: { line: 11 }, key: 'keyexchange' });
    expect(c.local.addrs).toMatchObject({ value: ['PH_IP_SUN'], at: { line: 15 } });
    expect(c.local.rounds[0]).toMatchObject({ auth: { value: 'psk', at: { line: 10 } }, id: { value: '@sun.strongswan.org', at: { line: 17 } } });
    expect(c.remote.rounds[0].auth.value).toBe('psk');
    expect(c.local.firewall?.value).toBe(true);
    expect(c.children[0].localTs).toMatchObject({ value: ['10.2.0.0/16'], at: { line: 16 } });
    expect(c.children[0].remoteTs.value).toEqual(['10.1.0.0/16']);
    // auto=add: loaded, waits for the peer
    expect(c.children[0].startAction).toMatchObject({ value: 'none', at: { line: 22 } });
    // ikelifetime=60m, keylife=20m, rekeymargin=3m: rekey at lifetime - margin
    expect(c.ikeLifeTime?.value).toBe(3600);
    expect(c.ikeRekeyTime.value).toBe(3420);
    expect(c.children[0].rekeyTime.value).toBe(1020);
    expect(c.children[0].lifeTime.value).toBe(1200);
    expect(c.keyingtries).toMatchObject({ value: 1, at: { line: 9 } });
  });

  it('uses strongSwan defaults: dpdaction=none, dpddelay 30s, dpdtimeout 150s, proposals with defaults appended unless `!`', () => {
    const c = decodeIpsecConf(SS_SUN, 'sun.conf').facts.connections[0];
    expect(c.dpd.action).toMatchObject({ value: 'none', implicit: true });
    expect(c.dpd.delay).toMatchObject({ value: 30, implicit: true });
    expect(c.dpd.timeout?.value).toBe(150);
    expect(c.proposals).toMatchObject({ value: ['default'], implicit: true });
    const strict = decodeIpsecConf('conn a\n\tike=aes256-sha256-modp2048!\n\tesp=aes128gcm16\n\tleft=1.1.1.1\n', 'x').facts.connections[0];
    expect(strict.proposals.value).toEqual(['aes256-sha256-modp2048']);
    expect(strict.proposalsStrict).toBe(true);
    expect(strict.espStrict).toBe(false);
  });
});

describe('ipsec.conf as libreswan reads it', () => {
  it('follows also= (forward references too), %default, and libreswan list syntax', () => {
    expect(detectIpsecConfDialect(LS_NORTH)).toBe('libreswan');
    const { facts, diagnostics } = decodeIpsecConf(LS_NORTH, 'north.conf');
    expect(diagnostics).toEqual([]);
    const c = facts.connections.find((x) => x.name === 'north-eastnets')!;
    expect(c.local.addrs).toMatchObject({ value: ['192.1.3.33'], at: { line: 23 } });
    expect(c.local.rounds[0].id).toMatchObject({ value: '@north', at: { line: 26 } });
    expect(c.children[0].remoteTs).toMatchObject({ value: ['192.0.2.0/24', '192.0.22.0/24'], at: { line: 19 } });
    expect(c.proposals).toMatchObject({ value: ['aes256-sha2_256;modp2048'], at: { line: 13 } });
    expect(c.children[0].espProposals.value).toEqual(['aes128-sha2_512;modp3072']);
    expect(c.children[0].startAction.value).toBe('ignore');
    // libreswan: IKEv2 by default, 8h lifetimes, public keys recorded as present only
    expect(c.ikeVersion).toMatchObject({ value: 2, implicit: true });
    expect(c.ikeLifeTime?.value).toBe(8 * 3600);
    expect(c.local.rounds[0].pubkeys?.value).toEqual(['leftrsasigkey=(set)']);
    expect(c.local.rounds[0].pubkeys?.at.line).toBe(29);
    expect(facts.setup?.plutodebug.value).toBe('all');
  });

  it('reads IKEv1 DPD from conn %default', () => {
    const c = decodeIpsecConf(LS_DPD_EAST, 'east.conf').facts.connections[0];
    expect(c.ikeVersion).toMatchObject({ value: 1, at: { line: 9 } });
    expect(c.dpd.delay).toMatchObject({ value: 3, at: { line: 10 } });
    expect(c.dpd.timeout).toMatchObject({ value: 10, at: { line: 11 } });
    expect(c.dpd.action).toMatchObject({ value: 'clear', at: { line: 12 } });
  });

  it('applies %default to conns before it too, the last %default winning (libreswan confread.c)', () => {
    const c = decodeIpsecConf('conn a\n\tleft=1.1.1.1\nconn %default\n\tdpddelay=10\nconn %default\n\tdpddelay=20\n', 'x', undefined, 'libreswan').facts.connections[0];
    expect(c.dpd.delay).toMatchObject({ value: 20, at: { line: 6 } });
  });

  it('cuts also= cycles and names missing targets, with the line', () => {
    const text = 'conn a\n\talso=b\n\tleft=1.1.1.1\nconn b\n\talso=a\n\tright=2.2.2.2\nconn c\n\talso=nowhere\n';
    const { facts, diagnostics } = decodeIpsecConf(text, 'x');
    expect(facts.connections.find((c) => c.name === 'a')?.remote.addrs.value).toEqual(['2.2.2.2']);
    expect(diagnostics.filter((d) => /cycle/.test(d.message)).map((d) => d.at.line)).toEqual([5, 2]);
    expect(diagnostics.some((d) => d.at.line === 8 && /no conn of that name/.test(d.message))).toBe(true);
  });

  it('maps ikev2=no / keyexchange=ike and auto= as each daemon does', () => {
    const lib = decodeIpsecConf('conn a\n\tikev2=no\n\tauto=ondemand\n\tleft=1.1.1.1\n', 'x', undefined, 'libreswan').facts.connections[0];
    expect(lib.ikeVersion.value).toBe(1);
    expect(lib.children[0].startAction.value).toBe('trap');
    const ss = decodeIpsecConf('conn a\n\tkeyexchange=ike\n\tauto=route\n\tleft=1.1.1.1\n', 'x', undefined, 'strongswan').facts.connections[0];
    expect(ss.ikeVersion.value).toBe(0);
    expect(ss.children[0].startAction.value).toBe('trap');
  });
});

describe('ipsec.conf syntax', () => {
  it('locates what it cannot read', () => {
    const { diagnostics } = decodeIpsecConf('leftid=@x\nconn a\n\tthis is not a setting\nbogus header here\n\tleft=1.2.3.4\n', 'x');
    expect(diagnostics.map((d) => d.at.line)).toEqual([1, 3, 4, 5]);
  });

  it('never keeps a value written under a secret-looking key', () => {
    const r = decodeIpsecConf('conn a\n\tleft=1.1.1.1\n\tpsk="hunter2-secret"\n\txauthpassword=pw123456\n', 'x');
    expect(JSON.stringify(r)).not.toMatch(/hunter2|pw123456/);
    expect(r.facts.connections[0].keys.psk).toMatchObject({ value: '<secret masked>', at: { line: 3 } });
  });

  it('keeps # inside quoted DNs and strips trailing comments', () => {
    const c = decodeIpsecConf('conn a\n\tleftid="C=CH, O=Foo #1, CN=moon"  # the gateway\n\tdpddelay=10s # often\n', 'x').facts.connections[0];
    expect(c.local.rounds[0].id?.value).toBe('C=CH, O=Foo #1, CN=moon');
    expect(c.dpd.delay.value).toBe(10);
  });

  it('follows include relative to the file, with a depth limit', () => {
    const resolve: IncludeResolver = (pattern) => (pattern === '/etc/ipsec.d/*.conf' ? { files: [{ path: '/etc/ipsec.d/a.conf', text: 'conn inc\n\tleft=1.1.1.1\ninclude /etc/ipsec.d/*.conf\n' }] } : { files: [] });
    const { facts, diagnostics } = decodeIpsecConf('config setup\ninclude /etc/ipsec.d/*.conf\n', '/etc/ipsec.conf', resolve);
    expect(facts.connections[0].name).toBe('inc');
    expect(facts.connections[0].local.addrs.at.source).toBe('/etc/ipsec.d/a.conf');
    expect(diagnostics.some((d) => /levels deep/.test(d.message))).toBe(true);
  });

  it('never throws on random or mutated input (fast-check)', () => {
    const token = fc.constantFrom('conn ', 'also=', '%default', 'a', 'b', '=', '"', '#', '\n', '\t', ' ', 'include x', 'left', 'dpddelay=', '10s', '{', '}');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 200 }), (tokens) => {
        const text = tokens.join('');
        decodeIpsecConf(text, 'r', () => ({ files: [{ path: 'r', text }] }), 'libreswan');
        decodeIpsecConf(text, 'r', undefined, 'strongswan');
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LS_NORTH.length }), fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 6 }), (at, del, ins) => {
        decodeIpsecConf(LS_NORTH.slice(0, at) + ins + LS_NORTH.slice(at + del), 'm');
      }),
      { numRuns: 300 },
    );
  });
});
