/**
 * Issue 16 §1 and §4 at the sources: a reader that throws loses its own file (or line,
 * or frame), never the report; a live capture survives hostile packets; one NUL byte or
 * NUL padding does not turn a text log into "binary data" (decided by proportion), and
 * the damaged lines are named. Inputs are the repository's real samples.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadLogFile } from '../../src/sources/log-file.js';
import { loadConfigs } from '../../src/sources/config-file.js';
import { loadRulesets } from '../../src/sources/ruleset-file.js';
import { sniffKind } from '../../src/sources/sniff.js';
import { configReaders, logDialects, rulesetReaders, tableReaders } from '../../src/platforms/index.js';
import { startLiveCapture } from '../../src/sources/live-capture.js';
import { diagnose } from '../../src/run.js';
import { ROOT } from '../reporters/pipeline.js';
import { replayCap } from './replay-cap.js';
import { fragmentPacket, ikeDatagram, pcapFile, udpPacket4 } from '../wire/fragment-builder.js';

const RIGHT = join(ROOT, 'samples/lab-psk-mismatch/right.log');
const SWANCTL = [join(ROOT, 'samples/config-proposal-mismatch/moon.swanctl.conf'), join(ROOT, 'samples/config-proposal-mismatch/carol.swanctl.conf')];
const IPTABLES = join(ROOT, 'samples/firewall-iptables-gateway-healthy/iptables-save.conf');
const LIST_SAS = join(ROOT, 'test/platforms/strongswan/fixtures/lab-5.9.8-up-moon.list-sas');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ipsec-doctor-hostile-'));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a reader that throws loses only its own input', () => {
  it('config reader: that file is a located diagnostic, the other config is read', async () => {
    const reader = configReaders.find((r) => r.types.includes('swanctl'))!;
    const real = reader.decode.bind(reader);
    vi.spyOn(reader, 'decode').mockImplementation((text, source, ...rest) => {
      if (source === SWANCTL[0]) throw new TypeError('config fault injected by the test');
      return real(text, source, ...rest);
    });
    const r = await loadConfigs(SWANCTL);
    expect(r.configs.map((c) => c.files[0] ?? c)).toHaveLength(1);
    expect(r.inputs.map((i) => i.path)).toEqual(SWANCTL);
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ at: { source: SWANCTL[0] }, message: expect.stringMatching(/^decoder error: config fault injected by the test; this .* file was not analysed$/) }));
  });

  it('ruleset reader: located diagnostic, no throw', async () => {
    const reader = rulesetReaders.find((r) => r.type === 'iptables-save')!;
    vi.spyOn(reader, 'decode').mockImplementation(() => {
      throw new RangeError('ruleset fault injected by the test');
    });
    const r = await loadRulesets([IPTABLES]);
    expect(r.rulesets).toEqual([]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ at: { source: IPTABLES }, message: expect.stringMatching(/^decoder error: ruleset fault injected by the test/) })]);
  });

  it('SA table reader: the table is kept as unread, with a diagnostic', async () => {
    const reader = tableReaders.find((r) => r.format === 'swanctl-list-sas')!;
    vi.spyOn(reader, 'read').mockImplementation(() => {
      throw new RangeError('table fault injected by the test');
    });
    const r = await loadLogFile(LIST_SAS);
    expect(r.table).toMatchObject({ ikeSas: [], childSas: [] });
    expect(r.diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/^decoder error: table fault injected by the test; this .* output was not analysed$/));
  });

  it('log dialect: a decoder that throws on one line costs that line (and one that throws at the end, nothing else)', async () => {
    const dialect = logDialects.find((d) => d.id === 'strongswan')!;
    const create = dialect.createDecoder.bind(dialect);
    vi.spyOn(dialect, 'createDecoder').mockImplementation((source) => {
      const d = create(source);
      return {
        ...d,
        decode: (text: string, no: number) => {
          if (no === 5) throw new RangeError('line fault injected by the test');
          return d.decode(text, no);
        },
        diagnostics: () => {
          throw new RangeError('end fault injected by the test');
        },
      };
    });
    const r = await loadLogFile(RIGHT);
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ at: { source: RIGHT, line: 5 }, message: expect.stringContaining('line fault injected') }));
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ at: { source: RIGHT }, message: expect.stringContaining('end fault injected') }));
    expect(r.events.some((e) => e.kind === 'auth')).toBe(true);
  });
});

describe('live capture of hostile packets', () => {
  it('overlapping fragments to UDP 500 do not end the capture: a diagnostic, and the frames after them are analysed', async () => {
    const dir = tmp();
    try {
      const d = ikeDatagram(48);
      const hostile = [
        fragmentPacket(4, 0x1234, { off: 0, bytes: d.subarray(0, 48), mf: true }),
        fragmentPacket(4, 0x1234, { off: 40, bytes: d.subarray(40, 48), mf: true }),
        fragmentPacket(4, 0x1234, { off: 8, bytes: d.subarray(8, 16), mf: false }),
      ];
      const file = join(dir, 'hostile.pcap');
      writeFileSync(file, pcapFile([...hostile, udpPacket4(ikeDatagram(80, 9))]));
      const replay = replayCap(file, ['lo'], 'RAW');
      const capture = await startLiveCapture({ iface: 'lo', local: [], peer: [], ring: false, loadCap: async () => replay.module });
      expect(replay.emit()).toBe(4);
      capture.stop();
      const result = await capture.done;
      expect(result.packets.ikeMessages.map((m) => m.at.frame)).toEqual([4]);
      expect(result.diagnostics).toContainEqual(expect.objectContaining({ decoder: 'ip-fragments', at: { source: 'live:lo', frame: 1 }, message: expect.stringMatching(/^frames 1–3: .*discarded/) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NUL bytes in a text log', () => {
  const text = readFileSync(RIGHT, 'utf8');
  const lines = text.split('\n');

  it('one NUL byte on one line: the log is read, AUTH_FAILED found, the line named', async () => {
    const dir = tmp();
    try {
      const damaged = lines.map((l, i) => (i === 40 ? `${l.slice(0, 10)}\0${l.slice(10)}` : l)).join('\n');
      const file = join(dir, 'nul.log');
      writeFileSync(file, damaged);
      writeFileSync(`${file}.gz`, gzipSync(damaged));
      for (const f of [file, `${file}.gz`]) {
        const report = await diagnose({ logs: [f], pcaps: [], configs: [], host: false, local: [], peer: [] });
        expect(report.findings.map((x) => x.code)).toContain('AUTH_FAILED');
        expect(report.diagnostics).toContainEqual(expect.objectContaining({ at: { source: f, line: 41 }, message: expect.stringMatching(/^line 41 holds NUL bytes/) }));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NUL padding after the last line (unclean syslog shutdown): read, AUTH_FAILED found', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'padded.log');
      writeFileSync(file, Buffer.concat([Buffer.from(text), Buffer.alloc(64 * 1024)]));
      const report = await diagnose({ logs: [file], pcaps: [], configs: [], host: false, local: [], peer: [] });
      expect(report.findings.map((x) => x.code)).toContain('AUTH_FAILED');
      expect(report.diagnostics.some((d) => /NUL bytes/.test(d.message))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('any few damaged lines: never "binary", the same findings as the clean log, exactly those lines named (fast-check)', async () => {
    const clean = await loadLogFile(RIGHT);
    const dir = tmp();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 0, max: lines.length - 2 }), { minLength: 1, maxLength: 8 }),
          fc.integer({ min: 1, max: 40 }),
          fc.boolean(),
          async (damagedLines, nuls, pad) => {
            const out = lines.map((l, i) => (damagedLines.includes(i) ? l + '\0'.repeat(nuls) : l)).join('\n');
            const file = join(dir, 'p.log');
            writeFileSync(file, pad ? out + '\0'.repeat(4096) : out);
            const r = await loadLogFile(file);
            expect(r.events.map((e) => e.kind)).toEqual(clean.events.map((e) => e.kind));
            const named = r.diagnostics.find((d) => /NUL bytes/.test(d.message))!;
            const sorted = [...damagedLines].sort((a, b) => a - b).map((i) => i + 1);
            expect(named.at.line).toBe(sorted[0]);
            for (const n of sorted) expect(named.message).toMatch(new RegExp(`\\b${n}\\b`));
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('real binary is still binary: random bytes, an ELF header, all NULs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 4096 }), (bytes) => {
        expect(['binary', 'pcap', 'pcapng', 'gzip']).toContain(sniffKind(Buffer.from(bytes)));
      }),
      { numRuns: 300 },
    );
    expect(sniffKind(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]))).toBe('binary');
    expect(sniffKind(Buffer.alloc(8192))).toBe('binary');
    expect(sniffKind(Buffer.from('Nov 22 23:31:32 charon: 09[IKE] ok\n\0\0\0\0'))).toBe('text');
  });
});
