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
