import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIke, type IkeWire } from '../../src/wire/ike.js';
import { decodeLink, newLinkResult } from '../../src/wire/link.js';
import { decodeIp, newIpHeader } from '../../src/wire/ip.js';
import { decodeUdp, newUdpInfo } from '../../src/wire/udp.js';
import { decodeFixture, framesOf } from './pcap-fixtures.js';

/** The IKE bytes of one frame and its outer addressing, through the real link/IP/UDP decoders. */
function ikeOf(name: string, frame: number): { bytes: Uint8Array; wire: IkeWire } {
  const f = framesOf(name).frames[frame - 1];
  const link = decodeLink(f.linktype, f.data, newLinkResult());
  const ip = decodeIp(f.data, link.offset, newIpHeader());
  const udp = decodeUdp(f.data, ip.payloadOff, ip.end, ip.totalLength - (ip.payloadOff - ip.start), newUdpInfo());
  return {
    bytes: f.data.slice(udp.innerOff, udp.payloadEnd),
    wire: { src: f.data.slice(ip.srcOff, ip.srcOff + ip.addrLen), dst: f.data.slice(ip.dstOff, ip.dstOff + ip.addrLen), srcPort: udp.srcPort, dstPort: udp.dstPort },
  };
}

describe('IKE header and payload walk', () => {
  it('rejects a header whose length field is 0 with a located problem (zeek-spicy-ipsec ipsec-ikev1-zero-length.pcap)', () => {
    const { bytes, wire } = ikeOf('ikev1-malformed-zero-header-length.pcap', 1);
    const r = decodeIke(bytes, 0, bytes.length, wire, false);
    expect(r.message).toBeUndefined();
    expect(r.problems).toEqual(['malformed IKE header: length field 0 is below the 28-byte header']);
    const { packets, diagnostics } = decodeFixture('ikev1-malformed-zero-header-length.pcap');
    expect(packets.ikeMessages).toHaveLength(0);
    expect(diagnostics).toContainEqual({ at: { source: 'ikev1-malformed-zero-header-length.pcap', frame: 1 }, decoder: 'ike', message: 'malformed IKE header: length field 0 is below the 28-byte header' });
  });

  it('keeps the header of a message with a bad payload length and says where it stopped (ipsec-ikev1-payload-bad-length.pcap)', () => {
    const { packets, diagnostics } = decodeFixture('ikev1-malformed-payload-length.pcap');
    const [m] = packets.ikeMessages;
    expect(m).toMatchObject({ version: 1, exchange: 2, spiI: 'e47a591fd057587f', spiR: '0000000000000000' });
    expect(m.malformed).toMatch(/payload: length \d+/);
    expect(diagnostics.map((d) => d.at.frame)).toEqual([1]);
  });

  it('records a chain without NONE and zero SPIs (tcpdump isakmp-no-none-np.pcapng)', () => {
    const { packets, diagnostics } = decodeFixture('ikev1-informational-zero-spi-fuzzed.pcapng');
    const [m] = packets.ikeMessages;
    expect(m.spiI).toBe('0000000000000000');
    expect(m.exchangeName).toBe('Informational');
    expect(m.messageId).toBe(0x5f724dc6);
    expect(m.notifies.map((n) => [n.type, n.name])).toEqual([[5, 'INVALID_MAJOR_VERSION'], [5, 'INVALID_MAJOR_VERSION']]);
    expect(diagnostics[0].message).toMatch(/payload chain ends without NONE/);
  });

  it('says when the snap length cut the message, not that it is malformed', () => {
    const { bytes, wire } = ikeOf('ikev1-main-mode-psk-quick-mode.pcap', 3);
    const r = decodeIke(bytes, 0, 100, wire, true);
    expect(r.message?.truncated).toBe(true);
    expect(r.problems[0]).toMatch(/cut short in the capture: 100 of 284 bytes/);
  });

  it('is total on mutated real messages: never throws, bounded output', () => {
    const samples = [
      ikeOf('ikev1-main-mode-psk-quick-mode.pcap', 1),
      ikeOf('ikev1-main-mode-psk-quick-mode.pcap', 3),
      ikeOf('ikev2-nat-auth-ipfrag-no-response.pcap', 1),
      ikeOf('ikev2-cookie-auth-create-child-dlt-null.pcap', 2),
      ikeOf('ikev1-mm-no-proposal-notify-retransmit-esp.pcap', 3),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.nat(),
        ({ bytes, wire }, mutations, cutAt) => {
          const b = bytes.slice();
          for (const [pos, v] of mutations) b[pos % b.length] = v;
          const end = cutAt % (b.length + 1);
          const r = decodeIke(b, 0, end, wire, false);
          if (r.message) {
            expect(r.message.payloads.length).toBeLessThanOrEqual(64);
            expect(r.message.proposals.length).toBeLessThanOrEqual(64 * 64);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes', () => {
    const wire: IkeWire = { src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), srcPort: 500, dstPort: 500 };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(0x10, 0x20), (bytes, version) => {
        if (bytes.length > 17) bytes[17] = version;
        decodeIke(bytes, 0, bytes.length, wire, false);
      }),
      { numRuns: 2000 },
    );
  });
});
