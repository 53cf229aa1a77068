import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findTokens, isHostName } from '../../src/report/redact-tokens.js';

const kinds = (line: string) => findTokens(line).map((t) => `${t.kind}:${t.value}`);

describe('findTokens', () => {
  it('finds identities, hosts and connection names in charon lines (samples/lab-psk-mismatch/right.log)', () => {
    expect(kinds('Nov 22 22:25:42 11[CFG] <1> looking for peer configs matching 198.51.100.20[right.example]...192.0.2.10[left.example]')).toEqual(
      expect.arrayContaining(['identity:right.example', 'identity:left.example']),
    );
    expect(kinds("Nov 22 22:25:42 11[IKE] <lab|1> tried 1 shared key for 'right.example' - 'left.example', but MAC mismatched")).toEqual(
      expect.arrayContaining(['conn:lab', 'identity:right.example', 'identity:left.example']),
    );
    expect(kinds('Nov 22 22:25:40 16[IKE] <lab|1> CHILD_SA net{1} established with SPIs 9dee9b87_i a59c1401_o')).toEqual(expect.arrayContaining(['conn:lab', 'conn:net']));
  });

  it('finds DNs, their CN/E values and pluto connection names (libreswan testing/pluto/ikev2-x509-14-san-dn-mismatch/west.console.txt)', () => {
    const line = `"san" #2: X509: authentication failed; peer ID DER_ASN1_DN 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=east.testing.libreswan.org, E=user-east@testing.libreswan.org' does not match expected 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org'`;
    const found = kinds(line);
    expect(found).toEqual(expect.arrayContaining([
      'conn:san',
      'identity:C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=east.testing.libreswan.org, E=user-east@testing.libreswan.org',
      'host:east.testing.libreswan.org',
      'identity:user-east@testing.libreswan.org',
      'host:NOTeast.testing.libreswan.org',
    ]));
  });

  it('ends a DN where prose resumes (a finding message quoting two DNs)', () => {
    const msg = 'the peer presented E=user-east@testing.libreswan.org,CN=east.testing.libreswan.org,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA; expected C=CA, ST=Ontario, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org (checked by the daemon that wrote this log).';
    const dns = findTokens(msg).filter((t) => t.value.includes('=')).map((t) => t.value);
    expect(dns).toEqual([
      'E=user-east@testing.libreswan.org,CN=east.testing.libreswan.org,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA',
      'C=CA, ST=Ontario, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org',
    ]);
  });

  it('finds the syslog host and @FQDN identities', () => {
    expect(kinds('Nov 22 21:04:11 gw-east charon[1487]: 06[IKE] <west-east|1> authentication of \'@gw-west\' with pre-shared key successful')).toEqual(
      expect.arrayContaining(['host:gw-east', 'conn:west-east', 'identity:@gw-west']),
    );
  });

  it('does not take wildcards, ports, file names or config keys for names', () => {
    expect(kinds('looking for peer configs matching 192.0.2.1[%any]...192.0.2.2[500]')).toEqual([]);
    for (const s of ['charon.log', 'swanctl.conf', 'local.id', 'charon.plugins', 'strongswan.org']) expect(isHostName(s), s).toBe(false);
    for (const s of ['vpn.example.com', 'gw1.corp.internal', 'east.testing.libreswan.org', 'right.example']) expect(isHostName(s), s).toBe(true);
  });

  it('is total on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void findTokens(s)), { numRuns: 500 });
  });
});
