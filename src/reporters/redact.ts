/**
 * `--redact`: a pure transform of a finished Report, applied before any reporter
 * or the UI sees it. Every address, identity, hostname, connection name, SPI and
 * input path gets one placeholder for the whole run — in messages, hints,
 * evidence excerpts, finding data, diagnostics, inputs and the ladder — so a
 * ticket still reads "192.0.2.1 sent AUTHENTICATION_FAILED to 192.0.2.2" and the
 * two logs of a run still line up. The mapping goes to a file only when asked.
 *
 * Two passes: first collect every token from every string (so a name learnt from
 * one input is hidden in all), then rewrite.
 */
import type { Report } from '../report/types.js';
import { maskSecrets } from '../report/secrets.js';
import {
  findTokens, isGenericAddress, isIpv4, isIpv6, IPV4_RE, IPV6_RE, SPI_BARE_RE, SPI_PREFIXED_RE, SPI_SUFFIXED_RE, type TokenKind,
} from '../report/redact-tokens.js';
import { Pseudonyms, normaliseV6, type RedactionMapping } from '../report/redact-pseudonyms.js';

export type { RedactionMapping } from '../report/redact-pseudonyms.js';

export interface RedactionResult {
  report: Report;
  /** placeholder → original, per category; write it only to a local file the user named */
  mapping: RedactionMapping;
}

/** Keys whose values are the report's own vocabulary, never site data. */
const VOCABULARY_KEYS = new Set(['schema', 'code', 'check', 'severity', 'status', 'kind', 'dialect', 'decoder', 'title', 'dir', 'role', 'exchange', 'impl', 'method', 'source_kind']);
/** Keys that hold an input's path (inputs[].path, Location.source, a lane's perspective). */
const PATH_KEYS = new Set(['path', 'source', 'perspective']);
/** finding data keys that hold identities / connection names / SPIs as bare values. */
const DATA_KEY_KIND: Array<[RegExp, TokenKind]> = [
  [/^spis?$|spi$/i, 'spi'],
  [/^(?:conn|connection|connName|child|childName)$/i, 'conn'],
  [/(?:^id$|Id$|^ids$|identity|^received$|^expected$|^sent$)/i, 'identity'],
];

export function redactReport(report: Report): RedactionResult {
  const tokens = new Map<string, TokenKind>();
  const originals = new Set<string>();
  const spis = new Set<string>();
  const paths = new Map<string, string>();
  for (const input of report.inputs) if (input.path && input.path !== '(stdin)') paths.set(input.path, input.kind);

  walk(report, (value, key) => {
    collectAddresses(value, originals);
    // any word of the inputs may look like a placeholder (swanctl's `id-1 = …`): never reuse one
    for (const w of value.match(/[\w.@-]+/g) ?? []) originals.add(w);
    if (key && PATH_KEYS.has(key)) return;
    for (const t of findTokens(value)) remember(tokens, t.kind, t.value);
    for (const m of value.matchAll(SPI_PREFIXED_RE)) spis.add(m[1].toLowerCase());
    for (const m of value.matchAll(SPI_SUFFIXED_RE)) spis.add(m[1].toLowerCase());
    if (/\bSPIs?\b/i.test(value)) for (const m of value.matchAll(SPI_BARE_RE)) if (/\d/.test(m[1])) spis.add(m[1].toLowerCase());
    if (key) {
      const kind = DATA_KEY_KIND.find(([re]) => re.test(key))?.[1];
      if (kind === 'spi') {
        for (const m of value.matchAll(SPI_BARE_RE)) spis.add(m[1].toLowerCase());
        for (const m of value.matchAll(SPI_SUFFIXED_RE)) spis.add(m[1].toLowerCase());
      } else if (kind && !isIpv4(value) && !isIpv6(value) && value.length <= 300) remember(tokens, kind, value);
    }
  }, undefined);
  for (const t of tokens.keys()) originals.add(t);
  for (const s of [...spis]) if (/^0+$/.test(s)) spis.delete(s);
  for (const s of spis) originals.add(s);

  const names = new Pseudonyms(originals);
  const literal = new TokenTrie(tokens);
  const pathList = [...paths.keys()].sort((a, b) => b.length - a.length);
  const placeholder = (m: string, kind: TokenKind) => (kind === 'host' ? names.host(m) : kind === 'conn' ? names.conn(m) : kind === 'spi' ? names.spi(m) : names.identity(m));

  const rewrite = (value: string, key: string | undefined): string => {
    if (key && PATH_KEYS.has(key) && paths.has(value)) return names.path(value, paths.get(value)!);
    let out = value;
    for (const p of pathList) if (out.includes(p)) out = out.split(p).join(names.path(p, paths.get(p)!));
    out = literal.replace(out, placeholder);
    out = redactAddresses(out, names);
    out = redactSpis(out, spis, names);
    return maskSecrets(out);
  };

  const redacted = transform(report, rewrite, undefined) as Report;
  // the tool's own name and version are not site data
  redacted.tool = { ...report.tool };
  redacted.schema = report.schema;
  return { report: redacted, mapping: names.mapping };
}

/** Every string of a report run through maskSecrets: the no-secrets guarantee holds with or without --redact. */
export function maskReportSecrets(report: Report): Report {
  return transform(report, (s) => maskSecrets(s), undefined) as Report;
}

