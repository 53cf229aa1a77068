/**
 * Runs log lines through the real pipeline (source → dialect detection → decoder →
 * checks) the way `ipsec-doctor --log` does, from a temporary file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnose } from '../../src/run.js';
import type { Report } from '../../src/report/types.js';
import type { Finding } from '../../src/engine/types.js';

export interface LogInput {
  /** file name as it appears in evidence (e.g. responder.log) */
  name: string;
  lines: readonly string[];
}

/** Diagnose one or more logs given as lines; `only` limits the checks that run. */
export async function diagnoseLines(inputs: LogInput | LogInput[], opts: { only?: string[]; dialect?: string } = {}): Promise<Report> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-test-'));
  try {
    const paths = list.map((input) => {
      const p = join(dir, input.name);
      writeFileSync(p, input.lines.join('\n') + '\n');
      return p;
    });
    return await diagnose({ logs: paths, pcaps: [], configs: [], host: false, local: [], peer: [], only: opts.only, dialect: opts.dialect });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function codesOf(report: Report): string[] {
  return report.findings.map((f) => f.code);
}

export function findingOf(report: Report, code: string): Finding {
  const f = report.findings.find((x) => x.code === code);
  if (!f) throw new Error(`expected a ${code} finding, got: ${codesOf(report).join(', ') || 'none'}`);
  return f;
}

/** Evidence line numbers of a finding (1-based, as in the file). */
export function linesOf(f: Finding): number[] {
  return f.evidence.map((e) => e.line ?? -1);
}
