import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciscoIosDialect } from '../../../src/platforms/cisco-ios/log.js';
import { ciscoAsaDialect } from '../../../src/platforms/cisco-asa/log.js';
import { ASA, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

// tunupgh/tunupgh.github.io blog post (2013): debug crypto isakmp of an IOS initiator, PFS on one side only
const DEBUG = readFileSync(new URL('../../../samples/cisco-ios-debug-isakmp-pfs-mismatch/debug-crypto-isakmp.log', import.meta.url), 'utf8').split('\n');
// Cisco's own sample debugs (aswan15 solution guide, "Sample Problem Scenarios", docstore.mik.ua mirror): uptime-stamped lines
const CISCO_DOC = [
  '00:27:07: ISAKMP (0:2): beginning Main Mode exchange',
  '00:27:07: ISAKMP (0:2): sending packet to 10.15.58.38 (I) MM_NO_STATE',
  '00:27:07: ISAKMP (0:2): atts are acceptable. Next payload is 0',
];

describe('Cisco IOS debug crypto isakmp', () => {
  const { events, results } = decodeAll(ciscoIosDialect, DEBUG);

  it('reads the initiator, phase 1 completing, and the peer refusing Quick Mode', () => {
    expect(summary(events)).toEqual(['10:initiate', '106:notify', '119:ike-established', '121:initiate', '132:notify', '132:no-proposal-chosen', '143:sa-deleted', '152:sa-deleted']);
    expect(events[0].data).toEqual({ peer: '77.77.77.77', ikeVersion: 1, mode: 'main' });
    expect(events[1].data).toEqual({ direction: 'received', name: 'RESPONDER_LIFETIME', exchange: undefined });
    expect(events[2]).toMatchObject({ impl: 'cisco-ios', sa: '9577', data: { ikeVersion: 1, remote: '77.77.77.77' } });
    expect(events[5].data).toEqual({ phase: 'child', direction: 'received', exchange: 'Quick Mode', reason: 'the peer sent PROPOSAL_NOT_CHOSEN (protocol 3)' });
  });

  it('one refused ISAKMP transform followed by an accepted one is not a phase 1 mismatch', () => {
    expect(events.filter((e) => e.kind === 'no-proposal-chosen' && (e.data as { phase: string }).phase === 'ike')).toEqual([]);
  });

  it('claims its debug lines (tab-indented payload dumps and blank lines are left alone)', () => {
    const unclaimed = DEBUG.map((l, i) => [l, results[i]] as const).filter(([l, r]) => l.trim() !== '' && r === undefined).map(([l]) => l.trim());
    expect(unclaimed.every((l) => /^(?:ins\.ert sa|next-payload|type|address|protocol|port|length)\b/.test(l))).toBe(true);
    expect(decodeAll(ciscoIosDialect, CISCO_DOC).events.map((e) => [e.time, e.kind])).toEqual([['00:27:07', 'initiate']]);
  });

  it('and the ASA and IOS dialects do not read each other\'s lines', () => {
    expect(ciscoAsaDialect.sniff(DEBUG)).toBe(0);
    expect(ciscoIosDialect.sniff(ASA)).toBe(0);
  });
});

// IOS-XE 16.7 `debug crypto ikev2` (fixtures/README.md) and Cisco document 117337's router debug (the sample's README)
const XE = readFileSync(new URL('./fixtures/ios-xe-16.7-ikev2-auth-no-proposal.log', import.meta.url), 'utf8').split('\n');
const DOC_117337 = readFileSync(new URL('../../../samples/cisco-ios-debug-ikev2-profile-not-found/debug-crypto-ikev2.log', import.meta.url), 'utf8').trimEnd().split('\n');

describe('Cisco IOS / IOS-XE debug crypto ikev2', () => {
  it('reads the initiator, the peer answering IKE_AUTH with NO_PROPOSAL_CHOSEN (a Child SA refusal), and the IKE SA up', () => {
    const { events, results } = decodeAll(ciscoIosDialect, XE);
    const at = (n: string) => XE.findIndex((l) => l.includes(n)) + 1;
    expect(summary(events)).toEqual([
      `${at('Generating IKE_SA_INIT')}:initiate`, `${at('NOTIFY(NO_PROPOSAL_CHOSEN)')}:no-proposal-chosen`,
      `${at("peer's identity")}:identity`, `${at("peer's identity")}:peer-config-lookup`, `${at('is UP')}:ike-established`,
    ]);
    expect(events[1]).toMatchObject({ sa: '31', data: { phase: 'child', direction: 'received', exchange: 'IKE_AUTH' } });
    // the NAT_DETECTION notifies of IKE_SA_INIT are routine, and the sent IKE_AUTH's notifies are ours, not the peer's answer
    expect(events.filter((e) => e.kind === 'notify')).toEqual([]);
    expect(events[4].data).toEqual({ ikeVersion: 2, remoteId: 'FC00:123:123:123::1', localId: 'FC00:123:123:123::2' });
    // every line of the blocks is claimed except the proposal dumps' transform lines, which carry no prefix
    expect(results[XE.indexOf('Payload contents: ')]).toEqual([]);
  });

  it('reads Cisco\'s 117337 router debug: the profile lookup by the ASA\'s DN finds none', () => {
    const { events } = decodeAll(ciscoIosDialect, DOC_117337);
    expect(summary(events)).toEqual(['2:identity', '2:peer-config-lookup', '3:no-config', '4:no-config', '5:negotiation-failed']);
    expect(events[1].data).toEqual({ remoteId: 'hostname=asa.cisco.com' });
    expect(events[2].data).toMatchObject({ scope: 'peer' });
  });

  it('is not the ASA\'s IKEv2 debug, and the ASA does not read it', () => {
    expect(ciscoIosDialect.sniff(DOC_117337)).toBe(5);
    expect(ciscoAsaDialect.sniff(DOC_117337)).toBe(0);
  });
});

describe('ciscoIosDialect is total', () => {
  itIsTotal(ciscoIosDialect, [...DEBUG, ...CISCO_DOC, ...XE, ...DOC_117337], `ISAKMP:(1): processing NOTIFY ${'PROPOSAL_NOT_CHOSEN '.repeat(800)} protocol 3`);
});
