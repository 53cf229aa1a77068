/**
 * The byte pre-scan (quiet-bytes.ts, LineDecoder.quietLine) may skip only lines that decode()
 * would read as charon's with no event, and must leave the decoder in the state decode()
 * would (the conn an SA tag names, the year rollover, the SA state a listing line touches).
 * Two decoders read the same lines: one asks quietLine first, the other only decodes; every
 * line's events and the final diagnostics must be equal.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { REAL_CHARON_LOGS } from './real-logs.js';
import { strongswanDialect } from '../../../src/platforms/strongswan/log.js';
import { QuietScanner } from '../../../src/platforms/strongswan/log/quiet-bytes.js';
import { parseLine } from '../../../src/platforms/strongswan/log/line-prefix.js';

const FILES = REAL_CHARON_LOGS;
const REAL_LINES = FILES.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.length > 0);

/** Reads lines both ways; returns how many the scan judged quiet. Fails on the first line that differs. */
function compare(lines: readonly string[]): number {
  const scanned = strongswanDialect.createDecoder('x');
  const decoded = strongswanDialect.createDecoder('x');
  let quiet = 0;
  lines.forEach((line, i) => {
    const no = i + 1;
    const bytes = Buffer.from(line, 'utf8');
    // what the line reader hands the decoders: one trailing \r dropped
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const expected = decoded.decode(text, no);
    let got: unknown;
    if (scanned.quietLine!(bytes, 0, bytes.length, no)) {
      quiet++;
      got = [];
    } else {
      got = scanned.decode(text, no);
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ line: no, text, got }).toEqual({ line: no, text, got: expected });
  });
  expect(scanned.diagnostics!()).toEqual(decoded.diagnostics!());
  return quiet;
}

describe('strongSwan quiet-line byte scan', () => {
  it('reads the real logs (lab samples, fixtures) exactly as decoding every line does', () => {
    expect(FILES.length).toBeGreaterThan(30);
    let quiet = 0;
    for (const f of FILES) quiet += compare(readFileSync(f, 'utf8').split('\n'));
    // most of a charon log is quiet: the scan must actually skip them, not only agree
    expect(quiet).toBeGreaterThan(REAL_LINES.length / 3);
  });

  // Lines built from the real ones: their prefix shapes, tags, first words and bodies recombined,
  // with the edge cases the scan decides on (indentation, ' is initiating ', CR, long, non-ASCII).
  const SHAPE = /^(.*?\d{2,3}\[[A-Z]{3}\d?\] )(<[^>]*> )?(.*)$/;
  const parts = REAL_LINES.map((l) => SHAPE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const headers = [...new Set(parts.map((m) => m[1]))];
  const tags = [...new Set(parts.map((m) => m[2] ?? ''))];
  const bodies = [...new Set(parts.map((m) => m[3]))];
  const words = [...new Set(bodies.map((b) => b.split(' ')[0]))];
  const arbLine = fc.record({
    header: fc.oneof(
      fc.constantFrom(...headers),
      fc.constantFrom('', '{', '[IKE] ', '05[IKE] ', 'x05[IKE] ', '05[XYZ] ', '05[IKE]x ', '005[IKE1] ', 'Dec  7 10:00:00 gw charon[1]: 13[CFG] ', 'Dec 31 23:59:59 15[NET] ', 'Jan  1 00:00:01 15[NET] ', '2024-01-01T00:00:00+00:00 gw ipsec[3]: 07[IKE] ', 'é 07[IKE] ', 'gw strongswan: '),
    ),
    tag: fc.oneof(fc.constantFrom(...tags), fc.constantFrom('', '<lab|1> ', '<1> ', '<lab> ', '<a|b> ', '<> ', '<x', '<lab|2>', '<ü|3> ', `<${'x'.repeat(310)}> `)),
    body: fc.oneof(
      fc.constantFrom(...bodies),
      fc.tuple(fc.constantFrom(...words), fc.constantFrom(...bodies)).map(([w, b]) => `${w} ${b.split(' ').slice(1).join(' ')}`),
      fc.constantFrom(...bodies).map((b) => ` ${b}`),
      fc.constantFrom(...bodies).map((b) => `  ${b}`),
      fc.constantFrom(...bodies).map((b) => `192.0.2.1 is initiating ${b}`),
      fc.constantFrom(...bodies).map((b) => `${b} x is initiating an IKE_SA`),
      fc.constantFrom(' 10.1.0.0/16', ' 10.1.0.0/16 (derived from 10.1.0.0/24)', ' config: 10.1.0.0/16, received: 10.2.0.0/16 => no match', '', ' ', 'ünïcode body', 'x'.repeat(5000), 'proposing traffic selectors for us:', 'selecting traffic selectors for other:'),
      // bodies of rule words that quiet-shapes.ts decides on, and listing-like lines that are not items
      fc.constantFrom('IKE_SA lab[1] state change: CONNECTING => ESTABLISHED', 'IKE_SA lab[1] state change: CONNECTING => x[2] established between 192.0.2.1[a]...198.51.100.2[b]', 'received SIGNATURE_HASH_ALGORITHMS notify', 'received AUTHENTICATION_FAILED notify error', 'peer is initiating an IKE_SA', 'selecting proposal:', 'found matching ike config: 192.0.2.1...198.51.100.2 with prio 3100', ' conn lab:', ' 10.1.0.0/16 extra', ' config: x'),
    ),
    end: fc.constantFrom('', '', '\r', '  ', ' \r', '\r\r'),
  }).map((p) => p.header + p.tag + p.body + p.end);

  /** The prefix the scan hands the decoder (QuietScanner.prefixOf) is what parseLine reads, field for field. */
  function samePrefixes(lines: readonly string[]): number {
    const scanner = new QuietScanner(new Set());
    let handed = 0;
    for (const line of lines) {
      const bytes = Buffer.from(line, 'utf8');
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      scanner.scan(bytes, 0, bytes.length);
      const p = scanner.prefixOf(text);
      if (p === undefined) continue;
      handed++;
      expect({ text, p }).toEqual({ text, p: parseLine(text) });
    }
    return handed;
  }

  it("hands the decoder the prefix parseLine would read (real lines and generated ones)", () => {
    expect(samePrefixes(REAL_LINES)).toBeGreaterThan(REAL_LINES.length / 2);
    fc.assert(fc.property(fc.array(arbLine, { minLength: 1, maxLength: 60 }), (lines) => void samePrefixes(lines)), { numRuns: 300 });
  });

  it('never skips a line the rules would read, on generated line sequences', () => {
    fc.assert(
      fc.property(fc.array(arbLine, { minLength: 1, maxLength: 120 }), (lines) => {
        compare(lines);
      }),
      { numRuns: 300 },
    );
  });
});
