import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { InputError } from '../../src/errors.js';
import { FIXTURES, fixtureBytes, framesOf } from '../wire/pcap-fixtures.js';
import fc from 'fast-check';
import type { PacketEvidence } from '../../src/evidence/packet-types.js';

const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const opts = { local: [], peer: [] };

describe('loadCaptures', () => {
  it('streams several files into one evidence with per-file inputs', async () => {
    const r = await loadCaptures([join(FIXTURES, 'ikev2-init-auth-then-esp.pcapng'), join(FIXTURES, 'esp-in-udp-4500-one-way.pcap')], opts);
    expect(r.inputs.map((i) => [i.kind, i.dialect, i.packets, i.counters?.ike, i.counters?.espInUdp])).toEqual([
      ['pcap', 'pcapng', 6, 4, 0],
      ['pcap', 'pcap', 8, 0, 8],
    ]);
    expect(r.packets.sources).toHaveLength(2);
    expect(r.packets.espFlows.map((f) => f.first.source.endsWith('.pcapng') || f.first.source.endsWith('.pcap'))).toEqual([true, true, true]);
  });

  it.skipIf(process.platform === 'win32')('reads a FIFO (`--pcap /dev/fd/3`, `<(tcpdump -w - …)`): the sniffed first bytes are not read twice', async () => {
    const fifo = join(dir, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const bytes = fixtureBytes('lab-healthy-left.pcap');
    // the writer blocks until the reader opens the FIFO; a child keeps the test's event loop free
    const writer = spawn('sh', ['-c', `cat > '${fifo}'`], { stdio: ['pipe', 'ignore', 'ignore'] });
    writer.stdin.end(bytes);
    const r = await loadCaptures([fifo], opts);
    const file = await loadCaptures([join(FIXTURES, 'lab-healthy-left.pcap')], opts);
    expect(r.inputs[0].packets).toBe(26);
    expect(r.packets.counters).toEqual(file.packets.counters);
    expect(r.packets.ikeMessages.map((m) => m.at.frame)).toEqual(file.packets.ikeMessages.map((m) => m.at.frame));
  });

  it('reads gzipped captures whatever their name', async () => {
    const p = join(dir, 'capture.bin');
    writeFileSync(p, gzipSync(fixtureBytes('ikev1-main-mode-psk-quick-mode.pcap')));
    const r = await loadCaptures([p], opts);
    expect(r.inputs[0].dialect).toBe('pcap.gz');
    expect(r.packets.ikeMessages).toHaveLength(9);
  });

  it('keeps what a truncated gzip stream held and says where reading stopped', async () => {
    const p = join(dir, 'cut.pcap.gz');
    // records repeated 40 times so the cut falls after the 64 KiB sniffing head (open-input.ts)
    const one = fixtureBytes('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    const big = Buffer.concat([one.subarray(0, 24), ...new Array(40).fill(one.subarray(24))]);
    const gz = gzipSync(big, { level: 1 });
    writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.8)));
    const r = await loadCaptures([p], opts);
    expect(r.packets.counters.frames).toBeGreaterThan(35);
    expect(r.packets.counters.frames).toBeLessThan(40 * 35);
    expect(r.diagnostics.some((d) => /reading stopped|truncated|ends inside/.test(d.message))).toBe(true);
    expect(r.packets.counters.truncatedRecords).toBe(r.inputs[0].counters?.truncatedRecords);
  });

  it('decodes a plain file read in double-buffered chunks as the gzip stream path does: records across chunk boundaries, a block longer than the headroom', async () => {
    // 4.4 MB of real records (the ESP flows of 24 SAs, 120 times): frames straddle every 1 MiB read
    const esp = fixtureBytes('esp-one-way-24-sa-ipv4-ipv6.pcap');
    const pcap = Buffer.concat([esp.subarray(0, 24), ...new Array(120).fill(esp.subarray(24))]);
    // pcapng: Custom Blocks (type 0x00000BAD, skipped) longer than the room kept in front of each
    // read, between the IKE packets: assembled across reads in a buffer that grows. The first ends
    // 64 KiB into a 1 MiB read (pcap-file.ts READ_CHUNK) and a 5 MiB one follows at once, so the
    // unconsumed ~960 KiB start inside that buffer and are moved to its front; after 3 MB of packets
    // a 2 MiB one starts in a plain read and is copied into the buffer, big enough by then
    const ng = fixtureBytes('ikev2-init-auth-then-esp.pcapng');
    const firstEpb = pcapngBlockOffset(ng, 6);
    const custom = (bytes: number) => {
      const block = Buffer.alloc(bytes);
      block.writeUInt32LE(0x00000bad, 0);
      block.writeUInt32LE(bytes, 4);
      block.writeUInt32LE(bytes, bytes - 4);
      return block;
    };
    const packets = ng.subarray(firstEpb);
    const before = firstEpb + 300 * packets.length;
    const first = (3 << 20) - (before % (1 << 20)) + (64 << 10);
    const pcapng = Buffer.concat([ng.subarray(0, firstEpb), ...new Array(300).fill(packets), custom(first), custom(5 << 20), ...new Array(1500).fill(packets), custom(2 << 20), packets]);
    // and a file cut inside its last record: delivered as far as it goes, counted, said
    for (const [name, bytes] of [['big.pcap', pcap], ['big.pcapng', pcapng], ['cut.pcap', pcap.subarray(0, pcap.length - 50)]] as const) {
      const plain = join(dir, name);
      const gz = join(dir, `${name}.gz`);
      writeFileSync(plain, bytes);
      writeFileSync(gz, gzipSync(bytes, { level: 1 }));
      const a = await loadCaptures([plain], opts);
      const b = await loadCaptures([gz], opts);
      expect(a.packets.counters.frames).toBe(name === 'big.pcapng' ? 1801 * framesOf('ikev2-init-auth-then-esp.pcapng').frames.length : 120 * framesOf('esp-one-way-24-sa-ipv4-ipv6.pcap').frames.length);
      expect(a.packets.counters.truncatedRecords).toBe(name === 'cut.pcap' ? 1 : 0);
      expect(a.packets.counters).toEqual(b.packets.counters);
      expect(a.diagnostics.map((d) => d.message)).toEqual(b.diagnostics.map((d) => d.message));
      expect(JSON.stringify(a.packets.espFlows).replaceAll(`${name}.gz`, name)).toBe(JSON.stringify(b.packets.espFlows).replaceAll(`${name}.gz`, name).replaceAll(gz, plain));
      expect(a.packets.ikeMessages.map((m) => [m.at.frame, m.digest])).toEqual(b.packets.ikeMessages.map((m) => [m.at.frame, m.digest]));
    }
  });

  it('a multi-chunk file cut anywhere decodes as its gzip stream does (property)', async () => {
    // 2.2 MB of real records (the ESP flows of 24 SAs, 60 times): every cut falls somewhere among two 1 MiB reads
    const esp = fixtureBytes('esp-one-way-24-sa-ipv4-ipv6.pcap');
    const whole = Buffer.concat([esp.subarray(0, 24), ...new Array(60).fill(esp.subarray(24))]);
    const file = join(dir, 'cut-anywhere.pcap');
    const gz = join(dir, 'cut-anywhere.pcap.gz');
    const fingerprint = (p: PacketEvidence) => JSON.stringify([p.counters, p.espFlows.map((f) => [f.spiHex, f.src, f.dst, f.packets, f.bytes, f.last.frame, f.maxSeq])]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 25, max: whole.length }), async (cut) => {
        const bytes = whole.subarray(0, cut);
        writeFileSync(file, bytes);
        writeFileSync(gz, gzipSync(bytes, { level: 1 }));
        const fromFile = await loadCaptures([file], opts);
        const fromStream = await loadCaptures([gz], opts);
        expect(fingerprint(fromFile.packets)).toBe(fingerprint(fromStream.packets));
        expect(fromFile.diagnostics.map((d) => d.message)).toEqual(fromStream.diagnostics.map((d) => d.message));
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a text file and an empty file with a hint (exit 2)', async () => {
    const text = join(dir, 'charon.log');
    writeFileSync(text, 'Nov 22 10:00:00 gw charon: 05[IKE] initiating IKE_SA\n');
    await expect(loadCaptures([text], opts)).rejects.toThrow(InputError);
    await expect(loadCaptures([text], opts)).rejects.toThrow(/not a packet capture/);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    await expect(loadCaptures([empty], opts)).rejects.toThrow(/is empty/);
    await expect(loadCaptures([join(dir, 'missing.pcap')], opts)).rejects.toThrow(/no such file/);
  });
});

describe('run.ts wiring (--pcap)', () => {
  it('puts the packets into the evidence with their input, next to logs', async () => {
    const { buildEvidence } = await import('../../src/run.js');
    const evidence = await buildEvidence({ logs: [], pcaps: [join(FIXTURES, 'ikev2-nat-auth-ipfrag-no-response.pcap')], configs: [], host: false, local: ['192.168.0.10'], peer: [] });
    expect(evidence.inputs).toEqual([expect.objectContaining({ kind: 'pcap', packets: 11 })]);
    expect(evidence.packets?.ikeMessages).toHaveLength(5);
    expect(evidence.packets?.local).toEqual(['192.168.0.10']);
  });
});

/** Byte offset of the first Enhanced Packet Block (type 6) of a little-endian pcapng file. */
function pcapngBlockOffset(bytes: Uint8Array, type: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o + 8 <= bytes.length; o += dv.getUint32(o + 4, true)) if (dv.getUint32(o, true) === type) return o;
  throw new Error(`no block of type ${type}`);
}
