/**
 * F5 tables on real output: the seed's six `Sys::Connections` tables (no-break spaces and all),
 * F5's published `tmsh show net ipsec ipsec-sa` and `racoonctl show-sa isakmp`, and the seed's
 * `Tunnel State : up` grep (fixtures/PROVENANCE.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sysConnectionReader } from '../../../src/platforms/f5/tables/sys-connection.js';
import { ikeSaReader, netIpsecReader, racoonctlReader } from '../../../src/platforms/f5/tables/net-ipsec.js';
import { detectTable } from '../../../src/sources/sa-table-file.js';

const FX = join(import.meta.dirname, 'fixtures');
const lines = (f: string) => readFileSync(join(FX, f), 'utf8').trimEnd().split('\n');

describe('tmsh show sys connection (seed)', () => {
  const flowsOf = (n: number) => sysConnectionReader.read(lines(`seed-sys-connection-${n}.txt`), 't').table.flows!;
  it('every seed table is claimed by this reader and read whole', () => {
    for (let n = 1; n <= 6; n++) {
      expect(detectTable(lines(`seed-sys-connection-${n}.txt`))?.reader.format).toBe('f5-sys-connection');
      expect(sysConnectionReader.read(lines(`seed-sys-connection-${n}.txt`), 't').table.unparsed).toBe(0);
    }
  });
  it('lookupspi enabled: one IKE flow and one ESP flow per direction, SPI-derived ports kept as printed', () => {
    const f = flowsOf(1);
    expect(f.map((x) => [x.protocol, x.client.src, x.client.dst])).toEqual([['udp', '1.1.1.1', '2.2.2.2'], ['esp', '2.2.2.2', '1.1.1.1'], ['esp', '1.1.1.1', '2.2.2.2']]);
    expect(f[1].client).toEqual({ src: '2.2.2.2', srcPort: '44', dst: '1.1.1.1', dstPort: '47625' });
    expect(f[0].idleSeconds).toBe(6);
  });
  it('the refused return: one ESP flow only (no-break spaces between the columns)', () => {
    expect(lines('seed-sys-connection-2.txt').join('\n')).toContain('\u00a0');
    expect(flowsOf(2).map((x) => `${x.protocol} ${x.client.src}>${x.client.dst}`)).toEqual(['udp 1.1.1.1>2.2.2.2', 'esp 1.1.1.1>2.2.2.2']);
  });
  it('lookupspi disabled: one ESP flow with `any` ports; the empty table is an empty list', () => {
    expect(flowsOf(3)[0]).toMatchObject({ protocol: 'esp', client: { srcPort: 'any', dstPort: 'any' } });
    expect(flowsOf(4)).toEqual([]);
  });
  it('the ALG pre-creates AH and ESP flows whose server-side port is 500', () => {
    const alg = flowsOf(5).filter((x) => x.server.dstPort === '500' && x.protocol !== 'udp');
    expect(alg.map((x) => x.protocol)).toEqual(['ah', 'esp']);
  });
  it('rows alone without the title or footer are not claimed (too generic)', () => {
    expect(sysConnectionReader.sniff(lines('seed-sys-connection-1.txt').slice(1, 3))).toBe(0);
  });
});

describe('tmsh show net ipsec (F5 clouddocs, seed)', () => {
  it('ipsec-sa all-properties: the two directions of one tunnel are one Child SA with bytes per direction', () => {
    const input = lines('show-net-ipsec-ipsec-sa.txt');
    expect(detectTable(input)?.reader.format).toBe('f5-show-net-ipsec');
    const { table } = netIpsecReader.read(input, 't');
    expect(table.unparsed).toBe(0);
    expect(table.childSas).toHaveLength(1);
    expect(table.childSas[0]).toMatchObject({ installed: true, protocol: 'esp', mode: 'tunnel', out: { spi: '0bec2922', src: '172.16.1.1', dst: '172.16.2.1', bytes: 3634816 }, in: { spi: '07376bf9', bytes: 2390188 } });
  });
  it('`Tunnel State : up` is a state with no SPI and no counters', () => {
    const input = ['# tmsh sho net ipsec | grep State', '\u00a0 Tunnel State : up', '  Tunnel State : up'];
    expect(detectTable(input)?.reader.format).toBe('f5-show-net-ipsec');
    const { table } = netIpsecReader.read(input, 't');
    expect(table.childSas.map((c) => [c.installed, c.in, c.out])).toEqual([[true, undefined, undefined], [true, undefined, undefined]]);
  });
  it('ike-sa: the `A/500 -> B/500` lines are IKE SAs listed, not claimed established (the rest of a record is not read)', () => {
    // built from the fragments ../shared/reference/platforms.md §2.4 quotes of F5's isakmp_sa_view.html (no whole record is public)
    const input = ['IKE::SecurityAssociations', '(tmm: 1)', '10.2.2.2/500 -> 10.1.1.1/500', 'Total records returned: 1'];
    expect(detectTable(input)?.reader.format).toBe('f5-show-net-ike-sa');
    const { table } = ikeSaReader.read(input, 't');
    expect(table.ikeSas.map((s) => [s.local?.address, s.local?.port, s.remote?.address, s.established, s.state])).toEqual([['10.2.2.2', 500, '10.1.1.1', false, 'listed']]);
  });
  it('racoonctl -ll show-sa isakmp: IKEv1 SAs, ST 9 established, role from S', () => {
    const input = lines('racoonctl-show-sa-isakmp.txt');
    expect(detectTable(input)?.reader.format).toBe('f5-racoonctl-show-sa');
    const { table } = racoonctlReader.read(input, 't');
    expect(table.ikeSas.map((s) => [s.local?.address, s.remote?.address, s.established, s.role, s.spiInitiator, s.childSasNegotiated])).toEqual([
      ['127.0.0.1', '10.2.2.2', true, 'responder', '9f7a366492b4f22e', 1],
      ['10.1.1.1', '10.3.3.3', true, 'initiator', 'ef282855139dba4e', 1],
    ]);
  });
});
