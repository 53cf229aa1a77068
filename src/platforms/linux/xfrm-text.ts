/**
 * Text helpers shared by the `ip xfrm state` and `ip xfrm policy` readers: key masking,
 * excerpts, address checks, iproute2's one-line mode and selector words.
 */
import type { EvidenceRef } from '../../evidence/types.js';
import type { SaTableFormat, SaTableRead, SaTableReader } from '../../evidence/sa-table-types.js';

/**
 * The mask that replaces a key, as src/report/secrets.ts writes it for xfrm keys
 * (`enc cbc(aes) <key masked>`). iproute2 prints every key as `0x` and its bytes in hex
 * (ip/ipxfrm.c __xfrm_algo_print), right after the algorithm name.
 */
export const KEY_MASK = '<key masked>';

/** A key after an algorithm name, whatever its length (an 8-byte DES key is 16 digits, a truncated paste fewer). */
const ALGO_KEY = /(\b(?:auth|auth-trunc|enc|aead|comp)\s+\S{1,200}\s+)0x[0-9a-f]*/gi;
/**
 * Any other long hex run: SPIs, reqids, marks and bitmap words are at most 8 digits,
 * so 16+ is key material — with its `0x`, or without it but with a letter (a pasted
 * key that lost its prefix; a long decimal number is a counter, not a key).
 */
const LONG_HEX = /0x[0-9a-f]{16,}|(?<![0-9a-f])(?=[0-9a-f]*[a-f])[0-9a-f]{16,}(?![0-9a-f])/gi;

export function maskKeys(text: string): string {
  return text.replace(ALGO_KEY, `$1${KEY_MASK}`).replace(LONG_HEX, KEY_MASK);
}

/** Excerpts are cut like the log readers' (400 characters), after masking so a cut never leaves half a key. */
export const MAX_EXCERPT_CHARS = 400;

export function excerpt(text: string): string {
  const masked = maskKeys(text.trim());
  return masked.length > MAX_EXCERPT_CHARS ? `${masked.slice(0, MAX_EXCERPT_CHARS)}…` : masked;
}

export function ref(source: string, line: number, text: string): EvidenceRef {
  return { source, line, excerpt: excerpt(text) };
}

const V4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const V6_GROUP = /^[0-9a-f]{0,4}$/i;

/** An address as rt_addr_n2a prints it (IPv4 dotted quad, IPv6 text form); nothing else is taken as one. */
export function isAddress(s: string): boolean {
  if (V4.test(s)) return true;
  if (s.length > 45 || !s.includes(':')) return false;
  const groups = s.split(':');
  if (groups.length < 3 || groups.length > 9) return false;
  const last = groups[groups.length - 1];
  if (last.includes('.')) {
    if (!V4.test(last)) return false;
    groups.pop();
  }
  return groups.every((g) => V6_GROUP.test(g));
}

/** `10.1.0.0/24`, `::/0`: selectors are always printed with their prefix length (ipxfrm.c xfrm_selector_print). */
export function isPrefix(s: string): boolean {
  const slash = s.indexOf('/');
  return slash > 0 && isAddress(s.slice(0, slash)) && /^\d{1,3}$/.test(s.slice(slash + 1));
}

/**
 * `ip -o xfrm …` prints each entry on one line, with `\` where the newlines were
 * (ip/ip.c sets _SL_ to "\\" in one-line mode). Splitting there gives the lines of
 * the normal output back; they all keep the physical line's number.
 */
export function oneLineSegments(raw: string): string[] {
  return raw.includes('\\') && /^\s*src\s/.test(raw) ? raw.split('\\') : [raw];
}

/** One input line, without its CR (a file saved on Windows) and trailing blanks. */
export function clean(raw: string): string {
  return raw.replace(/\r$/, '').trimEnd();
}

/** The words after `src A/N dst B/N` (ipxfrm.c xfrm_selector_print): upper protocol, ports or ICMP type/code, GRE key, device, uid. */
export interface SelectorWords {
  proto?: string;
  sport?: string;
  dport?: string;
  type?: string;
  code?: string;
  /** the words as printed, without `uid N` (only `-s` prints it, and it is the same for every policy) */
  upper?: string;
}

const SELECTOR_KEYS = new Set(['proto', 'sport', 'dport', 'type', 'code', 'key', 'dev', 'uid']);

/** Reads the selector words; undefined when a word is not one iproute2 prints there. */
export function selectorWords(words: readonly string[]): SelectorWords | undefined {
  const out: SelectorWords = {};
  const kept: string[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const k = words[i];
    const v = words[i + 1];
    // IPPROTO_MH with -s prints `(dport) 0x%.4x`: a word pair of its own
    if (k === '(dport)' && v !== undefined) continue;
    if (!SELECTOR_KEYS.has(k) || v === undefined || v.length > 64) return undefined;
    if (k === 'uid') continue;
    if (k === 'proto' || k === 'sport' || k === 'dport' || k === 'type' || k === 'code') out[k] = v;
    kept.push(k, v);
  }
  if (kept.length > 0) out.upper = maskKeys(kept.join(' '));
  return out;
}

