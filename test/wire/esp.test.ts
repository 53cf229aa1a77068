import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAh, decodeEsp, newSpiSeq } from '../../src/wire/esp.js';
import { SequenceTracker } from '../../src/wire/collector/esp-sequence.js';
import { decodeFixture } from './pcap-fixtures.js';

describe('ESP / AH aggregation', () => {
  it('aggregates per SPI and direction with sequence ranges (zeek-spicy-ipsec ipsec.cap)', () => {
    const { packets } = decodeFixture('ikev1-mm-no-proposal-notify-retransmit-esp.pcap');
    const flows = packets.espFlows.map((f) => [f.spiHex, f.src, f.dst, f.packets, f.minSeq, f.maxSeq, f.missing]);
    expect(flows).toEqual([
      ['1c0d7b38', '192.168.140.205', '192.168.140.200', 9, 1, 9, 0],
      ['0879355b', '192.168.140.200', '192.168.140.205', 7, 1, 7, 0],
    ]);
  });

  it('decodes AH wrapping ESP as both SAs (Wireshark IPsec_ESP-AH_tunnel_mode.cap)', () => {
    const { packets } = decodeFixture('ah-esp-tunnel-bidirectional.pcap');
    expect(packets.espFlows.map((f) => `${f.protocol}:${f.spiHex}:${f.packets}:${f.minSeq}-${f.maxSeq}`).sort()).toEqual([
      'ah:8179b705:5:1-5', 'ah:ba8bd060:5:1-5', 'esp:48dac2e4:5:1-5', 'esp:fb5128a6:5:1-5',
    ]);
    expect(packets.espFlows.filter((f) => f.protocol === 'ah').every((f) => f.innerProtocol === 50)).toBe(true);
  });

  it('counts the replay, the gap and SPI 0 (Vita selftest-public-in.pcap)', () => {
    const { packets } = decodeFixture('esp-replay-gap-spi0-ipfrag.pcap');
    const main = packets.espFlows.find((f) => f.spi === 0x3e9)!;
    expect(main).toMatchObject({ duplicates: 1, missing: 2, gaps: [{ after: 3, next: 6, frame: 10 }] });
    expect(packets.espFlows.find((f) => f.spi === 0)?.sampleFrames).toEqual([8]);
  });

  it('counts loss per sender when an SPI is shared by destinations (tcpdump OSPFv3_with_AH.pcap)', () => {
    const { packets } = decodeFixture('ah-ipv6-ospfv3-shared-spi.pcap');
    const s1 = packets.espSenders.find((s) => s.src === 'fe80::1')!;
    const s2 = packets.espSenders.find((s) => s.src === 'fe80::2')!;
    expect(s1).toMatchObject({ seqPackets: 32, minSeq: 19, maxSeq: 50, missing: 0, outOfOrder: 1, duplicates: 0 });
    expect(s2).toMatchObject({ seqPackets: 29, minSeq: 13, maxSeq: 41, missing: 0, outOfOrder: 0 });
    expect(s1.destinations.sort()).toEqual(['fe80::2', 'ff02::5']);
  });

  it('keeps the SPI of a snaplen-cut ESP-in-UDP first fragment (tcpdump esp_truncated.pcap)', () => {
    const { packets } = decodeFixture('esp-in-udp-truncated-snaplen46.pcap');
    expect(packets.espFlows).toEqual([expect.objectContaining({ spiHex: 'c0f7d4c3', encap: 'udp', packets: 1, seqPackets: 0, ipFragments: 1 })]);
    expect(packets.counters.snaplenCut).toBe(1);
  });

  it('clones sequence accounting that then goes its own way (a sender gaining a second destination)', () => {
    const t = new SequenceTracker();
    for (const s of [1, 2, 5, 4]) t.add(s, s);
    const c = t.clone();
    c.add(4, 9);
    c.add(9, 10);
    t.add(3, 11);
    expect({ missing: t.missing, duplicates: t.duplicates, gaps: t.gaps.length, max: t.max }).toEqual({ missing: 0, duplicates: 0, gaps: 1, max: 5 });
    expect({ missing: c.missing, duplicates: c.duplicates, gaps: c.gaps.length, max: c.max }).toEqual({ missing: 4, duplicates: 1, gaps: 2, max: 9 });
  });

  it('tells late arrivals from duplicates with a bounded window', () => {
    const t = new SequenceTracker();
    for (const s of [1, 2, 4, 3, 3, 5, 9, 6, 1000, 7]) t.add(s, s);
    expect({ missing: t.missing, duplicates: t.duplicates, outOfOrder: t.outOfOrder, stale: t.stale, max: t.max }).toEqual({
      missing: 2 + 990, duplicates: 1, outOfOrder: 2, stale: 1, max: 1000,
    });
  });

  it('sequence accounting is consistent on any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 300 }), (seqs) => {
        const t = new SequenceTracker();
        seqs.forEach((s, i) => t.add(s, i));
        expect(t.packets).toBe(seqs.length);
        expect(t.missing).toBeGreaterThanOrEqual(0);
        expect(t.gaps.length).toBeLessThanOrEqual(16);
      }),
    );
  });

  it('decoders never throw and flag short headers', () => {
    expect(decodeEsp(Uint8Array.of(1, 2, 3), 0, 3, newSpiSeq()).status).toBe('short');
    expect(decodeEsp(Uint8Array.of(0, 0, 1, 0, 9), 0, 5, newSpiSeq())).toMatchObject({ status: 'spi-only', spi: 256 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 50 }), (b, end) => {
        decodeEsp(b, 0, end, newSpiSeq());
        const ah = decodeAh(b, 0, end, newSpiSeq());
        if (ah.status !== 'short') expect(ah.nextOff).toBeGreaterThanOrEqual(8);
      }),
      { numRuns: 1000 },
    );
  });
});
