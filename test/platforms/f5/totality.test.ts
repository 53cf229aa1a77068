/**
 * The F5 readers are total (DESIGN.md: decoders never throw): any lines — real ones from the
 * seed and F5's pages, mutated ones, token soup, no-break spaces — give events, tables and
 * rulesets whose every location points into the input.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { f5 } from '../../../src/platforms/f5/index.js';
import { decodeTmsh } from '../../../src/platforms/f5/config/afm-ruleset.js';

const FX = join(import.meta.dirname, 'fixtures');
const realLines = readdirSync(FX).filter((f) => f !== 'PROVENANCE.md').flatMap((f) => readFileSync(join(FX, f), 'utf8').split('\n'));
const words = ['23003137', '"', '","', '""', 'tmm[1]:', 'info', 'Reject', 'Accept decisively', '(Default)', 'ESP', 'UDP', '1.1.1.1', '2.2.2.2:500', '::1.500', 'any', '{', '}', '[F5@1', 'action="Reject"',
  'source_ip="1.1.1.1"', '"]', 'Sys::Connections', 'Total records returned: 1', '->', 'Direction: in; SPI: 0x1', 'Protocol: esp; Mode: tunnel; State: mature', '[IKE]', 'v2', '017c0000', '[0.0]', '[PROTO_ERR]:',
  'DEBUG:', 'ERROR:', '2018-03-20 09:38:16:', 'rule-number', 'ip-protocol', 'action', 'accept-decisively', 'addresses', 'ports', 'isakmp', 'ltm', 'virtual', 'profiles', 'ipsecalg', 'status disabled', '\u00a0', '', '{"errdefs_msgno":"23003137",', '"date_time":"Dec 17 2018 22:46:04"', '"source_ip":"1.1.1.1",', '\\"'];
const lineArb = fc.oneof(
  fc.constantFrom(...realLines),
  fc.array(fc.constantFrom(...words), { maxLength: 14 }).map((w) => w.join(' ')),
  fc.tuple(fc.constantFrom(...realLines), fc.nat(200), fc.string({ maxLength: 6 })).map(([l, i, s]) => l.slice(0, i) + s + l.slice(i)),
  fc.string({ maxLength: 80 }),
);
const within = (line: number | undefined, n: number) => line === undefined || (line >= 1 && line <= Math.max(1, n));

describe('F5 readers: totality', () => {
  it('the log dialect never throws; events point at their lines', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 40 }), (lines) => {
        const n = f5.logs![0].sniff(lines);
        expect(Number.isInteger(n) && n >= 0).toBe(true);
        const d = f5.logs![0].createDecoder('p');
        lines.forEach((l, i) => {
          for (const e of d.decode(l, i + 1) ?? []) {
            expect(within(e.at.line, lines.length)).toBe(true);
            expect(() => JSON.stringify(e)).not.toThrow();
          }
        });
        for (const x of d.diagnostics?.() ?? []) expect(within(x.at.line, lines.length)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('the table readers never throw; counts add up', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 40 }), (lines) => {
        for (const r of f5.tables!) {
          expect(r.sniff(lines)).toBeGreaterThanOrEqual(0);
          const { table } = r.read(lines, 'p');
          expect(table.lines).toBe(lines.length);
          expect(table.unparsed).toBeLessThanOrEqual(lines.length);
          for (const at of [...table.childSas.map((c) => c.at), ...table.ikeSas.map((s) => s.at), ...(table.flows ?? []).map((f) => f.at)]) expect(within(at.line, lines.length)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the tmsh reader never throws, whatever the braces', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 60 }), (lines) => {
        const text = lines.join('\n');
        f5.rulesets![0].detect(text);
        const { ruleset, diagnostics } = decodeTmsh(text, 'p');
        for (const r of ruleset.tables.flatMap((t) => t.chains.flatMap((c) => c.rules))) expect(within(r.at.line, lines.length)).toBe(true);
        for (const x of diagnostics) expect(within(x.at.line, lines.length)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting and a long line stay bounded', () => {
    const deep = '{'.repeat(5000) + '\n' + 'action accept\n' + '}'.repeat(5000);
    expect(() => decodeTmsh(deep, 'p')).not.toThrow();
    const long = `Aug 31 04:23:10 B info tmm[1]: 23003137 ${'"1.1.1.1",'.repeat(3000)}"Reject"`;
    expect(() => f5.logs![0].createDecoder('p').decode(long, 1)).not.toThrow();
  });
});
