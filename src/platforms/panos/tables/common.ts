/**
 * Pieces shared by the PAN-OS `show vpn …` readers: token tests for the fixed-width
 * tables (whose copies in documentation and forum posts keep the tokens but not the
 * column positions: the KB copies use single spaces or tabs, and a long name pushes
 * the next column right), the readings of SPIs and numbers, and the masking of
 * anything that looks like key material in excerpts.
 */
import type { EvidenceRef } from '../../../evidence/types.js';

/** PAN-OS never prints a table row this long (the widest, 11.0's ipsec-sa row, is ~270 chars). */
export const MAX_LINE = 4096;
/** A value the table does not print (PAN-OS `show vpn ipsec-sa` has no state column). */
export const NOT_PRINTED = '(not printed)';

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}$/;

export function isAddress(t: string | undefined): t is string {
  if (t === undefined) return false;
  if (IPV4.test(t)) return t.split('.').every((o) => Number(o) <= 255);
  return t.includes(':') && IPV6.test(t);
}

export const isInt = (t: string | undefined): t is string => t !== undefined && /^\d{1,15}$/.test(t);
export const isHex8 = (t: string | undefined): t is string => t !== undefined && /^[0-9A-Fa-f]{8}$/.test(t);
export const isHex = (t: string | undefined): t is string => t !== undefined && /^[0-9A-Fa-f]{1,16}$/.test(t);
export const isRole = (t: string | undefined): t is 'Init' | 'Resp' => t === 'Init' || t === 'Resp';

/** `Jun.04` `21:09:13`: PAN-OS prints Established/Expiration as month.day and time, no year. */
export function isDatePair(day: string | undefined, time: string | undefined): boolean {
  return day !== undefined && time !== undefined && /^[A-Z][a-z]{2}\.\d{1,2}$/.test(day) && /^\d{2}:\d{2}:\d{2}$/.test(time);
}

/** The table's role column. */
export function readRole(t: string | undefined): 'initiator' | 'responder' | undefined {
  return t === 'Init' ? 'initiator' : t === 'Resp' ? 'responder' : undefined;
}

/** An ESP/AH SPI as the model spells it: PAN-OS prints `FCAEE176`, the model `fcaee176`. */
export function readSpi(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  const s = t.replace(/^0x/i, '').toLowerCase();
  return /^[0-9a-f]{8}$/.test(s) ? s : undefined;
}

/** A counter as printed; undefined for anything that is not a safe whole number. */
export function readCount(t: string | undefined): number | undefined {
  if (t === undefined || !/^\d{1,16}$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Whitespace-separated tokens of one line (tabs in copied output are spaces too). */
export function tokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

/** One table line with its carriage return and surrounding blanks gone; single-spaced for header matching. */
export function normalised(text: string): string {
  return tokens(text).join(' ');
}

/**
 * Key material, should a paste carry any: PAN-OS spells a PSK `pre-shared-key key VALUE`
 * in `set` commands, a manual-key tunnel's keys `… key 0x…`; `secret: …`/`psk = …` and
 * long hex runs (32+ digits: more than an IKE SPI pair's 16:16) are keys or nonces.
 * These tables print none of them; the report masks again before rendering.
 */
const SECRETS: Array<[RegExp, string]> = [
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '-----BEGIN $1PRIVATE KEY----- <private key masked>'],
  [/\b((?:pre-shared-key|psk)\s+key\s+)(?!<)("[^"]*"|\S+)/gi, '$1<secret masked>'],
  [/\b((?:secret|psk|pre-shared-key|preshared-key|passphrase|password)\s*[:=]\s*)(?!<)("[^"]*"|'[^']*'|\S+)/gi, '$1<secret masked>'],
  [/\b((?:auth(?:entication)?|enc(?:ryption)?|integrity)[ -]key\s*[:=]?\s*)(?!<)(?:0x)?[0-9A-Fa-f]{8,}/gi, '$1<key masked>'],
  [/\b(?:0x)?[0-9A-Fa-f]{32,}\b/g, '<masked>'],
];

export function maskKeys(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRETS) out = out.replace(re, replacement);
  return out;
}

export function clip(s: string): string {
  const m = maskKeys(s);
  return m.length > 60 ? `${m.slice(0, 57)}...` : m;
}

/** Excerpts keep the line as printed, masked: these tables hold no keys, but a paste may carry a `set … pre-shared-key key …` line. */
export function refOf(source: string, line: number, text: string): EvidenceRef {
  const t = maskKeys(text.trim());
  return { source, line, excerpt: t.length > 240 ? `${t.slice(0, 239)}…` : t };
}
