/**
 * Finds the things `--redact` must hide in free text: addresses, identities,
 * hostnames, connection names and SPIs, in the shapes strongSwan, libreswan and
 * vendor logs print them (reference/log-signatures.md). Pure; no I/O.
 *
 * Over-redaction is the safe failure: a word that is also an identity gets a
 * placeholder everywhere. Wildcards (%any, 0.0.0.0/0, ::/0) say nothing about a
 * site and stay.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type TokenKind = 'identity' | 'host' | 'conn' | 'spi';

export interface FoundToken {
  kind: TokenKind;
  value: string;
}

/**
 * Not glued to another dotted number (a version like 1.2.3.4.5 is not an address);
 * charon's `A[idA]...B[idB]` puts three dots right before B, which is fine.
 */
export const IPV4_RE = /(?<!\d)(?<!\d\.)(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?!\.?\d)/g;
/** Candidates only: each is confirmed with isIPv6 (times like 10:20:30 and MACs are not). */
export const IPV6_RE = /(?<![\w:])(?<!\w\.)((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3}))(?:\/(\d{1,3}))?(?![\w:])/g;

/** Addresses that identify nothing: unspecified, loopback, broadcast. */
export function isGenericAddress(addr: string): boolean {
  if (isIPv4(addr)) return addr === '0.0.0.0' || addr === '255.255.255.255' || addr.startsWith('127.');
  return addr === '::' || addr === '::1';
}

export function isIpv4(s: string): boolean {
  return isIPv4(s);
}

export function isIpv6(s: string): boolean {
  return isIPv6(s);
}

/**
 * SPIs as daemons print them: 0x-prefixed 8/16 hex digits (pluto, ip xfrm),
 * charon's `c1234567_i` / `1234567890abcdef_r*` (with direction or initiator mark),
 * and bare 8/16 hex digits on lines that talk about SPIs.
 */
export const SPI_PREFIXED_RE = /(?<![\w])0x([0-9a-fA-F]{8}|[0-9a-fA-F]{16})(?![\w])/g;
export const SPI_SUFFIXED_RE = /(?<![\w])([0-9a-fA-F]{8}|[0-9a-fA-F]{16})(_[ior]\*?)(?![\w])/g;
export const SPI_BARE_RE = /(?<![\w:.])([0-9a-fA-F]{8}|[0-9a-fA-F]{16})(?![\w:.])/g;

const WILDCARD_IDS = new Set(['%any', '%any6', '%any4', '%fromcert', '%none', 'any', 'none', '(none)', 'myself', '%', '']);
/** Domains of the projects themselves, cited in hints; not a site's identity. */
const PUBLIC_DOMAINS = new Set(['strongswan.org', 'docs.strongswan.org', 'www.strongswan.org', 'libreswan.org', 'www.libreswan.org', 'datatracker.ietf.org', 'www.rfc-editor.org', 'github.com', 'example.com', 'example.net', 'example.org']);
/** Last labels that make a dotted word a file name, not a host. */
const FILE_EXTENSIONS = new Set([
  'log', 'txt', 'conf', 'secrets', 'pcap', 'pcapng', 'cap', 'gz', 'json', 'md', 'html', 'htm', 'ts', 'tsx', 'js', 'mjs', 'cjs', 'c', 'h', 'pem',
  'der', 'crt', 'cer', 'key', 'xml', 'yaml', 'yml', 'sh', 'py', 'service', 'socket', 'd', 'so', 'png', 'csv', 'pid', 'ctl', 'db', 'p12',
]);

