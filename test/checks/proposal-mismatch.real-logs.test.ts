/**
 * Issue 20 §2 on real log lines (sources in the fixtures): the two proposal lists without a
 * verdict line are still a mismatch when nothing overlaps; IKEv1 Quick Mode refusals that come
 * in an INFORMATIONAL_V1 notify are phase 2.
 */
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import * as pf from './fixtures/real-logs/pfsense-docs-charon.js';
import * as ls from './fixtures/real-logs/libreswan-test-consoles.js';

const only = ['proposal-mismatch'];

describe('proposal-mismatch: the two lists without a verdict line (pfSense docs excerpts)', () => {
  it('phase 1: no common encryption is reported from the lists alone, naming the transform type', async () => {
    const report = await diagnoseLines({ name: 'responder.log', lines: pf.phase1EncryptionLists }, { only });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({
      phase: 'ike', side: 'responder', transformTypes: ['encryption'],
      delta: [{ type: 'ENCR', received: ['AES_CBC_128'], configured: ['AES_CBC_256'] }],
      listsOnly: true,
      // two lines cannot tell IKEv1 from IKEv2
      exchange: 'IKE_SA_INIT or Main/Aggressive Mode',
    });
    expect(linesOf(f)).toEqual([1, 2]);
    // the message claims no NO_PROPOSAL_CHOSEN that this log does not show
    expect(f.message).toMatch(/^IKE SA \(phase 1\) proposal refused: the two proposal lists share none \(this log holds no verdict line\)/);
    expect(f.message).not.toContain('NO_PROPOSAL_CHOSEN');
  });

  it('phase 1: a received proposal without integrity and PRF names both types', async () => {
    const report = await diagnoseLines({ name: 'responder.log', lines: pf.phase1HashLists }, { only });
    expect(findingOf(report, 'IKE_PROPOSAL_MISMATCH').data.transformTypes).toEqual(['integrity', 'PRF']);
  });

  it('phase 2: a PFS group offered but not configured is a Child SA mismatch in the DH/KE group', async () => {
    const report = await diagnoseLines({ name: 'responder.log', lines: pf.phase2PfsLists }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'CHILD_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ phase: 'child', transformTypes: ['DH/KE group'], delta: [{ type: 'KE', received: ['MODP_2048'], configured: [] }] });
  });

  it('lists that overlap are no finding (lab-healthy right.log lines 106-107, the selected line cut off)', async () => {
    const report = await diagnoseLines({
      name: 'right.log',
      lines: [
        'Nov 22 23:31:26 12[CFG] <1> received proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
        'Nov 22 23:31:26 12[CFG] <1> configured proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
      ],
    }, { only });
    expect(codesOf(report)).toEqual([]);
  });
});

describe('proposal-mismatch: IKEv1 NO_PROPOSAL_CHOSEN notifies by phase (pfSense docs excerpts)', () => {
  it('[ HASH N(NO_PROP) ] answering a Quick Mode request is a Child SA mismatch, and only that', async () => {
    const report = await diagnoseLines({ name: 'initiator.log', lines: pf.phase2EncryptionInitiator }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    expect(findingOf(report, 'CHILD_PROPOSAL_MISMATCH').data).toMatchObject({ phase: 'child', side: 'initiator', exchange: 'Quick Mode' });
  });

  it('the notify alone (the excerpt cut before the Quick Mode request): HASH-protected NO_PROP is phase 2', async () => {
    const report = await diagnoseLines({ name: 'initiator.log', lines: pf.phase2EncryptionInitiator.slice(-2) }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
  });

  it('[ N(NO_PROP) ] in the clear stays a phase 1 mismatch', async () => {
    const report = await diagnoseLines({ name: 'initiator.log', lines: pf.phase1EncryptionInitiator }, { only });
    expect(codesOf(report)).toEqual(['IKE_PROPOSAL_MISMATCH']);
  });
});

describe('proposal-mismatch: libreswan IKEv2 responder refusing a Child SA, each version\'s wording (libreswan test consoles)', () => {
  it.each([
    ['v4.10', ls.childRefusedIkeAuthV410],
    ['v4.0', ls.childRefusedIkeAuthV40],
    ['v3.28', ls.childRefusedIkeAuthV328],
  ])('%s "IKE_AUTH responder matching remote ESP/AH proposals failed, …" is a Child SA refusal in IKE_AUTH, seen from the responder', async (_v, lines) => {
    const report = await diagnoseLines({ name: 'east.log', lines }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'CHILD_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ phase: 'child', side: 'responder', exchange: 'IKE_AUTH' });
    // libreswan prints no list of its own: the advice does not send the reader to look for one in this log
    expect(f.hint).toContain('libreswan never prints its own list');
    expect(f.hint).not.toContain('the one it has configured');
  });

  it('CREATE_CHILD_SA (libreswan issue #1604): the line names the exchange, and the finding says it (not "IKE_AUTH or CREATE_CHILD_SA")', async () => {
    const report = await diagnoseLines({ name: 'east.log', lines: ls.childRefusedCreateChildSa }, { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    const f = findingOf(report, 'CHILD_PROPOSAL_MISMATCH');
    expect(f.data).toMatchObject({ phase: 'child', side: 'responder', exchange: 'CREATE_CHILD_SA' });
    expect(f.message).toContain('in a CREATE_CHILD_SA exchange');
    expect(f.message).not.toMatch(/IKE_AUTH or CREATE_CHILD_SA/);
    expect(linesOf(f)).toEqual([1, 2, 3]);
    // the peer's offer is printed; libreswan's own list is not, and the advice says so
    expect(f.data.received).toHaveLength(3);
    expect(f.hint).toContain("compare the peer's offer printed here with this host's `esp=`/`ike=`");
  });

  it('the responder\'s and the initiator\'s logs of one refusal are one finding, led by the responder', async () => {
    const report = await diagnoseLines([{ name: 'west.log', lines: ls.childRefusedInitiatorV410 }, { name: 'east.log', lines: ls.childRefusedIkeAuthV410 }], { only });
    expect(codesOf(report)).toEqual(['CHILD_PROPOSAL_MISMATCH']);
    expect(findingOf(report, 'CHILD_PROPOSAL_MISMATCH').data).toMatchObject({ side: 'responder', exchange: 'IKE_AUTH' });
  });

  it('"responding to … with … notification X" is read for other notifies too (AUTHENTICATION_FAILED sent, INVALID_SYNTAX not a proposal refusal)', async () => {
    const auth = await diagnoseLines({ name: 'west.log', lines: ls.respondingAuthFailed }, { only: ['authentication'] });
    expect(codesOf(auth)).toEqual(['AUTH_FAILED']);
    expect(findingOf(auth, 'AUTH_FAILED').data).toMatchObject({ side: 'responder' });
    const syntax = await diagnoseLines({ name: 'east.log', lines: ls.respondingInvalidSyntax }, { only });
    expect(codesOf(syntax)).toEqual([]);
  });

  it.each([
    ['3.27 "SA_INIT"', ls.noConnectionV327],
    ['3.29 "IKE_SA_INIT (34)"', ls.noConnectionV329],
  ])('%s: NO_PROPOSAL_CHOSEN sent in IKE_SA_INIT after "no suitable connection" is a missing connection, not a proposal mismatch', async (_v, lines) => {
    const report = await diagnoseLines({ name: 'pluto.log', lines }, { only: ['proposal-mismatch', 'peer-identity'] });
    expect(codesOf(report)).toEqual(['NO_MATCHING_CONNECTION']);
  });
});
