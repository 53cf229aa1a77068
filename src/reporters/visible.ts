/**
 * Evidence must not drive the reader's terminal. A peer chooses its own identity and the
 * responder's log prints it, so a report of evidence can carry `ESC ] 0 ; … BEL` (set the
 * window title), `ESC [ 2 J` (clear the screen), a carriage return that overwrites the
 * line with something else, or a C1 CSI. Text, Markdown and the interactive view show
 * every such character visibly instead: `\x1b`, `\r`, `\n`, `\x9b` — so the whole escape
 * sequence is printed as harmless text. Tab stays. Bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) are shown as `\u202e` too: they reorder what is
 * displayed ("Trojan Source", CVE-2021-42574). HTML escapes on its own; JSON keeps the
 * exact value (JSON.stringify escapes C0 itself).
 */

// C0 except tab, DEL, C1, bidi overrides and isolates
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_NEWLINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every control character shown as an escape. `keepNewlines`: for excerpts that
 * are several lines by design (host probe output); a carriage return is still shown.
 */
export function visible(s: string, keepNewlines = false): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(keepNewlines ? UNSAFE_KEEP_NEWLINES : UNSAFE_ALL, escape);
}

/** Keys whose values are several lines by design (a host probe's output as its evidence). */
const MULTILINE_KEYS = new Set(['excerpt']);

/**
 * Every string in a Report (or any plain data: the UI's snapshot) made visible; the rest
 * unchanged. Objects and arrays without anything to change are returned as they are.
 */
export function visibleDeep<T>(value: T, key?: string): T {
  if (typeof value === 'string') return visible(value, key !== undefined && MULTILINE_KEYS.has(key)) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = visibleDeep(value[i], key);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const w = visibleDeep(v, k);
      if (w !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = w;
    }
    return (out ?? value) as T;
  }
  return value;
}
