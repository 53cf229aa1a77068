/**
 * Reports for reporter/UI tests come from the real pipeline (sources → decoders →
 * checks) run on real log lines, never from hand-built Report objects alone.
 */
import { fileURLToPath } from 'node:url';
import { diagnose, type RunOptions } from '../../src/run.js';
import type { Report } from '../../src/report/types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function runPipeline(files: { logs?: string[]; pcaps?: string[]; configs?: string[] }, extra: Partial<RunOptions> = {}): Promise<Report> {
  return diagnose({ logs: files.logs ?? [], pcaps: files.pcaps ?? [], configs: files.configs ?? [], host: false, local: [], peer: [], ...extra });
}
