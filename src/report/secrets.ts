/**
 * Last line of defence: whatever a decoder or check put into a finding, these
 * patterns are masked before anything is rendered. Decoders must not keep secret
 * values in the first place; this catches the ones that slip through excerpts.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // ipsec.secrets: `A B : PSK "secret"` / `: PSK 0sBASE64` / `: XAUTH ...` / `: EAP ...`
  [/(:\s*(?:PSK|XAUTH|EAP|NTLM|PIN|P12|RSA|ECDSA|BLISS)\s+)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  // swanctl.conf secrets { ike-x { secret = ... } } and similar `secret = value`
  [/\b((?:secret|psk|pre-shared-key|preshared-key|passphrase|password|pre_shared_key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  // ip xfrm state: `auth-trunc hmac(sha256) 0x… 128`, `enc cbc(aes) 0x…`, `aead rfc4106(gcm(aes)) 0x… 128`
  [/(\b(?:auth|auth-trunc|enc|aead|comp)\s+\S+\s+)0x[0-9a-fA-F]{8,}/g, '$1<key masked>'],
  // nft/iptables never hold secrets; Nonces/KE printed by debug logging as long hex runs
  [/\b((?:nonce|Ni|Nr|KE|key|SKEYID\w*|SK_\w+|shared secret|DH secret)\s*(?:data)?\s*[=:]?\s*)(?:0x)?[0-9a-fA-F]{32,}/gi, '$1<masked>'],
];

export function maskSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
