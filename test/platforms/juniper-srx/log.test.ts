import { describe, expect, it } from 'vitest';
import { juniperSrxDialect } from '../../../src/platforms/juniper-srx/log.js';
import { SRX, SRX_SHOW_LOG, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

describe('Juniper SRX kmd', () => {
  const { events, results, decoder } = decodeAll(juniperSrxDialect, SRX);

  it('reads SA establishment, timeouts, success and selector refusals', () => {
    expect(summary(events)).toEqual(['1:child-established', '2:negotiation-failed', '2:give-up', '3:ike-established', '4:negotiation-failed', '4:ts-unacceptable', '8:negotiation-failed', '8:give-up']);
    expect(events[0].data).toMatchObject({ spis: ['0xdc912544'], mode: 'tunnel', local: ['ipv4_subnet(any:0,[0..7]=89.160.20.114/29)'] });
    expect(events[1]).toMatchObject({ conn: 'IPSEC-AAAAA-AAA1-PROD-VPN', impl: 'juniper-srx', data: { phase: 'ike', reason: 'Timed out', peer: '67.43.156.1' } });
    // kmd names the phase that timed out, not the exchange
    expect(events[2].data).toEqual({ peer: { address: '67.43.156.1', port: 500 }, detail: 'Timed out', state: 'phase 1 (Main or Aggressive Mode)' });
    expect(events[3].data).toEqual({ ikeVersion: 1, local: '10.8.10.115', remote: '89.160.20.112', localId: '81.2.69.192', remoteId: '89.160.20.112' });
    expect(events[4]).toMatchObject({ conn: 'IPSEC-INT-ORMB-TUN2-VPN', data: { phase: 'child' } });
  });

  it('does not turn SNMP or SSH authentication failures into IKE evidence', () => {
    expect(results.slice(4, 7)).toEqual([[], [], []]);
  });

  it('locates the malformed kmd line and still reads it', () => {
    expect(decoder.diagnostics?.()).toEqual([
      { at: { source: 'vendor.log', line: 8 }, decoder: 'juniper-srx', message: 'kmd line repeats Local; the first value was kept' },
      { at: { source: 'vendor.log', line: 8 }, decoder: 'juniper-srx', message: 'kmd negotiation line without a VPN name' },
    ]);
  });
});

describe('Juniper SRX `show log kmd-logs` (BSD syslog written by kmd)', () => {
  const { events, results } = decodeAll(juniperSrxDialect, SRX_SHOW_LOG);

  it('reads the vSRX tunnel going down and up again, and leaves the CLI prompt to others', () => {
    // line 1 is the operator's prompt, lines 2-3/5-6 are kmd's config-download chatter
    expect(results[0]).toBeUndefined();
    expect(results.slice(1, 3)).toEqual([[], []]);
    expect(summary(events)).toEqual(['4:sa-deleted', '7:child-established', '8:child-established', '9:child-established', '10:ike-established']);
    expect(events[0]).toMatchObject({ conn: 'ipsec-vpn-1', impl: 'juniper-srx', time: 'Aug 3 10:18:01', data: { what: 'child', reason: 'Tunnel configuration is deleted. Corresponding IKE/IPSec SAs are deleted' } });
    expect(events[1].data).toMatchObject({ spis: ['0x190695fe'], mode: 'tunnel', detail: 'inbound SA' });
    expect(events[3]).toMatchObject({ conn: 'ipsec-vpn-1', data: { name: 'ipsec-vpn-1', detail: 'VPN ipsec-vpn-1 to 13.68.203.192 is up' } });
    expect(events[4]).toMatchObject({ conn: 'ipsec-vpn-1', data: { ikeVersion: 2, local: '10.0.1.50', remote: '13.68.203.192', remoteId: '13.68.203.192' } });
    // the same file year-less: seconds within one arbitrary year, in order
    expect(events[4].t! - events[0].t!).toBe(43);
  });

  it('sniffs every kmd line of the BSD shape, not the prompt', () => {
    expect(juniperSrxDialect.sniff(SRX_SHOW_LOG)).toBe(9);
  });
});

describe('juniperSrxDialect is total', () => {
  itIsTotal(juniperSrxDialect, [...SRX, ...SRX_SHOW_LOG], `<27>1 2023-05-04T15:19:33.984+10:00 h kmd 1 - - IKE negotiation failed with error: ${'Local: 1/1, '.repeat(1200)}. IKE Version: 1, ${'Local: 1/1, '.repeat(1200)}`);
});
