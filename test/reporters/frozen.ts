/**
 * Golden tests render a frozen Report: the real pipeline's output on the lab's
 * real logs, saved as JSON next to the goldens. The checks evolve (new codes,
 * reworded messages) without touching the reporters; freezing the report keeps
 * the goldens about rendering. `UPDATE_FIXTURES=1` re-runs the pipeline and
 * rewrites the JSON (then `-u` rewrites the goldens); review both diffs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { runPipeline, FIXTURES } from './pipeline.js';

export const FROZEN = {
  'psk-mismatch': 'test/reporters/fixtures/lab-psk-mismatch-right.log',
  'udp500-dropped': 'test/reporters/fixtures/lab-udp500-dropped-left.log',
  healthy: 'test/reporters/fixtures/lab-healthy-left.log',
} as const;

export async function frozenReport(name: keyof typeof FROZEN): Promise<Report> {
  const file = join(FIXTURES, `${name}.report.json`);
  if (process.env.UPDATE_FIXTURES || !existsSync(file)) {
    const report = await runPipeline({ logs: [FROZEN[name]] });
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}
