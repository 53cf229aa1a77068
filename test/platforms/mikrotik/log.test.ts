import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mikrotikDialect } from '../../../src/platforms/mikrotik/log.js';
import { decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

const sample = (path: string) => readFileSync(new URL(`../../../samples/${path}`, import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
// MikroTik's manual, IPsec troubleshooting (/log print with ipsec debug)
const MANUAL = sample('mikrotik-log-print-phase1-proposal/log-print.log');
// Onoro/Mikrotik README: messages as copied from Winbox (wrong secret; wrong proposal)
const WRONG_SECRET = sample('mikrotik-l2tp-wrong-ipsec-secret/routeros.log');
const WRONG_PROPOSAL = sample('mikrotik-l2tp-wrong-proposal-ph2/routeros.log');
// a RouterOS responder under 1:1 NAT whose my-id matched no identity: lines quoted in a public write-up of an IKEv2 lab found in the
// indexed GitHub content (repository not identified), topics as printed
const IDENTITY = [
  'ipsec,error identity not found for responder: ADDR4:8.215.24.90 peer: ADDR4:34.101.118.166',
  'ipsec reply notify: AUTHENTICATION_FAILED',
];

describe('MikroTik RouterOS ipsec log', () => {
  it('/log print with debug: the refused phase 1 proposal, and the transform type refused in every pair', () => {
    const { events, results } = decodeAll(mikrotikDialect, MANUAL);
    // the prompt and the (..) elisions are not RouterOS log lines
    expect([results[0], results[1], results[12]]).toEqual([undefined, undefined, undefined]);
    expect(summary(events)).toEqual(['11:respond', '11:negotiation-failed', '11:no-proposal-chosen', '12:negotiation-failed']);
    expect(events[2]).toMatchObject({ impl: 'mikrotik', time: '17:21:08', data: { phase: 'ike', direction: 'local', missing: 'integrity' } });
    expect(String((events[2].data as { reason: string }).reason)).toContain('rejected hashtype MD5:SHA (local:peer), enctype 3DES-CBC:AES-CBC (local:peer)');
    expect(events[0].data).toEqual({ peer: '10.5.107.112', ikeVersion: 1, mode: undefined });
  });

  it('a wrong pre-shared key: AUTH_FAILED material, and the time-up that follows is not a give-up', () => {
    const { events } = decodeAll(mikrotikDialect, WRONG_SECRET);
    expect(summary(events)).toEqual(['1:auth', '2:negotiation-failed']);
    expect(events[0].data).toMatchObject({ ok: false, method: 'psk', direction: 'local', id: '192.168.1.15' });
    // the same time-up without a decryption failure before it is retransmissions exhausted
    const alone = decodeAll(mikrotikDialect, [WRONG_SECRET[1]]).events;
    expect(summary(alone)).toEqual(['1:negotiation-failed', '1:give-up']);
    expect(alone[1].data).toEqual({ peer: { address: '192.168.1.15', port: 500 }, detail: WRONG_SECRET[1], state: 'phase 1 (Main or Aggressive Mode)' });
  });

  it('a refused phase 2 proposal is a Child SA mismatch', () => {
    const { events } = decodeAll(mikrotikDialect, WRONG_PROPOSAL);
    expect(summary(events)).toEqual(['2:respond', '2:negotiation-failed', '2:no-proposal-chosen']);
    expect(events[2].data).toEqual({ phase: 'child', direction: 'local', reason: 'no suitable proposal found' });
  });

  it('IKEv2 identity not found: no peer config, and the AUTHENTICATION_FAILED it answers', () => {
    const { events } = decodeAll(mikrotikDialect, IDENTITY);
    expect(events.map((e) => [e.kind, e.data])).toEqual([
      ['no-config', { scope: 'peer', local: 'ADDR4:8.215.24.90', remote: 'ADDR4:34.101.118.166', detail: IDENTITY[0].slice('ipsec,error '.length) }],
      ['notify', { direction: 'sent', name: 'AUTHENTICATION_FAILED' }],
    ]);
  });

  it('claims no shell line that starts with ipsec, nor a pluto line', () => {
    const others = ['root@west:~# ipsec auto --up westnet', 'ipsec auto --up west', 'ipsec whack --trafficstatus', 'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16'];
    expect(mikrotikDialect.sniff(others)).toBe(0);
    expect(decodeAll(mikrotikDialect, others).results).toEqual([undefined, undefined, undefined, undefined]);
    expect(mikrotikDialect.sniff(MANUAL)).toBe(10);
  });
});

describe('mikrotikDialect is total', () => {
  itIsTotal(mikrotikDialect, [...MANUAL, ...WRONG_SECRET, ...WRONG_PROPOSAL, ...IDENTITY], `17:21:08 ipsec,error ${'rejected hashtype: DB(prop#1:trns#1):Peer(prop#1:trns#1) = MD5:SHA '.repeat(200)}`);
});
