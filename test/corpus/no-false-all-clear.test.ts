/**
 * Issue 15 §1 on the shared corpus's real files: vendor output ipsec-doctor cannot read
 * yet never gets a green tick or exit 0, a line shape two implementations share (F5's
 * racoon.log against libreswan's pluto.log) is not claimed by the one that reads no event
 * from it, and every real daemon log still is claimed by its dialect with its coverage
 * adding up. Skips when the corpus is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose } from '../../src/run.js';
import { exitCodeOf, verdictText } from '../../src/reporters/verdict.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const present = existsSync(CORPUS);
const run = (logs: string[]) => diagnose({ logs, pcaps: [], configs: [], host: false, local: [], peer: [] });

describe.skipIf(!present)('no false all-clear on real vendor output (corpus)', () => {
  it('F5 racoon.log: read by the BIG-IP reader, never taken for libreswan; forced to libreswan, nothing to judge, exit 2', async () => {
    const file = join(CORPUS, 'platforms/f5/f5-racoon-log-ikev1.clouddocs.log');
    const report = await run([file]);
    expect(report.inputs[0].dialect).toBe('f5');
    expect(report.inputs[0].coverage).toMatchObject({ events: 4, notUnderstood: 0 });
    expect(report.findings.map((f) => f.code)).toEqual(['TUNNEL_ESTABLISHED']);
    // the line shape it shares with pluto.log does not make it a libreswan log: no pluto event comes out of it
    const forced = await diagnose({ logs: [file], pcaps: [], configs: [], host: false, local: [], peer: [], dialect: 'libreswan' });
    expect(forced.inputs[0].coverage).toMatchObject({ events: 0 });
    expect(verdictText(forced)).toMatch(/^\? nothing to judge/);
    expect(exitCodeOf(forced)).toBe(2);
  });

  it('a PAN-OS ikemgr.log of start-up lines only: nothing to judge, exit 2', async () => {
    const report = await run([join(CORPUS, 'platforms/panos/panos-ikemgr-startup.pastebin.log')]);
    expect(verdictText(report)).not.toContain('✔');
    expect(exitCodeOf(report)).toBe(2);
  });

  it('PAN-OS `show vpn ike-sa` (no packet counters): esp-flows has nothing to judge, not a pass', async () => {
    const report = await run([join(CORPUS, 'platforms/panos/panos-show-vpn-ike-sa.cloudflare-docs.txt')]);
    expect(report.results.find((r) => r.check === 'esp-flows')).toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/^nothing to judge: 0 /) });
  });

  const dirs = present ? readdirSync(join(CORPUS, 'logs'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  for (const dir of dirs) {
    it(`every real ${dir} log is claimed by a dialect, its coverage adds up, and a ✔ only over events`, async () => {
      for (const name of readdirSync(join(CORPUS, 'logs', dir)).filter((f) => f.endsWith('.log'))) {
        const report = await run([join(CORPUS, 'logs', dir, name)]);
        const [input] = report.inputs;
        const c = input.coverage!;
        expect(c.events + c.other + c.notUnderstood, name).toBe(c.total);
        expect(c.events, name).toBeGreaterThan(0);
        expect(input.dialect, name).toBeDefined();
        if (verdictText(report).startsWith('✔')) expect(report.summary.checks!.judged, name).toBeGreaterThan(0);
      }
    });
  }
});
