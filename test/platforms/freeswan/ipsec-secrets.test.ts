import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIpsecSecrets } from '../../../src/platforms/freeswan/ipsec-secrets.js';
import { detectConfigType } from '../../../src/sources/config-file.js';

// strongswan/strongswan testing/tests/ikev2-stroke/net2net-psk/hosts/moon/etc/ipsec.secrets
// @ 3b902ea59b86a8ac097e27a34db85feb877a00f9 (GPL-2.0-or-later), verbatim (trailing blanks included).
const SS_MOON = `# /etc/ipsec.secrets - strongSwan IPsec secrets file

@moon.strongswan.org @sun.strongswan.org : PSK 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL

@moon.strongswan.org %any : PSK 0x45a30759df97dc26a15b88ff 

@sun.strongswan.org : PSK "This is a strong password"  

: PSK 'My "home" is my "castle"!'

PH_IP_MOON : PSK   "Andi's home"
`;
const SS_MOON_SECRETS = ['0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL', '45a30759df97dc26a15b88ff', 'This is a strong password', 'castle', "Andi's home"];

// libreswan/libreswan testing/pluto/ikev2-ppk-static-02-insist-insist/east.secrets
// @ b02c9d18b56c38abfe15bc4bc8b806ef3f758002 (GPL-2.0-or-later), verbatim.
const LS_PPK = `@east @west : PSK "0123456789abcdefg0123456789abcdefg"

@east @west : PPKS "swan2" "narodnifrontlimannovisadsrbija"
`;

// libreswan/libreswan testing/pluto/ikev2-23-mixed/road.secrets @ b02c9d18…, verbatim: a key held in NSS by name
const LS_RSA = `
: RSA road
`;

describe('ipsec.secrets', () => {
  it('records type and ids of each strongSwan secret, never the value', () => {
    const { facts, diagnostics } = decodeIpsecSecrets(SS_MOON, 'ipsec.secrets');
    expect(diagnostics).toEqual([]);
    expect(facts.secrets.map((s) => [s.at.line, s.type, s.ids])).toEqual([
      [3, 'PSK', ['@moon.strongswan.org', '@sun.strongswan.org']],
      [5, 'PSK', ['@moon.strongswan.org', '%any']],
      [7, 'PSK', ['@sun.strongswan.org']],
      [9, 'PSK', []],
      [11, 'PSK', ['PH_IP_MOON']],
    ]);
    expect(facts.secrets[0].excerpt).toBe('@moon.strongswan.org @sun.strongswan.org : PSK <secret masked>');
    const all = JSON.stringify({ facts, diagnostics });
    for (const s of SS_MOON_SECRETS) expect(all).not.toContain(s);
  });

  it('reads libreswan PSK and PPKS entries without keeping either secret', () => {
    const { facts } = decodeIpsecSecrets(LS_PPK, 'east.secrets');
    expect(facts.secrets.map((s) => [s.type, s.ids])).toEqual([
      ['PSK', ['@east', '@west']],
      ['PPK', ['@east', '@west']],
    ]);
    const all = JSON.stringify(facts);
    expect(all).not.toContain('0123456789abcdefg');
    expect(all).not.toContain('narodnifront');
  });

  it('reads libreswan `id: PSK` with IPv6 and quoted selectors', () => {
    // libreswan/libreswan testing/pluto/ikev2-61-any-psk/west.secrets @ 093f460ca19c38599fed66c86c870cfd2ed93777 (GPL-2.0-or-later), verbatim
    const text = '@east 192.1.2.45 "8::" 2001:db8:1:2::45:  PSK "ABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890"\n';
    const { facts, diagnostics } = decodeIpsecSecrets(text, 'west.secrets');
    expect(diagnostics).toEqual([]);
    expect(facts.secrets).toMatchObject([{ type: 'PSK', ids: ['@east', '192.1.2.45', '8::', '2001:db8:1:2::45'] }]);
    expect(JSON.stringify(facts)).not.toContain('ABCDEFGHIJ');
  });

  it('keeps a private key reference (a name or path), not a passphrase', () => {
    expect(decodeIpsecSecrets(LS_RSA, 'road.secrets').facts.secrets).toMatchObject([{ type: 'RSA', ids: [], file: 'road', excerpt: ': RSA road' }]);
    const withPass = decodeIpsecSecrets(': RSA moonKey.pem "s3cret pass"\n', 'x').facts.secrets[0];
    expect(withPass.file).toBe('moonKey.pem');
    expect(JSON.stringify(withPass)).not.toContain('s3cret');
  });

  it('skips an inline key block (ipsec.secrets(5) `: RSA { … }`, continuation lines indented) without reading it', () => {
    const text = '@west : RSA {\n\tModulus: 0xabcdef0123\n\tPrivateExponent: 0x99887766\n\t}\n@east : PSK "x1y2z3w4"\n';
    const { facts, diagnostics } = decodeIpsecSecrets(text, 'x');
    expect(diagnostics).toEqual([]);
    expect(facts.secrets.map((s) => [s.at.line, s.type])).toEqual([[1, 'RSA'], [5, 'PSK']]);
    expect(JSON.stringify(facts)).not.toMatch(/99887766|abcdef0123|x1y2z3w4/);
  });

  it('names the line it cannot read, never its content', () => {
    const { diagnostics } = decodeIpsecSecrets('@a @b PSK "forgot-the-colon"\n', 'x');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].at.line).toBe(1);
    expect(JSON.stringify(diagnostics)).not.toContain('forgot-the-colon');
  });

  it('is recognised as ipsec.secrets by content', () => {
    expect(detectConfigType(SS_MOON)?.type).toBe('ipsec.secrets');
    expect(detectConfigType(LS_PPK)?.type).toBe('ipsec.secrets');
  });

  it('never throws and never leaks an intact secret on mutated input (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SS_MOON.length }), fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 6 }), (at, del, ins) => {
        const text = SS_MOON.slice(0, at) + ins + SS_MOON.slice(at + del);
        const all = JSON.stringify(decodeIpsecSecrets(text, 'm'));
        for (const m of text.matchAll(/:\s*PSK\s+(.+)$/gm)) {
          const value = m[1].trim().replace(/^["']|["']$/g, '');
          if (value.length >= 6) expect(all).not.toContain(value);
        }
      }),
      { numRuns: 400 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void decodeIpsecSecrets(s, 'r')), { numRuns: 400 });
  });
});
