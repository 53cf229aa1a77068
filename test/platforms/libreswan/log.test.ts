import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { libreswanDialect } from '../../../src/platforms/libreswan/log.js';
import type { LogEvent, LogEventKind } from '../../../src/evidence/log-events.js';

const FIXTURES = fileURLToPath(new URL('./log-fixtures/', import.meta.url));

function fixture(name: string): string[] {
  return readFileSync(FIXTURES + name, 'utf8').replace(/\n$/, '').split('\n');
}

function decodeAll(lines: readonly string[], source = 'pluto.log') {
  const decoder = libreswanDialect.createDecoder(source);
  const results = lines.map((l, i) => decoder.decode(l, i + 1));
  const events = results.flatMap((r) => r ?? []);
  return { decoder, results, events };
}

function decodeOne(line: string): LogEvent[] | undefined {
  return libreswanDialect.createDecoder('one.log').decode(line, 7);
}

function kinds(events: readonly LogEvent[]): string[] {
  return events.map((e) => `${e.at.line}:${e.kind}`);
}

function only<K extends LogEventKind>(events: readonly LogEvent[], kind: K): LogEvent<K>[] {
  return events.filter((e): e is LogEvent<K> => e.kind === kind);
}

describe('libreswan pluto decoder: whole real sessions', () => {
  it('IKEv2 PSK initiator that establishes (ikev2-05-basic-psk/west.console.txt)', () => {
    const { events, results } = decodeAll(fixture('ikev2-psk-established-initiator.console.txt'));
    // line 1 is the harness typing the command: not pluto's
    expect(results[0]).toBeUndefined();
    expect(kinds(events)).toEqual([
      '2:initiate',
      '3:message',
      '4:message',
      '4:proposals',
      '5:message',
      '5:identity',
      '5:ts',
      '6:message',
      '7:ike-established',
      '7:auth',
      '8:child-established',
    ]);
    expect(events.every((e) => e.conn === 'westnet-eastnet-ipv4-psk-ikev2' && e.impl === 'libreswan' && e.at.source === 'pluto.log')).toBe(true);
    expect(events[0].data).toEqual({ ikeVersion: 2, mode: 'ikev2', peer: '192.1.2.23' });
    expect(events[1]).toMatchObject({ sa: '#1', data: { direction: 'sent', exchange: 'IKE_SA_INIT', role: 'request', peer: { address: '192.1.2.23', port: 500 } } });
    expect(events[3].data).toEqual({ phase: 'ike', source: 'selected', proposals: ['IKE:AES_GCM_16_256/PRF_HMAC_SHA2_512/DH19'] });
    expect(events[5].data).toEqual({ direction: 'sent', id: '@west' });
    expect(events[6].data).toEqual({ source: 'proposed', local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] });
    expect(events[7].data).toMatchObject({ direction: 'received', exchange: 'IKE_AUTH', role: 'response', payloads: ['IDr', 'AUTH', 'SA', 'TSi', 'TSr'] });
    expect(events[8].data).toMatchObject({ ikeVersion: 2, remote: '192.1.2.23', remoteId: '@east' });
    expect(events[9].data).toEqual({ ok: true, method: 'psk', direction: 'local', id: '@east' });
    const child = events[10] as LogEvent<'child-established'>;
    expect(child.sa).toBe('#2');
    // "Child SA #2" on the IKE_AUTH request and "using #1" tie the Child SA to its IKE SA
    expect(child.parentSa).toBe('#1');
    expect(child.data).toEqual({
      name: 'westnet-eastnet-ipv4-psk-ikev2',
      spis: ['0xESPESP', '0xESPESP'],
      local: ['192.0.1.0/24'],
      remote: ['192.0.2.0/24'],
      mode: 'tunnel',
      encap: false,
      detail: 'xfrm=AES_GCM_16_256',
    });
  });

  it('IKEv1 Quick Mode rejected by the peer (ikev1-algo-04-mismatch/west.console.txt)', () => {
    const { events, results } = decodeAll(fixture('ikev1-esp-proposal-mismatch-initiator.console.txt'));
    // IMPAIR: lines are the test harness, not pluto
    expect(results[9]).toBeUndefined();
    expect(results[11]).toBeUndefined();
    // debug lines are recognised but say nothing we keep
    expect(results[18]).toEqual([]);
    expect(results[19]).toEqual([]);
    const ike = only(events, 'ike-established');
    expect(ike).toHaveLength(1);
    expect(ike[0]).toMatchObject({ at: { line: 7 }, sa: '#1', data: { ikeVersion: 1 } });
    expect(only(events, 'auth')[0].data).toEqual({ ok: true, method: 'psk', direction: 'local' });
    const quick = only(events, 'initiate').find((e) => e.data.mode === 'quick');
    expect(quick).toMatchObject({ at: { line: 8 }, sa: '#2', parentSa: '#1' });
    expect(only(events, 'proposals')[0].data).toEqual({ phase: 'child', source: 'configured', proposals: ['ESP:AES_CBC-HMAC_SHA1_96-MODP2048'] });
    const npc = only(events, 'no-proposal-chosen');
    expect(npc).toHaveLength(1);
    // "secured" = after the ISAKMP SA: the rejected proposal is the Quick Mode one
    expect(npc[0]).toMatchObject({ at: { line: 21 }, sa: '#1', data: { phase: 'child', direction: 'received', exchange: 'QUICK_MODE' } });
    expect(only(events, 'sa-deleted')[0]).toMatchObject({ at: { line: 13 }, sa: '#2', data: { what: 'child', reason: 'QUICK_I1', direction: 'local' } });
  });

  it('IKEv2 peer never answers (ikev2-tcp-00-enable-tcp-no/west.console.txt)', () => {
    const { events } = decodeAll(fixture('ikev2-no-response-udp-blocked.console.txt'));
    const retransmits = only(events, 'retransmit');
    expect(retransmits.map((e) => [e.at.line, e.data.count, e.data.waitSeconds])).toEqual([
      [21, 1, 0.5],
      [22, 2, 1],
      [23, 3, 2],
      [24, 4, 4],
      [25, 5, 8],
    ]);
    expect(retransmits[0].data).toMatchObject({ exchange: 'IKE_SA_INIT', peer: { address: '192.1.2.23', port: 500 } });
    const giveUps = only(events, 'give-up');
    expect(giveUps.map((e) => [e.at.line, e.sa])).toEqual([
      [4, '#1'],
      [26, '#2'],
    ]);
    expect(giveUps[1].data).toEqual({
      seconds: 10,
      retransmits: 5,
      state: 'IKE_SA_INIT_I',
      exchange: 'IKE_SA_INIT',
      peer: { address: '192.1.2.23', port: 500 },
      detail: 'No response (or no acceptable response) to our first IKEv2 message',
    });
    expect(only(events, 'initiate').map((e) => e.sa)).toEqual(['#1', '#2']);
  });

  it('Child SA install refused by the kernel (impair-install-ipsec-sa-inbound-state-initiator-ikev2/west.console.txt)', () => {
    const { events, results } = decodeAll(fixture('ikev2-child-sa-kernel-install-failure.console.txt'));
    expect(results[7]).toBeUndefined(); // IMPAIR: kernel: install_ipsec_sa_inbound_state …
    expect(events.filter((e) => e.at.line === 9).map((e) => e.kind)).toEqual(['child-failed', 'sa-install-failed']);
    expect(only(events, 'child-failed').map((e) => [e.at.line, e.data.reason])).toEqual([
      [9, 'TEMPORARY_FAILURE'],
      [10, 'initiator rejected Child SA response'],
    ]);
    const install = only(events, 'sa-install-failed');
    expect(install.map((e) => [e.at.line, e.data.what])).toEqual([
      [9, 'child-sa'],
      [14, 'delpolicy'],
      [15, 'policy'],
      [16, 'del-sa'],
      [17, 'del-sa'],
    ]);
    expect(install[3]).toMatchObject({ sa: '#2', parentSa: '#1', data: { detail: 'netlink response for Del SA esp.ESPSPIi@192.1.2.23: No such process (errno 3)' } });
    expect(only(events, 'ike-fragment')[0].data).toEqual({ direction: 'received', reassembled: true, total: undefined });
    expect(only(events, 'message').at(-1)?.data).toMatchObject({ direction: 'sent', exchange: 'INFORMATIONAL', role: 'request' });
  });
});

