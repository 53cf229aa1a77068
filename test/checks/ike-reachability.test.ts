import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['ike-reachability'];

describe('ike-reachability', () => {
  it('strongSwan initiator: IKE_SA_INIT retransmitted 5 times to port 500, then gives up', async () => {
    // charon format strings (task_manager_v2.c "retransmit %d of request with message ID %d", "giving up after %d retransmits",
    // ike_sa.c "establishing IKE_SA failed, peer not responding"), filelog form with timestamps; documentation addresses
    const p = 'Nov 22 21:30:';
    const report = await diagnoseLines({
      name: 'charon.log',
      lines: [
        `${p}00 13[IKE] <west-east|1> initiating IKE_SA west-east[1] to 203.0.113.5`,
        `${p}00 13[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]`,
        `${p}00 13[NET] <west-east|1> sending packet: from 198.51.100.10[500] to 203.0.113.5[500] (464 bytes)`,
        `${p}04 15[IKE] <west-east|1> retransmit 1 of request with message ID 0`,
        `${p}04 15[NET] <west-east|1> sending packet: from 198.51.100.10[500] to 203.0.113.5[500] (464 bytes)`,
        `${p}11 16[IKE] <west-east|1> retransmit 2 of request with message ID 0`,
        `${p}24 05[IKE] <west-east|1> retransmit 3 of request with message ID 0`,
        `${p}47 08[IKE] <west-east|1> retransmit 4 of request with message ID 0`,
        'Nov 22 21:31:29 09[IKE] <west-east|1> retransmit 5 of request with message ID 0',
        'Nov 22 21:32:44 10[IKE] <west-east|1> giving up after 5 retransmits',
        'Nov 22 21:32:44 10[IKE] <west-east|1> establishing IKE_SA failed, peer not responding',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['IKE_NO_RESPONSE']);
    const f = findingOf(report, 'IKE_NO_RESPONSE');
    expect(f.data).toMatchObject({ peer: '203.0.113.5:500', port: 500, exchange: 'IKE_SA_INIT', msgid: 0, retransmits: 5, seconds: 164, stage: 'first', gaveUp: true });
    expect(f.data.causes).toEqual(expect.arrayContaining([expect.stringMatching(/UDP 500\/4500 blocked/)]));
    expect(linesOf(f)).toEqual(expect.arrayContaining([2, 4, 9, 10]));
    expect(f.message).toContain('203.0.113.5:500');
    expect(f.hint).toContain('UDP port 500');
  });

  it('libreswan: IKE_SA_INIT_I timeout after 5 retransmits with the announced waits', async () => {
    // libreswan/libreswan testing/pluto/ikev2-tcp-00-enable-tcp-no/west.console.txt (GPLv2+): east blocks UDP
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"west" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"west" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"west" #1: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
        '"west" #2: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"west" #2: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"west" #2: retransmitting IKE_SA_INIT request; will wait 0.5 seconds for response',
        '"west" #2: retransmitting IKE_SA_INIT request; will wait 1 second for response',
        '"west" #2: retransmitting IKE_SA_INIT request; will wait 2 seconds for response',
        '"west" #2: retransmitting IKE_SA_INIT request; will wait 4 seconds for response',
        '"west" #2: retransmitting IKE_SA_INIT request; will wait 8 seconds for response',
        '"west" #2: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
        '"west" #2: deleting IKE SA (sent IKE_SA_INIT request)',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['IKE_NO_RESPONSE']);
    const f = findingOf(report, 'IKE_NO_RESPONSE');
    // two attempts (#1, #2) of the same connection to the same peer: one finding
    expect(f.data).toMatchObject({ peer: '192.1.2.23:500', retransmits: 5, waits: [0.5, 1, 2, 4, 8], stage: 'first', seconds: 10, attempts: 2 });
    expect(linesOf(f)).toEqual([2, 3, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('retransmits that are then answered are not a finding', async () => {
    const p = 'Nov 22 21:30:';
    const report = await diagnoseLines({
      name: 'charon.log',
      lines: [
        `${p}00 13[ENC] <west-east|1> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]`,
        `${p}04 15[IKE] <west-east|1> retransmit 1 of request with message ID 0`,
        `${p}05 16[ENC] <west-east|1> parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]`,
        `${p}05 16[IKE] <west-east|1> IKE_SA west-east[1] established between 198.51.100.10[west]...203.0.113.5[east]`,
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });

  it('a liveness retransmit on an established SA is left to dead-peer-detection', async () => {
    // libreswan/libreswan testing/pluto/ikev2-liveness-03-both-active-clear/east.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'east.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: ESTABLISHED_IKE_SA: retransmission; will wait 1 second for response',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: liveness action - clearing connection kind CK_PERMANENT',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
