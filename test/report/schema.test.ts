import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from './schema-validator.js';
import { reporters } from '../../src/reporters/index.js';
import { redactReport } from '../../src/reporters/redact.js';
import { runPipeline, ROOT } from '../reporters/pipeline.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs/report.schema.json'), 'utf8')) as Record<string, unknown>;

/** Every sample with logs: the JSON reporter's output, parsed back, must validate. */
const sampleLogs = readdirSync(join(ROOT, 'samples'))
  .map((dir) => ({ dir, logs: readdirSync(join(ROOT, 'samples', dir)).filter((f) => f.endsWith('.log')).map((f) => join(ROOT, 'samples', dir, f)) }))
  .filter((s) => s.logs.length > 0);

describe('--format json validates against docs/report.schema.json', () => {
  it('finds samples to validate', () => {
    expect(sampleLogs.length).toBeGreaterThan(5);
  });

  for (const { dir, logs } of sampleLogs) {
    it(`samples/${dir}`, async () => {
      const report = await runPipeline({ logs });
      const json = JSON.parse(reporters.json(report, { color: false })) as unknown;
      expect(validate(schema, json)).toEqual([]);
      // and after --redact, the contract is unchanged
      expect(validate(schema, JSON.parse(reporters.json(redactReport(report).report, { color: false })))).toEqual([]);
    });
  }

  it('SA tables (inputs of kind table) with a capture, before and after --redact', async () => {
    const dir = join(ROOT, 'samples', 'lab-esp-return-dropped');
    const report = await runPipeline({ logs: [join(dir, 'left.list-sas'), join(dir, 'right.list-sas')], pcaps: [join(dir, 'left.pcap')], configs: [join(ROOT, 'samples', 'xfrm-sa-spi-mismatch', 'left.xfrm-state')] });
    expect(report.inputs.map((i) => i.kind)).toEqual(['table', 'table', 'pcap', 'table']);
    expect(validate(schema, JSON.parse(reporters.json(report, { color: false })))).toEqual([]);
    expect(validate(schema, JSON.parse(reporters.json(redactReport(report).report, { color: false })))).toEqual([]);
  });

  it('the validator rejects reports that break the contract', async () => {
    const report = JSON.parse(reporters.json(await runPipeline({ logs: [join(ROOT, 'test/reporters/fixtures/lab-psk-mismatch-right.log')] }), { color: false })) as Record<string, any>;
    expect(report.findings.length).toBeGreaterThan(0);
    const broken = structuredClone(report);
    delete broken.summary;
    broken.findings[0].severity = 'fatal';
    broken.findings[0].evidence = [];
    broken.extra = 1;
    const errors = validate(schema, broken);
    expect(errors).toContain('$: missing summary');
    expect(errors.some((e) => e.includes('findings[0].severity'))).toBe(true);
    expect(errors.some((e) => e.includes('findings[0].evidence: fewer than 1'))).toBe(true);
    expect(errors).toContain('$: unexpected property extra');
  });

  it('the schema file is the one the docs describe', () => {
    expect(existsSync(join(ROOT, 'docs/report-schema.md'))).toBe(true);
    expect((schema.properties as Record<string, { const?: string }>).schema.const).toBe('ipsec-doctor.report/1');
  });
});
