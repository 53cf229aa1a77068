import type { Report } from '../report/types.js';

export interface ReporterOptions {
  color: boolean;
  /** -v: every info finding, every evidence line kept, every diagnostic (text, Markdown) */
  verbose?: boolean;
  /** -q: the verdict line only (text) */
  quiet?: boolean;
  /** wrap text at this many columns (a terminal's width); none when piped or written to a file */
  width?: number;
}

/** Reporters are pure: a Report in, a string out (ESLint formatters). */
export type Reporter = (report: Report, opts: ReporterOptions) => string;
