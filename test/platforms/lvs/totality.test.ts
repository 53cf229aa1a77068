/**
 * The IPVS readers are total (DESIGN.md: decoders never throw): any lines, including mutated real
 * ones, give facts whose every location points into the input, and counts that add up.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipvsReaders } from '../../../src/platforms/index.js';
import { linesOf } from '../../../src/sources/ipvs-file.js';

const FX = join(import.meta.dirname, 'fixtures');
const realLines = [
  ...readdirSync(FX).filter((f) => /\.(keepalived\.conf|ipvsadm-rules)$/.test(f)).map((f) => join(FX, f)),
  ...readdirSync(join(FX, 'public')).map((f) => join(FX, 'public', f)),
].flatMap((p) => linesOf(readFileSync(p, 'utf8')));

const words = ['-A', '-a', '-E', '-e', '-d', '-D', '-u', '-t', '-f', '-r', '-s', '-p', '-m', '-g', '-i', '-w', '-6', '-o', '--set', 'ipvsadm', 'UDP', 'TCP', 'FWM', 'IPv6', '->', 'Masq', 'Route', 'Tunnel', 'Local',
  'persistent', 'mask', 'ops', '{', '}', '!', '#', '"', 'virtual_server', 'virtual_server_group', 'group', 'fwmark', 'real_server', 'lb_kind', 'lvs_method', 'NAT', 'DR', 'TUN', 'persistence_timeout',
  'protocol', 'lvs_timeouts', 'udp', 'global_defs', '192.0.2.1:500', '[2001:db8::1]:4500', '10.0.0.5', '0', '500', '4500', '300', '99999999999', '-1', 'Timeout (tcp tcpfin udp):', '00:57', ''];
const lineArb = fc.oneof(
  fc.constantFrom(...realLines),
  fc.array(fc.constantFrom(...words), { maxLength: 12 }).map((w) => w.join(' ')),
  fc.tuple(fc.constantFrom(...realLines), fc.nat(80), fc.string({ maxLength: 6 })).map(([l, i, s]) => l.slice(0, i) + s + l.slice(i)),
  fc.string({ maxLength: 60 }),
);

describe('IPVS readers: totality', () => {
  it('never throw; every location is a line of the input; unparsed ≤ lines', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 50 }), (lines) => {
        for (const r of ipvsReaders) {
          const n = r.sniff(lines);
          expect(Number.isInteger(n) && n >= 0 && n <= lines.length).toBe(true);
          const { facts, diagnostics } = r.read(lines, 'prop');
          expect(facts.lines).toBe(lines.length);
          expect(facts.unparsed).toBeLessThanOrEqual(facts.lines);
          const refs = [...facts.services.flatMap((s) => [s.at, s.scheduler?.at, s.persistence?.at, ...s.realServers.flatMap((rs) => [rs.at, rs.forwarding.at])]), facts.timeouts?.udp?.at, ...(facts.connections ?? []).map((c) => c.at)];
          for (const at of refs) if (at) expect(at.line! >= 1 && at.line! <= lines.length, `${r.format} ${JSON.stringify(at)}`).toBe(true);
          for (const d of diagnostics) if (d.at.line !== undefined) expect(d.at.line >= 1 && d.at.line <= Math.max(1, lines.length)).toBe(true);
          expect(() => JSON.stringify(facts)).not.toThrow();
        }
      }),
      { numRuns: 400 },
    );
  });
});
