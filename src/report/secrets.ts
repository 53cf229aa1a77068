/**
 * Last line of defence: whatever a decoder or check put into a finding, these
 * patterns are masked before anything is rendered. Decoders must not keep secret
 * values in the first place; this catches the ones that slip through excerpts.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // PEM private keys pasted into configs or excerpts (whole block, or up to the end of the text)
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '-----BEGIN $1PRIVATE KEY----- <private key masked>'],
  // ipsec.secrets: `A B : PSK "secret"` / `: PSK 0sBASE64` / `: XAUTH ...` / `: EAP ...`; (?!<) keeps a second pass idempotent
  [/(:\s*(?:PSK|XAUTH|EAP|NTLM|PIN|P12|RSA|ECDSA|BLISS)\s+)(?!<)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  // swanctl.conf secrets { ike-x { secret = ... } } and similar `secret = value`
  [/\b((?:secret|psk|pre-shared-key|preshared-key|passphrase|password|pre_shared_key)\s*=\s*)(?!<)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  // `psk: value` only when the value looks like one (quoted, 0x/0s encoded): hints say "For PSK: make the secret identical"
  [/\b((?:secret|psk|pre-shared-key|preshared-key|passphrase|password|pre_shared_key)\s*:\s*)("[^"]*"?|'[^']*'?|0[xs][0-9A-Za-z+/=]{4,})/gi, '$1<secret masked>'],
  // PAN-OS set commands: `… authentication pre-shared-key key VALUE` (the stored -AQ== form or a typed one)
  [/(\bpre-shared-key\s+key\s+)(?!<)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  // PAN-OS XML: <pre-shared-key><key>VALUE</key></pre-shared-key>, also on one line, and any <key>…</key> in XML
  [/(<key>)(?!<)[^<]*(<\/key>)/gi, '$1<secret masked>$2'],
  // ip xfrm state: `auth-trunc hmac(sha256) 0x… 128`, `enc cbc(aes) 0x…`, `aead rfc4106(gcm(aes)) 0x… 128`
  [/(\b(?:auth|auth-trunc|enc|aead|comp)\s+\S+\s+)0x[0-9a-fA-F]{8,}/g, '$1<key masked>'],
  // nft/iptables never hold secrets; Nonces/KE printed by debug logging as long hex runs
  [/\b((?:nonce|Ni|Nr|KE|key|SKEYID\w*|SK_\w+|shared secret|DH secret)\s*(?:data)?\s*[=:]?\s*)(?:0x)?[0-9a-fA-F]{32,}/gi, '$1<masked>'],
  // pluto debug dumps bytes spaced: `| Ni 5c 2a 1b …`, `| keyex value 12 34 …`, `| DH secret …`, `| SKEYSEED …`
  [/\b((?:nonce|Ni|Nr|KE|keyex value|ke value|g\^xy?|shared secret|DH secret|SKEYSEED|SKEYID\w*|SK_\w+|key(?:mat)?)\b[^0-9a-fA-F\n]{0,12})(?:[0-9a-fA-F]{2}[ :]){7,}[0-9a-fA-F]{2}\b/gi, '$1<masked>'],
  // charon hex dumps (`   0: 5D 95 0E …  ]...`) follow "Nonce =>", "DH secret =>" lines: no diagnosis needs their bytes
  [/^(\s*\d+:\s+)(?:[0-9A-F]{2} ){4,}[0-9A-F]{2}\b.*$/gm, '$1<hex dump masked>'],
];

export function maskSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
