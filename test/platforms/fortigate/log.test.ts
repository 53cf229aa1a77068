import { describe, expect, it } from 'vitest';
import { fortigateDialect } from '../../../src/platforms/fortigate/log.js';
import { FORTI, FORTI_4X_ALERT, FORTI_4X_GUI, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';
import { parseLoosePairs } from '../../../src/platforms/fortigate/log.js';

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

describe('FortiGate FortiOS 4.x event log (log_id=, pri=, device_id=, error_reason=)', () => {
  it('reads the 4.x names, the unquoted error_reason with spaces, and the forum-mangled quotes', () => {
    const f = parseLoosePairs(FORTI_4X_ALERT[1]);
    expect([f.get('logid'), f.get('level'), f.get('subtype'), f.get('vpntunnel'), f.get('status'), f.get('reason'), f.get('peer_notif')]).toEqual(['0101037124', 'error', 'ipsec', 'IPSec-VPN', 'negotiate_error', 'peer SA proposal not match local policy', 'N/A']);
  });

  it('alert e-mail: a Main Mode responder refusing the phase 1 proposal', () => {
    const { events } = decodeAll(fortigateDialect, FORTI_4X_ALERT);
    expect(summary(events)).toEqual(['1:respond', '1:negotiation-failed', '2:negotiation-failed', '2:no-proposal-chosen']);
    expect(events[0]).toMatchObject({ conn: 'IPSec-VPN', time: '2010-10-11 12:47:27', data: { ikeVersion: 1, mode: 'main', peer: undefined } });
    expect(events[3].data).toEqual({ phase: 'ike', direction: 'local', reason: 'peer SA proposal not match local policy' });
  });

  it('log details one field per line: one event at the line that gives the reason', () => {
    const { events, results } = decodeAll(fortigateDialect, FORTI_4X_GUI);
    expect(results.every((r) => r !== undefined)).toBe(true);
    expect(summary(events)).toEqual(['19:negotiation-failed', '19:no-config']);
    expect(events[1]).toMatchObject({ time: '2012-07-20 13:08:51', conn: undefined, data: { scope: 'ike', remote: undefined, detail: 'FortiGate: no matching gateway for new request' } });
    expect(events[1].excerpt).toBe('2012-07-20 13:08:51 log_id=0101037124 … status=negotiate_error error_reason=no matching gateway for new request');
  });

  it('sniffs 4.x lines, and a key=value line without a record above it is not claimed', () => {
    expect(fortigateDialect.sniff(FORTI_4X_ALERT)).toBe(2);
    expect(fortigateDialect.sniff(FORTI_4X_GUI)).toBe(1);
    expect(decodeAll(fortigateDialect, FORTI_4X_GUI.slice(1)).results.every((r) => r === undefined)).toBe(true);
  });
});

// Fortinet Community KB article 380380 ("Technical Tip: Incoming proposal ID remains the same in FortiGate"): IKE debug
// with console timestamps, verbatim (the first lines of its example)
const KB_380380 = [
  '2025-02-28 10:28:08.260710 ike 5:d1ae31d584881057/0000000000000000:2086423: incoming proposal:',
  '2025-02-28 10:28:08.260716 ike 5:d1ae31d584881057/0000000000000000:2086423: proposal id = 0:',
  '2025-02-28 10:28:08.260721 ike 5:d1ae31d584881057/0000000000000000:2086423: protocol id = ISAKMP:',
  '2025-02-28 10:28:08.260727 ike 5:d1ae31d584881057/0000000000000000:2086423: trans_id = KEY_IKE.',
  '2025-02-28 10:28:08.260731 ike 5:d1ae31d584881057/0000000000000000:2086423: encapsulation = IKE/none',
  '2025-02-28 10:28:08.260736 ike 5:d1ae31d584881057/0000000000000000:2086423: type=OAKLEY_ENCRYPT_ALG, val=AES_CBC, key-len=256',
  '2025-02-28 10:28:08.260742 ike 5:d1ae31d584881057/0000000000000000:2086423: type=OAKLEY_HASH_ALG, val=SHA.',
  '2025-02-28 10:28:08.260747 ike 5:d1ae31d584881057/0000000000000000:2086423: type=AUTH_METHOD, val=PRESHARED_KEY_XAUTH_I.',
  '2025-02-28 10:28:08.260751 ike 5:d1ae31d584881057/0000000000000000:2086423: type=OAKLEY_GROUP, val=MODP1024.',
  '2025-02-28 10:28:08.260756 ike 5:d1ae31d584881057/0000000000000000:2086423: ISAKMP SA lifetime=86400',
];
// a FortiGate lab write-up in indexed public GitHub content (repository not identified): the responder's debug after the
// pre-shared key was changed on one peer on purpose (FortiOS 7.x evaluation VM)
const PSK_LAB = ['ike 0:to-fgt2: responder: main mode get 3rd message...', 'ike 0:to-fgt2: parse error', 'ike 0:to-fgt2: probable pre-shared secret mismatch'];

describe('FortiGate diagnose debug application ike -1', () => {
  it('claims every debug line; a proposal dump is not a verdict', () => {
    const { events, results } = decodeAll(fortigateDialect, KB_380380);
    expect(results).toEqual(KB_380380.map(() => []));
    expect(events).toEqual([]);
    expect(fortigateDialect.sniff(KB_380380)).toBe(KB_380380.length);
  });

  it('reads the responder\'s pre-shared key verdict, with the phase1 name as the connection', () => {
    const { events } = decodeAll(fortigateDialect, PSK_LAB);
    expect(summary(events)).toEqual(['3:auth']);
    expect(events[0]).toMatchObject({ conn: 'to-fgt2', data: { ok: false, method: 'psk', direction: 'local' } });
  });
});

describe('fortigateDialect is total', () => {
  itIsTotal(fortigateDialect, [...FORTI, ...FORTI_4X_ALERT, ...FORTI_4X_GUI, ...KB_380380, ...PSK_LAB], `logid="0101037124" devid=x type=event subtype=vpn ${'a=b '.repeat(4000)}`);
});
