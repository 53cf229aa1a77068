/**
 * Issue 20 §4: a central log holding both peers' lines (syslog with host names, journalctl
 * short/short-iso, RFC 5424, journalctl -o json / json-seq) is read as one log per host and
 * gives the diagnosis the two peers' own logs give as two --log files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diagnose } from '../../src/run.js';
import { loadLogFile } from '../../src/sources/log-file.js';
import { detectHostField } from '../../src/sources/log-hosts.js';
import type { Report } from '../../src/report/types.js';

const SAMPLES = fileURLToPath(new URL('../../samples', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (logs: string[]) => diagnose({ logs, pcaps: [], configs: [], host: false, local: [], peer: [] });
/** what a reader sees of the findings, with each log named by its host */
function findings(report: Report, name: (source: string) => string) {
  return report.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, sides: f.evidence.map((e) => name(e.source)).filter((s, i, all) => all.indexOf(s) === i).sort() }));
}
const byHost = (s: string) => /\[(\w+)\]$/.exec(s)?.[1] ?? s;
const byFile = (s: string) => /(\w+)\.log$/.exec(s)?.[1] ?? s;
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('a central syslog of both peers (samples/central-syslog-psk-mismatch)', () => {
  const central = join(SAMPLES, 'central-syslog-psk-mismatch', 'central.log');
  const pair = ['left', 'right'].map((h) => join(SAMPLES, 'lab-psk-mismatch', `${h}.log`));

  it('is split into the two hosts, each an input that says so', async () => {
    const report = await run([central]);
    expect(report.inputs.map((i) => i.path)).toEqual([`${central} [left]`, `${central} [right]`]);
    expect(report.inputs.map((i) => i.lines)).toEqual([164, 131]);
    expect(report.inputs[0].note).toBe(`host left of ${central}, which holds the lines of 2 hosts (left, right)`);
    expect(report.diagnostics.find((d) => d.decoder === 'log-hosts')?.message).toMatch(/^hosts with IKE lines: left, right: /);
  });

  it('gives the findings the two peers\' logs give as two --log files', async () => {
    const [one, two] = await Promise.all([run([central]), run(pair)]);
    expect(findings(one, byHost)).toEqual(findings(two, byFile));
    expect(one.findings.map((f) => f.code)).toContain('AUTH_FAILED');
  });

  it('RFC 5424 and short-iso host fields give the same', async () => {
    const lines = readFileSync(central, 'utf8').trimEnd().split('\n');
    const iso = lines.map((l) => l.replace(/^Nov 22 (\d\d:\d\d:\d\d) (\w+) charon: /, '2026-11-22T$1+0000 $2 charon[4242]: '));
    const rfc5424 = lines.map((l) => l.replace(/^Nov 22 (\d\d:\d\d:\d\d) (\w+) charon: /, '<30>1 2026-11-22T$1Z $2 charon 4242 - - '));
    const reference = findings(await run([central]), byHost);
    for (const [name, text] of [['iso.log', iso], ['rfc5424.log', rfc5424]] as const) {
      const report = await run([write(name, text.join('\n') + '\n')]);
      expect(report.inputs.map((i) => byHost(i.path)), name).toEqual(['left', 'right']);
      expect(findings(report, byHost), name).toEqual(reference);
    }
  });

  it('a log host of many machines: past 256 hosts, the rest share one log', async () => {
    const lines = readFileSync(central, 'utf8').trimEnd().split('\n');
    const many = lines.map((l, i) => l.replace(/^(\w+ \d+ [\d:]+) \w+ /, `$1 gw${i % 290} `));
    const r = await loadLogFile(write('many.log', many.join('\n') + '\n'));
    expect(r.hosts?.length).toBe(257);
    expect(r.hosts?.at(-1)?.input.path).toMatch(/\[more hosts\]$/);
    expect(r.hosts?.reduce((n, h) => n + (h.input.lines ?? 0), 0)).toBe(lines.length);
  });

  it('one host\'s syslog stays one log under the file\'s own name', async () => {
    const left = readFileSync(central, 'utf8').split('\n').filter((l) => / left charon: /.test(l));
    const p = write('one-host.log', left.join('\n') + '\n');
    const r = await loadLogFile(p);
    expect(r.hosts).toBeUndefined();
    expect(r.input).toMatchObject({ path: p, lines: 164, unparsed: 0 });
    expect(r.input.note).toBeUndefined();
    expect(new Set(r.events.map((e) => e.at.source))).toEqual(new Set([p]));
  });
});