// Single real lines. Origin: libreswan/libreswan @0c4e3ecc, testing/pluto/<test>/<host>.console.txt
// (the test directory is named in each comment), GPLv2+.
describe('libreswan pluto decoder: real lines, one by one', () => {
  const cases: [string, string, LogEventKind[], Record<string, unknown>[]][] = [
    // ikev1-aggr-07-no-isakmp-proposal-chosen/west
    ['unsecured NO_PROPOSAL_CHOSEN = phase 1', '"westnet-eastnet-aggr" #1: ignoring unsecured informational payload NO_PROPOSAL_CHOSEN, length=12', ['no-proposal-chosen'], [{ phase: 'ike', direction: 'received' }]],
    // ikev1-algo-04-mismatch/east
    ['responder refuses Quick Mode', '"westnet-eastnet-ipv4-psk-ikev1" #2: sending encrypted notification NO_PROPOSAL_CHOSEN to 192.1.2.45:500', ['no-proposal-chosen'], [{ phase: 'child', direction: 'sent', exchange: 'QUICK_MODE' }]],
    ['debug state transition failure', '| state transition function for STATE_QUICK_R0 failed: NO_PROPOSAL_CHOSEN', ['no-proposal-chosen'], [{ phase: 'child', direction: 'local', exchange: 'QUICK_MODE', reason: 'state transition function for STATE_QUICK_R0 failed' }]],
    // ikev2-leak-01-db_v2_prop_conj/east
    [
      'IKEv2 responder keeps the remote proposals',
      '"westnet-eastnet-ipv4-psk-ikev2" #2: no local proposal matches remote proposals 1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO',
      ['proposals', 'no-proposal-chosen'],
      [{ phase: 'child', source: 'received', proposals: ['ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO'] }, { phase: 'child', direction: 'local' }],
    ],
    // ikev2-leak-01-db_v2_prop_conj/west
    ['IKE_AUTH rejected the Child SA', '"westnet-eastnet-ipv4-psk-ikev2" #2: IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN', ['no-proposal-chosen', 'child-failed'], [{ phase: 'child', direction: 'received', exchange: 'IKE_AUTH' }, { reason: 'NO_PROPOSAL_CHOSEN' }]],
    // basic-pluto-15-no-retransmit/west
    [
      'IKE_SA_INIT answered with NO_PROPOSAL_CHOSEN',
      '"westnet-eastnet-ikev2" #3: ignoring IKE_SA_INIT response containing NO_PROPOSAL_CHOSEN notification (Message ID 0; message payloads N, missing SA,KE,Ni)',
      ['no-proposal-chosen'],
      [{ phase: 'ike', direction: 'received', exchange: 'IKE_SA_INIT' }],
    ],
    // ikev2-invalid-ke-02-wrong-modp/west
    [
      'INVALID_KE_PAYLOAD and the group asked for',
      '"westnet-eastnet-ipv4-psk-ikev2" #1: received unauthenticated INVALID_KE_PAYLOAD response to Key Exchange Method (DH) MODP1536; resending with suggested MODP2048',
      ['invalid-ke'],
      [{ direction: 'received', offered: 'MODP1536', requested: 'MODP2048' }],
    ],
    // ikev2-05-basic-psk-missing-responder/west
    ['AUTHENTICATION_FAILED from the responder', '"westnet-eastnet-ipv4-psk-ikev2" #1: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED', ['auth'], [{ ok: false, direction: 'received', reason: 'AUTHENTICATION_FAILED' }]],
    ['fatal error line is recognised, says nothing new', '"westnet-eastnet-ipv4-psk-ikev2" #1: encountered fatal error in state IKE_AUTH_I', [], []],
    // ikev2-x509-14-san-dn-mismatch/west
    [
      'X509 peer ID mismatch keeps both identities',
      "\"san\" #1: X509: authentication failed; peer ID DER_ASN1_DN 'E=user-east@testing.libreswan.org,CN=east.testing.libreswan.org,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA' does not match expected 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org'",
      ['id-mismatch'],
      [
        {
          received: 'E=user-east@testing.libreswan.org,CN=east.testing.libreswan.org,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA',
          expected: 'C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=NOTeast.testing.libreswan.org, E=user-NOTeast@testing.libreswan.org',
        },
      ],
    ],
    ['IKE_AUTH response reassembled from fragments', '"san" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,CERT,AUTH,SA,TSi,TSr} reassembled from N fragments', ['message', 'ike-fragment'], [{ payloads: ['IDr', 'CERT', 'AUTH', 'SA', 'TSi', 'TSr'] }, { direction: 'received', reassembled: true }]],
    ['delete with notification', '"san" #1: deleting IKE SA (IKE_AUTH_I) and sending notification', ['sa-deleted'], [{ what: 'ike', reason: 'IKE_AUTH_I', direction: 'sent' }]],
    // ikev2-allow-narrow-01/west
    ['TS_UNACCEPTABLE on IKE_AUTH', '"westnet-eastnet-ikev2" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE', ['ts-unacceptable', 'child-failed'], [{ direction: 'received', exchange: 'IKE_AUTH' }, { reason: 'TS_UNACCEPTABLE' }]],
    [
      'certificate authentication of the responder',
      "\"westnet-eastnet-ikev2\" #1: initiator established IKE SA; authenticated peer using preloaded certificate '@east' and 2nnn-bit RSASSA-PSS with SHA2_512 digital signature",
      ['ike-established', 'auth'],
      [{ ikeVersion: 2, remoteId: '@east' }, { ok: true, method: 'cert', direction: 'local', id: '@east' }],
    ],
    // x509-pluto-frag-04/road
    [
      'MAIN_I3 timeout keeps state and detail',
      '"x509" #1: STATE_MAIN_I3: 10 second timeout exceeded after 0 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message',
      ['give-up'],
      [{ seconds: 10, retransmits: 0, state: 'STATE_MAIN_I3', exchange: 'ID_PROT', detail: 'Possible authentication failure: no acceptable response to our first encrypted message' }],
    ],
    // ikev2-liveness-03-both-active-clear/east
    ['liveness probe retransmitted', '"westnet-eastnet-ipv4-psk-ikev2" #1: ESTABLISHED_IKE_SA: retransmission; will wait 1 second for response', ['retransmit'], [{ count: 1, waitSeconds: 1, state: 'ESTABLISHED_IKE_SA' }]],
    ['liveness action', '"westnet-eastnet-ipv4-psk-ikev2" #1: liveness action - clearing connection kind CK_PERMANENT', ['dpd'], [{ mechanism: 'liveness', outcome: 'timeout', action: 'clear' }]],
    // dpd-04/east
    ['DPD action', '"westnet-east" #1: DPD action - putting connection into hold', ['dpd'], [{ mechanism: 'dpd', outcome: 'timeout', action: 'hold' }]],
    ['IKEv1 IPsec SA established', '"west-east" #2: IPsec SA established tunnel mode {ESP=>0xESPESP <0xESPESP xfrm=AES_CBC_128-HMAC_SHA1_96 DPD=active}', ['child-established'], [{ mode: 'tunnel', encap: false, spis: ['0xESPESP', '0xESPESP'] }]],
    ['obsolete keyword warning is not a failure', 'ipsec add: warning: /etc/ipsec.conf:17: obsolete keyword ignored: dpdaction=clear', [], []],
    // nat-pluto-01/north and east
    [
      'ESP in UDP with the NAT-T peer port',
      '"northnet-eastnet-nat" #2: IPsec SA established tunnel mode {ESPinUDP=>0xESPESP <0xESPESP xfrm=AES_CBC_128-HMAC_SHA1_96 NATD=192.1.2.23:4500 DPD=passive}',
      ['child-established', 'nat-t-float'],
      [{ encap: true }, { to: { address: '192.1.2.23', port: 4500 } }],
    ],
    ['I am behind NAT', '| NAT-Traversal: Result using RFC 3947 (NAT-Traversal) sender port 500: I am behind NAT', ['nat'], [{ localBehindNat: true, remoteBehindNat: false }]],
    ['peer behind NAT', '| NAT-Traversal: Result using RFC 3947 (NAT-Traversal) sender port 500: peer behind NAT', ['nat'], [{ localBehindNat: false, remoteBehindNat: true }]],
    // x509-pluto-frag-01/road and ikev2-frag-01/west
    ['IKEv1 fragment sent, last one', "| sending IKE fragment id '1', number '5' (last)", ['ike-fragment'], [{ direction: 'sent', number: 5, total: 5 }]],
    ['IKEv1 fragment received', "| received IKE fragment id '1', number '2'", ['ike-fragment'], [{ direction: 'received', number: 2 }]],
    ['IKEv2 fragment received', "| received IKE encrypted fragment number '3', total number '5', next payload '0'", ['ike-fragment'], [{ direction: 'received', number: 3, total: 5 }]],
    ['fragmentation announced by the peer', '| peer supports fragmentation', ['fragmentation-support'], [{ direction: 'received', supported: true }]],
    ['hex-dump debug line is recognised and dropped', '|    fragment number: 1 (00 01)', [], []],
    // ikev2-allow-narrow-01/west (ipsec auto --status)
    ['status line: fragmentation setting', '"westnet-eastnet-ikev2":   iptfs: no; fragmentation: yes; packet-size: 0; max-queue-size: 0; drop-time: 0; init-delay: 0; reorder-window: 0;', ['fragmentation-support'], [{ direction: 'local', supported: true }]],
    ['connection added', '"westnet-eastnet-ikev2": added oriented IKEv2 connection', [], []],
    ['whack --trafficstatus listing', "#2: \"westnet-eastnet-ipv4-psk-ikev2\", type=ESP, add_time=1234567890, inBytes=84, outBytes=84, maxBytes=2^63B, id='@east'", [], []],
  ];

  it.each(cases)('%s', (_name, line, expectedKinds, expectedData) => {
    const events = decodeOne(line);
    expect(events).toBeDefined();
    expect(events!.map((e) => e.kind)).toEqual(expectedKinds);
    events!.forEach((e, i) => expect(e.data).toMatchObject(expectedData[i]));
    for (const e of events!) expect(e).toMatchObject({ at: { source: 'one.log', line: 7 }, impl: 'libreswan', excerpt: line.trim() });
  });

  // Other versions' wordings: pluto's format strings as catalogued in reference/log-signatures.md §4
  // (libreswan @0c4e3ec programs/pluto/*.c, tag v3.32, Openswan 2.x), filled with test-network values.
  // These are not captured output: they pin the shapes the catalogue documents.
  const documented: [string, string, LogEventKind[], Record<string, unknown>[]][] = [
    ['v3/v4 AUTHENTICATION_FAILED', '"c" #1: IKE SA authentication request rejected: AUTHENTICATION_FAILED', ['auth'], [{ ok: false, direction: 'received' }]],
    ['v5 responder: no PSK (ikev2_psk.c)', "\"c\" #1: authentication failed: no PSK found for '@west'", ['auth'], [{ ok: false, method: 'psk', direction: 'local', id: '@west' }]],
    ['v5 responder: PSK mismatch (ikev2_psk.c)', "\"c\" #1: authentication failed: computed hash does not match hash received from peer ID_FQDN '@west'", ['auth'], [{ ok: false, method: 'psk', id: '@west' }]],
    ['no connection for the peer ID (peer_id.c)', "\"c\" #1: Peer ID '@road' mismatched on first found connection and no better connection found", ['id-mismatch'], [{ received: '@road' }]],
    ['v3 IKEv1 ID check (ikev1.c)', "\"c\" #1: we require IKEv1 peer to have ID '@east', but peer declares '@eastx'", ['id-mismatch'], [{ expected: '@east', received: '@eastx' }]],
    [
      'Quick Mode timeout (retransmit.c)',
      '"c" #2: STATE_QUICK_I1: 60 second timeout exceeded after 2 retransmits.  No acceptable response to our first Quick Mode message: perhaps peer likes no proposal',
      ['give-up'],
      [{ seconds: 60, retransmits: 2, state: 'STATE_QUICK_I1', exchange: 'QUICK_MODE', detail: 'No acceptable response to our first Quick Mode message: perhaps peer likes no proposal' }],
    ],
    ['unacceptable suggested group (ikev2_ike_sa_init.c)', '"c" #1: discarding unauthenticated INVALID_KE_PAYLOAD response to KEM MODP1536; suggested KEM MODP8192 is not acceptable', ['invalid-ke'], [{ offered: 'MODP1536', requested: 'MODP8192' }]],
    ['IKEv2 responder refuses IKE_SA_INIT (ikev2_unsecured.c)', '"c" #1: responding to IKE_SA_INIT (34) message (Message ID 0) from 192.1.2.45:500 with unencrypted notification NO_PROPOSAL_CHOSEN', ['no-proposal-chosen'], [{ phase: 'ike', direction: 'sent', exchange: 'IKE_SA_INIT' }]],
    [
      'v5 no connection (ikev2_unsecured.c)',
      '"c" #1: dropping IKE_SA_INIT request from 192.1.2.45:UDP/500 received on 192.1.2.23:UDP/500, no suitable connection found with IKEv2 policy',
      ['no-config'],
      [{ scope: 'ike', remote: '192.1.2.45', local: '192.1.2.23' }],
    ],
    ['IKEv1 responder: phase 1 proposal (ikev1_spdb_struct.c)', '"c" #1: no acceptable Oakley Transform', ['no-proposal-chosen'], [{ phase: 'ike', direction: 'local' }]],
    ['CREATE_CHILD_SA refused (ikev2_create_child_sa.c)', '"c" #3: CREATE_CHILD_SA failed with error notification TS_UNACCEPTABLE', ['ts-unacceptable', 'child-failed'], [{ direction: 'received', exchange: 'CREATE_CHILD_SA' }, {}]],
    [
      'IKEv1 responder: Quick Mode selectors (ikev1_quick.c)',
      '"c" #2: cannot respond to IPsec SA request because no connection is known for 192.0.2.0/24===192.1.2.23[@east]...192.1.2.45[@west]===192.0.1.0/24',
      ['ts-unacceptable'],
      [{ direction: 'local', local: ['192.0.2.0/24'], remote: ['192.0.1.0/24'], exchange: 'QUICK_MODE' }],
    ],
    ['v3 liveness (timer.c)', '"c" #1: liveness_check - peer 192.1.2.45 has not responded in 30 seconds, with a timeout of 30, taking restart', ['dpd'], [{ mechanism: 'liveness', outcome: 'timeout', action: 'restart', peer: '192.1.2.45' }]],
    ['netlink refuses an SA', 'ERROR: "c" #2: netlink response for Add SA esp.1234abcd@192.1.2.23: Protocol not supported (errno 93)', ['sa-install-failed'], [{ what: 'add-sa' }]],
    ['Openswan NAT result', '"c" #1: NAT-Traversal: Result using RFC 3947 (NAT-Traversal): i am NATed', ['nat'], [{ localBehindNat: true, remoteBehindNat: false }]],
    [
      'ICMP error on the IKE socket (format string of Openswan/libreswan 3.x)',
      'ERROR: asynchronous network error report on eth0 (sport=4500) for message to 192.1.2.45 port 4500, complainant 192.1.2.45: Connection refused [errno 111, origin ICMP type 3 code 3 (not authenticated)]',
      ['network-error'],
      [{ detail: 'Connection refused', interface: 'eth0', localPort: 4500, to: { address: '192.1.2.45', port: 4500 }, complainant: '192.1.2.45', errno: 111 }],
    ],
    [
      'v5 responder chose a proposal (ikev2_proposals.c)',
      '"c" #1: proposal 1:IKE=AES_GCM_C_256-HMAC_SHA2_512-DH19 chosen from remote proposals 1:IKE:ENCR=AES_GCM_C_256;PRF=HMAC_SHA2_512;KE=DH19[first-match] 2:IKE:ENCR=AES_CBC_256;PRF=HMAC_SHA2_256;INTEG=HMAC_SHA2_256_128;KE=MODP2048',
      ['proposals', 'proposals'],
      [
        { phase: 'ike', source: 'received', proposals: ['IKE:ENCR=AES_GCM_C_256;PRF=HMAC_SHA2_512;KE=DH19', 'IKE:ENCR=AES_CBC_256;PRF=HMAC_SHA2_256;INTEG=HMAC_SHA2_256_128;KE=MODP2048'] },
        { phase: 'ike', source: 'selected', proposals: ['IKE:AES_GCM_C_256-HMAC_SHA2_512-DH19'] },
      ],
    ],
    [
      'Openswan Quick Mode done (state name in the body)',
      '"c" #2: STATE_QUICK_I2: sent QI2, IPsec SA established tunnel mode {ESP=>0x1234abcd <0x5678ef01 xfrm=AES_128-HMAC_SHA1 NATOA=none NATD=none DPD=none}',
      ['message', 'child-established'],
      [{ direction: 'sent', exchange: 'QUICK_MODE' }, { spis: ['0x1234abcd', '0x5678ef01'], encap: false }],
    ],
    [
      'v3 IKEv2 Child SA through NAT',
      '"c" #2: STATE_V2_IPSEC_I: IPsec SA established tunnel mode {ESP/NAT=>0x1234abcd <0x5678ef01 xfrm=AES_CBC_256-HMAC_SHA2_256_128 NATOA=none NATD=192.1.2.23:4500 DPD=passive}',
      ['child-established', 'nat-t-float'],
      [{ encap: true }, { to: { address: '192.1.2.23', port: 4500 } }],
    ],
    [
      'v3 IKEv2 initiator done: IKE SA and first Child SA',
      '"c" #1: STATE_PARENT_I3: PARENT SA established tunnel mode {ESP=>0x1234abcd <0x5678ef01 xfrm=AES_CBC_256-HMAC_SHA2_256_128 NATOA=none NATD=none DPD=passive}',
      ['ike-established', 'child-established'],
      [{ ikeVersion: 2 }, { mode: 'tunnel' }],
    ],
    ['v3 retransmit (seconds spelled out)', '"c" #1: STATE_MAIN_I1: retransmission; will wait 20 seconds for response', ['retransmit'], [{ waitSeconds: 20, state: 'STATE_MAIN_I1', exchange: 'ID_PROT' }]],
    [
      'v3 retransmit budget',
      '"c" #1: STATE_MAIN_I1: max number of retransmissions (2) reached after 60 seconds.  No response (or no acceptable response) to our first IKEv1 message',
      ['give-up'],
      [{ retransmits: 2, seconds: 60, state: 'STATE_MAIN_I1', exchange: 'ID_PROT' }],
    ],
    ['IKEv1 delete from the peer', '"c" #1: received Delete SA payload: deleting ISAKMP State #1', ['sa-deleted'], [{ what: 'ike', direction: 'received' }]],
    ['rekey started', '"c" #2: initiating rekey to replace Child SA #2', ['rekey'], [{ what: 'child', outcome: 'started' }]],
    ['v3 peer ID', "\"c\" #1: Main mode peer ID is ID_FQDN: '@east'", ['identity'], [{ direction: 'received', id: '@east' }]],
    ['IKEv1 responder', '"c" #1: responding to Main Mode from unknown peer 192.1.2.45:500', ['respond'], [{ ikeVersion: 1, mode: 'main', peer: '192.1.2.45' }]],
    ['tunnel/transport mismatch', '"c" #2: policy dictates Transport Mode, but peer requested Tunnel Mode', ['no-proposal-chosen'], [{ phase: 'child', direction: 'local' }]],
    [
      'IKEv2 responder receives IKE_SA_INIT',
      '"c" #1: processing IKE_SA_INIT request from 192.1.2.45:UDP/500 containing SA,KE,Ni,N(NAT_DETECTION_SOURCE_IP),N(NAT_DETECTION_DESTINATION_IP)',
      ['message', 'respond'],
      [{ direction: 'received', role: 'request', notifies: ['NAT_DETECTION_SOURCE_IP', 'NAT_DETECTION_DESTINATION_IP'] }, { ikeVersion: 2, peer: '192.1.2.45' }],
    ],
  ];

  it.each(documented)('%s', (_name, line, expectedKinds, expectedData) => {
    const events = decodeOne(line);
    expect(events?.map((e) => e.kind)).toEqual(expectedKinds);
    events!.forEach((e, i) => expect(e.data).toMatchObject(expectedData[i]));
  });

  it('reads conn names with / # = and template instances with a peer', () => {
    // prefix forms from reference/log-signatures.md §2.2 (libreswan testing/pluto outputs), body from ikev2-05-basic-psk/west
    const a = decodeOne('"private-or-clear#192.1.2.0/24"[1] ...192.1.2.23 #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500');
    expect(a?.[0]).toMatchObject({ conn: 'private-or-clear#192.1.2.0/24', sa: '#1', kind: 'message' });
    const b = decodeOne('"east/0x2" #12: initiating IKEv2 connection to 192.1.2.23 using UDP');
    expect(b?.[0]).toMatchObject({ conn: 'east/0x2', sa: '#12', kind: 'initiate' });
    const c = decodeOne('"a=b"[3] 192.1.2.23 #4: IPsec SA established tunnel mode {ESP=>0x1234abcd <0x5678ef01 xfrm=AES_CBC_128-HMAC_SHA1_96 DPD=active}');
    expect(c?.[0]).toMatchObject({ conn: 'a=b', sa: '#4', data: { spis: ['0x1234abcd', '0x5678ef01'] } });
  });

  it('tells Main Mode INVALID_ID_INFORMATION (identity) from Quick Mode (selectors) by the state it is sent in', () => {
    // ikev1-x509-13-san-dn-mismatch/west, lines 24-33 (identities shortened to keep the test readable)
    const { events } = decodeAll([
      '"san" #1: initiating IKEv1 Main Mode connection',
      '"san" #1: sent Main Mode request',
      '"san" #1: sending encrypted notification INVALID_ID_INFORMATION to 192.1.2.23:500',
      '"san" #1: STATE_MAIN_I3: 10 second timeout exceeded after 0 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message',
    ]);
    expect(kinds(events)).toEqual(['1:initiate', '2:message', '3:id-mismatch', '4:give-up']);
    // when pluto printed the reason first (lines 31-32 of that file), the notify is only a notify
    const withReason = decodeAll([
      '"san" #1: initiating IKEv1 Main Mode connection',
      "\"san\" #1: X509: authentication failed; peer ID DER_ASN1_DN 'CN=east' does not match expected 'CN=NOTeast'",
      '"san" #1: sending encrypted notification INVALID_ID_INFORMATION to 192.1.2.23:500',
    ]);
    expect(kinds(withReason.events)).toEqual(['1:initiate', '2:id-mismatch', '3:notify']);
    expect(withReason.events[2].data).toEqual({ direction: 'sent', name: 'INVALID_ID_INFORMATION', exchange: 'ID_PROT' });
    // same notification on a Quick Mode state: the peer's proxy IDs were refused
    const quick = decodeAll([
      '"westnet-eastnet-ipv4-psk-ikev1" #2: initiating Quick Mode IKEv1+PSK+ENCRYPT+TUNNEL+PFS+UP+IKE_FRAG_ALLOW+ESN_NO+ESN_YES {using isakmp#1 msgid:MSGID proposal=AES_CBC-HMAC_SHA1_96 pfsgroup=MODP2048 192.0.1.0/24===192.0.2.0/24}',
      '"westnet-eastnet-ipv4-psk-ikev1" #2: sending encrypted notification INVALID_ID_INFORMATION to 192.1.2.23:500',
    ]);
    expect(only(quick.events, 'ts-unacceptable')[0]).toMatchObject({ at: { line: 2 }, data: { direction: 'sent', exchange: 'QUICK_MODE' } });
  });
});

