/**
 * Project conventions that keep the checks a coherent public vocabulary (ESLint's
 * Makefile.js checkRuleFiles): one file per check named after its id, registered,
 * tested, shown by a sample; codes registered once, UPPER_SNAKE, with message and hint
 * whose placeholders the check actually fills.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { placeholders } from '../src/engine/template.js';
import * as words from '../src/evidence/derived/words.js';
import { STAGES } from '../src/engine/types.js';

const ROOT = join(import.meta.dirname, '..');
const CHECKS = join(ROOT, 'checks');
const SAMPLES = join(ROOT, 'samples');
const MAX_CHECK_LINES = 160;

/**
 * Codes deliberately registered by more than one check with the same meaning and
 * severity: a proposal, identity or selector mismatch is the same fault whether a log,
 * a capture or the two peers' configs show it (log checks and config-diff).
 */
const SHARED_CODES = new Set<string>(['IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH', 'PEER_ID_MISMATCH', 'TS_MISMATCH']);
// (ESP_ONE_WAY and NO_ESP come from captures and SA counters alike, but one check, esp-flows, owns them.)

/** Placeholders of the shared template clauses (derived/words.ts), and the derived/ sources that may set them. */
const CLAUSE_NAMES = new Set(Object.values(words).filter((v): v is string => typeof v === 'string').flatMap((t) => placeholders(t)));
const DERIVED_SOURCES = readdirSync(join(ROOT, 'src/evidence/derived'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(ROOT, 'src/evidence/derived', f), 'utf8'))
  .join('\n');

const checkFiles = readdirSync(CHECKS).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();

function sampleCodes(): Map<string, string[]> {
  const byCode = new Map<string, string[]>();
  for (const name of readdirSync(SAMPLES)) {
    const p = join(SAMPLES, name, 'expected.json');
    if (!statSync(join(SAMPLES, name)).isDirectory() || !existsSync(p)) continue;
    const expected = JSON.parse(readFileSync(p, 'utf8')) as { codes?: string[] };
    for (const code of expected.codes ?? []) byCode.set(code, [...(byCode.get(code) ?? []), name]);
  }
  return byCode;
}

describe('conventions', () => {
  it('the registry lists exactly the files in checks/, sorted by id', () => {
    expect(allChecks.map((c) => c.meta.id)).toEqual(checkFiles);
  });

  for (const id of checkFiles) {
    describe(id, () => {
      const check = allChecks.find((c) => c.meta.id === id);
      const source = readFileSync(join(CHECKS, `${id}.ts`), 'utf8');

      it('is registered with id == file name', () => {
        expect(check?.meta.id).toBe(id);
      });

      it(`has test/checks/${id}.test.ts`, () => {
        expect(existsSync(join(ROOT, 'test', 'checks', `${id}.test.ts`))).toBe(true);
      });

      it('has a sample whose expected.json names one of its codes', () => {
        const samples = sampleCodes();
        const covered = Object.keys(check?.meta.codes ?? {}).filter((code) => samples.has(code));
        expect(covered, `no samples/<case>/expected.json names any of ${Object.keys(check?.meta.codes ?? {}).join(', ')}`).not.toEqual([]);
      });

      it('has a title, a description, requirements and codes', () => {
        expect(check?.meta.title.trim()).toBeTruthy();
        expect(check?.meta.description.length).toBeGreaterThan(40);
        expect(check?.meta.requires.length).toBeGreaterThan(0);
        expect(Object.keys(check?.meta.codes ?? {}).length).toBeGreaterThan(0);
      });

      it('declares its stage, so its findings sort cause before symptom (engine/types.ts STAGES)', () => {
        expect(STAGES).toContain(check?.meta.stage);
        for (const spec of Object.values(check?.meta.codes ?? {})) if (spec.stage) expect(STAGES).toContain(spec.stage);
      });

      it('stays a small, ESLint-rule-like file', () => {
        expect(source.split('\n').length).toBeLessThanOrEqual(MAX_CHECK_LINES);
        expect(source).toMatch(/export default defineCheck\(/);
      });

      it('every code is UPPER_SNAKE with severity, message and hint whose placeholders the check fills', () => {
        for (const [code, spec] of Object.entries(check?.meta.codes ?? {})) {
          expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
          expect(['error', 'warning', 'info']).toContain(spec.severity);
          expect(spec.message.trim().length, `${code} message`).toBeGreaterThan(10);
          expect(spec.hint.trim().length, `${code} hint`).toBeGreaterThan(10);
          // best effort: each placeholder's root name is a key the check's source puts in `data`
          for (const name of [...placeholders(spec.message), ...placeholders(spec.hint)]) {
            const root = name.split('.')[0];
            const set = new RegExp(`\\b${root}\\b\\s*[:,}]|\\.\\.\\.\\s*${root}\\b|\\b${root}\\s*\\)`);
            // a shared clause of src/evidence/derived/words.ts reads data that derived/ builds (counters.ts oneWayData)
            const where = CLAUSE_NAMES.has(name) && !set.test(source) ? DERIVED_SOURCES : source;
            expect(set.test(where), `${code}: placeholder {${name}} is never set in ${id}.ts`).toBe(true);
          }
        }
      });
    });
  }

  it('codes are unique across checks unless deliberately shared with the same severity', () => {
    const owners = new Map<string, string[]>();
    for (const c of allChecks) for (const code of Object.keys(c.meta.codes)) owners.set(code, [...(owners.get(code) ?? []), c.meta.id]);
    for (const [code, ids] of owners) {
      if (ids.length === 1) continue;
      expect(SHARED_CODES.has(code), `${code} is registered by ${ids.join(', ')}`).toBe(true);
      const severities = ids.map((id) => allChecks.find((c) => c.meta.id === id)!.meta.codes[code].severity);
      expect(new Set(severities).size, `${code} has different severities in ${ids.join(', ')}`).toBe(1);
    }
  });
});
