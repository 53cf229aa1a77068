import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['peer-identity'];

describe('peer-identity', () => {
  it('strongSwan responder: no peer config for the IDs the initiator sent', async () => {
    // charon format strings, ike_auth.c "looking for peer configs matching %H[%Y]...%H[%Y]" / "no matching peer config found"
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 21:04:11 gw-east charon[1487]: 06[ENC] <1> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) ]',
        'Nov 22 21:04:11 gw-east charon[1487]: 06[CFG] <1> looking for peer configs matching 203.0.113.5[gw-east.example.org]...198.51.100.10[10.0.0.7]',
        'Nov 22 21:04:11 gw-east charon[1487]: 06[CFG] <1> no matching peer config found',
        'Nov 22 21:04:11 gw-east charon[1487]: 06[ENC] <1> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]',
      ],
    }, { only: ['peer-identity', 'authentication'] });
    // the AUTH_FAILED sent back is the consequence of the unknown ID, not a credential problem
    expect(codesOf(report)).toEqual(['PEER_ID_MISMATCH']);
    const f = findingOf(report, 'PEER_ID_MISMATCH');
    expect(f.data).toMatchObject({ received: '10.0.0.7', localId: 'gw-east.example.org', remoteId: '10.0.0.7', side: 'responder' });
    expect(linesOf(f)).toEqual([2, 3]);
    expect(f.message).toContain('10.0.0.7');
    expect(f.hint).toMatch(/rightid/);
    expect(f.hint).toMatch(/remote\.id/);
  });

  it('libreswan: X509 peer ID does not match the configured rightid', async () => {
    // libreswan/libreswan testing/pluto/ikev2-x509-14-san-dn-mismatch/west.console.txt lines 30-36 (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"san" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"san" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"san" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 ke=DH19}, initiating IKE_AUTH',
        '"san" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,CERT,AUTH,SA,TSi,TSr} reassembled from N fragments',
        "\"san\" #1: X509: authentication failed; peer ID DER_ASN1_DN 'E=user-east@testing.libreswan.org,CN=east.testing.libreswan.org,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA' does not match expected 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org'",
        '"san" #1: deleting IKE SA (IKE_AUTH_I) and sending notification',
      ],
    }, { only: ['peer-identity', 'authentication'] });
    expect(codesOf(report)).toEqual(['PEER_ID_MISMATCH']);
    const f = findingOf(report, 'PEER_ID_MISMATCH');
    expect(String(f.data.received)).toContain('CN=east.testing.libreswan.org');
    expect(String(f.data.expected)).toContain('CN=NOTeast.testing.libreswan.org');
    expect(linesOf(f)).toContain(5);
  });

  it('strongSwan responder without any IKE config for the peer: NO_MATCHING_CONNECTION, not a proposal mismatch', async () => {
    // charon format string, task_manager_v2.c "no IKE config found for %H...%H, sending %N"
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 21:10:02 gw-east charon[1487]: 09[NET] received packet: from 192.0.2.77[500] to 203.0.113.5[500] (464 bytes)',
        'Nov 22 21:10:02 gw-east charon[1487]: 09[ENC] parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
        'Nov 22 21:10:02 gw-east charon[1487]: 09[CFG] no IKE config found for 203.0.113.5...192.0.2.77, sending NO_PROPOSAL_CHOSEN',
        'Nov 22 21:10:02 gw-east charon[1487]: 09[ENC] generating IKE_SA_INIT response 0 [ N(NO_PROP) ]',
      ],
    }, { only: ['peer-identity', 'proposal-mismatch'] });
    expect(codesOf(report)).toEqual(['NO_MATCHING_CONNECTION']);
    const f = findingOf(report, 'NO_MATCHING_CONNECTION');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ local: '203.0.113.5', remote: '192.0.2.77', certainty: 'certain' });
    expect(linesOf(f)).toEqual([3]);
  });

  it('IKEv2 initiator refused in IKE_SA_INIT: no-connection is named as a hypothesis (warning) next to the proposal mismatch', async () => {
    // libreswan/libreswan testing/pluto/basic-pluto-15-no-retransmit/west.console.txt (GPLv2+): east has no connection loaded
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-ikev2" #3: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ikev2" #3: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ikev2" #3: ignoring IKE_SA_INIT response containing NO_PROPOSAL_CHOSEN notification (Message ID 0; message payloads N, missing SA,KE,Ni)',
        '"westnet-eastnet-ikev2" #3: deleting IKE SA (sent IKE_SA_INIT request)',
      ],
    }, { only: ['peer-identity', 'proposal-mismatch'] });
    expect(codesOf(report).sort()).toEqual(['IKE_PROPOSAL_MISMATCH', 'NO_MATCHING_CONNECTION']);
    const f = findingOf(report, 'NO_MATCHING_CONNECTION');
    expect(f.severity).toBe('warning');
    expect(f.data).toMatchObject({ certainty: 'possible', remote: '192.1.2.23' });
    expect(linesOf(f)).toEqual([3]);
  });

  it('IKEv1 initiator refused in phase 1 does not get the no-connection hypothesis (IKEv1 responders without a connection stay silent)', async () => {
    // libreswan/libreswan testing/pluto/ikev1-aggr-07-no-isakmp-proposal-chosen/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        '"westnet-eastnet-aggr" #1: initiating IKEv1 Aggressive Mode connection',
        '"westnet-eastnet-aggr" #1: sent Aggressive Mode request',
        '"westnet-eastnet-aggr" #1: ignoring unsecured informational payload NO_PROPOSAL_CHOSEN, length=12',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });

  it('a successful exchange of identities reports nothing', async () => {
    const report = await diagnoseLines({
      name: 'responder.log',
      lines: [
        'Nov 22 21:04:11 gw-east charon[1487]: 06[CFG] <1> looking for peer configs matching 203.0.113.5[gw-east.example.org]...198.51.100.10[gw-west.example.org]',
        "Nov 22 21:04:11 gw-east charon[1487]: 06[CFG] <west-east|1> selected peer config 'west-east'",
        "Nov 22 21:04:11 gw-east charon[1487]: 06[IKE] <west-east|1> authentication of 'gw-west.example.org' with pre-shared key successful",
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});

describe('peer-identity: NAT that the log\'s own facts reveal', () => {
  const sample = async (name: string) => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(import.meta.dirname, '..', '..', 'samples', name);
    const file = readdirSync(dir).find((f) => f.endsWith('.log'))!;
    return diagnoseLines({ name: file, lines: readFileSync(join(dir, file), 'utf8').split('\n') }, { only: ['peer-identity'] });
  };

  it('a private address as the peer\'s ID while its packets come from a public one: behind NAT (PAN-OS forum lines, samples/panos-ikev2-peer-id-mismatch-nat)', async () => {
    const f = findingOf(await sample('panos-ikev2-peer-id-mismatch-nat'), 'PEER_ID_MISMATCH');
    expect(f.data.behindNat).toBe('the peer presented its private address 10.222.191.127 as ID while its packets came from 176.238.239.255: it is behind NAT and names its inside address');
    expect(f.message).toContain('it is behind NAT');
  });

  it('a request from source port 1929: a NAT translated it (PAN-OS "Couldn\'t find configuration … peer IP x[1929]", samples/panos-no-matching-gateway)', async () => {
    const f = findingOf(await sample('panos-no-matching-gateway'), 'NO_MATCHING_CONNECTION');
    expect(f.data.behindNat).toMatch(/^the request came from source port 1929, neither 500 nor 4500: a NAT between the peers translated it/);
  });

  it('no clue, no claim: a strongSwan peer-ID refusal says nothing of NAT', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const lines = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'lab-peer-id-mismatch', 'right.log'), 'utf8').split('\n');
    const report = await diagnoseLines({ name: 'responder.log', lines }, { only: ['peer-identity'] });
    const f = findingOf(report, 'PEER_ID_MISMATCH');
    expect(f.data.behindNat).toBeUndefined();
    expect(f.message).not.toContain('NAT');
  });
});
