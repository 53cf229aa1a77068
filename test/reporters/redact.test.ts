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
  it('an empty connection name in finding data (Juniper kmd `traffic-selector-name=""`) is not a token: excerpts keep their length', async () => {
    const report = await runPipeline({ logs: [join(ROOT, 'samples/juniper-srx-kmd-timeout-ts-mismatch/kmd-syslog.log')] });
    // the empty name as a check may carry it (kmd's `traffic-selector-name=""` read as a connection name)
    report.findings[0].data = { ...report.findings[0].data, conn: '', child: '' };
    const redacted = redactReport(report).report;
    for (const f of redacted.findings) for (const e of f.evidence) {
      expect(e.excerpt).not.toMatch(/conn-\d+<|conn-\d+"conn-\d+/);
      expect(e.excerpt.length).toBeLessThanOrEqual(401);
    }
  });

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
    expect(counted).toContain(`0x${placeholderOf(spis[0])}`);
    expect(counted).toContain(`0x${placeholderOf(spis[1])}`);
    expect(JSON.stringify(redacted)).toContain(`${placeholderOf(spis[0])}_i`);
  });

  it('keeps prefix lengths and maps IPv6 into 2001:db8::/32', () => {
    const report = fakeFromLines(['unable to add policy 10.1.0.0/24 === fd00:1:2::/64 out (File exists)', 'from 2a01:4f8::1[500] to 10.1.0.7[500]']);
    const { report: r } = redactReport(report);
    const text = r.findings[0].evidence.map((e) => e.excerpt).join('\n');
    // a private network stays private and keeps its prefix length, with no host bits (redact-pseudonyms.ts)
    expect(text).toMatch(/unable to add policy 10\.\d+\.\d+\.0\/24 === 2001:db8::[0-9a-f]+\/64/);
    expect(text).toMatch(/from 2001:db8::[0-9a-f]+\[500\]/);
    expect(text).not.toMatch(/10\.1\.0\.|fd00|2a01/);
    // …and the host stays inside it
    const net = /policy (10\.\d+\.\d+)\.0\/24/.exec(text)![1];
    expect(text).toMatch(new RegExp(`to ${net.replace(/\./g, '\\.')}\\.\\d+\\[500\\]`));
  });

  it('private addresses keep their block and prefix relations: subnets still contain their hosts and narrower subnets', () => {
    const lines = [
      'traffic selectors 10.1.0.0/16 === 10.2.0.0/24 unacceptable',
      'proposing 10.1.5.0/24 === 10.2.0.0/25, host 10.1.5.9 and 10.2.0.200 (outside the /25)',
      'road warrior 192.168.1.23 in 192.168.1.0/24, carrier NAT 100.64.3.4, 172.20.1.1 in 172.16.0.0/12',
      'gateway 198.51.100.20',
    ];
    const { report: r, mapping } = redactReport(fakeFromLines(lines));
    const text = r.findings[0].evidence.map((e) => e.excerpt).join('\n');
    const v4 = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const within = (addr: string, net: string, len: number) => Math.floor(v4(addr) / 2 ** (32 - len)) === Math.floor(v4(net) / 2 ** (32 - len));
    const original = (placeholder: string) => mapping.ipv4[placeholder];
    const cidrs = [...text.matchAll(/(\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => ({ net: m[1], len: Number(m[2]) }));
    const hosts = [...text.matchAll(/(\d+\.\d+\.\d+\.\d+)(?!\/|\d)/g)].map((m) => m[1]);
    // every containment that held between the originals holds between the placeholders, and no other:
    // a host in a subnet, a subnet in a shorter one
    for (const c of cidrs) {
      expect(v4(c.net) % 2 ** (32 - c.len), `${c.net}/${c.len} has no host bits`).toBe(0);
      for (const h of hosts) expect(within(h, c.net, c.len), `${h} in ${c.net}/${c.len}`).toBe(within(original(h), original(c.net), c.len));
      for (const d of cidrs) {
        if (d.len < c.len) continue;
        expect(within(d.net, c.net, c.len), `${d.net}/${d.len} in ${c.net}/${c.len}`).toBe(within(original(d.net), original(c.net), c.len));
      }
    }
    // blocks kept; the public gateway goes to a documentation range as before
    expect(text).toMatch(/host 10\./);
    expect(text).toMatch(/road warrior 192\.168\./);
    expect(text).toMatch(/carrier NAT 100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./);
    expect(text).toMatch(/, 172\.(1[6-9]|2\d|3[01])\.\d+\.\d+ in 172\.16\.0\.0\/12/);
    expect(text).toMatch(/gateway (?:192\.0\.2|198\.51\.100|203\.0\.113)\./);
    for (const o of ['10.1.0.0', '10.2.0.0', '10.1.5.0', '10.1.5.9', '10.2.0.200', '192.168.1.23', '100.64.3.4', '172.20.1.1', '198.51.100.20']) expect(text).not.toMatch(new RegExp(`(?<![\\d.])${o.replace(/\./g, '\\.')}(?![\\d])`));
  });

  it('private networks and hosts, at any prefix length: containment kept both ways, one placeholder per original, no host bits in networks', () => {
    const v4 = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const str = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const within = (a: number, net: number, len: number) => Math.floor(a / 2 ** (32 - len)) === Math.floor(net / 2 ** (32 - len));
    // addresses near each other in 10/8 and 192.168/16 so that prefixes are shared at every length
    const addr = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((x) => v4('10.1.0.0') + x), fc.integer({ min: 0, max: 0xffff }).map((x) => v4('192.168.0.0') + x));
    fc.assert(
      fc.property(fc.array(fc.tuple(addr, fc.integer({ min: 16, max: 30 })), { minLength: 1, maxLength: 6 }), fc.array(addr, { minLength: 1, maxLength: 6 }), (nets, hosts) => {
        const networks = nets.map(([a, len]) => ({ net: (a - (a % 2 ** (32 - len))) >>> 0, len }));
        const line = `nets ${networks.map((x) => `${str(x.net)}/${x.len}`).join(' ')} hosts ${hosts.map(str).join(' ')}`;
        const { report: r, mapping } = redactReport(fakeFromLines([line]));
        const text = r.findings[0].evidence[0].excerpt;
        const [, netPart, hostPart] = /^nets (.*) hosts (.*)$/.exec(text)!;
        const outNets = netPart.split(' ').map((c) => ({ net: v4(c.split('/')[0]), len: Number(c.split('/')[1]) }));
        const outHosts = hostPart.split(' ').map(v4);
        outNets.forEach((o, i) => {
          expect(o.net % 2 ** (32 - o.len)).toBe(0);
          outHosts.forEach((h, j) => expect(within(h, o.net, o.len)).toBe(within(hosts[j], networks[i].net, networks[i].len)));
          outNets.forEach((p, k) => {
            if (p.len >= o.len) expect(within(p.net, o.net, o.len)).toBe(within(networks[k].net, networks[i].net, o.len));
          });
        });
        // distinct hosts keep distinct placeholders, and each placeholder names one original
        outHosts.forEach((h, j) => outHosts.forEach((g, k) => expect(h === g).toBe(hosts[j] === hosts[k])));
        // a host never keeps its address (a network as wide as its private block is the block itself: no secret)
        outHosts.forEach((h, j) => expect(h).not.toBe(hosts[j]));
        for (const h of outHosts) expect(mapping.ipv4[str(h)]).toBeDefined();
      }),
      { numRuns: 150 },
    );
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
