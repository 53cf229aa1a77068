import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

describe('tunnel-state', () => {
  it('strongSwan: IKE SA and CHILD SA up, with IDs, SPIs and selectors; no error anywhere', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-03-psk-initiator/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
        'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'sending packet: from 192.1.2.45[500] to 192.1.2.23[500] (XXX bytes)',
        'received packet: from 192.1.2.23[500] to 192.1.2.45[500] (XXX bytes)',
        'parsed IKE_SA_INIT response 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) N(CHDLESS_SUP) ]',
        'selected proposal: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256',
        "authentication of 'west' (myself) with pre-shared key",
        'establishing CHILD_SA westnet-eastnet-ikev2{1}',
        'generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
        'sending packet: from 192.1.2.45[4500] to 192.1.2.23[4500] (XXX bytes)',
        'received packet: from 192.1.2.23[4500] to 192.1.2.45[4500] (XXX bytes)',
        'parsed IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]',
        "authentication of 'east' with pre-shared key successful",
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
        'selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ',
        'CHILD_SA westnet-eastnet-ikev2{1} established with SPIs SPISPI_i SPISPI_o and TS 192.0.1.0/24 === 192.0.2.0/24',
        "connection 'westnet-eastnet-ikev2' established successfully",
      ],
    });
    expect(codesOf(report)).toEqual(['TUNNEL_ESTABLISHED']);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    const f = findingOf(report, 'TUNNEL_ESTABLISHED');
    expect(f.data).toMatchObject({ conn: 'westnet-eastnet-ikev2', ike: 'west ... east', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] });
    expect(f.data.spis).toHaveLength(2);
    expect(linesOf(f)).toEqual([14, 16]);
    expect(f.message).toContain('192.0.1.0/24 === 192.0.2.0/24');
  });

  it('libreswan IKEv2: IKE SA and Child SA established', async () => {
    // libreswan/libreswan testing/pluto/ikev2-05-basic-psk/west.console.txt lines 34-40 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: sent IKE_AUTH request to 192.1.2.23:UDP/500 with shared-key-mac and FQDN '@west'; Child SA #2 {ESP <0xESPESP} [192.0.1.0/24===192.0.2.0/24]",
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,AUTH,SA,TSi,TSr}',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
        '"westnet-eastnet-ipv4-psk-ikev2" #2: initiator established Child SA using #1; IPsec tunnel [192.0.1.0/24===192.0.2.0/24] {ESP/ESN=>0xESPESP <0xESPESP xfrm=AES_GCM_16_256 DPD=passive}',
      ],
    });
    expect(codesOf(report)).toEqual(['TUNNEL_ESTABLISHED']);
    const f = findingOf(report, 'TUNNEL_ESTABLISHED');
    expect(f.data).toMatchObject({ conn: 'westnet-eastnet-ipv4-psk-ikev2', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] });
    expect(linesOf(f)).toEqual([6, 7]);
  });

  it('an IKE SA without any Child SA is not reported as a working tunnel', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
        'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built',
        'failed to establish CHILD_SA, keeping IKE_SA',
      ],
    }, { only: ['tunnel-state'] });
    expect(report.findings).toEqual([]);
  });
});
