import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskSecrets } from '../../src/report/secrets.js';

describe('maskSecrets', () => {
  it.each([
    // ipsec.secrets and swanctl.conf as in samples/lab-psk-mismatch/*.swanctl.conf
    ['secret = "lab-only-other-psk-Kp4w"', 'lab-only-other-psk-Kp4w'],
    ['192.0.2.10 198.51.100.20 : PSK "lab-only-psk-7Hq2xV9"', 'lab-only-psk-7Hq2xV9'],
    ['@west @east : PSK 0sZmFrZS1iYXNlNjQtcHNr', '0sZmFrZS1iYXNlNjQtcHNr'],
    // ip xfrm state output
    ['\tauth-trunc hmac(sha256) 0x8d4f1c2b9a0e7d3f6c5b4a3928171605 128', '8d4f1c2b9a0e7d3f6c5b4a3928171605'],
    ['\taead rfc4106(gcm(aes)) 0x1b2c3d4e5f60718293a4b5c6d7e8f90011223344 128', '1b2c3d4e5f60718293a4b5c6d7e8f90011223344'],
    // pluto debug dumps nonces and KE spaced
    ['| Ni 5c 2a 1b 00 11 22 33 44 55 66 77 88 99 aa bb cc', '5c 2a 1b 00 11 22 33 44'],
    ['| keyex value 12 34 56 78 9a bc de f0 12 34 56 78', '9a bc de f0'],
    // charon debug hexdump after "Nonce =>"
    ['   0: 5D 95 0E 12 34 56 78 9A BC DE F0 11 22 33 44 55  ]...4Vx.......', '5D 95 0E 12'],
    ['-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBsecretkeymaterial\n-----END EC PRIVATE KEY-----', 'MHcCAQEEIBsecretkeymaterial'],
    // PAN-OS: a set command and the running-config XML (the stored -AQ== form, and a typed value)
    ['set network ike gateway GW authentication pre-shared-key key -AQ==lrmmFJ1dYy0ZlMhvyDuT3LprLVk=', '-AQ==lrmmFJ1dYy0ZlMhvyDuT3LprLVk='],
    ['set network ike gateway GW authentication pre-shared-key key "Typed Secret 1"', 'Typed Secret 1'],
    ['<pre-shared-key><key>-AQ==9ZfGqSHmHsaFQ8wRs1dOLU=</key></pre-shared-key>', '9ZfGqSHmHsaFQ8wRs1dOLU='],
  ])('masks %j', (input, secret) => {
    const out = maskSecrets(input);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/masked/);
  });

  it('leaves prose and ordinary log lines alone', () => {
    for (const s of [
      'For PSK: make the secret identical on both peers for this ID pair',
      "tried 1 shared key for 'right.example' - 'left.example', but MAC mismatched",
      'received packet: from 192.0.2.10[500] to 198.51.100.20[500] (464 bytes)',
      'CHILD_SA net{1} established with SPIs 9dee9b87_i a59c1401_o and TS 10.1.0.0/24 === 10.2.0.0/24',
    ]) expect(maskSecrets(s)).toBe(s);
  });

  it('is idempotent and total on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const once = maskSecrets(s);
        expect(maskSecrets(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.constantFrom('secret = ', ': PSK ', 'psk: "', 'auth-trunc hmac(sha1) 0x'), fc.stringMatching(/^[0-9a-f]{40}$/), (prefix, value) => {
        const out = maskSecrets(`${prefix}${value}`);
        expect(out).not.toContain(value);
        expect(maskSecrets(out)).toBe(out);
      }),
    );
  });
});
