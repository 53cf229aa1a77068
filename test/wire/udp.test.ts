import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeUdp, newUdpInfo } from '../../src/wire/udp.js';
import { decodeFixture } from './pcap-fixtures.js';

const udp = (sp: number, dp: number, payload: number[]) =>
  Uint8Array.from([sp >> 8, sp & 255, dp >> 8, dp & 255, (payload.length + 8) >> 8, (payload.length + 8) & 255, 0, 0, ...payload]);

describe('UDP 500/4500 demultiplexing (RFC 3948 §2)', () => {
  it('tells keepalive, non-ESP marker and ESP apart on 4500', () => {
    const k = udp(4500, 4500, [0xff]);
    expect(decodeUdp(k, 0, k.length, k.length, newUdpInfo()).kind).toBe('nat-keepalive');
    const ike = udp(4500, 4500, [0, 0, 0, 0, ...new Array(28).fill(1)]);
    expect(decodeUdp(ike, 0, ike.length, ike.length, newUdpInfo())).toMatchObject({ kind: 'ike', nonEspMarker: true, innerOff: 12 });
    const esp = udp(4500, 4500, [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1]);
    expect(decodeUdp(esp, 0, esp.length, esp.length, newUdpInfo())).toMatchObject({ kind: 'esp-in-udp', innerOff: 8 });
    const i500 = udp(500, 500, new Array(28).fill(0));
    expect(decodeUdp(i500, 0, i500.length, i500.length, newUdpInfo())).toMatchObject({ kind: 'ike', nonEspMarker: false });
  });

  it('counts real keepalives and ESP-in-UDP (tcpdump isakmp4500.pcap, espudp1.pcap)', () => {
    const natt = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap').packets;
    expect(natt.natKeepalives).toEqual([
      expect.objectContaining({ src: { address: '192.1.2.254', port: 4500 }, dst: { address: '192.1.2.23', port: 4500 }, count: 4 }),
    ]);
    expect(natt.natKeepalives[0].first.frame).toBe(18);
    expect(natt.natKeepalives[0].last.frame).toBe(34);
    const espudp = decodeFixture('esp-in-udp-4500-one-way.pcap').packets;
    expect(espudp.espFlows).toHaveLength(1);
    expect(espudp.espFlows[0]).toMatchObject({ spi: 0x12345678, encap: 'udp', srcPort: 4500, dstPort: 4500, packets: 8, minSeq: 1, maxSeq: 8, missing: 0 });
  });

  it('tolerates a UDP length larger than the datagram (tcpdump isakmp-rfc3948-oobr.pcap)', () => {
    const b = udp(4500, 12336, []);
    b[4] = 0x30;
    b[5] = 0x30;
    expect(decodeUdp(b, 0, b.length, 8, newUdpInfo())).toMatchObject({ badLength: true, wirePayload: 0 });
  });

  it('never throws and keeps offsets in bounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 70000 }), (b, ipLen) => {
        const u = decodeUdp(b, 0, b.length, ipLen, newUdpInfo());
        if (u.kind !== 'short') expect(u.payloadEnd).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 2000 },
    );
  });
});
