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
