import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['nat-traversal'];

describe('nat-traversal', () => {
  it('strongSwan road warrior behind NAT, floats to 4500', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-10-nat-initiator/road.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'road.log',
      lines: [
        'initiating IKE_SA road-eastnet-ikev2[1] to 192.1.2.23',
        'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'sending packet: from 192.1.3.209[500] to 192.1.2.23[500] (XXX bytes)',
        'received packet: from 192.1.2.23[500] to 192.1.3.209[500] (XXX bytes)',
        'parsed IKE_SA_INIT response 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) N(CHDLESS_SUP) ]',
        'selected proposal: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256',
        'local host is behind NAT, sending keep alives',
        "authentication of 'road' (myself) with pre-shared key",
        'generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
        'sending packet: from 192.1.3.209[4500] to 192.1.2.23[4500] (XXX bytes)',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['NAT_DETECTED']);
    const f = findingOf(report, 'NAT_DETECTED');
    expect(f.severity).toBe('info');
    expect(f.data).toMatchObject({ localBehindNat: true, remoteBehindNat: false });
    expect(f.message).toContain('this host');
    expect(linesOf(f)[0]).toBe(7);
  });

  it('libreswan IKEv1 responder: peer behind NAT (pluto debug line)', async () => {
    // libreswan/libreswan testing/pluto/nat-pluto-01/east.console.txt line 30 (GPLv2+)
    const report = await diagnoseLines({
      name: 'east.log',
      lines: [
        '"northnet-eastnet-nat" #1: responding to Main Mode from unknown peer 192.1.2.254:500',
        '| NAT-Traversal: Result using RFC 3947 (NAT-Traversal) sender port 500: peer behind NAT',
      ],
    }, { only });
    const f = findingOf(report, 'NAT_DETECTED');
    expect(f.data).toMatchObject({ localBehindNat: false, remoteBehindNat: true });
    expect(f.message).toContain('the peer is');
    expect(linesOf(f)).toContain(2);
  });

  it('a MOBIKE float to 4500 without NAT is not NAT', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-03-psk-initiator/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
        'sending packet: from 192.1.2.45[500] to 192.1.2.23[500] (XXX bytes)',
        'parsed IKE_SA_INIT response 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) N(CHDLESS_SUP) ]',
        'sending packet: from 192.1.2.45[4500] to 192.1.2.23[4500] (XXX bytes)',
        'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });

  describe('NAT_T_BLOCKED from a log (the lab\'s nat-udp4500-blocked left.log, real charon output)', () => {
    const lab = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'lab-nat-udp4500-blocked', 'left.log'), 'utf8').trimEnd().split('\n');
    const both = ['nat-traversal', 'ike-reachability'];
    it('NAT detected, IKE_AUTH to 4500 retransmitted until charon gives up, nothing received there: NAT_T_BLOCKED, and IKE_NO_RESPONSE is its symptom (info)', async () => {
      const report = await diagnoseLines({ name: 'left.log', lines: lab }, { only: both });
      const f = findingOf(report, 'NAT_T_BLOCKED');
      expect(f.severity).toBe('error');
      expect(f.message).toBe('NAT detected and the exchange moved to UDP 4500, but 198.51.100.20:4500 never answered there (IKE_AUTH, 4 transmissions from 192.0.2.10:4500).');
      expect(linesOf(f).slice(0, 3)).toEqual([141, 154, 156]);
      expect([findingOf(report, 'IKE_NO_RESPONSE').severity, findingOf(report, 'IKE_NO_RESPONSE').data?.explainedBy]).toEqual(['info', 'NAT_T_BLOCKED']);
    });
    it('two attempts of the same connection (the log twice over) are one finding', async () => {
      const report = await diagnoseLines({ name: 'left.log', lines: [...lab, ...lab] }, { only: ['nat-traversal'] });
      expect(report.findings.filter((f) => f.code === 'NAT_T_BLOCKED')).toHaveLength(1);
      expect(findingOf(report, 'NAT_T_BLOCKED').data?.seenIn).toMatch(/^the log \S*left\.log$/);
    });
    it('not when the requests were large enough to leave as IP fragments, nor without the log\'s own NAT verdict', async () => {
      const big = lab.map((l) => l.replace('to 198.51.100.20[4500] (288 bytes)', 'to 198.51.100.20[4500] (1800 bytes)'));
      expect(big).not.toEqual(lab);
      const noNat = lab.filter((l) => !/behind NAT/.test(l));
      for (const lines of [big, noNat]) {
        const report = await diagnoseLines({ name: 'left.log', lines }, { only: both });
        expect(codesOf(report)).not.toContain('NAT_T_BLOCKED');
        expect(findingOf(report, 'IKE_NO_RESPONSE').severity).toBe('error');
      }
    });
  });
});
