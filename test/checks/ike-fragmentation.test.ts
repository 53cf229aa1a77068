import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['ike-fragmentation'];

describe('ike-fragmentation', () => {
  it('strongSwan: IKE_AUTH response received in 5 fragments and reassembled (info)', async () => {
    // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-37-initiator-no-digsig/west.console.txt (GPLv2+)
    const lines = ['generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]'];
    for (let i = 1; i <= 5; i++) {
      lines.push('received packet: from 192.1.2.23[4500] to 192.1.2.45[4500] (XXX bytes)', `parsed IKE_AUTH response 1 [ EF(${i}/5) ]`);
      lines.push(i < 5 ? `received fragment #${i} of 5, waiting for complete IKE message` : 'received fragment #5 of 5, reassembled fragmented IKE message (XXX bytes)');
    }
    lines.push('parsed IKE_AUTH response 1 [ IDr CERT AUTH SA TSi TSr ]');
    const report = await diagnoseLines({ name: 'west.log', lines }, { only });
    expect(codesOf(report)).toEqual(['IKE_FRAGMENTATION_USED']);
    const f = findingOf(report, 'IKE_FRAGMENTATION_USED');
    expect(f.severity).toBe('info');
    expect(f.data.reassembled).toBe(1);
    expect(f.data.received).toBeGreaterThanOrEqual(5);
    expect(linesOf(f)).toContain(16);
  });

  it('libreswan IKEv1: Main Mode 5 never answered without fragmentation → oversized-message candidate', async () => {
    // libreswan/libreswan testing/pluto/x509-pluto-frag-04/road.console.txt (GPLv2+): fragmentation=no, UDP >= 1500 bytes dropped
    const report = await diagnoseLines({
      name: 'road.log',
      lines: [
        '"x509" #1: initiating IKEv1 Main Mode connection',
        '"x509" #1: sent Main Mode request',
        '"x509" #1: sent Main Mode I2',
        '"x509" #1: I am sending my cert',
        '"x509" #1: I am sending a certificate request',
        '"x509" #1: sent Main Mode I3',
        '"x509" #1: STATE_MAIN_I3: 10 second timeout exceeded after 0 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message',
        '"x509" #1: deleting ISAKMP SA (MAIN_I3) and NOT sending notification',
      ],
    }, { only: ['ike-fragmentation', 'ike-reachability'] });
    expect(codesOf(report).sort()).toEqual(['IKE_FRAGMENTS_DROPPED', 'IKE_NO_RESPONSE']);
    const f = findingOf(report, 'IKE_FRAGMENTS_DROPPED');
    expect(f.severity).toBe('warning');
    expect(f.data).toMatchObject({ exchange: 'STATE_MAIN_I3', fragmentation: 'not used' });
    expect(f.data.alternatives).toEqual(expect.arrayContaining([expect.stringMatching(/pre-shared key/)]));
    expect(linesOf(f)).toEqual([6, 7]);
    expect(f.hint).toMatch(/fragmentation=yes/);
    expect(findingOf(report, 'IKE_NO_RESPONSE').data.stage).toBe('auth');
  });

  // samples/lab-ike-fragments-dropped/left.log and samples/lab-nat-udp4500-blocked/left.log (this project's
  // strongSwan 5.9 lab, npm run samples:refresh): the same silence after IKE_SA_INIT, once with a 3680-byte
  // IKE_AUTH (certificates, fragmentation = no, the path drops IP fragments), once with a 288-byte one (UDP 4500 blocked)
  const labAuthSilence = (bytes: number) => [
    'Nov 22 22:54:57 08[NET] <lab|1> sending packet: from 192.0.2.10[500] to 198.51.100.20[500] (454 bytes)',
    'Nov 22 22:54:57 14[NET] <lab|1> received packet: from 198.51.100.20[500] to 192.0.2.10[500] (487 bytes)',
    'Nov 22 22:54:57 14[ENC] <lab|1> parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]',
    'Nov 22 22:54:57 14[ENC] <lab|1> generating IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
    `Nov 22 22:54:57 14[NET] <lab|1> sending packet: from 192.0.2.10[4500] to 198.51.100.20[4500] (${bytes} bytes)`,
    'Nov 22 22:54:58 10[IKE] <lab|1> retransmit 1 of request with message ID 1',
    `Nov 22 22:54:58 10[NET] <lab|1> sending packet: from 192.0.2.10[4500] to 198.51.100.20[4500] (${bytes} bytes)`,
    'Nov 22 22:55:00 12[IKE] <lab|1> retransmit 2 of request with message ID 1',
    'Nov 22 22:55:02 15[IKE] <lab|1> retransmit 3 of request with message ID 1',
    'Nov 22 22:55:04 13[IKE] <lab|1> giving up after 3 retransmits',
    'Nov 22 22:55:04 13[IKE] <lab|1> establishing IKE_SA failed, peer not responding',
  ];

  it('real strongSwan lab: a 3680-byte IKE_AUTH never answered is an oversized-message candidate', async () => {
    const report = await diagnoseLines({ name: 'left.log', lines: labAuthSilence(3680) }, { only: ['ike-fragmentation', 'ike-reachability'] });
    expect(codesOf(report).sort()).toEqual(['IKE_FRAGMENTS_DROPPED', 'IKE_NO_RESPONSE']);
    const f = findingOf(report, 'IKE_FRAGMENTS_DROPPED');
    expect(f.data).toMatchObject({ peer: '198.51.100.20:4500', exchange: 'IKE_AUTH', retransmits: 3, requestBytes: 3680 });
    expect(linesOf(f)).toEqual([4, 6, 8, 9, 10]);
    expect(findingOf(report, 'IKE_NO_RESPONSE').data).toMatchObject({ stage: 'auth', seconds: 7, port: 4500 });
  });

  it('real strongSwan lab: a 288-byte IKE_AUTH cannot be oversized — only the reachability finding, 4500 first among the causes', async () => {
    const report = await diagnoseLines({ name: 'left.log', lines: labAuthSilence(288) }, { only: ['ike-fragmentation', 'ike-reachability'] });
    expect(codesOf(report)).toEqual(['IKE_NO_RESPONSE']);
    const causes = findingOf(report, 'IKE_NO_RESPONSE').data.causes as string[];
    expect(causes[0]).toMatch(/4500/);
    expect(causes.join(' ')).not.toMatch(/large/);
  });

  it('a timeout of the first message is reachability, not packet size', async () => {
    // libreswan/libreswan testing/pluto/ikev2-tcp-00-enable-tcp-no/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"west" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"west" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"west" #1: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
