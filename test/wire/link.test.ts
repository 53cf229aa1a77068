import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeLink, newLinkResult } from '../../src/wire/link.js';
import { decodeFixture, framesOf } from './pcap-fixtures.js';

describe('link layers', () => {
  it('walks 802.1Q and Q-in-Q tags to IPv4 (zeek vlan-pcp-dei.pcapng)', () => {
    const { frames } = framesOf('fmt-pcapng-vlan-qinq.pcapng');
    const offsets = frames.map((f) => decodeLink(f.linktype, f.data, newLinkResult()).offset);
    // double-tagged frames 1, 4, 7; single tag 2, 5, 8; untagged 3, 6, 9
    expect(offsets).toEqual([22, 18, 14, 22, 18, 14, 22, 18, 14]);
    const { packets } = decodeFixture('fmt-pcapng-vlan-qinq.pcapng');
    expect(packets.trafficFlows.map((f) => `${f.src}:${f.srcPort}>${f.dst}:${f.dstPort}`).sort()).toEqual(
      [...new Set(packets.trafficFlows.map((f) => `${f.src}:${f.srcPort}>${f.dst}:${f.dstPort}`))].sort(),
    );
    expect(packets.trafficFlows.reduce((n, f) => n + f.packets, 0)).toBe(9);
  });

  it('decodes Linux SLL2 and leaves ARP/RARP as non-IP (zeek linux_dlt_sll2.pcap)', () => {
    const { packets } = decodeFixture('fmt-linux-sll2.pcap');
    expect(packets.counters['linktype:276']).toBe(6);
    expect(packets.counters.nonIp).toBe(2);
    // the pings are from an address to itself: one flow per family, request and reply
    expect(packets.trafficFlows.map((f) => [f.protocolName, f.src, f.packets])).toEqual([
      ['icmp', '192.0.2.1', 2],
      ['icmpv6', 'fe80::8c36:6ff:fe44:acaf', 2],
    ]);
  });

  it('decodes Linux SLL v1 to a TCP flow (tcpdump tcp-handshake-nano.pcap)', () => {
    const { packets } = decodeFixture('fmt-nanosecond-pcap-linux-sll.pcap');
    expect(packets.trafficFlows.map((f) => f.protocolName)).toEqual(['tcp', 'tcp']);
    expect(packets.trafficFlows.reduce((n, f) => n + f.packets, 0)).toBe(3);
  });

  it('decodes BSD loopback DLT_NULL (tcpdump ikev2four.pcap) and raw IPv4 DLT_RAW (suricata-verify weak-dh)', () => {
    expect(decodeFixture('ikev2-cookie-auth-create-child-dlt-null.pcap').packets.ikeMessages).toHaveLength(21);
    const raw = decodeFixture('ikev2-init-dh2-unanswered-rawip.pcap').packets;
    expect(raw.counters['linktype:101']).toBe(1);
    expect(raw.ikeMessages[0].src).toEqual({ address: '212.158.157.2', port: 500 });
  });

  it('accepts the loopback AF in either byte order', () => {
    const ip = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    expect(decodeLink(0, Uint8Array.from([2, 0, 0, 0, ...ip]), newLinkResult()).offset).toBe(4);
    expect(decodeLink(0, Uint8Array.from([0, 0, 0, 2, ...ip]), newLinkResult()).offset).toBe(4);
    expect(decodeLink(108, Uint8Array.from([0, 0, 0, 30, 0x60, ...new Array(39).fill(0)]), newLinkResult()).ipVersion).toBe(6);
  });

  it('says which link types it does not know', () => {
    expect(decodeLink(147, new Uint8Array(60), newLinkResult()).reason).toBe('unsupported-linktype');
  });

  it('never throws and never points past the frame', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999), fc.uint8Array({ maxLength: 80 }), (lt, bytes) => {
        const r = decodeLink(lt, bytes, newLinkResult());
        if (r.offset >= 0) expect(r.offset).toBeLessThan(bytes.length);
      }),
      { numRuns: 1000 },
    );
  });
});
