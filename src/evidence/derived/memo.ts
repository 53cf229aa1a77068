import type { Evidence } from '../types.js';

/**
 * A derived view of the evidence, computed once per Evidence object and cached
 * (Lighthouse's computed artifacts). Checks share these instead of re-deriving.
 */
export function derived<T>(compute: (evidence: Evidence) => T): (evidence: Evidence) => T {
  const cache = new WeakMap<Evidence, T>();
  return (evidence) => {
    if (cache.has(evidence)) return cache.get(evidence) as T;
    const value = compute(evidence);
    cache.set(evidence, value);
    return value;
  };
}

/**
 * A derived view that reads nothing but the daemon logs (evidence.logEvents), cached per
 * log-events array: evidences that share their logs share it too — each analysis of a
 * live capture so far re-derives the packet views, not a 200 MB log's sessions.
 */
export function derivedFromLogs<T>(compute: (evidence: Evidence) => T): (evidence: Evidence) => T {
  const cache = new WeakMap<object, T>();
  return (evidence) => {
    const logs = evidence.logEvents;
    if (!logs) return compute(evidence);
    if (cache.has(logs)) return cache.get(logs) as T;
    const value = compute(evidence);
    cache.set(logs, value);
    return value;
  };
}
