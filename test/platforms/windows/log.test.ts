import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOfText, draftsFor, windowsDialect } from '../../../src/platforms/windows/log.js';
import { WINDOWS_ERRORS } from '../../../src/platforms/windows/error-codes.js';
import { decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';

const sample = (path: string) => readFileSync(new URL(`../../../samples/${path}`, import.meta.url), 'utf8').split('\n');
// Microsoft's Azure Architecture Center example records (Get-EventLog | Format-List), see the sample README
const AZURE_DOCS = sample('windows-rras-events-azure-docs/get-eventlog.log');
// Event Viewer message, omnine/kbs ikev2/README.md
const OMNINE = sample('windows-rasclient-13868-ikev2-proposal/event-viewer.log').filter((l) => l !== '');
// Event Viewer message quoted in a comment of brave/brave-core's Windows IKEv2 code (the space after "failed." lost)
const BRAVE = 'The user DESKTOP - DRCJVG6\\brian dialed a connection named BRAVEVPN which has failed.The error code returned on failure is 13868.';

describe('Windows RasClient / RemoteAccess events', () => {
  it('Get-EventLog | Format-List: every line is claimed, each record gives one verdict', () => {
    const { events, results } = decodeAll(windowsDialect, AZURE_DOCS);
    const nonEmpty = AZURE_DOCS.map((l, i) => [l, results[i]] as const).filter(([l]) => l.trim() !== '');
    expect(nonEmpty.filter(([, r]) => r === undefined).map(([l]) => l)).toEqual([]);
    // 20111 wrapped text (line 11), 20111 on one line (line 38), 20227 wrapped message (line 59); ReplacementStrings (line 61) not counted again
    expect(summary(events).filter((s) => !/initiate|negotiation-failed/.test(s))).toEqual(['11:give-up', '38:auth', '59:give-up']);
    expect(events.filter((e) => e.kind === 'give-up').map((e) => e.conn)).toEqual(['AzureGateway', 'AzureGateway']);
    const auth = events.find((e) => e.kind === 'auth')!;
    expect(auth).toMatchObject({ impl: 'windows', conn: 'AzureGateway', data: { ok: false, direction: 'received', method: 'unknown' } });
    expect(String((auth.data as { reason: string }).reason)).toMatch(/^Windows error 13801 \(ERROR_IPSEC_IKE_AUTH_FAIL\): IKE authentication credentials are unacceptable/);
  });

  it('the message alone, with or without the space after "failed."', () => {
    for (const line of [OMNINE[0], BRAVE]) {
      const { events } = decodeAll(windowsDialect, [line]);
      expect(summary(events)).toEqual(['1:initiate', '1:negotiation-failed', '1:no-proposal-chosen']);
      expect(events[0].data).toEqual({ ikeVersion: 2, mode: 'ikev2' });
      expect(events[2].data).toMatchObject({ phase: 'ike', direction: 'received' });
    }
    expect(decodeAll(windowsDialect, OMNINE).events[0].conn).toBe('IKEv2 Test');
    expect(decodeAll(windowsDialect, [BRAVE]).events[0].conn).toBe('BRAVEVPN');
  });

  it('maps each documented code to the cause Microsoft gives, and an unknown code to a bare failure', () => {
    const kinds = (code: number) => draftsFor(code, undefined).map((x) => x.kind).slice(2);
    expect(kinds(809)).toEqual(['give-up']);
    expect(kinds(13801)).toEqual(['auth']);
    expect(kinds(13806)).toEqual(['auth']);
    // the client's own certificate handling (no machine certificate, no trust in the server's chain), not the server's refusal
    for (const own of [786, 13806, 13820]) expect(draftsFor(own, undefined)[2].data, String(own)).toMatchObject({ direction: 'local', whose: 'own' });
    expect(draftsFor(13801, undefined)[2].data).toMatchObject({ direction: 'received' });
    expect(kinds(13868)).toEqual(['no-proposal-chosen']);
    expect(kinds(788)).toEqual(['no-proposal-chosen']);
    expect(kinds(13843)).toEqual([]);
    expect(kinds(720)).toEqual([]);
    expect(draftsFor(789, undefined)[0].data).toEqual({ ikeVersion: 1, mode: 'main' });
    for (const [code, e] of WINDOWS_ERRORS) expect(e.name, String(code)).toMatch(/^ERROR_(?:OAKLEY|VPN|IPSEC_IKE)_/);
  });

  it('maps RRAS error texts back to their codes', () => {
    expect(codeOfText('The network connection between your computer and the VPN server could not be established because the remote server is not responding.')).toBe(809);
    expect(codeOfText('Internet key exchange (IKE) authentication credentials are unacceptable.')).toBe(13801);
    expect(codeOfText('The remote computer did not respond.')).toBeUndefined();
  });

  it('sniffs Windows events only', () => {
    expect(windowsDialect.sniff(AZURE_DOCS)).toBeGreaterThan(4);
    expect(windowsDialect.sniff(['Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16'])).toBe(0);
    // a field name alone, outside a Windows event, is not claimed
    expect(decodeAll(windowsDialect, ['Source: somewhere', 'Message : hello']).results).toEqual([undefined, undefined]);
  });
});

describe('windowsDialect is total', () => {
  itIsTotal(windowsDialect, [...AZURE_DOCS, ...OMNINE, BRAVE], `The user ${'x '.repeat(6000)} dialed a connection named ${'y'.repeat(9000)} which has failed. The error code returned on failure is 99999999999`);
});
