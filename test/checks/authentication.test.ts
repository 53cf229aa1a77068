import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import { strongswanPskMismatchResponder } from './fixtures/strongswan-psk-mismatch-responder.js';

const only = ['authentication'];

describe('authentication', () => {
  it('strongSwan responder, PSK MAC mismatch: AUTH_FAILED (pre-shared key) with the line that says so', async () => {
    const report = await diagnoseLines({ name: 'responder.log', lines: strongswanPskMismatchResponder }, { only });
    expect(codesOf(report)).toEqual(['AUTH_FAILED']);
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ method: 'pre-shared key', side: 'responder', whereToLook: 'This log holds the reason.' });
    expect(String(f.data.reason)).toContain('MAC mismatched');
    expect(linesOf(f)).toEqual([11, 12]);
    expect(f.evidence[0].excerpt).toContain("tried 1 shared key for 'gw-east.example.org' - 'gw-west.example.org', but MAC mismatched");
    expect(f.hint).toMatch(/secrets/);
  });

  it('the same failure on every retry is one finding, counted, with the first and the latest evidence', async () => {
    const retry = strongswanPskMismatchResponder.map((l) => l.replace('<1>', '<2>').replace('|1>', '|2>').replace('21:04:11', '21:04:41'));
    const report = await diagnoseLines({ name: 'responder.log', lines: [...strongswanPskMismatchResponder, ...retry] }, { only });
    expect(codesOf(report)).toEqual(['AUTH_FAILED']);
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.data).toMatchObject({ occurrences: 2, sas: ['1', '2'] });
    expect(linesOf(f)).toEqual([11, 12, 24, 25]);
  });

  it('libreswan initiator rejected with AUTHENTICATION_FAILED: points at the responder log and lists the causes', async () => {
    // libreswan/libreswan testing/pluto/ikev2-05-basic-psk-missing-responder/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: sent IKE_AUTH request to 192.1.2.23:UDP/500 with shared-key-mac and FQDN '@west'; Child SA #2 {ESP <0xESPESP} [192.0.1.0/24===192.0.2.0/24]",
        '"westnet-eastnet-ipv4-psk-ikev2" #1: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: encountered fatal error in state IKE_AUTH_I',
      ],
    }, { only: ['authentication', 'proposal-mismatch'] });
    expect(codesOf(report)).toEqual(['AUTH_FAILED']);
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.data.side).toBe('initiator');
    expect(f.data.whereToLook).toMatch(/responder's log holds the reason/);
    expect(f.data.causes).toEqual(expect.arrayContaining([expect.stringMatching(/pre-shared key differs/), expect.stringMatching(/no pre-shared key/), expect.stringMatching(/identity/)]));
    expect(linesOf(f)).toEqual([5]);
    expect(f.hint).toMatch(/responder's log holds the reason/);
  });

  it('strongSwan initiator receiving N(AUTH_FAILED)', async () => {
    // charon format strings: "parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]", ike_auth.c "received %N notify error"
    const report = await diagnoseLines({
      name: 'initiator.log',
      lines: [
        'Nov 22 21:04:11 gw-west charon[911]: 12[IKE] <west-east|1> initiating IKE_SA west-east[1] to 203.0.113.5',
        'Nov 22 21:04:11 gw-west charon[911]: 12[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'Nov 22 21:04:11 gw-west charon[911]: 14[ENC] <west-east|1> parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]',
        'Nov 22 21:04:11 gw-west charon[911]: 14[ENC] <west-east|1> generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) ]',
        'Nov 22 21:04:11 gw-west charon[911]: 15[ENC] <west-east|1> parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]',
        'Nov 22 21:04:11 gw-west charon[911]: 15[IKE] <west-east|1> received AUTHENTICATION_FAILED notify error',
      ],
    }, { only });
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.data.side).toBe('initiator');
    expect(linesOf(f)).toEqual(expect.arrayContaining([5, 6]));
  });

  it('OCSP and CRL unreachable but authentication succeeds: CERT_STATUS_UNAVAILABLE warning, no AUTH_FAILED', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-37-initiator-no-digsig/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'checking certificate status of "C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=east.testing.libreswan.org, E=user-east@testing.libreswan.org"',
        "  requesting ocsp status from 'http://nic.testing.libreswan.org:2560' ...",
        'ocsp request to http://nic.testing.libreswan.org:2560 failed',
        'ocsp check failed, fallback to crl',
        "  fetching crl from 'http://nic.testing.libreswan.org/revoked.crl' ...",
        'crl fetching failed',
        'certificate status is not available',
        "authentication of 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=east.testing.libreswan.org, E=user-east@testing.libreswan.org' with RSA signature successful",
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['CERT_STATUS_UNAVAILABLE']);
    const f = findingOf(report, 'CERT_STATUS_UNAVAILABLE');
    expect(f.severity).toBe('warning');
    expect(linesOf(f)).toEqual(expect.arrayContaining([3, 7]));
    expect(f.hint).toMatch(/revocation/);
  });

  it('successful PSK authentication reports nothing', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-03-psk-initiator/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        "authentication of 'west' (myself) with pre-shared key",
        "authentication of 'east' with pre-shared key successful",
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
