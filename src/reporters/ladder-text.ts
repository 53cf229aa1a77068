/**
 * The ladder as plain lines, for Markdown fences and the text report: one line per
 * step, the arrow showing who sent it, errors at the step that carried them.
 */
import type { Ladder, LadderStep } from '../evidence/derived/ladder/lane.js';
import { formatLocation } from './text.js';

export function stepArrow(s: LadderStep): string {
  if (s.dir === 'note') return s.kind === 'failure' ? '  ✖  ' : '  ●  ';
  if (s.kind === 'retransmit') return s.dir === 'out' ? ' ↻─▶ ' : ' ◀─↻ ';
  return s.dir === 'out' ? ' ──▶ ' : ' ◀── ';
}

/**
 * The step's time: seconds since the lane's first step where the source has sub-second precision
 * (captures, logs with milliseconds), else the log's own time of day — a log printed to the second
 * would otherwise show a precision it does not have (+0.000s for every step of one second).
 */
export function stepTime(s: LadderStep): string {
  if (s.time !== undefined && !/\d:\d\d[.,]\d/.test(s.time)) return /\d{1,2}:\d\d:\d\d/.exec(s.time)?.[0] ?? '';
  return s.t !== undefined ? `+${s.t.toFixed(s.t < 10 ? 3 : 1)}s` : '';
}

export function stepSuffix(s: LadderStep): string {
  const parts: string[] = [];
  if (s.retransmit?.sinceFirst !== undefined) parts.push(`${s.retransmit.sinceFirst} s after the first`);
  if (s.errors?.length) parts.push(`⚠ ${s.errors.join(', ')}`);
  if (s.pair !== undefined && s.role === 'request') parts.push(`answered at #${s.pair + 1}`);
  if (s.role === 'request' && s.pair === undefined && s.dir !== 'note') parts.push('no response seen');
  return parts.length ? `  (${parts.join('; ')})` : '';
}

export function ladderLines(lane: Ladder): string[] {
  const out: string[] = [];
  out.push(`${lane.local}  ⇄  ${lane.remote}   (→ = sent by ${lane.local})`);
  lane.steps.forEach((s, i) => {
    out.push(`${String(i + 1).padStart(3)} ${stepTime(s).padStart(9)}${stepArrow(s)}${s.label}${stepSuffix(s)}  [${formatLocation(s.at)}]`);
  });
  if (lane.omitted) out.push(`    … ${lane.omitted} more steps not shown`);
  for (const c of lane.esp) out.push(`    ESP ${c.spi} ${c.dir === 'out' ? `${lane.local} → ${lane.remote}` : `${lane.remote} → ${lane.local}`}: ${c.packets} packets${c.bytes !== undefined ? `, ${c.bytes} bytes` : ''}`);
  return out;
}
