import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { xfrmStateReader } from '../../../src/platforms/linux/xfrm-state.js';
import { xfrmPolicyReader } from '../../../src/platforms/linux/xfrm-policy.js';
import { KEY_MASK, maskKeys } from '../../../src/platforms/linux/xfrm-text.js';
import type { SaTableRead, TableChildSa, TablePolicy } from '../../../src/evidence/sa-table-types.js';

// Fixtures: real iproute2 6.1 output from two namespaces set up by fixtures/generate.sh,
// and output posted in public threads (fixtures/public/); provenance in fixtures/README.md.
const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, 'fixtures');
const PUB = join(FIX, 'public');
const SAMPLES = join(HERE, '..', '..', '..', 'samples');

function linesOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function readState(path: string): SaTableRead {
  return xfrmStateReader.read(linesOf(path), path);
}

function readPolicy(path: string): SaTableRead {
  return xfrmPolicyReader.read(linesOf(path), path);
}

function spiOf(sa: TableChildSa): string | undefined {
  return (sa.unpaired ?? sa.in ?? sa.out)?.spi;
}

function bySpi(r: SaTableRead, spi: string): TableChildSa {
  const sa = r.table.childSas.find((s) => spiOf(s) === spi);
  if (!sa) throw new Error(`no state with SPI ${spi}`);
  return sa;
}

/** The facts of a state without where they were read (to compare variants of one table). */
function facts(sa: TableChildSa) {
  const way = sa.unpaired ?? sa.in ?? sa.out;
  return { spi: way?.spi, src: way?.src, dst: way?.dst, reqid: sa.reqid, protocol: sa.protocol, mode: sa.mode, udpEncap: sa.udpEncap, algorithms: sa.algorithms, localTs: sa.localTs, remoteTs: sa.remoteTs, state: sa.state };
}

function policyFacts(p: TablePolicy) {
  return { src: p.src, dst: p.dst, upper: p.upper, dir: p.dir, priority: p.priority, action: p.action, tmpl: p.tmpl, bytes: p.bytes, packets: p.packets };
}

/** Every key in a file: what follows an algorithm name, and any other 0x-hex of 16+ digits. */
function keysIn(lines: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const l of lines) {
    for (const m of l.matchAll(/\b(?:auth|auth-trunc|enc|aead|comp)\s+\S+\s+0x([0-9a-f]+)(?=\s|$)/gi)) keys.add(m[1].toLowerCase());
    for (const m of l.matchAll(/0x([0-9a-f]{16,})/gi)) keys.add(m[1].toLowerCase());
  }
  return [...keys];
}

function expectNoKeys(out: SaTableRead, lines: readonly string[]): void {
  const json = JSON.stringify(out).toLowerCase();
  for (const key of keysIn(lines)) expect(json, `key ${key.slice(0, 8)}… leaked`).not.toContain(key);
}

const generated = readdirSync(FIX).filter((f) => /^x[ab]\..*\.txt$/.test(f));
const publicFiles = readdirSync(PUB).filter((f) => f.endsWith('.txt'));
const stateFixtures = [...generated.filter((f) => f.includes('state')).map((f) => join(FIX, f)), ...publicFiles.filter((f) => f.includes('state')).map((f) => join(PUB, f))];
const policyFixtures = [...generated.filter((f) => f.includes('policy')).map((f) => join(FIX, f)), ...publicFiles.filter((f) => f.includes('policy')).map((f) => join(PUB, f))];

