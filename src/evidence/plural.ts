/**
 * Numbers and counts as a person reads them, for every layer that writes prose: templates
 * (src/engine/template.ts), reporters, and the diagnostics of sources, platforms and the wire.
 */

/**
 * A measured number as a person reads it: whole numbers as they are, others to one decimal
 * from 1 up (1.5022820234298706 s → 1.5 s), two significant digits below 1 (0.0345 → 0.035).
 * The exact value stays in the finding's data.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const rounded = Math.abs(v) >= 1 ? Math.round(v * 10) / 10 : Number(v.toPrecision(2));
  return String(rounded);
}

/** "1 line", "2 lines": a count with its word, for prose built outside templates (reporters, diagnostics). */
export function counted(n: number, one: string, other: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : other}`;
}
