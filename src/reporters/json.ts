import type { Reporter } from './types.js';

/** The ipsec-doctor.report/1 contract, never coloured. */
export const jsonReporter: Reporter = (report) => JSON.stringify(report, null, 2) + '\n';
