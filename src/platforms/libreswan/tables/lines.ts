/**
 * Line handling shared by the libreswan table readers: the whack reply-code prefix,
 * the length bound, evidence excerpts and the empty table.
 */
import type { EvidenceRef } from '../../../evidence/types.js';
import type { SaTable, SaTableFormat } from '../../../evidence/sa-table-types.js';

/**
 * pluto formats each whack line in a LOG_WIDTH (1024-byte) buffer (include/lswlog.h in
 * 3.32 and 4.10, include/jambuf.h in 5.4), so no line of these tables is longer. Longer
 * lines are not pluto's: they are counted as unparsed without being looked into, which
 * also keeps each line's cost bounded.
 */
export const MAX_LINE = 4096;

const EXCERPT_MAX = 240;

/** How many of the first lines `sniff` looks at. */
export const SNIFF_LINES = 50;

/**
 * 3.x and 4.x whack print pluto's three-digit reply code before every line: `000 ` for
 * `--status`, `006 ` (RC_INFORMATIONAL_TRAFFIC) for `--trafficstatus`. 5.0 dropped it
 * (libreswan commits f3bcd1d301 "ipsec trafficstatus: drop RC_INFORMATIONAL_TRAFFIC
 * prefix aka 006" and 8cfd415211 "whack|addconn: don't print the prefix, ever", 2023-11).
 */
export function stripReplyCode(line: string): { code?: string; body: string } {
  if (line.length >= 4 && line[3] === ' ' && isDigit(line, 0) && isDigit(line, 1) && isDigit(line, 2)) {
    return { code: line.slice(0, 3), body: line.slice(4) };
  }
  return { body: line };
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The line without a CR left by CRLF files. */
export function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export function isBlank(s: string): boolean {
  return s.trim() === '';
}

export function excerpt(line: string): string {
  const t = line.trimEnd();
  return t.length > EXCERPT_MAX ? `${t.slice(0, EXCERPT_MAX)}…` : t;
}

export function evidenceAt(source: string, line: number, text: string): EvidenceRef {
  return { source, line, excerpt: excerpt(text) };
}

export function emptyTable(source: string, format: SaTableFormat): SaTable {
  return { source, format, platform: 'libreswan', ikeSas: [], childSas: [], policies: [], lines: 0, otherLines: 0, unparsed: 0 };
}

/** A decimal count as printed (`336`), or undefined when it is not one or would lose precision. */
export function parseCount(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** a line's shape to a sniffer: this format's own, harmless (blank, reply codes), or never printed by it */
export type Shape = 'own' | 'neutral' | 'foreign';

/**
 * How many of the first SNIFF_LINES lines `shape` calls this format's own, or 0 when
 * more than a few are foreign to it (at most 2, or a tenth): a console transcript or a
 * log that quotes some table lines among its own is not the table.
 */
export function sniffCount(lines: readonly string[], shape: (body: string, code: string | undefined) => Shape): number {
  let own = 0;
  let foreign = 0;
  const n = Math.min(lines.length, SNIFF_LINES);
  for (let i = 0; i < n; i++) {
    const text = withoutCr(lines[i]);
    if (text.length > MAX_LINE) {
      foreign++;
      continue;
    }
    const { code, body } = stripReplyCode(text);
    const s = shape(body, code);
    if (s === 'own') own++;
    else if (s === 'foreign') foreign++;
  }
  return foreign > Math.max(2, Math.floor(n / 10)) ? 0 : own;
}
