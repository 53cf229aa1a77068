import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciscoAsaDialect } from '../../../src/platforms/cisco-asa/log.js';
import { ciscoIosDialect } from '../../../src/platforms/cisco-ios/log.js';
import { ASA, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

describe('Cisco ASA syslog', () => {
  const { events, results } = decodeAll(ciscoAsaDialect, ASA);

  it('decodes the IKE/IPsec message ids and nothing else', () => {
    expect(summary(events)).toEqual(['2:child-established', '3:sa-deleted', '4:child-established', '5:respond', '6:negotiation-failed', '6:no-config', '7:peer-retransmit', '8:no-proposal-chosen', '9:no-proposal-chosen']);
    // every %ASA line is this dialect's, interesting or not
    expect(results.every((r) => Array.isArray(r))).toBe(true);
  });

  it('keeps SPIs, tunnel-group and reasons', () => {
    expect(events[0]).toMatchObject({ conn: '81.2.69.144', impl: 'cisco-asa', data: { spis: ['0x276b1da2', '0x0e1a581d'] } });
    // "User Requested" is an orderly disconnect: a delete with its reason, not a failure kind
    expect(events[1].data).toEqual({ what: 'ike', reason: 'User Requested', direction: 'local' });
    expect(events[4].data).toEqual({ phase: 'ike', reason: 'Failed to locate an item in the database', peer: '192.168.2.2' });
    expect(events[5].data).toMatchObject({ scope: 'ike', local: '81.2.69.144', remote: '192.168.2.2' });
    expect(events[7]).toMatchObject({ conn: '100.60.140.10', data: { phase: 'child', direction: 'local' } });
  });

  it('does not take GRE (protocol 47) for ESP', () => {
    expect(results[9]).toEqual([]);
  });

  it('carries the year of the last stamp that printed one', () => {
    const withYear = events.find((e) => e.at.line === 4)!;
    expect(new Date(withYear.t! * 1000).toISOString()).toBe('2020-04-27T02:03:03.000Z');
  });
});


// ASA debug console lines (debug crypto isakmp 127) quoted in personal notes "Linux to ASA VPN" (ASA 5505 ↔ Openswan) found
// in indexed public GitHub content (repository not identified); each with the cause its author wrote under it
const ASA_DEBUG = [
  // "crypto map … interface outside" was missing
  'Feb 16 13:36:40 [IKEv1]: IP = 206.54.167.110, No crypto map bound to interface... dropping pkt',
  // "i had des in linux, but 3des on cisco"
  '[IKEv1 DEBUG]: Group = 206.54.167.110, IP = 206.54.167.110, All SA proposals found unacceptable',
  // the crypto ACL did not cover the Linux side's subnets
  'Feb 16 14:13:46 [IKEv1]: Group = 206.54.167.110, IP = 206.54.167.110, Rejecting IPSec tunnel: no matching crypto map entry for remote proxy 100.120.5.0/255.255.255.0/0/0 local proxy 10.0.16.0/255.255.255.0/0/0 on interface outside',
];
// samples/cisco-asa-crypto-map-no-match-aws (tunupgh blog, ASA 9.2.2 ↔ AWS)
const AWS = readFileSync(new URL('../../../samples/cisco-asa-crypto-map-no-match-aws/asa-syslog.log', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

describe('Cisco ASA debug crypto isakmp console lines', () => {
  it('reads the same texts as the syslog IDs, without the ID', () => {
    const { events } = decodeAll(ciscoAsaDialect, ASA_DEBUG);
    expect(events.map((e) => [e.at.line, e.kind, e.data])).toEqual([
      [1, 'no-config', { scope: 'ike', remote: '206.54.167.110', detail: "ASA: no crypto map bound to the interface the peer's IKE packet arrived on (crypto map … interface …)" }],
      [2, 'no-proposal-chosen', { phase: undefined, direction: 'local', reason: 'All SA proposals found unacceptable (peer 206.54.167.110)' }],
      [3, 'ts-unacceptable', { direction: 'local', local: ['10.0.16.0/255.255.255.0/0/0'], remote: ['100.120.5.0/255.255.255.0/0/0'] }],
    ]);
    expect(ciscoAsaDialect.sniff(ASA_DEBUG)).toBe(3);
  });

  it('real 713061/713259 syslog: the selector refusal, then the session torn down for it', () => {
    const { events } = decodeAll(ciscoAsaDialect, AWS);
    expect(summary(events)).toEqual(['1:ike-established', '2:ts-unacceptable', '5:sa-deleted', '6:sa-deleted']);
    expect(events[2].data).toEqual({ what: 'ike', reason: 'crypto map policy not found', direction: 'local' });
  });
});

const sampleLines = (name: string) => readFileSync(new URL(`../../../samples/${name}/debug-crypto-ikev2.log`, import.meta.url), 'utf8').trimEnd().split('\n');
const POLICIES = sampleLines('cisco-asa-debug-ikev2-proposal-mismatch');
const PEER_ID = sampleLines('cisco-asa-debug-ikev2-peer-id-san');
// Cisco document 117337: the ASA's debug when an IOS peer asks for certificates by HTTP URL (the page's wraps joined)
const HTTP_URL = [
  'IKEv2-PROTO-1: (139): Auth exchange failed',
  'IKEv2-PROTO-1: (140): Unsupported cert encoding found or Peer requested HTTP URL but never sent HTTP_LOOKUP_SUPPORTED Notification',
];

describe('Cisco ASA debug crypto ikev2 protocol|platform', () => {
  it('reads the two policy lists around the verdict, in charon\'s printed form', () => {
    const { events, results } = decodeAll(ciscoAsaDialect, POLICIES);
    expect(summary(events)).toEqual(['2:proposals', '3:proposals', '4:proposals', '5:proposals', '6:proposals', '7:proposals', '8:no-proposal-chosen', '10:proposals']);
    expect(events[0].data).toEqual({ phase: 'ike', source: 'received', proposals: ['IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024'] });
    expect(events[4].data).toMatchObject({ proposals: ['IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024'] });
    expect(events[7].data).toEqual({ phase: 'ike', source: 'configured', proposals: ['IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/MODP_2048_256'] });
    expect(events[6]).toMatchObject({ sa: '16', data: { phase: 'ike', direction: 'local', exchange: 'IKE_SA_INIT' } });
    expect(results.every((r) => Array.isArray(r))).toBe(true);
    // a "Proposal N:" line outside a policy list is nobody's
    expect(decodeAll(ciscoAsaDialect, [POLICIES[1]]).results[0]).toBeUndefined();
  });

  it('reads the peer ID check failing as an identity mismatch with the ID the peer sent (Cisco 117337)', () => {
    const { events } = decodeAll(ciscoAsaDialect, PEER_ID);
    expect(summary(events)).toEqual(['2:identity', '11:id-mismatch', '12:negotiation-failed', '15:negotiation-failed', '17:negotiation-failed']);
    expect(events[1].data).toMatchObject({ received: '172.16.1.1' });
  });

  it('reads the HTTP-URL certificate refusal as a certificate authentication failure (Cisco 117337)', () => {
    const { events } = decodeAll(ciscoAsaDialect, HTTP_URL);
    expect(summary(events)).toEqual(['1:negotiation-failed', '2:auth']);
    expect(events[1].data).toMatchObject({ ok: false, method: 'cert', direction: 'local' });
  });

  it('is the ASA\'s, not IOS\'s', () => {
    expect(ciscoAsaDialect.sniff(PEER_ID)).toBe(PEER_ID.length);
    expect(ciscoIosDialect.sniff(PEER_ID)).toBe(0);
  });
});

describe('ciscoAsaDialect is total', () => {
  itIsTotal(ciscoAsaDialect, [...ASA, ...ASA_DEBUG, ...AWS, ...POLICIES, ...PEER_ID, ...HTTP_URL], `%ASA-4-750003: ${'x'.repeat(16000)}`);
});