describe('journalctl -o json / json-seq (samples/journal-json-dpd-timeout)', () => {
  const journal = join(SAMPLES, 'journal-json-dpd-timeout', 'journal.log');
  const pair = ['left', 'right'].map((h) => join(SAMPLES, 'lab-dpd-timeout', `${h}.log`));

  it('json: the two hosts, and the findings of the two peers\' own logs', async () => {
    const [one, two] = await Promise.all([run([journal]), run(pair)]);
    expect(one.inputs.map((i) => byHost(i.path))).toEqual(['left', 'right']);
    expect(findings(one, byHost)).toEqual(findings(two, byFile));
    expect(one.findings.map((f) => f.code)).toContain('DPD_TIMEOUT');
  });

  it('json-seq (RS before each record) with a MESSAGE given as a byte array reads the same', async () => {
    const records = readFileSync(journal, 'utf8').trimEnd().split('\n');
    // journalctl writes a field that is not valid UTF-8 or holds control characters as an array of bytes
    const asBytes = (r: string) => {
      const o = JSON.parse(r) as Record<string, unknown>;
      return JSON.stringify({ ...o, MESSAGE: [...Buffer.from(String(o.MESSAGE), 'utf8')] });
    };
    const seq = records.map((r, i) => '\u001e' + (i % 2 ? asBytes(r) : r));
    const report = await run([write('journal.seq', seq.join('\n') + '\n')]);
    expect(report.inputs.map((i) => [byHost(i.path), i.lines])).toEqual([['left', 195], ['right', 167]]);
    expect(findings(report, byHost)).toEqual(findings(await run([journal]), byHost));
  });

  it('lines that are no record are counted in a diagnostic, not fatal', async () => {
    const records = readFileSync(journal, 'utf8').trimEnd().split('\n');
    const damaged = [...records.slice(0, 100), '{"MESSAGE": "cut off', ...records.slice(100)];
    const report = await run([write('damaged.json', damaged.join('\n') + '\n')]);
    expect(report.diagnostics.find((d) => d.decoder === 'journal-json')?.message).toMatch(/^1 lines are not journal records/);
    expect(report.findings.map((f) => f.code)).toContain('DPD_TIMEOUT');
  });
});

describe('detectHostField', () => {
  it('a daemon\'s own file log (no host field) is not a central log', () => {
    const lines = readFileSync(join(SAMPLES, 'lab-psk-mismatch', 'left.log'), 'utf8').split('\n').slice(0, 400);
    expect(detectHostField(lines)).toBeUndefined();
  });

  it('never throws and names only host-like hosts, whatever the lines', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('Nov 22 23:31:31 left charon: x', '{"MESSAGE":[1,2,300],"_HOSTNAME":"a b"}', '\u001e{"MESSAGE":"m","_HOSTNAME":"h1"}')), { maxLength: 20 }), (lines) => {
      const field = detectHostField(lines);
      for (const l of lines) {
        const host = field?.hostOf(l);
        if (host !== undefined) expect(host).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
        field?.toLine?.(l);
      }
    }));
  });
});

describe('hostIs: the host field read from the bytes (issue 21 §2)', () => {
  // hostIs true must mean: hostOf gives that host, or no host (the line stays with it)
  const arbHeader = fc.record({
    pri: fc.constantFrom('', '<13>', '<1>', '<999>', '<1234>', '<>', '<x>'),
    time: fc.constantFrom('Nov 22 23:31:31', 'Nov  2 03:01:01', 'Nov 22 23:31:31.123456', 'Nov 22 23:31:31.1234567890', 'nov 22 23:31:31', 'Nov 22 23:31', '2026-11-22T23:31:31.123456+00:00', '2026-11-22T23:31:31Z', '2026-11-22T23:31:31,5+0100', '2026-11-22T23:31:31+01', '2026-11-22 23:31:31'),
    host: fc.constantFrom('left', 'left2', 'lef', 'right.example.org', '192.0.2.1', '-bad', 'left\tx', ''),
    tag: fc.constantFrom('charon[7]: ', 'charon: ', 'charon[x]: ', 'charon ', ': ', 'charon[7]:x'),
    body: fc.constantFrom('05[IKE] <lab|1> queueing IKE_SA', '', 'x'),
  });
  it('never claims a host the line does not name', () => {
    const lines = ['Nov 22 23:31:31 left charon[7]: 00[DMN] a', 'Nov 22 23:31:31 right.example.org charon[7]: 00[DMN] a', '2026-11-22T23:31:31.1+00:00 left charon[7]: 00[DMN] a', '2026-11-22T23:31:31.1+00:00 right.example.org charon[7]: 00[DMN] a'];
    for (const start of [lines.slice(0, 2), lines.slice(2)]) {
      const field = detectHostField(start)!;
      expect(field.hostIs).toBeDefined();
      fc.assert(
        fc.property(arbHeader, fc.constantFrom('left', 'right.example.org', 'lef'), (h, host) => {
          const line = `${h.pri}${h.time} ${h.host} ${h.tag}${h.body}`;
          const buf = Buffer.from(line);
          if (field.hostIs!(buf, 0, buf.length, host)) expect([host, undefined]).toContain(field.hostOf(line));
        }),
        { numRuns: 2000 },
      );
      // and it does say so for the ordinary lines of that host
      const ordinary = Buffer.from(start[0]);
      expect(field.hostIs!(ordinary, 0, ordinary.length, 'left')).toBe(true);
      expect(field.hostIs!(ordinary, 0, ordinary.length, 'lef')).toBe(false);
    }
  });
});
