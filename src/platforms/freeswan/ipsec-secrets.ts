/**
 * Secrets files — ipsec.secrets (strongSwan ipsec.secrets(5), libreswan
 * ipsec.secrets(5)) and swanctl.conf `secrets {}` — read only to know that a secret
 * exists, of which type and for which ids. The value is never kept: not in the
 * model, not in an excerpt, not in a diagnostic (diagnostics name the line only).
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { ConfigFacts, SecretEntry, SecretType } from '../../evidence/config-types.js';
import { SecretDigest } from '../../evidence/secret-digest.js';
import type { SettingsSection } from '../strongswan/swanctl-conf.js';
import { DiagnosticSink, MAX_EXCERPT, MAX_INCLUDE_DEPTH, type IncludeResolver } from './config-common.js';

const TYPES: Record<string, SecretType> = {
  PSK: 'PSK', EAP: 'EAP', XAUTH: 'XAUTH', NTLM: 'NTLM', RSA: 'RSA', ECDSA: 'ECDSA', BLISS: 'BLISS', P12: 'P12', PKCS8: 'PKCS8',
  PKCS12: 'PKCS12', PIN: 'PIN', PPK: 'PPK', PPKS: 'PPK', PRIVATE: 'PRIVATE',
};
// `selectors : TYPE value`; libreswan also takes `id: TYPE`. IPv6 selectors hold colons too, but
// never one followed by a type keyword and a blank (hex groups cannot spell PSK, RSA, EAP, …)
const ENTRY = new RegExp(`:\\s*(${Object.keys(TYPES).join('|')})(?=\\s|$)`, 'i');
// key types whose value names a file (plus an optional passphrase)
const FILE_TYPES = new Set<SecretType>(['RSA', 'ECDSA', 'BLISS', 'P12', 'PKCS8', 'PRIVATE']);

export function decodeIpsecSecrets(text: string, source: string, resolve?: IncludeResolver): { facts: ConfigFacts; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink('ipsec-secrets');
  const secrets: SecretEntry[] = [];
  const files = [source];
  readSecretsText(text, source, resolve, sink, secrets, files, 0);
  return { facts: { source, type: 'ipsec.secrets', dialect: 'strongswan', files, connections: [], secrets }, diagnostics: sink.list };
}

function readSecretsText(text: string, source: string, resolve: IncludeResolver | undefined, sink: DiagnosticSink, out: SecretEntry[], files: string[], depth: number): void {
  const lines = text.split('\n');
  let inBlock = false;
  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx].replace(/\r$/, '');
    const no = idx + 1;
    const at = { source, line: no };
    // continuation lines (start with blank) belong to the previous entry: an inline
    // libreswan RSA key `{ … }` or a long value. Never looked at beyond the braces.
    if (/^\s/.test(raw) || inBlock) {
      if (inBlock && raw.includes('}')) inBlock = false;
      continue;
    }
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const inc = /^include\s+(\S+)/.exec(line);
    if (inc) {
      if (!resolve) sink.add(at, `include ${inc[1]} not followed (no file access)`);
      else if (depth >= MAX_INCLUDE_DEPTH) sink.add(at, `include ${inc[1]} not followed: more than ${MAX_INCLUDE_DEPTH} levels deep`);
      else {
        const r = resolve(inc[1], source);
        if (r.error) sink.add(at, `include ${inc[1]}: ${r.error}`);
        for (const f of r.files) {
          if (!files.includes(f.path)) files.push(f.path);
          readSecretsText(f.text, f.path, resolve, sink, out, files, depth + 1);
        }
      }
      continue;
    }
    const m = ENTRY.exec(line);
    if (!m) {
      // the line may hold a secret we cannot place: say where, never what
      sink.add(at, 'not a secrets entry ([ids] : TYPE value); line skipped');
      continue;
    }
    const selectors = line.slice(0, m.index).trim();
    const type = TYPES[m[1].toUpperCase()];
    const rest = line.slice(m.index + m[0].length).trim();
    if (rest.startsWith('{') && !rest.includes('}')) inBlock = true;
    const entry: SecretEntry = { type, ids: splitSelectors(selectors), at, excerpt: '' };
    let shown = '<secret masked>';
    if (FILE_TYPES.has(type) && rest && !rest.startsWith('{')) {
      const file = /^("[^"]*"|\S+)/.exec(rest)?.[1]?.replace(/^"|"$/g, '');
      if (file && !/^0[sx]/i.test(file)) {
        entry.file = file;
        shown = rest.length > file.length + 2 ? `${file} <passphrase masked>` : file;
      }
    }
    if (!FILE_TYPES.has(type)) {
      const written = writtenSecret(rest);
      if (written !== undefined) entry.digest = SecretDigest.of(written);
    }
    const ex = `${selectors ? selectors + ' ' : ''}: ${m[1]} ${shown}`;
    entry.excerpt = ex.length > MAX_EXCERPT ? ex.slice(0, MAX_EXCERPT) + '…' : ex;
    out.push(entry);
  }
}

/**
 * The value of `: PSK "…"` as the daemon reads it: double or single quoted (strongSwan
 * ipsec.secrets(5), libreswan ipsec.secrets(5)), or one token (`0x…` hex, `0s…` base64).
 * Undefined for a quote left open: that line is a mangled entry, not a key to compare.
 */
function writtenSecret(rest: string): string | undefined {
  const q = rest[0];
  if (q === '"' || q === "'") {
    const end = rest.indexOf(q, 1);
    return end === -1 ? undefined : rest.slice(1, end);
  }
  const token = /^\S+/.exec(rest)?.[0];
  return token && token !== '{' ? token : undefined;
}

/** `@west @east`, `"C=CH, O=x" %any`: whitespace separated, double quotes group. */
function splitSelectors(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]);
  return out;
}

/**
 * An id is one token or a DN; anything else is a mangled line (a lost newline can
 * fuse `secret = …` into the id before it), so it is not kept.
 */
function plausibleId(v: string): string {
  if (/^\S+$/.test(v)) return v;
  if (/^[A-Za-z.0-9-]+=[^,=]*(,\s*[A-Za-z.0-9-]+=[^,=]*)*$/.test(v)) return v;
  return '<unreadable id>';
}

const SWANCTL_TYPES: Array<[RegExp, SecretType]> = [
  [/^ike/, 'PSK'], [/^eap/, 'EAP'], [/^xauth/, 'XAUTH'], [/^ntlm/, 'NTLM'], [/^ppk/, 'PPK'], [/^private/, 'PRIVATE'],
  [/^rsa/, 'RSA'], [/^ecdsa/, 'ECDSA'], [/^pkcs8/, 'PKCS8'], [/^pkcs12/, 'PKCS12'], [/^token/, 'TOKEN'],
];

/** swanctl.conf `secrets { ike-x { id-a = …, secret = … } }` (swanctl.opt secrets.*). */
export function secretsFromSwanctl(sec: SettingsSection): SecretEntry[] {
  const out: SecretEntry[] = [];
  for (const [name, s] of sec.sections) {
    const type = SWANCTL_TYPES.find(([re]) => re.test(name))?.[1] ?? 'UNKNOWN';
    const ids = [...s.values.entries()].filter(([k]) => /^id($|[-_\w])/.test(k)).map(([, v]) => plausibleId(v.value));
    const file = s.values.get('file')?.value;
    const digest = s.values.get('secret')?.digest;
    out.push({ type, ids, at: s.at, excerpt: `${name} { ${ids.map((id) => `id = ${id}`).join(', ')}${ids.length ? ', ' : ''}secret = <secret masked> }`, file, ...(digest ? { digest } : {}) });
  }
  return out;
}
