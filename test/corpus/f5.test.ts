/**
 * The F5 readers on the shared corpus itself (../shared/corpus/platforms/f5, PROVENANCE.md
 * beside it): each file is claimed by its reader, as the loaders detect it, and read to the
 * last line. Skips, saying so, when the corpus is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';

const CORPUS = resolve(process.env.IPSEC_DOCTOR_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));
const F5 = join(CORPUS, 'platforms', 'f5');
const present = existsSync(join(CORPUS, 'platforms', 'PROVENANCE.md')) && existsSync(F5);
if (!present) console.warn(`[corpus] skipping the F5 corpus tests: ${F5} not found (set IPSEC_DOCTOR_CORPUS to the corpus directory)`);

/** file → what the loader makes of it, given as a plain argument (the content decides) */
const FILES: Record<string, { kind: string; dialect: RegExp }> = {
  'f5-afm-network-event.rfc5424-sd.log': { kind: 'log', dialect: /^f5$/ },
  'f5-ipsec-log-ikev2.clouddocs.log': { kind: 'log', dialect: /^f5$/ },
  'f5-racoon-log-ikev1.clouddocs.log': { kind: 'log', dialect: /^f5$/ },
  'f5-racoonctl-show-sa-isakmp.clouddocs.txt': { kind: 'table', dialect: /^racoonctl show-sa isakmp/ },
  'f5-tmsh-show-net-ipsec-ipsec-sa.clouddocs.txt': { kind: 'table', dialect: /^F5 tmsh show net ipsec/ },
};

describe.skipIf(!present)('F5 corpus', () => {
  it('holds the files this test knows', () => {
    expect(readdirSync(F5).sort()).toEqual(Object.keys(FILES).sort());
  });
  for (const [file, want] of Object.entries(FILES)) {
    it(`${file}: ${want.kind}, every line read`, async () => {
      const report = await diagnose({ logs: [join(F5, file)], pcaps: [], configs: [], host: false, local: [], peer: [] });
      const input = report.inputs[0];
      expect(input.kind).toBe(want.kind);
      expect(input.dialect).toMatch(want.dialect);
      expect(input.unparsed).toBe(0);
    });
  }
});