/**
 * A traffic selector in the neutral model's notation (`10.1.0.0/24[tcp/443]`): the
 * protocol, and the port on that side. The kernel keeps an ICMP type in the source
 * port and its code in the destination port (ipxfrm.c: "type/code is stored at
 * sport/dport in selector"), so they land on the same sides.
 */
export function trafficSelector(prefix: string, w: SelectorWords, side: 'src' | 'dst'): string {
  if (!w.proto) return prefix;
  const port = side === 'src' ? (w.sport ?? w.type) : (w.dport ?? w.code);
  return maskKeys(port === undefined ? `${prefix}[${w.proto}]` : `${prefix}[${w.proto}/${port}]`);
}

export type Protocol = 'esp' | 'ah' | 'ipcomp';
export type Mode = 'tunnel' | 'transport' | 'beet';

/** strxf_xfrmproto names; `route2`/`hao` (Mobile IPv6) are not IPsec and have no place in the model. */
export function protocolOf(name: string): Protocol | undefined {
  return name === 'esp' || name === 'ah' ? name : name === 'comp' ? 'ipcomp' : undefined;
}

/** xfrm_id_info_print modes; `ro` and `in_trigger` (Mobile IPv6) have no place in the model. */
export function modeOf(name: string): Mode | undefined {
  return name === 'tunnel' || name === 'transport' || name === 'beet' ? name : undefined;
}

/**
 * The `proto esp spi 0x… reqid N mode M` line (xfrm_id_info_print), for states and
 * templates alike. With `-s` the SPI and reqid carry their other base in brackets:
 * `spi 0xc1a00001(3248488449) reqid 1(0x00000001)`. A template prints its SPI only
 * when it is set or with `-s` (then `spi 0x00000000(0)`).
 */
const ID_LINE = /^proto (\S+) (?:spi (\S+?)(?:\(\d+\))? )?reqid (\d+)(?:\(0x[0-9a-f]+\))? mode (\S+)$/i;

export interface IdLine {
  proto: string;
  /** the SPI as printed after `spi`, when printed */
  spiText?: string;
  /** lower-case 8 hex digits, when the printed SPI is one */
  spi?: string;
  reqid: number;
  mode: string;
}

export function idLine(t: string): IdLine | undefined {
  const m = ID_LINE.exec(t);
  if (!m) return undefined;
  const spi = m[2] !== undefined && /^0x[0-9a-f]{8}$/i.test(m[2]) ? m[2].slice(2).toLowerCase() : undefined;
  return { proto: m[1], spiText: m[2], spi, reqid: Number(m[3]), mode: m[4] };
}

/** Lines of the `-s` lifetime block (xfrm_lifetime_print), the same for states and policies. */
export const LIFETIME_LINE = /^(?:lifetime config:|lifetime current:|limit: soft \S+, hard \S+|expire (?:add|use): soft \d+\(sec\), hard \d+\(sec\)|add (?:-|\S+ \S+|invalid-time) use (?:-|\S+ \S+|invalid-time))$/;

/** `84(bytes), 1(packets)` under `lifetime current:` */
export const CURRENT_LINE = /^(\d+)\(bytes\), (\d+)\(packets\)$/;

/** Attribute lines printed for states and policies alike (ipxfrm.c xfrm_xfrma_print) that the model has no place for. */
export const XFRMA_OTHER_LINE = /^(?:mark 0x[0-9a-f]+\/0x[0-9a-f]+.*|output-mark \S+|if_id 0x[0-9a-f]+|tfcpad \d+|coa \S+|security context .*|crypto offload parameters: .*|pcpu-num \d+|hard \d+|\(ERROR .*\))$/i;

/** What the state and policy parsers share: fed one line at a time, finished, then read. */
export interface LineParser {
  lines: number;
  unparsed: number;
  /** entries whose header and id line were both seen: the format is unmistakable */
  proven: number;
  feed(line: string): void;
  finish(): void;
  result(): SaTableRead;
}

const SNIFF_LINES = 50;

/**
 * A SaTableReader around a line parser. sniff(): unmistakable when an entry was proven and
 * most non-blank lines of the first 50 are this format's. read(): every line, never throws —
 * only an input iterable that throws can interrupt it, and then what was read is kept.
 */
export function parserReader(format: SaTableFormat, name: string, decoder: string, create: (source: string) => LineParser): SaTableReader {
  return {
    format,
    name,
    sniff(lines) {
      try {
        const window = lines.slice(0, SNIFF_LINES);
        const p = create('(sniff)');
        for (const l of window) p.feed(l);
        p.finish();
        const blank = window.filter((l) => l.trim() === '').length;
        const ours = p.lines - p.unparsed - blank;
        return p.proven > 0 && ours * 2 > p.lines - blank ? ours : 0;
      } catch {
        return 0;
      }
    },
    read(lines, source) {
      const p = create(source);
      try {
        for (const l of lines) p.feed(typeof l === 'string' ? l : String(l));
      } catch (err) {
        const r = p.result();
        return { table: r.table, diagnostics: [...r.diagnostics, { at: { source }, decoder, message: `input ended with an error: ${maskKeys(String(err)).slice(0, 200)}` }] };
      }
      return p.result();
    },
  };
}
