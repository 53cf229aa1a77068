import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['proposal-mismatch'];

describe('proposal-mismatch', () => {
  it('strongSwan responder, IKE proposals without common encryption: names the transform type and both lists', async () => {
    // charon format strings (proposal.c "received proposals: %#P" / "configured proposals: %#P", ike_init.c
    // "received proposals unacceptable"), syslog form; the lists are the VyOS troubleshooting example's shape
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Jun 23 07:36:33 vyos charon[2440]: 01[NET] received packet: from 198.51.100.10[500] to 203.0.113.5[500] (464 bytes)',
        'Jun 23 07:36:33 vyos charon[2440]: 01[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'Jun 23 07:36:33 vyos charon[2440]: 01[IKE] <1> 198.51.100.10 is initiating an IKE_SA',
        'Jun 23 07:36:33 vyos charon[2440]: 01[CFG] <1> received proposals: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
        'Jun 23 07:36:33 vyos charon[2440]: 01[CFG] <1> configured proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
        'Jun 23 07:36:33 vyos charon[2440]: 01[IKE] <1> received proposals unacceptable',
        'Jun 23 07:36:33 vyos charon[2440]: 01[ENC] <1> generating IKE_SA_INIT response 0 [ N(NO_PROP) ]',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({
      phase: 'ike', side: 'responder', transformTypes: ['encryption'],
      delta: [{ type: 'ENCR', received: ['AES_CBC_256'], configured: ['AES_CBC_128'] }],
    });
    expect(linesOf(f)).toEqual(expect.arrayContaining([4, 5, 7]));
    expect(f.message).toContain('encryption');
    expect(f.hint).toContain('`proposals`');
  });

  it('real strongSwan 5.9 responder (lab filelog): every transform type differs', async () => {
    // samples/lab-ike-proposal-mismatch/right.log lines 96-114 (this project's lab, npm run samples:refresh)
    const report = await diagnoseLines({
      name: 'right.log',
      lines: [
        'Nov 22 22:53:58 10[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'Nov 22 22:53:58 10[CFG] <1> looking for an IKEv2 config for 198.51.100.20...192.0.2.10',
        'Nov 22 22:53:58 10[CFG] <1>   candidate: 198.51.100.20...192.0.2.10, prio 3100',
        'Nov 22 22:53:58 10[CFG] <1> found matching ike config: 198.51.100.20...192.0.2.10 with prio 3100',
        'Nov 22 22:53:58 10[IKE] <1> 192.0.2.10 is initiating an IKE_SA',
        'Nov 22 22:53:58 10[CFG] <1> selecting proposal:',
        'Nov 22 22:53:58 10[CFG] <1>   no acceptable ENCRYPTION_ALGORITHM found',
        'Nov 22 22:53:58 10[CFG] <1> received proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
        'Nov 22 22:53:58 10[CFG] <1> configured proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_3072',
        'Nov 22 22:53:58 10[IKE] <1> received proposals unacceptable',
        'Nov 22 22:53:58 10[ENC] <1> generating IKE_SA_INIT response 0 [ N(NO_PROP) ]',
        'Nov 22 22:53:58 10[NET] <1> sending packet: from 198.51.100.20[500] to 192.0.2.10[500] (36 bytes)',
      ],
    }, { only: ['proposal-mismatch', 'peer-identity'] });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ side: 'responder', exchange: 'IKE_SA_INIT', transformTypes: ['encryption', 'integrity', 'PRF', 'DH/KE group'] });
    expect(f.data.delta).toContainEqual({ type: 'KE', received: ['MODP_2048'], configured: ['MODP_3072'] });
    expect(linesOf(f)).toEqual([8, 9, 10, 11]);
    // the fix in charon's own config syntax, with the IANA names: the peer's offer here, or this host's there
    expect(f.hint).toContain('for example add `aes256-sha256-modp2048` (AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048) to this host\'s proposals, or `aes128-sha1-modp3072` (AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_3072) to the peer\'s');
  });

  it('strongSwan initiator: NO_PROPOSAL_CHOSEN in IKE_AUTH after the IKE SA is up is a Child SA mismatch, not IKE', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-21-transport-04/west.console.txt (GPLv2+), `strongswan up` output
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
        'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'sending packet: from 192.1.2.45[500] to 192.1.2.23[500] (XXX bytes)',
        'received packet: from 192.1.2.23[500] to 192.1.2.45[500] (XXX bytes)',
        'parsed IKE_SA_INIT response 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) N(CHDLESS_SUP) ]',
        'selected proposal: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
        "authentication of 'west' (myself) with pre-shared key",
        'establishing CHILD_SA westnet-eastnet-ikev2{1}',
        'generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
        'sending packet: from 192.1.2.45[4500] to 192.1.2.23[4500] (XXX bytes)',
        'received packet: from 192.1.2.23[4500] to 192.1.2.45[4500] (XXX bytes)',
        'parsed IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]',
        "authentication of 'east' with pre-shared key successful",
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
        'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built',
        'failed to establish CHILD_SA, keeping IKE_SA',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'CHILD_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ phase: 'child', side: 'initiator', transformTypes: 'not visible in this log' });
    expect(linesOf(f)).toEqual(expect.arrayContaining([12, 15]));
    expect(f.hint).toMatch(/esp_proposals/);
    expect(f.hint).toMatch(/mode/);
  });

  it('libreswan responder prints the remote ESP proposal it refused', async () => {
    // libreswan/libreswan testing/pluto/ikev2-leak-01-db_v2_prop_conj/east.console.txt line 18 (GPLv2+)
    const report = await diagnoseLines({
      name: 'east.log',
      lines: ['"westnet-eastnet-ipv4-psk-ikev2" #2: no local proposal matches remote proposals 1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO'],
    }, { only });
    const f = findingOf(report, 'CHILD_PROPOSAL_MISMATCH');
    expect(f.data.side).toBe('responder');
    expect(String(f.data.received)).toContain('AES_CBC_128');
    expect(linesOf(f)).toEqual([1]);
    expect(codesOf(report)).not.toContain('IKE_PROPOSAL_MISMATCH');
  });

  it('libreswan IKEv1 Aggressive Mode initiator: unsecured NO_PROPOSAL_CHOSEN is phase 1', async () => {
    // libreswan/libreswan testing/pluto/ikev1-aggr-07-no-isakmp-proposal-chosen/west.console.txt lines 22-28 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-aggr" #1: initiating IKEv1 Aggressive Mode connection',
        '"westnet-eastnet-aggr" #1: sent Aggressive Mode request',
        '"westnet-eastnet-aggr" #1: ignoring unsecured informational payload NO_PROPOSAL_CHOSEN, length=12',
        'IMPAIR: "westnet-eastnet-aggr" #1: retransmit so timing out SA (may retry)',
        '"westnet-eastnet-aggr" #1: deleting ISAKMP SA (AGGR_I1) and NOT sending notification',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ phase: 'ike', side: 'initiator', conn: 'westnet-eastnet-aggr' });
    expect(f.data.alternatives).toEqual(expect.arrayContaining([expect.stringMatching(/no connection/)]));
    expect(linesOf(f)).toEqual([3]);
  });

  it('libreswan IKEv2 initiator: Child SA rejected in IKE_AUTH is CHILD, never IKE', async () => {
    // libreswan/libreswan testing/pluto/ikev2-leak-01-db_v2_prop_conj/west.console.txt lines 19-25 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: sent IKE_AUTH request to 192.1.2.23:UDP/500 with shared-key-mac and FQDN '@west'; Child SA #2 {ESP <0xESPESP} [192.0.1.0/24===192.0.2.0/24]",
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,AUTH,N(NO_PROPOSAL_CHOSEN)}',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
        '"westnet-eastnet-ipv4-psk-ikev2" #2: IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    expect(linesOf(findingOf(report, 'CHILD_PROPOSAL_MISMATCH'))).toEqual(expect.arrayContaining([5, 7]));
  });

  it('INVALID_KE then success is DH_GROUP_RENEGOTIATED (info), not a mismatch', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-26-ke-mismatch-responder/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
        'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'sending packet: from 192.1.2.45[500] to 192.1.2.23[500] (XXX bytes)',
        'received packet: from 192.1.2.23[500] to 192.1.2.45[500] (XXX bytes)',
        'parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]',
        "peer didn't accept key exchange method MODP_1536, it requested MODP_2048",
        'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
        'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'parsed IKE_SA_INIT response 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) N(CHDLESS_SUP) ]',
        'selected proposal: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048',
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
        'CHILD_SA westnet-eastnet-ikev2{1} established with SPIs SPISPI_i SPISPI_o and TS 192.0.1.0/24 === 192.0.2.0/24',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['DH_GROUP_RENEGOTIATED']);
    const f = findingOf(report, 'DH_GROUP_RENEGOTIATED');
    expect(f.severity).toBe('info');
    expect(f.data).toMatchObject({ offered: 'MODP_1536', requested: 'MODP_2048' });
    expect(linesOf(f)).toEqual(expect.arrayContaining([6, 11]));
    expect(report.summary.errors).toBe(0);
  });

  it('libreswan INVALID_KE retry then established is info only', async () => {
    // libreswan/libreswan testing/pluto/ikev2-invalid-ke-02-wrong-modp/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: received unauthenticated INVALID_KE_PAYLOAD response to Key Exchange Method (DH) MODP1536; resending with suggested MODP2048',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['DH_GROUP_RENEGOTIATED']);
    expect(findingOf(report, 'DH_GROUP_RENEGOTIATED').data).toMatchObject({ offered: expect.stringMatching(/MODP_?1536/), requested: expect.stringMatching(/MODP_?2048/) });
  });

  it('INVALID_KE, retry, then NO_PROPOSAL_CHOSEN: one IKE mismatch, no renegotiation info, no missing-connection hypothesis', async () => {
    // charon format strings (≤5.9 wording "peer didn't accept DH group %N, it requested %N", ike_init.c "received %N notify error")
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'Nov 22 21:50:00 13[IKE] <west-east|1> initiating IKE_SA west-east[1] to 203.0.113.5',
        'Nov 22 21:50:00 13[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]',
        'Nov 22 21:50:00 14[ENC] <west-east|1> parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]',
        "Nov 22 21:50:00 14[IKE] <west-east|1> peer didn't accept DH group MODP_1024, it requested ECP_384",
        'Nov 22 21:50:00 14[IKE] <west-east|1> initiating IKE_SA west-east[1] to 203.0.113.5',
        'Nov 22 21:50:00 14[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]',
        'Nov 22 21:50:00 15[ENC] <west-east|1> parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]',
        'Nov 22 21:50:00 15[IKE] <west-east|1> received NO_PROPOSAL_CHOSEN notify error',
      ],
    }, { only: ['proposal-mismatch', 'peer-identity'] });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    expect(linesOf(findingOf(report, 'IKE_PROPOSAL_MISMATCH'))).toEqual([7, 8]);
  });

  it('INVALID_KE and then the initiator gives up: IKE mismatch on the DH group', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'Nov 22 21:50:00 13[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]',
        'Nov 22 21:50:00 14[ENC] <west-east|1> parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]',
        "Nov 22 21:50:00 14[IKE] <west-east|1> peer didn't accept DH group MODP_1024, it requested ECP_384",
        'Nov 22 21:50:04 15[IKE] <west-east|1> retransmit 1 of request with message ID 0',
        'Nov 22 21:50:30 16[IKE] <west-east|1> giving up after 5 retransmits',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ transformTypes: ['DH/KE group'], delta: [{ type: 'KE', received: ['ECP_384'], configured: ['MODP_1024'] }] });
    expect(linesOf(f)).toEqual([3, 5]);
  });

  it('a healthy negotiation reports nothing', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});

describe('proposal-mismatch: a daemon that names the transform type the peer did not offer', () => {
  it('PAN-OS "Configured encryption algorithm \'AES256-CBC\' was not presented in the IKE proposal" → encryption, with the configured algorithm (samples/panos-ikev2-proposal-mismatch, real GUI lines)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const lines = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'panos-ikev2-proposal-mismatch', 'system-log-gui.log'), 'utf8').split('\n');
    const report = await diagnoseLines({ name: 'system.log', lines }, { only });
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.data.transformTypes).toEqual(['encryption']);
    expect(f.data.configured).toEqual(['AES256-CBC']);
    expect(f.message).toContain('transform types without overlap: encryption');
    expect(f.hint).toContain('give both peers at least one common encryption');
    expect(f.hint).toContain('PAN-OS the IKE gateway');
  });
});
