import { describe, expect, it } from 'vitest';
import { fortigateDialect } from '../../../src/platforms/fortigate/log.js';
import { FORTI, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

describe('FortiGate event log', () => {
  const { events, results } = decodeAll(fortigateDialect, FORTI);

  it('reads a phase 1 proposal error and phase 1 progress, and leaves SSL-VPN alone', () => {
    expect(summary(events)).toEqual(['1:negotiation-failed', '1:no-proposal-chosen', '2:initiate', '2:message', '4:initiate', '4:message']);
    expect(results[2]).toEqual([]);
    expect(events[0]).toMatchObject({ impl: 'fortigate', conn: undefined, time: '2020-04-23 12:32:47', data: { phase: 'ike', reason: 'peer SA proposal not match local policy', peer: '67.43.156.13' } });
    expect(new Date(events[0].t! * 1000).toISOString()).toBe('2020-04-23T17:32:47.000Z');
  });

  it('never reports phase 1 progress as an established tunnel', () => {
    expect(events.some((e) => e.kind === 'ike-established' || e.kind === 'child-established')).toBe(false);
    expect(events[2]).toMatchObject({ conn: 'elasticvpn', data: { ikeVersion: 1, mode: 'main', peer: '67.43.156.13' } });
    expect(events[5]).toMatchObject({ conn: 'P1_Test', data: { direction: 'sent', exchange: 'AGGRESSIVE', peer: { address: '67.43.156.13', port: 500 } } });
  });

  it('reads documented IPsec logids (FortiOS Log Message Reference 37133, 37136)', () => {
    // field names from the reference; values invented
    const base = 'date=2024-01-02 time=03:04:05 devname="fw" devid="FG100" type="event" subtype="vpn" remip=198.51.100.7 vpntunnel="hq"';
    const { events: ev } = decodeAll(fortigateDialect, [`${base} logid="0101037133" in_spi="c0ffee01" out_spi="c0ffee02"`, `${base} logid="0101037136"`]);
    expect(ev.map((e) => [e.kind, e.conn, e.data])).toEqual([
      ['child-established', 'hq', { name: 'hq', spis: ['c0ffee01', 'c0ffee02'] }],
      ['dpd', 'hq', { mechanism: 'dpd', outcome: 'timeout', peer: '198.51.100.7' }],
    ]);
  });
});


describe('fortigateDialect is total', () => {
  itIsTotal(fortigateDialect, FORTI, `logid="0101037124" devid=x type=event subtype=vpn ${'a=b '.repeat(4000)}`);
});
