import type { Reporter } from './types.js';
import { jsonReporter } from './json.js';
import { textReporter } from './text.js';
import { markdownReporter } from './markdown.js';
import { htmlReporter } from './html.js';
import { maskReportSecrets } from './redact.js';

/** Every reporter sees a report whose strings went through maskSecrets, whoever built it. */
const masked = (reporter: Reporter): Reporter => (report, opts) => reporter(maskReportSecrets(report), opts);

export const reporters: Record<string, Reporter> = {
  text: masked(textReporter),
  json: masked(jsonReporter),
  markdown: masked(markdownReporter),
  html: masked(htmlReporter),
};

export const FORMATS = Object.keys(reporters);
