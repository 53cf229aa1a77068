/**
 * One finding per distinct fault, not per attempt: a daemon that retries a failing
 * negotiation every few seconds for a week logs the same failure thousands of times.
 * Occurrences with the same key collapse into one, counted, with the evidence of the
 * first and the latest occurrence.
 */
import type { EvidenceRef } from '../types.js';
import type { LogEvent } from '../log-events.js';
import { refsOf } from './log/sessions.js';

export interface Occurrence {
  /** what makes two occurrences the same fault (file, connection, code, the values named) */
  key: string;
  data: Record<string, unknown>;
  events: readonly (LogEvent | undefined)[];
}

export interface Aggregated {
  data: Record<string, unknown>;
  evidence: EvidenceRef[];
}

const MAX_SAS_LISTED = 10;

export function aggregate(occurrences: readonly Occurrence[]): Aggregated[] {
  const groups = new Map<string, Occurrence[]>();
  for (const o of occurrences) {
    const g = groups.get(o.key);
    if (g) g.push(o);
    else groups.set(o.key, [o]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0];
    const last = g[g.length - 1];
    const sas = [...new Set(g.map((o) => o.data.sa).filter((s): s is string => typeof s === 'string'))];
    return {
      data: { ...first.data, occurrences: g.length, ...(sas.length > 1 ? { sas: sas.slice(0, MAX_SAS_LISTED) } : {}) },
      evidence: refsOf(g.length > 1 ? [...first.events, ...last.events] : first.events),
    };
  });
}

/** Append to a list in a map without copying it (checks group thousands of events). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The first `max` of a list and how many more ("a, b, c and 5 more"), for a message naming many peers or flows. */
export function listedFirst(xs: readonly string[], max: number): string {
  return xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;
}
