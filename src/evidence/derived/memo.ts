import type { Evidence } from '../types.js';

/**
 * A derived view of the evidence, computed once per Evidence object and cached
 * (Lighthouse's computed artifacts). Checks share these instead of re-deriving.
 */
export function derived<T>(compute: (evidence: Evidence) => T): (evidence: Evidence) => T {
  return cachedBy((evidence) => evidence, compute);
}

/**
 * A derived view that reads nothing but the daemon logs (evidence.logEvents), cached per
 * log-events array: evidences that share their logs share it too — each analysis of a
 * live capture so far re-derives the packet views, not a 200 MB log's sessions.
 */
export function derivedFromLogs<T>(compute: (evidence: Evidence) => T): (evidence: Evidence) => T {
  return cachedBy((evidence) => evidence.logEvents, compute);
}

/** `compute` once per key object; without a key (no logs given) every time. */
function cachedBy<T>(keyOf: (evidence: Evidence) => object | undefined, compute: (evidence: Evidence) => T): (evidence: Evidence) => T {
  const cache = new WeakMap<object, T>();
  return (evidence) => {
    const key = keyOf(evidence);
    if (!key) return compute(evidence);
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute(evidence);
    cache.set(key, value);
    return value;
  };
}
