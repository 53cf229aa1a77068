import type { Reporter } from './types.js';
import { jsonReporter } from './json.js';
import { textReporter } from './text.js';

export const reporters: Record<string, Reporter> = {
  text: textReporter,
  json: jsonReporter,
};

export const FORMATS = Object.keys(reporters);
