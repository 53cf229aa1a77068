import { describe, expect, it } from 'vitest';
import { ciscoAsaDialect } from '../../../src/platforms/cisco-asa/log.js';
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


describe('ciscoAsaDialect is total', () => {
  itIsTotal(ciscoAsaDialect, ASA, `%ASA-4-750003: ${'x'.repeat(16000)}`);
});
