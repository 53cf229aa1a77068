/**
 * Whether two configs hold the same pre-shared key, without keeping the key.
 *
 * A config reader hands the secret as written to `SecretDigest.of` and drops it: what
 * stays in the evidence is an HMAC-SHA256 of the key's bytes under a key drawn at random
 * once per run (node:crypto), so the digest means nothing outside this process and cannot
 * be checked against guesses after the run. The digest itself is never shown either: it
 * has no enumerable fields, serialises to nothing (`toJSON`), and prints as a placeholder,
 * so a report, a debug dump or a test snapshot cannot carry any part of it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

let runKey: Buffer | undefined;

function key(): Buffer {
  runKey ??= randomBytes(32);
  return runKey;
}

/**
 * The bytes the daemon uses: strongSwan and libreswan read `0x…` as hex and `0s…` as
 * base64 in both ipsec.secrets and swanctl.conf (strongSwan ipsec.secrets(5), swanctl.conf(5)
 * `secret`), anything else as the characters written (quotes already removed by the reader).
 */
function secretBytes(written: string): Buffer {
  if (/^0x[0-9a-f]+$/i.test(written) && written.length % 2 === 0) return Buffer.from(written.slice(2), 'hex');
  if (/^0s[A-Za-z0-9+/]+=*$/.test(written)) return Buffer.from(written.slice(2), 'base64');
  return Buffer.from(written, 'utf8');
}

export class SecretDigest {
  readonly #mac: Buffer;

  private constructor(mac: Buffer) {
    this.#mac = mac;
  }

  /** The digest of a secret as written in a config (quotes removed). */
  static of(written: string): SecretDigest {
    return new SecretDigest(createHmac('sha256', key()).update(secretBytes(written)).digest());
  }

  sameAs(other: SecretDigest): boolean {
    return timingSafeEqual(this.#mac, other.#mac);
  }

  /** Left out of any JSON the evidence is serialised into. */
  toJSON(): undefined {
    return undefined;
  }

  toString(): string {
    return '[secret digest]';
  }

  [inspect.custom](): string {
    return '[secret digest]';
  }
}
