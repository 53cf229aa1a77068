/**
 * The PAN-OS `show vpn …` readers on the shared corpus itself (../shared/corpus/platforms/panos,
 * PROVENANCE.md beside it): each table file is claimed by its command's reader and read
 * to the last line; the other PAN-OS files (system log, ikemgr.log, `set` commands) and
 * every log of the log corpus are claimed by no table reader. Skips, saying so, when the
 * corpus is absent (a user's clone does not have it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SaTableReader } from '../../src/evidence/sa-table-types.js';
import { panosTableReaders } from '../../src/platforms/panos/tables.js';
import { flowReader, ikeSaDetailReader, ikeSaReader, ipsecSaReader } from '../../src/platforms/panos/tables/readers.js';
import { detectTable } from '../../src/sources/sa-table-file.js';
import { diagnose } from '../../src/run.js';

const CORPUS = resolve(process.env.IPSEC_DOCTOR_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));
const PANOS = join(CORPUS, 'platforms', 'panos');
const present = existsSync(join(CORPUS, 'platforms', 'PROVENANCE.md')) && existsSync(PANOS);
if (!present) console.warn(`[corpus] skipping the PAN-OS table corpus tests: ${PANOS} not found (set IPSEC_DOCTOR_CORPUS to the corpus directory)`);

function lines(path: string): string[] {
  const all = readFileSync(path, 'utf8').split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** Each `show vpn` file of the corpus: its reader, and what it holds. */
const TABLES: [file: string, reader: SaTableReader, ikeSas: number, childSas: number][] = [
  ['panos-show-vpn-ike-sa.cloudflare-docs.txt', ikeSaReader, 1, 1],
  ['panos-show-vpn-ipsec-sa.cloudflare-docs.txt', ipsecSaReader, 0, 1],
  ['panos-show-vpn-ike-sa-detail.kb.txt', ikeSaDetailReader, 1, 0],
  // five commands in one file: named after the one it holds most lines of; the Child SA seen three times is one
  ['panos-show-vpn-flow-gateway-ike-ipsec.zscaler-docs.txt', ikeSaReader, 1, 1],
];

describe.skipIf(!present)('PAN-OS show vpn tables in the corpus', () => {
  it('the corpus holds the files this test knows, and no other `show vpn` file', () => {
    const shown = readdirSync(PANOS).filter((f) => f.startsWith('panos-show-vpn'));
    expect(shown.sort()).toEqual(TABLES.map(([f]) => f).sort());
  });

  for (const [file, reader, ikeSas, childSas] of TABLES) {
    it(`${file}: claimed by ${reader.format}, read to the last line`, () => {
      const l = lines(join(PANOS, file));
      expect(detectTable(l)?.reader).toBe(reader);
      const { table, diagnostics } = reader.read(l, file);
      // the detail form says that it lists no Child SAs
      expect(diagnostics).toHaveLength(reader === ikeSaDetailReader ? 1 : 0);
      expect(table).toMatchObject({ platform: 'panos', format: reader.format, lines: l.length, unparsed: 0 });
      expect(table.ikeSas).toHaveLength(ikeSas);
      expect(table.childSas).toHaveLength(childSas);
      for (const c of table.childSas) for (const d of [c.in, c.out]) if (d?.spi) expect(d.spi).toMatch(/^[0-9a-f]{8}$/);
    });
  }

  it('the Cloudflare pair, the Zscaler paste: the facts a diagnosis needs', () => {
    const ike = ikeSaReader.read(lines(join(PANOS, 'panos-show-vpn-ike-sa.cloudflare-docs.txt')), 'c').table;
    expect(ike.ikeSas[0]).toMatchObject({ name: 'CF_Magic_WAN_IKE_01', state: 'Established', established: true, version: 2, remote: { address: '162.159.66.164' } });
    expect(ike.childSas[0]).toMatchObject({ ikeSa: 0, state: 'Mature', installed: true, in: { spi: 'fcaee176' }, out: { spi: '1ef41ba9' } });
    const z = ikeSaReader.read(lines(join(PANOS, 'panos-show-vpn-flow-gateway-ike-ipsec.zscaler-docs.txt')), 'z').table;
    expect(z.childSas[0]).toMatchObject({ in: { spi: 'cbf7dc1d', src: '10.66.88.108', dst: '10.96.19.238' }, out: { spi: '5d1568fd', src: '10.96.19.238', dst: '10.66.88.108' } });
    const d = ikeSaDetailReader.read(lines(join(PANOS, 'panos-show-vpn-ike-sa-detail.kb.txt')), 'd').table;
    expect(d.ikeSas[0]).toMatchObject({ spiInitiator: '8669654ab024e4ae', spiResponder: 'cabd66d702c02131', local: { address: '2.2.2.2' }, remote: { address: '1.1.1.1' } });
  });

  it('the Cloudflare tables of a working tunnel diagnose clean', async () => {
    const logs = ['panos-show-vpn-ike-sa.cloudflare-docs.txt', 'panos-show-vpn-ipsec-sa.cloudflare-docs.txt'].map((f) => join(PANOS, f));
    const report = await diagnose({ logs, pcaps: [], configs: [], host: false, local: [], peer: [] });
    expect(report.inputs.map((i) => i.kind)).toEqual(['table', 'table']);
    expect(report.findings.map((f) => f.code)).toEqual([]);
  });

  it('no table reader claims the PAN-OS system logs, ikemgr.log or `set` commands', () => {
    const rest = readdirSync(PANOS).filter((f) => !f.startsWith('panos-show-vpn') && statSync(join(PANOS, f)).isFile());
    expect(rest.length).toBeGreaterThanOrEqual(7);
    for (const f of rest) {
      const l = lines(join(PANOS, f));
      for (const r of panosTableReaders) expect(r.sniff(l), `${r.format} on ${f}`).toBe(0);
    }
  });

  it('no PAN-OS table reader claims a log of the log corpus or the other platforms\' files', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (!/\.(md|gz|pcap|pcapng)$/.test(f) && !p.startsWith(PANOS)) files.push(p);
      }
    };
    walk(join(CORPUS, 'logs'));
    walk(join(CORPUS, 'platforms'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const l = lines(f);
      for (const r of panosTableReaders) expect(r.sniff(l), `${r.format} on ${f}`).toBe(0);
    }
    expect(flowReader.sniff([])).toBe(0);
  });
});