describe('libreswan pluto decoder: line prefixes', () => {
  // one real body (ikev2-tcp-00-enable-tcp-no/west), every way pluto's lines get written
  const body = '"west" #2: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message';
  const variants: [string, string, string | undefined][] = [
    ['whack/console', body, undefined],
    ['BSD syslog', `Jan  8 17:04:06 R2-1500 pluto[26867]: ${body}`, 'Jan  8 17:04:06'],
    ['journal short-precise', `Jan 08 17:04:06.123456 west pluto[26867]: ${body}`, 'Jan 08 17:04:06.123456'],
    ['pluto.log logtime=yes', `Jul 12 18:54:37.992206: ${body}`, 'Jul 12 18:54:37.992206'],
    ['ISO 8601 (journalctl -o short-iso-precise)', `2026-08-21T10:00:00.250000+00:00 west pluto[123]: ${body}`, '2026-08-21T10:00:00.250000+00:00'],
    ['v3/v4 whack RC code', `002 ${body}`, undefined],
    ['syslog without host', `Jan  8 17:04:06 pluto[26867]: ${body}`, 'Jan  8 17:04:06'],
  ];
  it.each(variants)('%s', (_name, line, time) => {
    const events = decodeOne(line);
    expect(events).toHaveLength(1);
    expect(events![0]).toMatchObject({ kind: 'give-up', conn: 'west', sa: '#2', time, data: { retransmits: 5, state: 'IKE_SA_INIT_I' } });
    if (time) expect(events![0].t).toEqual(expect.any(Number));
  });

  it('turns timestamps into comparable seconds, microseconds included', () => {
    const a = decodeOne(`Jul 12 18:54:37.992206: ${body}`)![0];
    const b = decodeOne(`Jul 12 18:54:40.000000: ${body}`)![0];
    expect(b.t! - a.t!).toBeCloseTo(2.007794, 5);
  });

  it('reads real syslog and packet-level lines', () => {
    // libreswan issue #232 (reference/log-signatures.md §2.2): v3 wording, message ID 0 = phase 1
    const v3 = decodeOne('Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16');
    expect(v3?.[0]).toMatchObject({ kind: 'no-proposal-chosen', conn: 'Link1', sa: '#1', data: { phase: 'ike', direction: 'received' } });
    // hwdsl2/docker-ipsec-vpn-server issue #199
    const pkt = decodeOne('packet from 119.4.253.57:61161: initial parent SA message received on 172.17.0.2:500 but no suitable connection found with IKEv2 policy');
    expect(pkt?.[0]).toMatchObject({ kind: 'no-config', conn: undefined, sa: undefined, data: { scope: 'ike', remote: '119.4.253.57', local: '172.17.0.2' } });
    // xelerance/Openswan issue #70
    const ow = decodeOne('Mar  3 10:11:12 gw pluto[2531]: "winserver1" #428: STATE_MAIN_I2: sent MI2, expecting MR2');
    expect(ow?.[0]).toMatchObject({ kind: 'message', conn: 'winserver1', sa: '#428', data: { direction: 'sent', exchange: 'ID_PROT', role: 'request' } });
    // setup-ipsec-vpn issue #826: a debug line in a logtime pluto.log is pluto's but carries nothing
    expect(decodeOne('Jul 12 18:54:37.992206: | match_id a=@vpnclient')).toEqual([]);
  });

  it('leaves other programs, shell transcripts, harness and kernel dumps alone', () => {
    const notOurs = [
      'west #',
      ' ipsec auto --up westnet-eastnet-ipv4-psk-ikev2',
      'Redirecting to: [initsystem]',
      'IMPAIR: "westnet-eastnet-aggr" #1: retransmit so timing out SA (may retry)',
      'src 192.1.2.45 dst 192.1.2.23',
      // ip xfrm state output carries keys: never decoded, never excerpted
      '\taead rfc4106(gcm(aes)) 0xENCAUTHKEY 128',
      '\tenc cbc(aes) 0xENCKEY',
      '"mainca" [E=testing@libreswan.org,CN=Libreswan test CA for mainca,OU=Test Department,O=Libreswan,L=Toronto,ST=Ontario,C=CA]',
      // strongSwan, in its file, syslog and journal shapes (reference/log-signatures.md §2.1)
      'Jun 20 14:29:47 13[IKE] <PEER|1> IKE_SA PEER[1] established between 10.0.0.1[a]...10.0.0.2[b]',
      'Jun 23 07:36:33 vyos charon[2440]: 01[CFG] <1> received proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
      "Jun 23 08:07:26 vyos charon-systemd[2440]: tried 1 shared key for '192.168.1.2' - '192.168.0.1', but MAC mismatched",
      'initiating IKE_SA westnet-eastnet-ikev2[1] to 192.1.2.23',
      'deleting IKE_SA westnet-eastnet-ikev2[1] between 192.1.2.45[west]...192.1.2.23[east]',
    ];
    for (const line of notOurs) expect(decodeOne(line), line).toBeUndefined();
  });

  it('never decodes secrets files or key material printed into a console', () => {
    const secretish = [
      '@west @east : PSK "this-is-the-psk"',
      '"@west" "@east" : PSK "this-is-the-psk"',
      ': RSA "west-key"',
      '\tauth-trunc hmac(sha1) 0x0123456789abcdef0123456789abcdef01234567 96',
    ];
    for (const line of secretish) expect(decodeOne(line), line).toBeUndefined();
  });

  it('locates an unreadable timestamp and keeps the line', () => {
    const { decoder, results } = decodeAll(['Foo 32 17:04:06 gw pluto[1]: "c" #1: sent Main Mode request']);
    expect(results[0]?.[0]).toMatchObject({ kind: 'message', time: 'Foo 32 17:04:06', t: undefined });
    expect(decoder.diagnostics?.()).toEqual([{ at: { source: 'pluto.log', line: 1 }, decoder: 'libreswan', message: "unreadable timestamp 'Foo 32 17:04:06'" }]);
  });

  it('locates a pluto line whose connection name is cut, and goes on', () => {
    const { decoder, results } = decodeAll(['Jan  8 17:04:06 gw pluto[1]: "cut-name #1: sent Main Mode request', '"ok" #1: sent Main Mode request']);
    expect(results[0]).toEqual([]);
    expect(results[1]?.[0].kind).toBe('message');
    expect(decoder.diagnostics?.()).toEqual([{ at: { source: 'pluto.log', line: 1 }, decoder: 'libreswan', message: expect.stringContaining('connection name') }]);
  });
});

