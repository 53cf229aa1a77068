import { describe, expect, it } from 'vitest';
import { buildEspFlows } from '../../../src/evidence/derived/wire/esp-flows.js';
import { decodeFixture } from '../../wire/pcap-fixtures.js';

describe('ESP flows per SPI and direction (derived)', () => {
  it('one-way ESP-in-UDP while IKE works both ways (tcpdump isakmp4500.pcap)', () => {
    const v = buildEspFlows(decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap').packets);
    expect(v.tunnels).toEqual([expect.objectContaining({ a: '192.1.2.23', b: '192.1.2.254', oneWay: true, ikeBothWays: true })]);
    expect(v.flows[0]).toMatchObject({ reverse: [], lost: 0, sharedSpi: false });
  });

  it('both directions with their reverse flows (zeek-spicy-ipsec ipsec.cap)', () => {
    const v = buildEspFlows(decodeFixture('ikev1-mm-no-proposal-notify-retransmit-esp.pcap').packets);
    expect(v.tunnels[0]).toMatchObject({ oneWay: false, ikeBothWays: true });
    expect(v.flows.map((f) => f.reverse.map((r) => r.spiHex))).toEqual([['0879355b'], ['1c0d7b38']]);
  });

  it('uses per-sender loss for a shared SPI, so per-destination holes are not loss (tcpdump OSPFv3_with_AH.pcap)', () => {
    const v = buildEspFlows(decodeFixture('ah-ipv6-ospfv3-shared-spi.pcap').packets);
    expect(v.flows.every((f) => f.sharedSpi)).toBe(true);
    expect(v.flows.map((f) => f.flow.missing).some((m) => m > 0)).toBe(true);
    expect(v.flows.every((f) => f.lost === 0)).toBe(true);
  });

  it('ESP without IKE: tunnels say no IKE was seen (tcpdump espudp1.pcap)', () => {
    const v = buildEspFlows(decodeFixture('esp-in-udp-4500-one-way.pcap').packets);
    expect(v.tunnels).toEqual([expect.objectContaining({ oneWay: true, ikeSeen: false })]);
  });
});
