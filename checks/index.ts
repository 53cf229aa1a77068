/**
 * The explicit, sorted registry of checks. A conventions test fails when a file in
 * checks/ is missing here, has no test, or its id differs from its file name.
 */
import type { Check } from '../src/engine/types.js';

export const allChecks: readonly Check[] = [];