describe('ip xfrm state: real output of iproute2 6.1 / Linux 6.1 (generated fixtures)', () => {
  const plain = readState(join(FIX, 'xa.ip-xfrm-state.txt'));
  const stats = readState(join(FIX, 'xa.ip-s-xfrm-state.txt'));
  const right = readState(join(FIX, 'xb.ip-s-xfrm-state.txt'));

  it('reads every kernel state, with nothing left unparsed', () => {
    expect(plain.table).toMatchObject({ format: 'ip-xfrm-state', platform: 'linux', lines: 70, otherLines: 20, unparsed: 0, ikeSas: [], policies: [] });
    expect(plain.table.childSas.map(spiOf)).toEqual(['c5b00005', 'c5a00005', 'c4b00004', 'c4a00004', 'c3b00003', 'c3a00003', 'c2b00002', 'c2a00002', 'c1b00001', 'c1a00001']);
    expect(plain.diagnostics).toEqual([]);
    expect(stats.table).toMatchObject({ lines: 170, otherLines: 110, unparsed: 0 });
    expect(stats.table.childSas).toHaveLength(10);
  });

  it('a tunnel SA: SPI unpaired (xfrm does not say which way), endpoints, reqid, algorithm names, selectors as src/dst', () => {
    const sa = bySpi(plain, 'c1a00001');
    expect(sa).toEqual({
      at: { source: join(FIX, 'xa.ip-xfrm-state.txt'), line: 64, excerpt: 'src 192.0.2.10 dst 198.51.100.20' },
      lines: [{ source: join(FIX, 'xa.ip-xfrm-state.txt'), line: 70, excerpt: 'sel src 10.1.0.0/24 dst 10.2.0.0/24' }],
      reqid: 1,
      state: 'installed',
      installed: true,
      protocol: 'esp',
      mode: 'tunnel',
      udpEncap: false,
      algorithms: 'auth-trunc hmac(sha256) 128, enc cbc(aes)',
      unpaired: { spi: 'c1a00001', src: '192.0.2.10', dst: '198.51.100.20' },
      localTs: ['10.1.0.0/24'],
      remoteTs: ['10.2.0.0/24'],
    });
    // without -s the table has no counters: left undefined, not 0
    expect(sa.unpaired?.bytes).toBeUndefined();
    expect(sa.unpaired?.packets).toBeUndefined();
    expect(sa.in).toBeUndefined();
    expect(sa.out).toBeUndefined();
  });

  it('AEAD with ESP in UDP (encap espinudp 4500 4500), transport mode with an ICMP selector, IPv6', () => {
    const natt = bySpi(plain, 'c2a00002');
    expect(natt).toMatchObject({ at: { line: 50 }, reqid: 2, mode: 'tunnel', udpEncap: true, algorithms: 'aead rfc4106(gcm(aes)) 128', localTs: ['0.0.0.0/0'], remoteTs: ['0.0.0.0/0'] });
    const transport = bySpi(plain, 'c3a00003');
    expect(transport).toMatchObject({ at: { line: 36 }, reqid: 3, mode: 'transport', udpEncap: false, algorithms: 'auth-trunc hmac(sha1) 96, enc cbc(aes)', localTs: ['192.0.2.10/32[icmp]'], remoteTs: ['198.51.100.20/32[icmp]'] });
    const v6 = bySpi(plain, 'c4b00004');
    expect(v6).toMatchObject({ at: { line: 15 }, reqid: 4, unpaired: { src: '2001:db8:b::20', dst: '2001:db8:a::10' }, localTs: ['::/0'], remoteTs: ['::/0'] });
  });

  it('ip -s: bytes and packets of lifetime current, with the counter, use and stats lines as evidence', () => {
    const sa = bySpi(stats, 'c1a00001');
    const src = join(FIX, 'xa.ip-s-xfrm-state.txt');
    expect(sa.at).toEqual({ source: src, line: 154, excerpt: 'src 192.0.2.10 dst 198.51.100.20' });
    expect(sa.unpaired).toEqual({ spi: 'c1a00001', src: '192.0.2.10', dst: '198.51.100.20', bytes: 876, packets: 7 });
    expect(sa.lines?.map((l) => [l.line, l.excerpt])).toEqual([
      [160, 'sel src 10.1.0.0/24 dst 10.2.0.0/24 uid 0'],
      [167, '876(bytes), 7(packets)'],
      [168, expect.stringMatching(/^add 2026-12-07 \d\d:\d\d:\d\d use 2026-12-07 \d\d:\d\d:\d\d$/)],
      [170, 'replay-window 0 replay 0 failed 0'],
    ]);
    // no clock to compare `add`/`use` with: no age, no idle time
    expect(sa.ageSeconds).toBeUndefined();
    expect(sa.unpaired?.idleSeconds).toBeUndefined();
    expect(bySpi(stats, 'c2b00002').unpaired).toMatchObject({ bytes: 252, packets: 3 });
    expect(bySpi(stats, 'c3a00003').unpaired).toMatchObject({ bytes: 128, packets: 2 });
    expect(bySpi(stats, 'c4a00004').unpaired).toMatchObject({ bytes: 416, packets: 4 });
  });

  it('one-way tunnel: left counts packets out, the right side drops them (failed 6) and never answers', () => {
    expect(bySpi(stats, 'c5a00005').unpaired).toEqual({ spi: 'c5a00005', src: '192.0.2.10', dst: '198.51.100.20', bytes: 504, packets: 6 });
    expect(bySpi(stats, 'c5b00005').unpaired).toMatchObject({ bytes: 0, packets: 0 });
    const dropped = bySpi(right, 'c5a00005');
    expect(dropped.unpaired).toMatchObject({ bytes: 0, packets: 0 });
    // the model has no field for replay / integrity failures: the stats line stays as evidence
    expect(dropped.lines?.find((l) => l.excerpt.includes('failed'))).toEqual({ source: join(FIX, 'xb.ip-s-xfrm-state.txt'), line: 34, excerpt: 'replay-window 0 replay 0 failed 6' });
    expect(bySpi(right, 'c5b00005').unpaired).toMatchObject({ bytes: 0, packets: 0 });
  });

  it('the variants read the same SAs: -s, -s -s, -d, -o and list nokeys', () => {
    const base = plain.table.childSas.map(facts);
    expect(stats.table.childSas.map(facts)).toEqual(base);
    const ss = readState(join(FIX, 'xa.ip-s-s-xfrm-state.txt'));
    expect(ss.table.childSas.map((s) => ({ ...s, at: { ...s.at, source: '' }, lines: s.lines?.map((l) => ({ ...l, source: '' })) }))).toEqual(
      stats.table.childSas.map((s) => ({ ...s, at: { ...s.at, source: '' }, lines: s.lines?.map((l) => ({ ...l, source: '' })) })),
    );
    expect(readState(join(FIX, 'xa.ip-d-xfrm-state.txt')).table.childSas.map(facts)).toEqual(base);
    const nokeys = readState(join(FIX, 'xa.ip-xfrm-state-nokeys.txt'));
    expect(nokeys.table.childSas.map(facts)).toEqual(base);
    expect(nokeys.table.unparsed).toBe(0);
    const oneline = readState(join(FIX, 'xa.ip-o-xfrm-state.txt'));
    expect(oneline.table).toMatchObject({ lines: 10, otherLines: 0, unparsed: 0 });
    expect(oneline.table.childSas.map(facts)).toEqual(base);
    expect(oneline.table.childSas.map((s) => s.at.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(oneline.table.childSas[9].at.excerpt).toBe('src 192.0.2.10 dst 198.51.100.20');
  });
});

describe('ip xfrm state: public output', () => {
  it('moby 45635 (ip -s, transport AEAD, cut in the middle of the second state)', () => {
    const r = readState(join(PUB, 'moby-45635.ip-s-xfrm-state.txt'));
    expect(r.table).toMatchObject({ lines: 24, unparsed: 0 });
    expect(r.table.childSas.map(facts)).toEqual([
      { spi: 'f4faae1b', src: '10.1.11.45', dst: '10.1.11.29', reqid: 13681891, protocol: 'esp', mode: 'transport', udpEncap: false, algorithms: 'aead rfc4106(gcm(aes)) 64', localTs: ['0.0.0.0/0'], remoteTs: ['0.0.0.0/0'], state: 'installed' },
      { spi: 'a8e5da89', src: '10.1.11.45', dst: '10.1.11.29', reqid: 13681891, protocol: 'esp', mode: 'transport', udpEncap: false, algorithms: 'aead rfc4106(gcm(aes)) 64', localTs: ['0.0.0.0/0'], remoteTs: ['0.0.0.0/0'], state: 'installed' },
    ]);
    expect(r.table.childSas[0].unpaired).toMatchObject({ bytes: 0, packets: 0 });
    // the second state's counters were cut off: not 0, unknown
    expect(r.table.childSas[1].unpaired?.packets).toBeUndefined();
    expect(r.table.childSas[1].at.line).toBe(17);
  });

  it('libreswan 2856: `dir out` / `dir in` (XFRMA_SA_DIR) put the SPI in out / in', () => {
    const r = readState(join(PUB, 'libreswan-2856.ip-xfrm-state.txt'));
    expect(r.table).toMatchObject({ lines: 20, unparsed: 0 });
    const [a, b] = r.table.childSas;
    expect(a.out).toEqual({ spi: '90450740', src: 'fd0a:9f7d:feaa::1', dst: 'fd0a:9f7d:feaa::2' });
    expect(a.unpaired).toBeUndefined();
    expect(b.in).toEqual({ spi: '3d28f6b3', src: 'fd0a:9f7d:feaa::2', dst: 'fd0a:9f7d:feaa::1' });
    expect(b.lines?.map((l) => [l.line, l.excerpt])).toEqual([[19, 'dir in']]);
    expect(a).toMatchObject({ reqid: 16389, mode: 'tunnel', algorithms: 'aead rfc4106(gcm(aes)) 128' });
  });

  it('libreswan 1188: an acquire state (SPI 0), a port selector with dev, ESN contexts, 2-space indentation', () => {
    const r = readState(join(PUB, 'libreswan-1188.ip-xfrm-state.txt'));
    expect(r.table).toMatchObject({ lines: 22, unparsed: 0 });
    expect(r.table.childSas[0]).toMatchObject({
      state: 'acquire', installed: false, reqid: 0, mode: 'transport', unpaired: { spi: '00000000', src: '10.8.174.132', dst: '10.8.174.134' },
      localTs: ['10.8.174.132/32[tcp/10280]'], remoteTs: ['10.8.174.134/32[tcp/43788]'],
    });
    expect(r.table.childSas[0].algorithms).toBeUndefined();
    expect(r.table.childSas.slice(1).map(facts)).toEqual([
      { spi: '13a2e45f', src: '10.8.174.134', dst: '10.8.174.132', reqid: 16497, protocol: 'esp', mode: 'transport', udpEncap: false, algorithms: 'aead rfc4106(gcm(aes)) 128', localTs: ['10.8.174.134/32'], remoteTs: ['10.8.174.132/32'], state: 'installed' },
      { spi: '9db67280', src: '10.8.174.132', dst: '10.8.174.134', reqid: 16497, protocol: 'esp', mode: 'transport', udpEncap: false, algorithms: 'aead rfc4106(gcm(aes)) 128', localTs: ['10.8.174.132/32'], remoteTs: ['10.8.174.134/32'], state: 'installed' },
    ]);
  });

  it('pasted with other indentation (tabs everywhere, 4 or 8 spaces), marks, a key cut short', () => {
    const moby = readState(join(PUB, 'moby-30766.ip-xfrm-state.txt'));
    expect(moby.table.unparsed).toBe(0);
    expect(moby.table.childSas.map((s) => [s.at.line, spiOf(s), s.unpaired?.src, s.unpaired?.dst])).toEqual([
      [1, '7d9e6475', '0.0.0.0', '10.97.67.53'], [6, '5748c5aa', '10.97.67.53', '0.0.0.0'], [11, '0025d599', '0.0.0.0', '10.97.171.57'],
    ]);
    const cilium = readState(join(PUB, 'cilium-35322.ip-xfrm-state.txt'));
    expect(cilium.table).toMatchObject({ lines: 7, otherLines: 3, unparsed: 0 });
    expect(cilium.table.childSas.map(facts)).toEqual([
      { spi: '00000003', src: '10.56.0.17', dst: '10.56.1.238', reqid: 1, protocol: 'esp', mode: 'tunnel', udpEncap: false, algorithms: 'aead rfc4106(gcm(aes)) 128', localTs: ['0.0.0.0/0'], remoteTs: ['0.0.0.0/0'], state: 'installed' },
    ]);
    const openswan = readState(join(PUB, 'openswan-180.ip-xfrm-state.txt'));
    expect(openswan.table.childSas.map(facts)).toEqual([
      // the paste ends before anything printed after `encap`: whether there was one is unknown
      { spi: 'c6abb024', src: '192.168.2.2', dst: '192.168.1.2', reqid: 16385, protocol: 'esp', mode: 'tunnel', udpEncap: undefined, algorithms: 'auth-trunc hmac(sha1)', localTs: [], remoteTs: [], state: 'installed' },
    ]);
  });

  it("libreswan's sanitized test output (SPISPI, REQID) is reported, not misread", () => {
    const r = readState(join(PUB, 'libreswan-dpd-04.ip-xfrm-state.txt'));
    expect(r.table.childSas).toEqual([]);
    expect(r.table.unparsed).toBe(15);
    expect(r.diagnostics.map((d) => [d.at.line, d.message])).toEqual([
      [1, expect.stringContaining('without its `proto … spi … reqid … mode` line')],
      [8, expect.stringContaining('without its `proto … spi … reqid … mode` line')],
    ]);
  });
});

describe('ip xfrm policy: real output of iproute2 6.1 / Linux 6.1 (generated fixtures)', () => {
  const plain = readPolicy(join(FIX, 'xa.ip-xfrm-policy.txt'));
  const stats = readPolicy(join(FIX, 'xa.ip-s-xfrm-policy.txt'));

  it('reads every policy; the 8 per-socket policies of the IKE sockets are counted, not listed', () => {
    expect(plain.table).toMatchObject({ format: 'ip-xfrm-policy', platform: 'linux', lines: 76, otherLines: 16, unparsed: 0, childSas: [], ikeSas: [] });
    expect(plain.diagnostics).toEqual([]);
    const dirs = plain.table.policies.map((p) => p.dir);
    expect(dirs.filter((d) => d === 'out')).toHaveLength(7);
    expect(dirs.filter((d) => d === 'in')).toHaveLength(5);
    expect(dirs.filter((d) => d === 'fwd')).toHaveLength(4);
    expect(plain.table.policies.some((p) => p.src === '0.0.0.0/0' || p.src === '::/0')).toBe(false);
    expect(readPolicy(join(FIX, 'xb.ip-xfrm-policy.txt')).table).toMatchObject({ unparsed: 0, otherLines: 16 });
    expect(readPolicy(join(FIX, 'xb.ip-xfrm-policy.txt')).table.policies).toHaveLength(14);
  });

  it('a tunnel policy with its template, and the block policies with an upper-layer selector', () => {
    const src = join(FIX, 'xa.ip-xfrm-policy.txt');
    expect(plain.table.policies[plain.table.policies.length - 1]).toEqual({
      at: { source: src, line: 73, excerpt: 'src 10.1.0.0/24 dst 10.2.0.0/24' },
      src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 375423, action: 'allow',
      tmpl: { src: '192.0.2.10', dst: '198.51.100.20', protocol: 'esp', mode: 'tunnel', reqid: 1 },
    });
    expect(plain.table.policies.slice(0, 2)).toEqual([
      { at: { source: src, line: 17, excerpt: 'src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp dport 443' }, src: '10.1.0.0/24', dst: '10.2.0.0/24', upper: 'proto tcp dport 443', dir: 'out', priority: 1000, action: 'block' },
      { at: { source: src, line: 19, excerpt: 'src 10.1.9.0/24 dst 10.2.9.0/24' }, src: '10.1.9.0/24', dst: '10.2.9.0/24', dir: 'out', priority: 100, action: 'block' },
    ]);
    const transport = plain.table.policies.find((p) => p.dir === 'out' && p.tmpl?.reqid === 3);
    expect(transport).toMatchObject({ src: '192.0.2.10/32', dst: '198.51.100.20/32', upper: 'proto icmp', tmpl: { src: '0.0.0.0', dst: '0.0.0.0', protocol: 'esp', mode: 'transport', reqid: 3 } });
    const fwd6 = plain.table.policies.find((p) => p.dir === 'fwd' && p.tmpl?.reqid === 4);
    expect(fwd6).toMatchObject({ at: { line: 33 }, src: '2001:db8:2::/64', dst: '2001:db8:1::/64', tmpl: { src: '2001:db8:b::20', dst: '2001:db8:a::10' } });
  });

  it('ip -s and ip -o read the same policies; the kernel never counts policy bytes/packets, so none are reported', () => {
    expect(stats.table).toMatchObject({ lines: 296, unparsed: 0 });
    expect(stats.table.policies.map(policyFacts)).toEqual(plain.table.policies.map(policyFacts));
    // -s prints `0(bytes), 0(packets)` under a policy whose `use` time moved: not a count
    const out1 = stats.table.policies.find((p) => p.dir === 'out' && p.tmpl?.reqid === 1);
    expect(out1?.at.line).toBe(283);
    expect(linesOf(join(FIX, 'xa.ip-s-xfrm-policy.txt'))[290]).toBe('\t  0(bytes), 0(packets)');
    expect(out1?.packets).toBeUndefined();
    const oneline = readPolicy(join(FIX, 'xa.ip-o-xfrm-policy.txt'));
    expect(oneline.table).toMatchObject({ lines: 24, otherLines: 8, unparsed: 0 });
    expect(oneline.table.policies.map(policyFacts)).toEqual(plain.table.policies.map(policyFacts));
  });
});

describe('ip xfrm policy: public output', () => {
  it('Openswan 180: old iproute2 (no ptype), 8-space indentation, socket policies skipped', () => {
    const r = readPolicy(join(PUB, 'openswan-180.ip-xfrm-policy.txt'));
    expect(r.table).toMatchObject({ lines: 28, otherLines: 16, unparsed: 0 });
    expect(r.table.policies.map((p) => [p.at.line, p.dir, p.src, p.dst, p.priority, p.tmpl?.reqid, p.tmpl?.src])).toEqual([
      [1, 'out', '172.16.0.0/24', '172.17.0.0/24', 2344, 16385, '192.168.1.2'],
      [5, 'fwd', '172.17.0.0/24', '172.16.0.0/24', 2344, 16385, '192.168.2.2'],
      [9, 'in', '172.17.0.0/24', '172.16.0.0/24', 2344, 16385, '192.168.2.2'],
    ]);
  });

  it('libreswan 1188: one inbound transport policy', () => {
    const r = readPolicy(join(PUB, 'libreswan-1188.ip-xfrm-policy.txt'));
    expect(r.table.unparsed).toBe(0);
    expect(r.table.policies.map(policyFacts)).toEqual([
      { src: '10.8.174.134/32', dst: '10.8.174.132/32', upper: undefined, dir: 'in', priority: 2801856, action: 'allow', tmpl: { src: '0.0.0.0', dst: '0.0.0.0', protocol: 'esp', mode: 'transport', reqid: 16497 }, bytes: undefined, packets: undefined },
    ]);
  });
});

describe('keys never leave the input', () => {
  it('no key of any fixture appears in either reader\'s output', () => {
    let keys = 0;
    for (const f of [...stateFixtures, ...policyFixtures]) {
      const lines = linesOf(f);
      keys += keysIn(lines).length;
      expectNoKeys(xfrmStateReader.read(lines, f), lines);
      expectNoKeys(xfrmPolicyReader.read(lines, f), lines);
    }
    expect(keys).toBeGreaterThan(100);
  });

  it('masks keys the way the report does, whatever their length, and long hex elsewhere', () => {
    expect(maskKeys('\tenc cbc(aes) 0x0011 ')).toBe(`\tenc cbc(aes) ${KEY_MASK} `);
    expect(maskKeys('auth-trunc hmac(sha1) 0x72fc9f693d74ba2f1c690ea5c8c')).toBe(`auth-trunc hmac(sha1) ${KEY_MASK}`);
    expect(maskKeys('aead rfc4106(gcm(aes)) 0xa6e7b83e73f8f13d9cd01d9e4428cfb5f4faae1b (160 bits) 64')).toBe(`aead rfc4106(gcm(aes)) ${KEY_MASK} (160 bits) 64`);
    expect(maskKeys('garbage 0x00112233445566778899 and a6e7b83e73f8f13d9c')).toBe(`garbage ${KEY_MASK} and ${KEY_MASK}`);
    // SPIs, bitmaps and counters stay
    expect(maskKeys('spi 0xc1a00001 bitmap 0x0000007f 18446744073709551615(sec)')).toBe('spi 0xc1a00001 bitmap 0x0000007f 18446744073709551615(sec)');
  });

  it('a one-line entry whose header is followed by garbage still masks what it keeps', () => {
    const key = '0x' + 'ab12'.repeat(10);
    const r = xfrmStateReader.read([`src 192.0.2.1 dst 192.0.2.2\\\tproto esp spi 0x01020304 reqid 9 mode tunnel\\\tenc ${key}${key} ${key}\\\tsel src 1.2.3.4/32 dst 5.6.7.8/32 dev ${key.slice(2)}`], 'one.txt');
    expect(JSON.stringify(r)).not.toContain('ab12ab12');
    expect(r.table.childSas[0]).toMatchObject({ reqid: 9, unpaired: { spi: '01020304' } });
  });
});

describe('sniff', () => {
  it('each reader claims its own output and not the other\'s', () => {
    for (const f of stateFixtures.filter((x) => !x.includes('dpd-04'))) {
      const lines = linesOf(f);
      expect(xfrmStateReader.sniff(lines), f).toBeGreaterThan(0);
      expect(xfrmPolicyReader.sniff(lines), f).toBe(0);
    }
    for (const f of policyFixtures) {
      const lines = linesOf(f);
      expect(xfrmPolicyReader.sniff(lines), f).toBeGreaterThan(0);
      expect(xfrmStateReader.sniff(lines), f).toBe(0);
    }
    expect(xfrmStateReader.sniff(linesOf(join(FIX, 'xa.ip-s-xfrm-state.txt')))).toBe(50);
    expect(xfrmPolicyReader.sniff(linesOf(join(FIX, 'xa.ip-xfrm-policy.txt')))).toBe(50);
  });

  it('0 for charon and pluto logs, swanctl --list-sas, ip route get, iptables-save, nft (real files from samples/)', () => {
    const named = [
      'lab-healthy/left.log', 'lab-healthy/left.list-sas', 'libreswan-ikev2-liveness-timeout/east.log', 'libreswan-ikev1-dpd-hold/east.log',
      'host-gateway-misconfigured/host/ip-route-get.txt', 'host-gateway-misconfigured/host/iptables-save.txt', 'firewall-iptables-gateway-healthy/iptables-save.conf',
    ];
    for (const f of named) {
      const lines = linesOf(join(SAMPLES, f));
      expect(xfrmStateReader.sniff(lines), f).toBe(0);
      expect(xfrmPolicyReader.sniff(lines), f).toBe(0);
    }
    // and every other text file there (the xfrm samples, *.xfrm-state / *.xfrm-policy, are exempt)
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    for (const f of walk(SAMPLES).filter((x) => !/\.(pcap|pcapng)$/.test(x) && !/ip-xfrm-|\.xfrm-(state|policy)$/.test(x))) {
      const lines = readFileSync(f, 'utf8').split('\n');
      expect(xfrmStateReader.sniff(lines) + xfrmPolicyReader.sniff(lines), f).toBe(0);
    }
  });
});

describe('total and robust', () => {
  const readers = [xfrmStateReader, xfrmPolicyReader];

  it('empty, blank and garbage input', () => {
    for (const r of readers) {
      expect(r.read([], 'e').table).toMatchObject({ lines: 0, otherLines: 0, unparsed: 0, childSas: [], policies: [] });
      expect(r.read(['', '  '], 'b').table).toMatchObject({ lines: 2, otherLines: 2, unparsed: 0 });
      expect(r.read(['hello', '\u0000\u0001', 'src', 'src x dst y'], 'g').table).toMatchObject({ lines: 4, unparsed: 4 });
      expect(r.sniff([])).toBe(0);
    }
  });

  it('a 20 KB line and a key of 20 KB are read in linear time and masked', () => {
    const huge = 'a'.repeat(20_000);
    const key = '0x' + 'c0ffee'.repeat(3400);
    const input = ['src 192.0.2.1 dst 192.0.2.2', '\tproto esp spi 0x01020304 reqid 1 mode tunnel', `\tenc cbc(aes) ${key}`, `\t${huge}`, `src ${huge} dst ${huge}`, `sel src 1.2.3.4/32 dst ${huge}`];
    for (const r of readers) {
      const out = r.read(input, 'huge');
      expect(JSON.stringify(out)).not.toContain('c0ffeec0ffee');
    }
    const sa = xfrmStateReader.read(input, 'huge').table.childSas[0];
    expect(sa.algorithms).toBe('enc cbc(aes)');
    // 100 000 lines of real output: well under the time budget of a linear reader
    const big = Array.from({ length: 600 }, () => linesOf(join(FIX, 'xa.ip-s-xfrm-state.txt'))).flat();
    const t0 = performance.now();
    const r = xfrmStateReader.read(big, 'big');
    expect(r.table.childSas).toHaveLength(6000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('every truncation of a real table reads without throwing, and keeps its counts consistent', () => {
    for (const f of [join(FIX, 'xa.ip-s-xfrm-state.txt'), join(FIX, 'xa.ip-s-xfrm-policy.txt')]) {
      const lines = linesOf(f);
      for (let n = 0; n <= lines.length; n++) {
        for (const r of readers) {
          const out = r.read(lines.slice(0, n), f);
          expect(out.table.lines).toBe(n);
          expect(out.table.otherLines + out.table.unparsed).toBeLessThanOrEqual(n);
        }
      }
    }
  });

  it('CRLF line ends, and an input iterable that fails midway', () => {
    const crlf = linesOf(join(FIX, 'xa.ip-xfrm-state.txt')).map((l) => `${l}\r`);
    expect(xfrmStateReader.read(crlf, 'crlf').table).toMatchObject({ unparsed: 0 });
    expect(xfrmStateReader.read(crlf, 'crlf').table.childSas).toHaveLength(10);
    function* failing() {
      yield 'src 192.0.2.1 dst 192.0.2.2';
      yield '\tproto esp spi 0x01020304 reqid 1 mode tunnel';
      throw new Error('disk gone');
    }
    const out = xfrmStateReader.read(failing(), 'fail');
    expect(out.table.childSas).toHaveLength(1);
    expect(out.diagnostics.at(-1)?.message).toContain('disk gone');
  });
});

describe('property: random and mutated input', () => {
  const corpus = [...stateFixtures, ...policyFixtures].flatMap((f) => linesOf(f));
  const keyArb = fc.stringMatching(/^[0-9a-f]{15,63}$/).map((h) => `a${h}`);
  const lineArb = fc.oneof(
    fc.constantFrom(...corpus),
    fc.string({ maxLength: 80 }),
    fc.tuple(fc.constantFrom(...corpus), fc.nat(), fc.string({ maxLength: 8 })).map(([l, i, s]) => l.slice(0, i % (l.length + 1)) + s + l.slice(i % (l.length + 1))),
    fc.tuple(fc.constantFrom(...corpus), fc.nat(), fc.nat(12)).map(([l, i, n]) => l.slice(0, i % (l.length + 1)) + l.slice((i % (l.length + 1)) + n)),
    fc.tuple(fc.constantFrom('\tenc cbc(aes) ', '\taead rfc4106(gcm(aes)) ', 'src 192.0.2.1 dst ', '\tsel src 10.0.0.0/8 dst ', 'garbage ', '\tmark ', ''), keyArb, fc.constantFrom('', ' 128', '/24', '\\\tenc x 0x12')).map(([a, k, b]) => `${a}0x${k}${b}`),
  );

  it('never throws; line counts add up; no 0x-hex of 16+ digits from the input reaches the output', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 60 }), (lines) => {
        for (const r of readers()) {
          const n = r.sniff(lines);
          expect(Number.isInteger(n) && n >= 0 && n <= Math.min(50, lines.length)).toBe(true);
          const out = r.read(lines, 'prop');
          const t = out.table;
          expect(t.lines).toBe(lines.length);
          expect(t.otherLines + t.unparsed).toBeLessThanOrEqual(t.lines);
          for (const x of [...t.childSas, ...t.policies]) {
            expect(x.at.line).toBeGreaterThanOrEqual(1);
            expect(x.at.line).toBeLessThanOrEqual(lines.length);
          }
          const json = JSON.stringify(out).toLowerCase();
          for (const l of lines) for (const m of l.matchAll(/0x([0-9a-f]{16,})/gi)) expect(json).not.toContain(m[1].toLowerCase());
        }
      }),
      { numRuns: 400 },
    );
  });

  function readers() {
    return [xfrmStateReader, xfrmPolicyReader];
  }
});
