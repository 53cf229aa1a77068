/**
 * --redact on a real run: both peers' charon logs and swanctl.conf files of the
 * lab's PSK-mismatch scenario (samples/lab-psk-mismatch, produced by the project's
 * own strongSwan lab). Every format is rendered from the redacted report and
 * searched for every address, identity, hostname, connection name and secret the
 * inputs contain; none may remain.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { reporters, FORMATS } from '../../src/reporters/index.js';
import { redactReport } from '../../src/reporters/redact.js';
import { IPV4_RE } from '../../src/report/redact-tokens.js';
import type { Report } from '../../src/report/types.js';
import { runPipeline, ROOT } from './pipeline.js';

const DIR = join(ROOT, 'samples/lab-psk-mismatch');
const LOGS = ['left.log', 'right.log'].map((f) => join(DIR, f));
const CONFIGS = ['left.swanctl.conf', 'right.swanctl.conf'].map((f) => join(DIR, f));

/** What the inputs say, read independently of the code under test. */
function originals(): { addresses: string[]; names: string[]; secrets: string[] } {
  const text = [...LOGS, ...CONFIGS].map((f) => readFileSync(f, 'utf8')).join('\n');
  const addresses = [...new Set([...text.matchAll(IPV4_RE)].map((m) => m[1]))].filter((a) => a !== '0.0.0.0' && !a.startsWith('127.'));
  const conf = CONFIGS.map((f) => readFileSync(f, 'utf8')).join('\n');
  const ids = [...conf.matchAll(/\bid(?:-\d+)?\s*=\s*(\S+)/g)].map((m) => m[1]);
  const conns = [...text.matchAll(/<([^|<>\s]+)\|\d+>/g)].map((m) => m[1]);
  const secrets = [...conf.matchAll(/secret\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
  return { addresses, names: [...new Set([...ids, ...conns])], secrets };
}

function wordRe(s: string): RegExp {
  return new RegExp(`(?<![\\w.-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\d)`);
}

describe('--redact', () => {
  it('no original address, identity, connection name or secret survives in any format', async () => {
    const report = await runPipeline({ logs: LOGS, configs: CONFIGS });
    const { addresses, names, secrets } = originals();
    // the inputs really hold what we look for, and the unredacted report shows it
    expect(addresses).toEqual(expect.arrayContaining(['192.0.2.10', '198.51.100.20']));
    expect(names).toEqual(expect.arrayContaining(['left.example', 'right.example', 'lab']));
    expect(secrets.length).toBe(2);
    const plain = reporters.json(report, { color: false });
    expect(plain).toContain('198.51.100.20');
    expect(plain).toContain('left.example');

    const { report: redacted, mapping } = redactReport(report);
    expect(FORMATS).toEqual(expect.arrayContaining(['text', 'json', 'markdown', 'html']));
    for (const format of FORMATS) {
      const out = reporters[format](redacted, { color: false });
      for (const a of addresses) expect(out, `${format} leaks ${a}`).not.toMatch(wordRe(a));
      for (const n of names) expect(out, `${format} leaks ${n}`).not.toMatch(wordRe(n));
      for (const s of secrets) expect(out, `${format} leaks a secret`).not.toContain(s);
      // the input paths are placeholders too
      expect(out).not.toContain('lab-psk-mismatch');
    }
    // the mapping is complete and points back to the originals
    expect(Object.values(mapping.ipv4)).toEqual(expect.arrayContaining(['192.0.2.10', '198.51.100.20']));
    for (const placeholder of Object.keys(mapping.ipv4)) expect(placeholder).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
  });

  it('gives the same original the same placeholder across inputs, findings and the ladder', async () => {
    const report = await runPipeline({ logs: LOGS });
    const { report: redacted, mapping } = redactReport(report);
    const responder = Object.entries(mapping.ipv4).find(([, orig]) => orig === '198.51.100.20')![0];
    const json = JSON.stringify(redacted);
    // the responder's address appears in both peers' logs: one placeholder for both
    const bySource = new Map<string, string[]>();
    for (const f of redacted.findings) for (const e of f.evidence) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e.excerpt]);
    const ladder = redacted.views?.ladder as { ladders: Array<{ perspective: string; local: string; remote: string }> };
    expect(ladder.ladders.length).toBe(2);
    const ends = ladder.ladders.flatMap((l) => [l.local, l.remote]);
    expect(ends).toContain(responder);
    expect(ends.filter((e) => e === responder).length).toBe(2);
    expect(json).not.toContain('198.51.100.20"');
    // paths: one placeholder per input, the same in inputs[], evidence and the ladder
    const paths = redacted.inputs.map((i) => i.path);
    expect(paths).toEqual(['log-1.log', 'log-2.log']);
    expect(ladder.ladders.map((l) => l.perspective).sort()).toEqual(paths);
    for (const source of bySource.keys()) expect(paths).toContain(source);
  });

  it('hides SPIs consistently: the CHILD SA SPIs of the log are the ESP SPIs counted in the capture (samples/lab-healthy)', async () => {
    const dir = join(ROOT, 'samples/lab-healthy');
    const log = readFileSync(join(dir, 'left.log'), 'utf8');
    const spis = [...log.matchAll(/established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o/g)].flatMap((m) => [m[1], m[2]]);
    expect(spis.length).toBeGreaterThanOrEqual(2);
    const report = await runPipeline({ logs: [join(dir, 'left.log')], pcaps: [join(dir, 'left.pcap')] });
    expect(JSON.stringify(report)).toContain(spis[0]);
    const { report: redacted, mapping } = redactReport(report);
    for (const format of FORMATS) for (const spi of spis) expect(reporters[format](redacted, { color: false })).not.toContain(spi);
    const placeholderOf = (spi: string) => Object.entries(mapping.spi).find(([, o]) => o === spi)?.[0];
    const ladder = redacted.views?.ladder as { ladders: Array<{ source: string; esp: Array<{ spi: string; dir: string }> }> };
    const counted = ladder.ladders.filter((l) => l.source === 'packets').flatMap((l) => l.esp.map((c) => c.spi));
    // inbound SPI of the log (…_i) is the one the capture counts towards this host, and both carry the same placeholder
    expect(counted).toContain(placeholderOf(spis[0]));
    expect(counted).toContain(placeholderOf(spis[1]));
    expect(JSON.stringify(redacted)).toContain(`${placeholderOf(spis[0])}_i`);
  });

  it('keeps prefix lengths and maps IPv6 into 2001:db8::/32', () => {
    const report = fakeFromLines(['unable to add policy 10.1.0.0/24 === fd00:1:2::/64 out (File exists)', 'from 2a01:4f8::1[500] to 10.1.0.7[500]']);
    const { report: r } = redactReport(report);
    const text = r.findings[0].evidence.map((e) => e.excerpt).join('\n');
    expect(text).toMatch(/(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d+\/24 === 2001:db8::[0-9a-f]+\/64/);
    expect(text).toMatch(/from 2001:db8::[0-9a-f]+\[500\]/);
    expect(text).not.toMatch(/10\.1\.0\.|fd00|2a01/);
  });

  it('never throws and never returns an original address, on random text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 200 }), { maxLength: 5 }), fc.ipV4(), (lines, ip) => {
        if (ip === '0.0.0.0' || ip.startsWith('127.') || ip === '255.255.255.255') return;
        const { report } = redactReport(fakeFromLines([...lines, `from ${ip}[500]`]));
        expect(JSON.stringify(report)).not.toMatch(new RegExp(`(?<![\\d.])${ip.replace(/\./g, '\\.')}(?![\\d])`));
      }),
      { numRuns: 200 },
    );
  });
});

/** A report around real-shaped lines, for the transform's edge cases only (the leak test above runs the pipeline). */
function fakeFromLines(lines: string[]): Report {
  return {
    schema: 'ipsec-doctor.report/1',
    tool: { name: 'ipsec-doctor', version: '0' },
    inputs: [{ kind: 'log', path: '/var/log/charon.log' }],
    results: [],
    findings: [{ code: 'X', check: 'x', severity: 'info', message: 'm', hint: 'h', data: {}, evidence: lines.map((excerpt, i) => ({ source: '/var/log/charon.log', line: i + 1, excerpt })) }],
    diagnostics: [],
    summary: { errors: 0, warnings: 0, info: 1 },
  };
}
