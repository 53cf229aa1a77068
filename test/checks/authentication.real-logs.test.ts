/**
 * Issue 20 §2: libreswan's IKEv1 responder line "probable authentication failure (mismatch of
 * preshared secrets?): malformed payload in packet" is AUTH_FAILED (pre-shared key), and the
 * STATE_MAIN_R2 retransmissions around it are its symptom, not IKE_NO_RESPONSE — on logs users
 * pasted in GitHub issues (sources in the fixture). And a host without the private key of its own
 * certificate (libreswan, strongSwan) is the one to fix, whichever side it is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import { dockerIssue123, setupIssue506 } from './fixtures/real-logs/libreswan-psk-issues.js';
import { libreswanIssue274, libreswanTestNokey, strongswanNoPrivateKey } from './fixtures/real-logs/own-private-key-missing.js';

const only = ['authentication', 'ike-reachability', 'peer-identity'];

describe('libreswan IKEv1 responder: probable authentication failure (mismatch of preshared secrets?)', () => {
  it('hwdsl2/setup-ipsec-vpn#506: AUTH_FAILED (pre-shared key) with the retransmissions as its symptom', async () => {
    const report = await diagnoseLines({ name: 'auth.log', lines: setupIssue506 }, { only });
    expect(codesOf(report)).toEqual(['AUTH_FAILED']);
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.data).toMatchObject({ method: 'pre-shared key', side: 'responder', reason: 'probable authentication failure (mismatch of preshared secrets?): malformed payload in packet' });
    expect(f.data.symptoms).toMatch(/^2 retransmissions/);
    expect(linesOf(f)).toEqual([2, 3, 6, 7]);
  });

  it('hwdsl2/docker-ipsec-vpn-server#123: the earlier attempt (#4) resending MR2 is the same symptom, not IKE_NO_RESPONSE', async () => {
    const report = await diagnoseLines({ name: 'auth.log', lines: dockerIssue123 }, { only });
    expect(codesOf(report)).toEqual(['AUTH_FAILED']);
    expect(linesOf(findingOf(report, 'AUTH_FAILED'))).toEqual([3, 8]);
  });
});

describe('this host has no private key for its own certificate', () => {
  // the initiator could not sign: it is the one whose configuration is wrong, not the responder's verdict on it
  for (const [name, lines, reason] of [
    ['libreswan#274 (pluto log)', libreswanIssue274, "Can't find the certificate or private key from the NSS CKA_ID"],
    ["libreswan's basic-pluto-01-nokey console (v3.25)", libreswanTestNokey, "Can't find the certificate or private key from the NSS CKA_ID"],
    ["strongSwan's no private key found", strongswanNoPrivateKey, "no private key found for 'carol@strongswan.org'"],
  ] as const) {
    it(`${name}: AUTH_FAILED seen from the initiator, naming its own key`, async () => {
      const report = await diagnoseLines({ name: 'auth.log', lines: [...lines] }, { only });
      expect(codesOf(report)).toEqual(['AUTH_FAILED']);
      const f = findingOf(report, 'AUTH_FAILED');
      expect(f.data).toMatchObject({ method: 'certificate/signature', side: 'initiator', keyMissing: true, reason });
      expect(f.hint).toMatch(/^This log holds the reason: this host could not sign its own AUTH payload/);
      expect(f.hint).not.toMatch(/install the issuing CA/);
    });
  }
});

describe('Windows client: its own certificate verdict is not a refusal by the server', () => {
  // the RasClient 20227 message as R. Hicks quotes it ("Always On VPN Error 13806", directaccess.richardhicks.com;
  // placeholders his), and Microsoft's own Get-EventLog record of a 13801 (samples/windows-rras-events-azure-docs, line 38)
  const hicks13806 = 'The user [username] dialed a connection named [connection name] which has failed. The error code returned on failure is 13806.';

  it('13806 (ERROR_IPSEC_IKE_NO_CERT) sends the reader to the client\'s certificate stores, not to the responder\'s log', async () => {
    const report = await diagnoseLines({ name: 'rasclient.log', lines: [hicks13806] });
    expect(codesOf(report)).toContain('AUTH_FAILED');
    expect(codesOf(report)).not.toContain('LOG_FROM_INITIATOR');
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.data).toMatchObject({ side: 'initiator', method: 'certificate/signature' });
    expect(f.hint).not.toContain("The responder's log holds the reason");
    expect(f.hint).toContain("not a refusal by the peer");
    expect(f.data.causes).toEqual(expect.arrayContaining([expect.stringMatching(/does not trust the peer's certificate chain/)]));
  });

  it('13801 (ERROR_IPSEC_IKE_AUTH_FAIL) is still the server\'s verdict, whose log says why', async () => {
    const lines = readFileSync(new URL('../../samples/windows-rras-events-azure-docs/get-eventlog.log', import.meta.url), 'utf8').split('\n');
    const report = await diagnoseLines({ name: 'rras.log', lines }, { only: ['authentication'] });
    expect(findingOf(report, 'AUTH_FAILED').hint).toContain("The responder's log holds the reason");
  });
});