describe('libreswan sniff', () => {
  it('scores pluto lines in every shape and no charon line', () => {
    const pluto = [
      ...fixture('ikev2-psk-established-initiator.console.txt'),
      'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16',
      'Jul 12 18:54:37.992206: | match_id a=@vpnclient',
      '002 "conname" #340: STATE_QUICK_I2: sent QI2, IPsec SA established tunnel mode',
    ];
    expect(libreswanDialect.sniff(pluto)).toBe(10);
    const charon = [
      'Jun 20 14:29:47 13[IKE] <PEER|1> IKE_SA PEER[1] established between 10.0.0.1[a]...10.0.0.2[b]',
      'charon: 09[IKE] IKE_SA con2000[11] established between 10.0.0.1[a]...10.0.0.2[b]',
      'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
      'parsed IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]',
      ' if [ -f /var/run/pluto/pluto.pid ]; then ipsec _kernel state ; fi',
    ];
    expect(libreswanDialect.sniff(charon)).toBe(0);
  });
});

describe('libreswan decoder is total', () => {
  const realLines = [
    ...fixture('ikev2-psk-established-initiator.console.txt'),
    ...fixture('ikev1-esp-proposal-mismatch-initiator.console.txt'),
    ...fixture('ikev2-no-response-udp-blocked.console.txt'),
    ...fixture('ikev2-child-sa-kernel-install-failure.console.txt'),
  ];
  const prefixes = ['', 'Jan  8 17:04:06 host pluto[1]: ', 'Jul 12 18:54:37.992206: ', '002 ', 'ERROR: ', '| ', 'packet from 1.2.3.4:500: '];

  function checkResult(r: LogEvent[] | undefined, lineNo: number): void {
    if (r === undefined) return;
    expect(Array.isArray(r)).toBe(true);
    for (const e of r) {
      expect(e.at.line).toBe(lineNo);
      expect(e.impl).toBe('libreswan');
      expect(e.excerpt.length).toBeLessThanOrEqual(401);
    }
  }

  it('never throws on random lines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.string({ maxLength: 300 }), (prefix, s) => {
        const d = libreswanDialect.createDecoder('fuzz.log');
        checkResult(d.decode(prefix + s, 3), 3);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated real lines', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...realLines), fc.nat(400), fc.nat(20), fc.string({ maxLength: 12 }))
      .map(([line, at, del, ins]) => line.slice(0, at % (line.length + 1)) + ins + line.slice((at % (line.length + 1)) + del));
    fc.assert(
      fc.property(fc.array(mutated, { maxLength: 30 }), (lines) => {
        const d = libreswanDialect.createDecoder('fuzz.log');
        lines.forEach((l, i) => checkResult(d.decode(l, i + 1), i + 1));
        expect(Array.isArray(d.diagnostics?.() ?? [])).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('handles very long lines quickly and caps the excerpt', () => {
    const d = libreswanDialect.createDecoder('long.log');
    const started = Date.now();
    const long = [
      `"${'c'.repeat(20000)}" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500`,
      `"x" #1: no local proposal matches remote proposals ${'1:ESP:ENCR=AES_CBC_128;'.repeat(2000)}`,
      `"x" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{${'N(X),'.repeat(5000)}}`,
      `Jan  8 17:04:06 ${'h'.repeat(16000)} pluto[1]: "x" #1: DPD action - putting connection into hold`,
      `"x" #1: ${' '.repeat(16000)}retransmission; will wait 1 second for response`,
      '"'.repeat(16000),
      '| '.repeat(8000),
    ];
    long.forEach((l, i) => checkResult(d.decode(l, i + 1), i + 1));
    expect(Date.now() - started).toBeLessThan(2000);
    const big = d.decode(long[1], 2)!;
    expect(only(big, 'proposals')[0].data.proposals.length).toBeLessThanOrEqual(64);
  });
});
