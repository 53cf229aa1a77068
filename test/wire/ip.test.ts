import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIp, newIpHeader } from '../../src/wire/ip.js';
import { decodeFixture } from './pcap-fixtures.js';

const v6 = (next: number, payload: number[]) => [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, next, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2, ...payload];

describe('IP decoding', () => {
  it('skips IPv4 options by IHL', () => {
    // IHL 6: one 4-byte option (NOP NOP NOP EOL), UDP follows at 24
    const d = Uint8Array.from([0x46, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 1, 1, 0, 1, 244, 1, 244, 0, 8, 0, 0]);
    const h = decodeIp(d, 0, newIpHeader());
    expect(h).toMatchObject({ ok: true, protocol: 17, payloadOff: 24, df: true, totalLength: 32, fragmented: false });
  });

  it('walks IPv6 hop-by-hop, destination options and fragment headers (RFC 8200 §4)', () => {
    const hopByHop = [60, 0, 1, 4, 0, 0, 0, 0];
    const destOpts = [44, 0, 1, 4, 0, 0, 0, 0];
    const fragment = [17, 0, 0, 1, 0, 0, 0x12, 0x34]; // offset 0, M=1, id 0x1234
    const h = decodeIp(Uint8Array.from(v6(0, [...hopByHop, ...destOpts, ...fragment, 1, 244, 1, 244, 0, 8, 0, 0])), 0, newIpHeader());
    expect(h).toMatchObject({ ok: true, protocol: 17, payloadOff: 64, fragmented: true, mf: true, fragOffset: 0, fragId: 0x1234 });
    // the fragmentable part starts after the destination options that precede the fragment header
    expect(h.fragPartOff).toBe(64);
  });

  it('stops at AH as an upper layer in IPv6 (tcpdump OSPFv3_with_AH.pcap)', () => {
    const { packets } = decodeFixture('ah-ipv6-ospfv3-shared-spi.pcap');
    expect(packets.counters.ah).toBe(61);
    expect(packets.espFlows.every((f) => f.protocol === 'ah' && f.ipVersion === 6 && f.innerProtocol === 89)).toBe(true);
  });

  it('marks a datagram cut by the snap length as truncated, not malformed', () => {
    const d = Uint8Array.from([0x45, 0, 0x05, 0xdc, 0, 1, 0, 0, 64, 50, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 1]);
    expect(decodeIp(d, 0, newIpHeader())).toMatchObject({ ok: true, truncated: true, end: d.length, totalLength: 1500 });
  });

  it('rejects bad versions and header lengths with a reason', () => {
    expect(decodeIp(Uint8Array.from([0x55, ...new Array(30).fill(0)]), 0, newIpHeader()).reason).toBe('bad-version');
    expect(decodeIp(Uint8Array.from([0x44, ...new Array(30).fill(0)]), 0, newIpHeader()).reason).toBe('bad-header-length');
  });

  it('never throws and keeps offsets inside the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0x45, 0x46, 0x4f, 0x60), (bytes, first) => {
        if (bytes.length) bytes[0] = first;
        const h = decodeIp(bytes, 0, newIpHeader());
        if (h.ok) {
          expect(h.end).toBeLessThanOrEqual(bytes.length);
          expect(h.payloadOff).toBeLessThanOrEqual(h.end);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