/** Generic TLDs and the private suffixes sites use internally; two-letter labels count as country codes. */
const GENERIC_TLDS = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'io', 'local', 'lan', 'internal', 'intra', 'corp', 'home', 'localdomain', 'cloud', 'online', 'site', 'tech', 'dev', 'app', 'arpa', 'example', 'test', 'invalid']);
/** First labels of dotted config keys in strongSwan docs and hints. */
const CONFIG_SECTIONS = new Set(['local', 'remote', 'children', 'connections', 'secrets', 'pools', 'authorities', 'charon', 'charon-systemd', 'libstrongswan', 'swanctl', 'starter', 'conn', 'config', 'net', 'ipsec']);
const FQDN_RE = /(?<![\w.@-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z])(?![\w-]|\.\w)/g;
const EMAIL_RE = /(?<![\w.+-])([\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-])/g;
/** FQDN identity with the @ marker (strongSwan `@east`, libreswan `@west`); also inside `ike-@west@east`. */
const AT_ID_RE = /(?<![\w.+-])@([A-Za-z0-9][\w.-]*[A-Za-z0-9]|[A-Za-z0-9])(?![\w-])/g;
/** `addr[identity]` as charon prints endpoints: 192.1.2.45[west], …[C=CH, O=…, CN=moon]. */
const BRACKET_ID_RE = /(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+|%any6?)\[([^\]\[]{1,300})\]/g;
/** Distinguished names, quoted or not: `C=CA, ST=Ontario, O=Libreswan, CN=east, E=user@…`. */
const DN_RE = /\b((?:C|ST|L|O|OU|CN|E|emailAddress|DC|SN|GN|UID|serialNumber)=[^,;'"()\]\[=]+(?:,\s*(?:C|ST|L|O|OU|CN|E|emailAddress|DC|SN|GN|UID|serialNumber)=[^,;'"()\]\[=]+)+)/g;
const DN_VALUE_RE = /\b(?:CN|E|emailAddress|O|OU|DC|UID)=([^,;'"()\]\[=]+)/g;
const QUOTED_RE = /'([^'\n]{1,300})'|"([^"\n]{1,300})"/g;
/** charon `<conn|12>`, `IKE_SA conn[3]`, `CHILD_SA conn{7}`; pluto `"conn" #4:` and `"conn"[2] 1.2.3.4 #4:`. */
const CHARON_CONN_RES = [/<([^|<>\s]{1,100})\|\d+>/g, /\b(?:IKE_SA|CHILD_SA)\s+([^\s\[{]{1,100})[\[{]\d+[\]}]/g, /\bconn(?:ection)?\s+'([^'\n]{1,100})'/gi];
const PLUTO_CONN_RE = /"([^"\n]{1,100})"(?:\[\d+\])?(?:\s+\S+)?\s+#\d+:|\b(?:connection|conn)\s+"([^"\n]{1,100})"/g;
/** The host field of an RFC 3164 / RFC 5424 syslog prefix, before the program name. */
const SYSLOG_HOST_RE = /^(?:<\d+>\d?\s*)?(?:[A-Z][a-z]{2}\s+\d{1,2}\s+\d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)\s+([A-Za-z0-9][\w.-]{0,62})\s+[\w./-]+(?:\[\d+\])?:/;
/** Words that introduce an identity in quotes (charon, pluto). */
const ID_CONTEXT_RE = /(?:\bid\b|\bID\w*|identity|authentication of|shared keys? for|peer|does not match|matching|certificate|subject|issuer|IDi|IDr|-\s*$)[^'"]{0,40}$/i;

export function findTokens(text: string): FoundToken[] {
  const out: FoundToken[] = [];
  const add = (kind: TokenKind, raw: string | undefined) => {
    const value = raw?.trim();
    if (!value || value.length < 2 || WILDCARD_IDS.has(value.toLowerCase())) return;
    if (/^\d+$/.test(value) || isIPv4(value) || isIPv6(value)) return;
    if (kind !== 'spi' && /^0x[0-9a-f]+$/i.test(value)) return;
    out.push({ kind, value });
  };

  const syslog = SYSLOG_HOST_RE.exec(text);
  if (syslog) add('host', syslog[1]);
  for (const re of CHARON_CONN_RES) for (const m of text.matchAll(re)) add('conn', m[1]);
  for (const m of text.matchAll(PLUTO_CONN_RE)) add('conn', m[1] ?? m[2]);
  for (const m of text.matchAll(BRACKET_ID_RE)) add('identity', bracketId(m[1]));
  for (const m of text.matchAll(QUOTED_RE)) {
    const inner = m[1] ?? m[2];
    const before = text.slice(Math.max(0, (m.index ?? 0) - 48), m.index);
    if (/\bconn(?:ection)?\s*$/i.test(before)) add('conn', inner);
    else if (ID_CONTEXT_RE.test(before) && looksLikeIdentity(inner)) add('identity', inner);
  }
  // a DN ends where prose resumes: `…, C=CA; expected …`, `… E=a@b (checked by …)`
  for (const m of text.matchAll(DN_RE)) add('identity', m[1].trim());
  for (const m of text.matchAll(DN_VALUE_RE)) add(m[1].includes('@') || !m[1].includes('.') ? 'identity' : 'host', m[1]);
  for (const m of text.matchAll(EMAIL_RE)) add('identity', m[1]);
  for (const m of text.matchAll(AT_ID_RE)) add('identity', '@' + m[1]);
  for (const m of text.matchAll(FQDN_RE)) if (isHostName(m[1])) add('host', m[1]);
  return out;
}

function bracketId(inner: string): string | undefined {
  // charon prints ports in brackets too: 192.1.2.45[500]
  if (/^\d+$/.test(inner)) return undefined;
  return inner;
}

function looksLikeIdentity(s: string): boolean {
  if (s.includes('/') && !s.includes('=')) return false; // a path or a selector, not an ID
  // prose in quotes has several words and no ID punctuation
  if (/\s/.test(s) && !/[=@]/.test(s)) return s.split(/\s+/).length <= 2;
  return true;
}

export function isHostName(s: string): boolean {
  const lower = s.toLowerCase();
  if (PUBLIC_DOMAINS.has(lower)) return false;
  const labels = lower.split('.');
  if (labels.length < 2) return false;
  // swanctl/strongswan.conf keys in hints (`local.id`, `remote.id`, `charon.plugins.x`) are not hosts
  if (CONFIG_SECTIONS.has(labels[0])) return false;
  const last = labels[labels.length - 1];
  if (FILE_EXTENSIONS.has(last)) return false;
  // dotted config keys (charon.plugins.x, net.ipv4.ip_forward) do not end in a TLD
  return /^[a-z]{2}$/.test(last) || GENERIC_TLDS.has(last);
}