/** A name seen both as a bare hostname and as an IKE identity is an identity (the ID is what the hint is about). */
function remember(tokens: Map<string, TokenKind>, kind: TokenKind, value: string): void {
  // an empty or one-character value (a Juniper kmd line's `traffic-selector-name=""` read as a name) would
  // match between every two characters of every string
  if (value.trim().length < 2) return;
  const known = tokens.get(value);
  if (!known || (known === 'host' && kind === 'identity')) tokens.set(value, kind);
}

function collectAddresses(value: string, into: Set<string>): void {
  // networks also as ADDR/LEN: private placeholders are checked against them (redact-pseudonyms.ts)
  for (const m of value.matchAll(IPV4_RE)) {
    into.add(m[1]);
    if (m[2] !== undefined) into.add(`${m[1]}/${m[2]}`);
  }
  for (const m of value.matchAll(IPV6_RE)) if (isIpv6(m[1])) into.add(normaliseV6(m[1]));
}

function redactAddresses(text: string, names: Pseudonyms): string {
  let out = text.replace(IPV4_RE, (whole, addr: string, len: string | undefined) => {
    if (!isIpv4(addr) || isGenericAddress(addr)) return whole;
    return names.ipv4(addr, len !== undefined ? Number(len) : undefined) + (len !== undefined ? `/${len}` : '');
  });
  out = out.replace(IPV6_RE, (whole, addr: string, len: string | undefined) => {
    if (!isIpv6(addr) || isGenericAddress(normaliseV6(addr))) return whole;
    // an IPv4 address already rewritten above sits inside ::ffff:a.b.c.d; keep the rewrite
    return names.ipv6(addr) + (len !== undefined ? `/${len}` : '');
  });
  return out;
}

function redactSpis(text: string, spis: ReadonlySet<string>, names: Pseudonyms): string {
  if (!spis.size) return text;
  // SPI 0 (IKE_SA_INIT's unknown responder SPI, RFC 7296 §3.1) says nothing about a site: keep it readable
  let out = text.replace(SPI_PREFIXED_RE, (whole, hex: string) => (spis.has(hex.toLowerCase()) ? `0x${names.spi(hex)}` : whole));
  out = out.replace(SPI_SUFFIXED_RE, (whole, hex: string, suffix: string) => (spis.has(hex.toLowerCase()) ? `${names.spi(hex)}${suffix}` : whole));
  out = out.replace(SPI_BARE_RE, (whole, hex: string) => (spis.has(hex.toLowerCase()) ? names.spi(hex) : whole));
  return out;
}

/**
 * Every token to hide, replaced in one left-to-right scan with a lookup per position:
 * at each position not glued to a word character on its left, the trie gives the longest
 * token that starts there and is not glued to one on its right (what one regular
 * expression of all tokens, longest first, matched; but that expression, thousands of
 * alternatives run over every string, made --redact quadratic: 512 KiB of ipsec.conf
 * took 52 s). The work per position is bounded by the longest token's length.
 */
export class TokenTrie {
  private readonly root: TrieNode = { next: new Map() };

  constructor(tokens: ReadonlyMap<string, TokenKind>) {
    for (const [token, kind] of tokens) {
      let node = this.root;
      for (let i = 0; i < token.length; i++) {
        const c = token.charCodeAt(i);
        let child = node.next.get(c);
        if (!child) node.next.set(c, (child = { next: new Map() }));
        node = child;
      }
      node.kind = kind;
    }
  }

  replace(text: string, placeholder: (token: string, kind: TokenKind) => string): string {
    if (!this.root.next.size) return text;
    let out = '';
    let copied = 0;
    const n = text.length;
    for (let i = 0; i < n; ) {
      if (i > 0 && isWordChar(text.charCodeAt(i - 1))) {
        i++;
        continue;
      }
      let node: TrieNode | undefined = this.root;
      let end = -1;
      let kind: TokenKind | undefined;
      for (let j = i; j < n; j++) {
        node = node.next.get(text.charCodeAt(j));
        if (!node) break;
        if (node.kind && (j + 1 === n || !isWordChar(text.charCodeAt(j + 1)))) {
          end = j + 1;
          kind = node.kind;
        }
      }
      if (end < 0 || !kind) {
        i++;
        continue;
      }
      out += text.slice(copied, i) + placeholder(text.slice(i, end), kind);
      copied = end;
      i = end;
    }
    return copied ? out + text.slice(copied) : text;
  }
}

interface TrieNode {
  next: Map<number, TrieNode>;
  kind?: TokenKind;
}

/** [A-Za-z0-9_]: what the token boundaries are not glued to. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function walk(v: unknown, visit: (s: string, key: string | undefined) => void, key: string | undefined): void {
  if (typeof v === 'string') {
    if (!key || !VOCABULARY_KEYS.has(key)) visit(v, key);
  } else if (Array.isArray(v)) {
    for (const x of v) walk(x, visit, key);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== 'tool') walk(x, visit, k);
  }
}

function transform(v: unknown, rewrite: (s: string, key: string | undefined) => string, key: string | undefined): unknown {
  if (typeof v === 'string') return key && VOCABULARY_KEYS.has(key) ? v : rewrite(v, key);
  if (Array.isArray(v)) return v.map((x) => transform(x, rewrite, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = k === 'tool' ? x : transform(x, rewrite, k);
    return out;
  }
  return v;
}
