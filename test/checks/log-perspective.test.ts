import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import { strongswanPskMismatchResponder as responder } from './fixtures/strongswan-psk-mismatch-responder.js';

const only = ['log-perspective'];

// libreswan/libreswan testing/pluto/ikev2-05-basic-psk-missing-responder/west.console.txt (GPLv2+)
const initiatorRejected = [
  '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED',
];

describe('log-perspective', () => {
  it('an initiator log that received a bare AUTHENTICATION_FAILED says the responder knows why', async () => {
    const report = await diagnoseLines({ name: 'west.log', lines: initiatorRejected }, { only });
    expect(codesOf(report)).toEqual(['LOG_FROM_INITIATOR']);
    const f = findingOf(report, 'LOG_FROM_INITIATOR');
    expect(f.severity).toBe('info');
    expect(f.data.verdicts).toEqual(['AUTHENTICATION_FAILED']);
    expect(linesOf(f)).toEqual([4]);
    expect(f.hint).toMatch(/--log initiator\.log --log responder\.log/);
  });

  it('with the responder log also given, it stays silent', async () => {
    const report = await diagnoseLines([{ name: 'west.log', lines: initiatorRejected }, { name: 'east.log', lines: responder }], { only });
    expect(report.findings).toEqual([]);
  });

  it('a responder log is not flagged', async () => {
    const report = await diagnoseLines({ name: 'east.log', lines: responder }, { only });
    expect(report.findings).toEqual([]);
  });

  it('a healthy initiator log is not flagged', async () => {
    // libreswan/libreswan testing/pluto/ikev2-05-basic-psk/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
