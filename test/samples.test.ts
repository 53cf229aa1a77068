/**
 * Every samples/<case>/ runs end to end through diagnose() (src/run.ts), like
 * `ipsec-doctor --log … --pcap … --config …` would, and must match its
 * expected.json: `codes` all reported, `absent` none reported (partial match, as in
 * suricata-verify and Lighthouse smoke tests).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/run.js';
import { recordedRunnerFromFiles } from '../src/sources/host/runner.js';

const SAMPLES = join(import.meta.dirname, '..', 'samples');

interface Expected {
  codes: string[];
  absent?: string[];
}

function inputsOf(dir: string): { logs: string[]; pcaps: string[]; configs: string[] } {
  const logs: string[] = [];
  const pcaps: string[] = [];
  const configs: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isFile() || name === 'README.md' || name === 'expected.json') continue;
    if (/\.(pcap|pcapng|cap)$/i.test(name)) pcaps.push(p);
    else if (/\.(conf|secrets)$/i.test(name) || /^ipsec\.secrets$/.test(name)) configs.push(p);
    else if (/\.log(\.gz)?$/i.test(name)) logs.push(p);
    // SA tables (swanctl --list-sas, ip -s xfrm state, ipsec trafficstatus …) are sniffed by content, as from --log;
    // an empty one is a lab run that left no SA and holds nothing to read
    else if (/\.(list-sas|xfrm-state|xfrm-policy|trafficstatus|status|statusall|show-vpn|sys-connection|net-ipsec|racoonctl)$/i.test(name) && statSync(p).size > 0) logs.push(p);
  }
  return { logs, pcaps, configs };
}

const cases = readdirSync(SAMPLES).filter((n) => statSync(join(SAMPLES, n)).isDirectory()).sort();

describe('samples', () => {
  it('there are samples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    const dir = join(SAMPLES, name);
    it(`${name}: has README.md and expected.json`, () => {
      expect(existsSync(join(dir, 'README.md')), `${name}/README.md`).toBe(true);
      expect(existsSync(join(dir, 'expected.json')), `${name}/expected.json`).toBe(true);
    });
    if (!existsSync(join(dir, 'expected.json'))) continue;
    it(`${name}: diagnosis matches expected.json`, async () => {
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const inputs = inputsOf(dir);
      // host-* samples hold recorded probe outputs in host/ (one file per probe), replayed by --host's recorded runner
      const hostDir = join(dir, 'host');
      const hostRunner = existsSync(hostDir)
        ? recordedRunnerFromFiles(Object.fromEntries(readdirSync(hostDir).map((f) => [f, readFileSync(join(hostDir, f), 'utf8')])))
        : undefined;
      expect(inputs.logs.length + inputs.pcaps.length + inputs.configs.length + (hostRunner ? 1 : 0), 'sample has an input').toBeGreaterThan(0);
      const report = await diagnose({ ...inputs, host: Boolean(hostRunner), hostRunner, local: [], peer: [] });
      const codes = new Set(report.findings.map((f) => f.code));
      const summary = report.findings.map((f) => `${f.code}: ${f.message}`).join('\n');
      for (const code of expected.codes) expect(codes.has(code), `${name} should report ${code}; got:\n${summary}`).toBe(true);
      for (const code of expected.absent ?? []) expect(codes.has(code), `${name} must not report ${code}; got:\n${summary}`).toBe(false);
      for (const f of report.findings) {
        expect(f.evidence.length, `${f.code} has evidence`).toBeGreaterThan(0);
        expect(f.message).not.toMatch(/\{[A-Za-z0-9_.]+\}/);
      }
    });
  }
});
