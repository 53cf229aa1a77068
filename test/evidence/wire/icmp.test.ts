import { describe, expect, it } from 'vitest';
import { createPacketCollector } from '../../../src/wire/collector/packet-collector.js';
import { linkIcmpErrors } from '../../../src/evidence/derived/wire/icmp.js';
import { decodeFixture, framesOf } from '../../wire/pcap-fixtures.js';

describe('ICMP errors linked to what they quote (derived)', () => {
  it('links a port unreachable quoting a real IKE_SA_INIT to that IKE message', () => {
    // The IKE_SA_INIT of suricata-verify IKEv2_SA_INIT_2-8-weak.pcap (raw IPv4), then an ICMP 3/3 from the
    // responder quoting its first 64 bytes, as a host with nothing listening on UDP 500 would send.
    const [ike] = framesOf('ikev2-init-dh2-unanswered-rawip.pcap').frames;
    const quote = ike.data.subarray(0, 64);
    const icmp = new Uint8Array(20 + 8 + quote.length);
    icmp.set([0x45, 0, 0, icmp.length, 0, 0, 0, 0, 64, 1, 0, 0, 212, 158, 157, 8, 212, 158, 157, 2]);
    icmp.set([3, 3, 0, 0, 0, 0, 0, 0], 20);
    icmp.set(quote, 28);
    const c = createPacketCollector({ local: [], peer: [] });
    c.addFrame(ike);
    c.addFrame({ ...ike, frame: 2, caplen: icmp.length, origlen: icmp.length, data: icmp });
    const [link] = linkIcmpErrors(c.finish());
    expect(link.error).toMatchObject({ kind: 'port-unreachable', from: '212.158.157.8' });
    expect(link.error.quoted).toMatchObject({ kind: 'ike', srcPort: 500, dstPort: 500, ikeSpiI: '61d3693ce12af528' });
    expect(link.quotesIke).toBe(true);
    expect(link.ikeMessages.map((m) => m.at.frame)).toEqual([1]);
  });

  it('does not link an error quoting DNS to IPsec (zeek icmp-destunreach-udp.pcap)', () => {
    const [link] = linkIcmpErrors(decodeFixture('icmp-port-unreach-quoting-udp.pcap').packets);
    expect(link).toMatchObject({ quotesIke: false, quotesEsp: false, ikeMessages: [] });
    expect(link.espFlow).toBeUndefined();
  });
});
