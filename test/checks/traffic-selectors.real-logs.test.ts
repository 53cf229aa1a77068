/**
 * Issue 20 §2: IKEv1 INVALID_ID_INFORMATION answering a Quick Mode is about the proxy IDs
 * (TS_MISMATCH, RFC 2407 §4.6.2), not the peer's identity — on pfSense documentation's real
 * charon lines (source in the fixture).
 */
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import * as pf from './fixtures/real-logs/pfsense-docs-charon.js';

const only = ['traffic-selectors', 'peer-identity', 'authentication', 'proposal-mismatch'];

describe('IKEv1 Quick Mode INVALID_ID_INFORMATION (pfSense docs "Phase 2 Network Mismatch")', () => {
  it('initiator: [ HASH N(INVAL_ID) ] after its Quick Mode request is TS_MISMATCH', async () => {
    const report = await diagnoseLines({ name: 'initiator.log', lines: pf.phase2NetworkInitiator }, { only });
    expect(codesOf(report)).toEqual(['TS_MISMATCH']);
    expect(findingOf(report, 'TS_MISMATCH').data).toMatchObject({ side: 'initiator' });
  });

  it('responder: sending [ HASH N(INVAL_ID) ] for a Quick Mode is TS_MISMATCH, not PEER_ID_MISMATCH', async () => {
    const report = await diagnoseLines({ name: 'responder.log', lines: pf.phase2NetworkResponder }, { only });
    expect(codesOf(report)).toEqual(['TS_MISMATCH']);
    const f = findingOf(report, 'TS_MISMATCH');
    expect(f.data).toMatchObject({ side: 'responder' });
    // the refusal and the notify that carries it
    expect(linesOf(f)).toEqual(expect.arrayContaining([7, 11]));
  });
});
