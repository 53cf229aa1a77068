/**
 * Pieces shared by the strongSwan SA-table readers (swanctl --list-sas, its --raw /
 * --pretty dump, and the stroke `ipsec statusall`): the table skeleton with its line
 * accounting, located diagnostics, and the readings of numbers, SPIs and states that
 * all three formats print the same way.
 */
import type { SaTable, SaTableFormat, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { Diagnostic, EvidenceRef } from '../../../evidence/types.js';

/**
 * A table under construction. Every input line ends up in exactly one bucket:
 * `used` (it carries an SA's facts) + otherLines + unparsed = lines.
 */
export class TableBuilder {
  readonly table: SaTable;
  readonly diagnostics: Diagnostic[] = [];
  used = 0;

  constructor(
    readonly source: string,
    format: SaTableFormat,
    readonly decoder: string,
  ) {
    this.table = { source, format, platform: 'strongswan', ikeSas: [], childSas: [], policies: [], lines: 0, otherLines: 0, unparsed: 0 };
  }

  ref(line: number, text: string): EvidenceRef {
    return { source: this.source, line, excerpt: text.trim() };
  }

  diagnose(line: number, message: string): void {
    this.diagnostics.push({ at: { source: this.source, line }, decoder: this.decoder, message });
  }

  addIke(ike: TableIkeSa): number {
    this.table.ikeSas.push(ike);
    return this.table.ikeSas.length - 1;
  }

  addChild(child: TableChildSa): TableChildSa {
    this.table.childSas.push(child);
    return child;
  }
}

/** The printed placeholder for a missing value: glibc prints a NULL `%s` argument as "(null)". */
export const NULL_TEXT = '(null)';

/**
 * A non-negative decimal counter as printed (bytes, packets, reqid). undefined for
 * "(null)" (not printed); `bad` is set when something else stands there.
 */
export function readCount(text: string | undefined): { value?: number; bad?: boolean } {
  if (text === undefined || text === NULL_TEXT || text === '') return {};
  if (!/^\d{1,20}$/.test(text)) return { bad: true };
  const value = Number(text);
  // uint64 counters above 2^53 would be rounded: say so instead of recording a wrong number
  if (!Number.isSafeInteger(value)) return { bad: true };
  return { value };
}

/** A signed number of seconds (vici's rekey-time/life-time go negative once overdue). */
export function readSeconds(text: string | undefined): { value?: number; bad?: boolean } {
  if (text === undefined || text === NULL_TEXT || text === '') return {};
  if (!/^-?\d{1,15}$/.test(text)) return { bad: true };
  return { value: Number(text) };
}

/**
 * An ESP/AH SPI as printed (`%.8x`): lower-case, 8 hex digits, no 0x. undefined when
 * it is not one (the caller says so when that matters).
 */
export function readSpi(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{8}$/.test(t) ? t : undefined;
}

/** An IKE SPI (`%.16"PRIx64`): 16 hex digits, lower-case. */
export function readIkeSpi(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{16}$/.test(t) ? t : undefined;
}

/**
 * IKE_SA states (libcharon/sa/ike_sa.h): CREATED, CONNECTING, ESTABLISHED, PASSIVE,
 * REKEYING, REKEYED, DELETING, DESTROYING. "Up" is ESTABLISHED and REKEYING: a
 * REKEYING IKE_SA is the established one while its successor is negotiated; a REKEYED
 * one has been replaced (or is a redundant duplicate) and is on its way out.
 */
export function ikeStateIsUp(state: string): boolean {
  return state === 'ESTABLISHED' || state === 'REKEYING';
}

/**
 * CHILD_SA states (libcharon/sa/child_sa.h). vici lists SPIs and counters for
 * INSTALLED, REKEYING, REKEYED, DELETING and DELETED (vici_query.c list_child, 5.9).
 * Of these, INSTALLED, UPDATING (MOBIKE address update of an installed SA), REKEYING
 * and REKEYED carry traffic: a REKEYED CHILD_SA "stays installed" until its successor
 * takes over. DELETING/DELETED SAs are being torn down (child_delete.c removes the
 * outbound SA first and keeps only the inbound one for late packets), so not counted.
 */
export function childStateIsInstalled(state: string): boolean {
  return state === 'INSTALLED' || state === 'UPDATING' || state === 'REKEYING' || state === 'REKEYED';
}

/** IPsec mode as printed (ipsec_types.c ipsec_mode_names, plus `_PROXY` for transport proxy mode). */
export function readMode(text: string): 'tunnel' | 'transport' | 'beet' | undefined {
  switch (text) {
    case 'TUNNEL':
      return 'tunnel';
    case 'TRANSPORT':
    case 'TRANSPORT_PROXY':
      return 'transport';
    case 'BEET':
      return 'beet';
    default:
      // PASS/DROP are shunts, not SAs; anything else is not a mode this model knows
      return undefined;
  }
}

/** protocol_id_names: ESP, AH (IPComp rides on ESP/AH with a CPI; it is never the SA's protocol here). */
export function readProtocol(text: string | undefined): 'esp' | 'ah' | undefined {
  if (text === 'ESP') return 'esp';
  if (text === 'AH') return 'ah';
  return undefined;
}

/**
 * Splits `text` on single spaces that are outside square brackets, so that a
 * traffic selector such as `10.2.1.0/24[tcp/https]` stays whole.
 */
export function splitOutsideBrackets(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if ((c === ' ' || c === '\t') && depth === 0) {
      if (i > start) out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.length > start) out.push(text.slice(start));
  return out;
}

/** Traffic selectors as printed on one line; "(null)" (nothing printed) gives none. */
export function readSelectors(text: string): string[] {
  return splitOutsideBrackets(text.trim()).filter((ts) => ts !== NULL_TEXT);
}


/** How many of the first 50 lines match one of a format's own line shapes (a pasted `\r` ignored): the sniff score. */
export function sniffScore(lines: readonly string[], shapes: readonly RegExp[]): number {
  let n = 0;
  for (const line of lines.slice(0, 50)) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (shapes.some((re) => re.test(l))) n++;
  }
  return n;
}
