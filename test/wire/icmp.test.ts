import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIcmp } from '../../src/wire/icmp.js';
import { decodeFixture } from './pcap-fixtures.js';

describe('ICMP errors', () => {
  it('reads frag-needed with its next-hop MTU and the quoted DF packet (Vita selftest-private-out.pcap frame 6)', () => {
    const { packets } = decodeFixture('icmp-frag-needed-mtu500-from-vpn-gw.pcap');
    expect(packets.icmpErrors.map((e) => [e.at.frame, e.type, e.code, e.kind])).toEqual([
      [5, 3, 2, 'protocol-unreachable'], [6, 3, 4, 'frag-needed'], [7, 11, 0, 'time-exceeded'], [9, 3, 2, 'protocol-unreachable'], [10, 11, 0, 'time-exceeded'],
    ]);
    const f6 = packets.icmpErrors[1];
    expect(f6).toMatchObject({ from: '192.168.10.1', to: '192.168.0.1', mtu: 500 });
    expect(f6.quoted).toMatchObject({ src: '192.168.0.1', dst: '192.168.10.2', protocol: 1, totalLength: 8024, df: true, kind: 'icmp' });
    expect(f6.excerpt).toBe('192.168.10.1 → 192.168.0.1 ICMP 3/4 frag-needed mtu 500 quoting 192.168.0.1 → 192.168.10.2 icmp len 8024 DF');
  });

  it('reads the quoted 5-tuple of a port unreachable (zeek icmp-destunreach-udp.pcap)', () => {
    const { packets } = decodeFixture('icmp-port-unreach-quoting-udp.pcap');
    expect(packets.icmpErrors).toHaveLength(1);
    expect(packets.icmpErrors[0]).toMatchObject({ from: '192.168.1.102', to: '192.168.1.1', kind: 'port-unreachable' });
    expect(packets.icmpErrors[0].quoted).toMatchObject({ src: '192.168.1.1', srcPort: 53, dst: '192.168.1.102', dstPort: 59207, protocol: 17, kind: 'udp' });
  });

  it('links an error quoting IKE on 500 and ESP-in-UDP on 4500 to what it quotes', () => {
    // a real IKE_SA_INIT request (suricata-verify weak-dh, raw IPv4) quoted after an ICMP 3/3 header, as Linux quotes up to 576 bytes
    const ike = decodeFixture('ikev2-init-dh2-unanswered-rawip.pcap').packets.ikeMessages[0];
    expect(ike.spiI).toBe('61d3693ce12af528');
    const quotedIke = Uint8Array.from([0x45, 0, 1, 12, 0, 0, 0x40, 0, 64, 17, 0, 0, 212, 158, 157, 2, 212, 158, 157, 8, 1, 244, 1, 244, 0, 248, 0, 0, 0x61, 0xd3, 0x69, 0x3c, 0xe1, 0x2a, 0xf5, 0x28]);
    const r = decodeIcmp(Uint8Array.from([3, 3, 0, 0, 0, 0, 0, 0, ...quotedIke]), 0, 8 + quotedIke.length, false)!;
    expect(r.kind).toBe('port-unreachable');
    expect(r.quoted).toMatchObject({ kind: 'ike', srcPort: 500, dstPort: 500, ikeSpiI: '61d3693ce12af528', df: true });
    const quotedEsp = Uint8Array.from([0x45, 0, 0, 100, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x11, 0x94, 0x11, 0x94, 0, 80, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1]);
    const e = decodeIcmp(Uint8Array.from([3, 4, 0, 0, 0, 0, 0x05, 0x78, ...quotedEsp]), 0, 8 + quotedEsp.length, false)!;
    expect(e).toMatchObject({ kind: 'frag-needed', mtu: 1400, quoted: { kind: 'esp-in-udp', spi: 0x12345678, totalLength: 100 } });
  });

  it('reads ICMPv6 Packet Too Big with a 32-bit MTU', () => {
    const inner = [0x60, 0, 0, 0, 0x05, 0xb4, 50, 64, ...new Array(16).fill(0xfe), ...new Array(16).fill(0xfd), 0, 0, 0x10, 0x01, 0, 0, 0, 7];
    const r = decodeIcmp(Uint8Array.from([2, 0, 0, 0, 0, 0, 0x05, 0x00, ...inner]), 0, 8 + inner.length, true)!;
    expect(r).toMatchObject({ kind: 'packet-too-big', mtu: 1280, quoted: { kind: 'esp', spi: 0x1001, totalLength: 1500 } });
  });

  it('never throws on random ICMP bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), fc.constantFrom(1, 2, 3, 4, 11, 12), (b, v6, type) => {
        if (b.length) b[0] = type;
        if (b.length > 8) b[8] = v6 ? 0x60 : 0x45;
        decodeIcmp(b, 0, b.length, v6);
      }),
      { numRuns: 2000 },
    );
  });
});
