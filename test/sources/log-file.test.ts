import { describe, expect, it, beforeAll, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLogFile } from '../../src/sources/log-file.js';
import { InputError } from '../../src/errors.js';
import { strongswanDialect } from '../../src/platforms/strongswan/log.js';

// Real charon lines (strongSwan syslog form; bodies are the format strings of
// src/libcharon/sa/ikev2/tasks/ike_auth.c and ike_init.c as catalogued in the reference).
const CHARON = [
  'Nov 22 10:00:01 gw charon: 09[NET] <site|3> received packet: from 198.51.100.7[4500] to 192.0.2.1[4500] (300 bytes)',
  'Nov 22 10:00:01 gw charon: 09[ENC] <site|3> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]',
  "Nov 22 10:00:01 gw charon: 09[IKE] <site|3> tried 1 shared key for 'gw.example.org' - 'peer.example.org', but MAC mismatched",
].join('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipsd-logfile-'));
});

async function expectInputError(path: string, message: RegExp) {
  const err = await loadLogFile(path).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).message).toMatch(message);
  expect((err as InputError).exitCode).toBe(2);
}

describe('loadLogFile input handling', () => {
  it('refuses an empty file, a binary file, a capture and a directory with a clear message', async () => {
    writeFileSync(join(dir, 'empty.log'), '');
    writeFileSync(join(dir, 'junk.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
    // pcap global header, little-endian microsecond magic, Ethernet
    writeFileSync(join(dir, 'cap.log'), Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'));
    await expectInputError(join(dir, 'empty.log'), /is empty/);
    await expectInputError(join(dir, 'junk.bin'), /not a text log: it holds binary data/);
    await expectInputError(join(dir, 'cap.log'), /not a text log: it is a packet capture/);
    await expectInputError(dir, /is a directory/);
    await expectInputError(join(dir, 'missing.log'), /no such file/);
  });

  it('closes the file it refused (no descriptor left open per rejected input)', async () => {
    // larger than the sniffed head, so the read stream is still open when the input is refused
    writeFileSync(join(dir, 'junk2.bin'), Buffer.alloc(4 * 1024 * 1024, 0));
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 20; i++) await loadLogFile(join(dir, 'junk2.bin')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(fds()).toBeLessThanOrEqual(before);
  });

  it('refuses a text file that holds no IKE daemon line', async () => {
    writeFileSync(join(dir, 'readme.txt'), 'hello\nthis is not a log\n');
    await expectInputError(join(dir, 'readme.txt'), /none of its 2 lines look like an IKE daemon log/);
  });

  it('reads gzip by content, keeps line numbers, counts unparsed lines', async () => {
    writeFileSync(join(dir, 'charon.log.gz'), gzipSync('random preamble line\n' + CHARON + '\n'));
    const r = await loadLogFile(join(dir, 'charon.log.gz'));
    expect(r.input).toMatchObject({ kind: 'log', lines: 4, unparsed: 1 });
    expect(r.input.dialect).toMatch(/^strongswan/);
    const auth = r.events.find((e) => e.kind === 'auth');
    expect(auth?.at).toEqual({ source: join(dir, 'charon.log.gz'), line: 4 });
  });

  it('keeps what a cut .gz log held and says where reading stopped (was an internal error)', async () => {
    // real lines past the 64 KiB sniffed head, so the cut falls while the lines are read
    const text = (CHARON + '\n').repeat(3000);
    const gz = gzipSync(text, { level: 1 });
    writeFileSync(join(dir, 'cut.log.gz'), gz.subarray(0, Math.floor(gz.length * 0.7)));
    const r = await loadLogFile(join(dir, 'cut.log.gz'));
    expect(r.input.lines).toBeGreaterThan(3000);
    expect(r.input.lines).toBeLessThan(3 * 3000);
    const stop = r.diagnostics.find((d) => /^reading stopped after line \d+: .*gzip stream is cut/.test(d.message));
    expect(stop?.at.line).toBe(r.input.lines! + 1);
    // cut inside the head: nothing to read, one clear line
    writeFileSync(join(dir, 'cut-head.log.gz'), gz.subarray(0, 40));
    await expectInputError(join(dir, 'cut-head.log.gz'), /cannot (decompress|read) .*cut-head\.log\.gz/);
  });

  it('survives a 10 MB line between real lines and reports it as cut', async () => {
    writeFileSync(join(dir, 'long.log'), CHARON.split('\n')[0] + '\n' + 'x'.repeat(10 * 1024 * 1024) + '\n' + CHARON.split('\n')[2] + '\n');
    const r = await loadLogFile(join(dir, 'long.log'));
    expect(r.input.lines).toBe(3);
    expect(r.diagnostics.some((d) => d.at.line === 2 && /longer than 16 KiB/.test(d.message))).toBe(true);
    expect(r.events.some((e) => e.kind === 'auth' && e.at.line === 3)).toBe(true);
  });
});

describe('loadLogFile: lines judged quiet from their bytes (issue 21 §2)', () => {
  // the lab's real charon logs, repeated past several 256 KiB chunks (lines then span chunk ends)
  const samples = join(__dirname, '..', '..', 'samples');
  const labs = readdirSync(samples).filter((d) => d.startsWith('lab-')).sort();
  const logOf = (side: string) => labs.map((d) => readFileSync(join(samples, d, `${side}.log`), 'utf8')).join('');
  const once = logOf('left') + logOf('right');
  // the same lines as a log host keeps them: "Nov 22 23:31:25 left charon[7]: 14[CFG] …", both peers interleaved
  const asSyslog = (text: string, host: string, iso: boolean) =>
    text.split('\n').filter((l) => l !== '').map((l) => {
      const m = /^(\w{3} [ \d]\d (\d\d:\d\d:\d\d)) (.*)$/.exec(l)!;
      return `${iso ? `2026-11-22T${m[2]}.000123+00:00` : m[1]} ${host} charon[7]: ${m[3]}`;
    });
  const central = (iso: boolean) => {
    const left = asSyslog(logOf('left'), 'left', iso);
    const right = asSyslog(logOf('right'), 'right.example.org', iso);
    const out: string[] = [];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      // runs of each host's lines, as a log host receives them
      if (i < left.length) out.push(left[i]);
      if (i < right.length && i % 7 < 3) out.push(right[i]);
    }
    return out.join('\n') + '\n' + right.filter((_, i) => i % 7 >= 3).join('\n') + '\n';
  };

  it('reads a plain file in its own 1 MiB reads as it reads the same bytes gzipped (lines and a cut line across the reads)', async () => {
    // a plain file is read again into two reused 1 MiB buffers (open-input.ts inputChunks), a .gz streams
    const MiB = 1024 * 1024;
    const lines = once.split('\n').filter((l) => l !== '');
    const parts: string[] = [];
    let bytes = 0;
    const push = (l: string) => {
      parts.push(l);
      bytes += Buffer.byteLength(l) + 1;
    };
    // a line that ends exactly at the first read's end, a 40 KiB line over the second's, real lines around them
    for (let i = 0; bytes < MiB - 200; i++) push(lines[i % lines.length]);
    push('x'.repeat(MiB - bytes - 1));
    for (let i = 0; bytes < 2 * MiB - 20 * 1024; i++) push(lines[i % lines.length]);
    push('y'.repeat(40 * 1024));
    for (let i = 0; bytes < 3 * MiB; i++) push(lines[i % lines.length]);
    const text = parts.join('\n') + '\n' + lines[0];
    const plain = join(dir, 'reads.log');
    const gz = join(dir, 'reads.log.gz');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    const a = await loadLogFile(plain);
    const b = await loadLogFile(gz);
    const rename = (r: Awaited<ReturnType<typeof loadLogFile>>, from: string) => JSON.parse(JSON.stringify(r).replaceAll(from, 'F'));
    expect(a.input.lines).toBe(parts.length + 1);
    expect(a.diagnostics.filter((d) => /longer than 16 KiB/.test(d.message)).map((d) => d.at.line)).toEqual([parts.length - parts.slice().reverse().findIndex((l) => l.startsWith('yyy'))]);
    expect(rename(a, plain)).toEqual(rename(b, gz));
  });

  it('gives the same coverage, events, hosts and diagnostics as decoding every line, on real charon logs', async () => {
    const variants: Record<string, string> = {
      plain: once.repeat(3),
      crlf: once.replaceAll('\n', '\r\n').repeat(2),
      // a NUL byte: that line is decoded (its NUL skipped), the others are scanned
      nul: once + once.replace('queueing', 'queue\0ing') + once,
      'central syslog': central(false).repeat(2),
      'central ISO': central(true).repeat(2),
    };
    const proto = Object.getPrototypeOf(strongswanDialect.createDecoder('x')) as { quietLine: (...a: unknown[]) => boolean };
    const scan = vi.spyOn(proto, 'quietLine');
    try {
      for (const [name, text] of Object.entries(variants)) {
        const path = join(dir, `quiet-${name.replace(' ', '-')}.log`);
        writeFileSync(path, text);
        scan.mockClear();
        const fast = await loadLogFile(path);
        const skipped = scan.mock.results.filter((r) => r.value === true).length;
        const asked = scan.mock.calls.length;
        const perLine = await loadLogFile(path, undefined, { quietScan: false });
        expect(scan.mock.calls.length, `${name}: the reference decodes every line`).toBe(asked);
        expect(fast, name).toEqual(perLine);
        const coverage = fast.input.coverage ?? fast.hosts![0].input.coverage!;
        expect(coverage.other, name).toBeGreaterThan(coverage.events);
        // a large part of the lines was judged from their bytes, not decoded (the central logs
        // switch host every few lines here, and a line after a switch is decoded)
        expect(skipped, name).toBeGreaterThan(text.split('\n').length / 3);
      }
    } finally {
      scan.mockRestore();
    }
  });
});
