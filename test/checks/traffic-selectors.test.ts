import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['traffic-selectors'];

describe('traffic-selectors', () => {
  it('libreswan initiator: Child SA rejected with TS_UNACCEPTABLE, with the selectors it proposed', async () => {
    // libreswan/libreswan testing/pluto/ikev2-allow-narrow-01/west.console.txt lines 63-69 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ikev2\" #1: sent IKE_AUTH request to 192.1.2.23:UDP/500 with digital-signature RSASSA-PSS with SHA2_512 and FQDN '@west'; Child SA #2 {ESP <0xESPESP} [192.0.1.0/24===192.0.2.0/24]",
        '"westnet-eastnet-ikev2" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,AUTH,N(TS_UNACCEPTABLE)}',
        "\"westnet-eastnet-ikev2\" #1: initiator established IKE SA; authenticated peer using preloaded certificate '@east' and 2nnn-bit RSASSA-PSS with SHA2_512 digital signature",
        '"westnet-eastnet-ikev2" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['TS_MISMATCH']);
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'initiator', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] });
    expect(linesOf(f)).toEqual(expect.arrayContaining([5, 7]));
    expect(f.hint).toMatch(/leftsubnet/);
    expect(f.hint).toMatch(/local_ts/);
  });

  it('strongSwan responder names both selector sets it refused', async () => {
    // charon format strings, child_create.c "traffic selectors %#R === %#R unacceptable", "no acceptable traffic selectors found"
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 21:20:41 gw-east charon[1487]: 11[ENC] <west-east|3> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[CFG] <west-east|3> traffic selectors 10.10.0.0/16 === 10.20.0.0/16 unacceptable',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[IKE] <west-east|3> no acceptable traffic selectors found',
        'Nov 22 21:20:41 gw-east charon[1487]: 11[ENC] <west-east|3> generating IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]',
      ],
    }, { only });
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'responder', local: ['10.10.0.0/16'], remote: ['10.20.0.0/16'] });
    expect(f.message).toContain('10.10.0.0/16');
    expect(linesOf(f)).toEqual(expect.arrayContaining([2, 4]));
    expect(report.findings).toHaveLength(1);
  });

  it('a Child SA established with its selectors reports nothing', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: ['CHILD_SA westnet-eastnet-ikev2{1} established with SPIs SPISPI_i SPISPI_o and TS 192.0.1.0/24 === 192.0.2.0/24'],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
