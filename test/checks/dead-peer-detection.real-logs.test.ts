/**
 * Issue 20 §2: libreswan's IKEv2 give-up on an established IKE SA ("ESTABLISHED_IKE_SA: N second
 * timeout exceeded after M retransmits.  No response …", v4 "STATE_V2_ESTABLISHED_IKE_SA: …") is
 * DPD_TIMEOUT, not silence and not IKE_NO_RESPONSE — on libreswan's own test consoles.
 */
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import { givingUpV4, livenessV5 } from './fixtures/real-logs/libreswan-test-consoles.js';

const only = ['dead-peer-detection', 'ike-reachability'];

describe('libreswan IKEv2 give-up on an established IKE SA', () => {
  it('v5 wording (ikev2-aws-updown): DPD_TIMEOUT naming the peer, no IKE_NO_RESPONSE', async () => {
    const report = await diagnoseLines({ name: 'north.log', lines: livenessV5 }, { only });
    expect(codesOf(report)).toEqual(['DPD_TIMEOUT']);
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.data).toMatchObject({ peer: '192.1.2.45:500', retransmits: 4, recovered: 'no' });
    expect(linesOf(f)).toContain(8);
  });

  it('v5 wording, the give-up line alone: still DPD_TIMEOUT (the state name says the SA was up)', async () => {
    const report = await diagnoseLines({ name: 'north.log', lines: livenessV5.slice(7, 9) }, { only });
    expect(codesOf(report)).toEqual(['DPD_TIMEOUT']);
  });

  it('v4 wording (ikev2-child-ipsec-retransmit, whack prefixes): DPD_TIMEOUT with its retransmissions as evidence', async () => {
    const report = await diagnoseLines({ name: 'west.log', lines: givingUpV4 }, { only });
    expect(codesOf(report)).toEqual(['DPD_TIMEOUT']);
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.data).toMatchObject({ retransmits: 5 });
    expect(linesOf(f)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
