import type { Diagnostic } from '../evidence/types.js';
import type { Implementation, LogEvent } from '../evidence/log-events.js';

/**
 * A log dialect turns one line at a time into LogEvents. Decoders are pure and
 * total: they never throw, whatever the line holds.
 */
export interface LogDialect {
  id: Implementation;
  /** human name for the inputs table: "strongSwan charon" */
  name: string;
  /**
   * How strongly these sample lines look like this dialect: the number of lines it
   * recognises by their prefix or body fingerprint. Used for auto-detection.
   */
  sniff(lines: readonly string[]): number;
  /** A decoder for one file; it may keep state across lines (e.g. the last packet seen). */
  createDecoder(source: string): LineDecoder;
}

export interface LineDecoder {
  /**
   * Decode one line. Returns undefined when the line is not this dialect's at all
   * (counted as unparsed), [] when it is but says nothing of interest, else events.
   */
  decode(line: string, lineNo: number): LogEvent[] | undefined;
  /**
   * Optional cheap pre-check on a line's raw bytes [start, end) of buf (no newline, no NUL,
   * not cut): true when the line is certainly this dialect's and `decode` would return []
   * for it; the decoder then records whatever the line teaches later lines, as `decode`
   * would. false: the line must go through `decode`. Never throws. (A busy log is mostly
   * such lines; deciding from the bytes spares a string per line — issue 21 §2.)
   */
  quietLine?(buf: Buffer, start: number, end: number, lineNo: number): boolean;
  /** Located diagnostics collected so far (malformed fields, …). */
  diagnostics?(): Diagnostic[];
}

/** Caps the excerpt kept with each event so a 16 KiB line does not bloat the report. */
export const MAX_EXCERPT_CHARS = 400;

export function excerptOf(line: string): string {
  const t = line.trim();
  return t.length > MAX_EXCERPT_CHARS ? t.slice(0, MAX_EXCERPT_CHARS) + '…' : t;
}
