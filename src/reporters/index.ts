import type { Reporter } from './types.js';
import { jsonReporter } from './json.js';
import { textReporter } from './text.js';
import { markdownReporter } from './markdown.js';
import { htmlReporter } from './html.js';
import { maskReportSecrets } from './redact.js';
import { visibleDeep } from './visible.js';

/** Every reporter sees a report whose strings went through maskSecrets, whoever built it. */
const masked = (reporter: Reporter): Reporter => (report, opts) => reporter(maskReportSecrets(report), opts);

/**
 * Text and Markdown are read on a terminal (or pasted into a ticket from one): control
 * characters from the evidence are shown as escapes, never passed through (visible.ts).
 * JSON keeps the exact values; HTML escapes them itself.
 */
const shownVisibly = (reporter: Reporter): Reporter => (report, opts) => reporter(visibleDeep(report), opts);

export const reporters: Record<string, Reporter> = {
  text: masked(shownVisibly(textReporter)),
  json: masked(jsonReporter),
  markdown: masked(shownVisibly(markdownReporter)),
  html: masked(htmlReporter),
};

export const FORMATS = Object.keys(reporters);
