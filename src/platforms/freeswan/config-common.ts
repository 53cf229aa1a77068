/**
 * What the config decoders (swanctl.conf, ipsec.conf, secrets) share: the include
 * callback the source provides (decoders stay pure: they never touch the file
 * system), duration parsing in both daemons' units, and secret-free excerpts.
 */
import type { Diagnostic, Location } from '../../evidence/types.js';
import type { Setting } from '../../evidence/config-types.js';

export interface IncludedFile {
  path: string;
  text: string;
}

/**
 * Resolves an `include` pattern (glob allowed) relative to the including file.
 * Returns the files in the order the daemon reads them (sorted), or an error line.
 */
export type IncludeResolver = (pattern: string, from: string) => { files: IncludedFile[]; error?: string };

export const MAX_INCLUDE_DEPTH = 8;
export const MAX_EXCERPT = 200;

/** Keys whose value is a secret in any of the syntaxes we read. */
const SECRET_KEY = /^(secret|pin|password|passphrase|psk|pre-?shared-?key|xauth_?pass(word)?)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.trim());
}

// a secret keyword inside a value: what a mangled line (a lost newline) turns `id = x\nsecret = y` into
const INLINE_SECRET = /(secret|pin|password|passphrase|psk|pre-?shared-?key)(\s*[=:]\s*)(.*)$/i;

/** Masks everything after a secret keyword that appears inside a value or line. */
export function maskInline(text: string): string {
  return text.replace(INLINE_SECRET, '$1$2<secret masked>');
}

/** A line as evidence: trimmed, capped, and with the value masked when the key is secret. */
export function configExcerpt(line: string, key?: string): string {
  let t = maskInline(line.trim());
  if (key && isSecretKey(key)) {
    const eq = t.indexOf('=');
    t = eq >= 0 ? `${t.slice(0, eq + 1)} <secret masked>` : `${key} <secret masked>`;
  }
  return t.length > MAX_EXCERPT ? t.slice(0, MAX_EXCERPT) + '…' : t;
}

/**
 * Durations as both daemons write them: a number with an optional unit
 * (strongSwan: s, m, h, d; libreswan also ms, w). Bare numbers are seconds.
 * Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?|w|weeks?)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 0.001 : unit.startsWith('s') ? 1 : unit.startsWith('m') ? 60 : unit.startsWith('h') ? 3600 : unit.startsWith('d') ? 86400 : 604800;
  const v = n * factor;
  return Number.isFinite(v) ? v : undefined;
}

/** `a, b c` → ['a','b','c']; swanctl lists take commas, libreswan `{a b}` takes spaces. */
export function splitList(text: string): string[] {
  return text
    .replace(/^\s*\{|\}\s*$/g, '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A default value, located at the section that leaves it unset. */
export function implicit<T>(value: T, at: Location, excerpt: string, key: string): Setting<T> {
  return { value, at, excerpt, implicit: true, key };
}

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private count = 0;
  constructor(private readonly decoder: string, private readonly max = 200) {}
  add(at: Location, message: string): void {
    this.count++;
    if (this.list.length < this.max) this.list.push({ at, decoder: this.decoder, message });
    else if (this.count === this.max + 1) this.list.push({ at: { source: at.source }, decoder: this.decoder, message: 'more diagnostics were dropped' });
  }
}
