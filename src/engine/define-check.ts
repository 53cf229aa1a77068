import type { Check } from './types.js';

/** Identity helper that types a check (ESLint's `createRule` idea). */
export function defineCheck(check: Check): Check {
  return check;
}
