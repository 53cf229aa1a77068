import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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

  it('Juniper kmd: the IKE line printed after the Child SA lines is this tunnel\'s IKE SA, and the unnamed SA lines are the named VPN\'s', async () => {
    // samples/juniper-srx-show-log-kmd-healthy (show log kmd-logs of a vSRX, fabferri/az-pattern): KMD_PM_SA_ESTABLISHED ×2,
    // KMD_VPN_UP_ALARM_USER, then "IKE negotiation successfully completed", all in the same second
    const lines = readFileSync(new URL('../../samples/juniper-srx-show-log-kmd-healthy/show-log-kmd-logs.log', import.meta.url), 'utf8').trimEnd().split('\n');
    const report = await diagnoseLines({ name: 'kmd.log', lines }, { only: ['tunnel-state'] });
    expect(report.findings).toHaveLength(1);
    const f = findingOf(report, 'TUNNEL_ESTABLISHED');
    expect(f.data).toMatchObject({ conn: 'ipsec-vpn-1', ike: '13.68.202.166 ... 13.68.203.192', ikeVersion: 2, spis: ['0x190695fe', '0x60555011'] });
    expect(f.message).not.toContain('its line is not in this log');
    expect(linesOf(f)).toEqual([7, 8, 9, 10]);
  });

  it('an IKE SA line long after the Child SA is not taken for its IKE SA', async () => {
    // the same real lines with the IKE line moved two minutes later (another negotiation's)
    const lines = readFileSync(new URL('../../samples/juniper-srx-show-log-kmd-healthy/show-log-kmd-logs.log', import.meta.url), 'utf8').trimEnd().split('\n');
    lines[9] = lines[9].replace('Aug  3 10:18:44', 'Aug  3 10:20:44');
    const report = await diagnoseLines({ name: 'kmd.log', lines }, { only: ['tunnel-state'] });
    expect(findingOf(report, 'TUNNEL_ESTABLISHED').data.ike).toBe('up (its line is not in this log)');
  });

  describe('CHILD_SA_REFUSED: a Child SA refusal no other check explains (RFC 7296 §3.10.1)', () => {
    // libreswan issue #2805 (samples/libreswan-child-refused-cp-required, origin in its README)
    const dir = new URL('../../samples/libreswan-child-refused-cp-required/', import.meta.url);
    const lines = (f: string) => readFileSync(new URL(f, dir), 'utf8').split('\n').filter(Boolean);
    it('the initiator: FAILED_CP_REQUIRED received in IKE_AUTH, the IKE SA up but no tunnel (was a green tick)', async () => {
      const report = await diagnoseLines({ name: 'west.log', lines: lines('west.log') });
      expect(codesOf(report)).toContain('CHILD_SA_REFUSED');
      expect(codesOf(report)).not.toContain('TUNNEL_ESTABLISHED');
      const f = findingOf(report, 'CHILD_SA_REFUSED');
      expect(f.severity).toBe('error');
      expect(f.data).toMatchObject({ notify: 'FAILED_CP_REQUIRED', direction: 'received', exchange: 'IKE_AUTH', conn: 'ikev2-westnet-eastnet-x509-cr' });
      expect(f.message).toMatch(/refused by the peer with FAILED_CP_REQUIRED in .*IKE_AUTH.*: the responder requires the initiator to ask for an internal address/);
      expect(f.hint).toMatch(/leftmodecfgclient=yes/);
      expect(linesOf(f)).toEqual([4]);
    });
    it("the responder's own refusal (v5.x 'Child SA ignored' line) says this host refused it", async () => {
      const report = await diagnoseLines({ name: 'east.log', lines: lines('east.log') });
      expect(findingOf(report, 'CHILD_SA_REFUSED').message).toMatch(/refused by this host with FAILED_CP_REQUIRED/);
    });
    it("charon's 'received %N notify, no CHILD_SA built' (child_create.c) with INTERNAL_ADDRESS_FAILURE: the pool advice", async () => {
      const report = await diagnoseLines({ name: 'charon.log', lines: [
        'Dec  7 10:00:00 road charon: 09[ENC] <home|1> parsed IKE_AUTH response 1 [ IDr AUTH N(INT_ADDR_FAIL) ]',
        'Dec  7 10:00:00 road charon: 09[IKE] <home|1> received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built',
      ] });
      const f = findingOf(report, 'CHILD_SA_REFUSED');
      expect(f.data).toMatchObject({ notify: 'INTERNAL_ADDRESS_FAILURE', direction: 'received', conn: 'home' });
      expect(f.hint).toMatch(/address pool with free addresses/);
    });
    it('TS_UNACCEPTABLE and NO_PROPOSAL_CHOSEN stay with their own checks', async () => {
      const report = await diagnoseLines({ name: 'charon.log', lines: ['Dec  7 10:00:00 road charon: 09[IKE] <home|1> received TS_UNACCEPTABLE notify, no CHILD_SA built'] });
      expect(codesOf(report)).not.toContain('CHILD_SA_REFUSED');
    });
  });
});

