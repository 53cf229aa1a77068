import type { Report } from '../report/types.js';

export interface ReporterOptions {
  color: boolean;
}

/** Reporters are pure: a Report in, a string out (ESLint formatters). */
export type Reporter = (report: Report, opts: ReporterOptions) => string;
