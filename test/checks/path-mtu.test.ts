/**
 * path-mtu on real captures (test/fixtures/pcaps, see PROVENANCE.md): the Vita
 * gateway's ICMP frag-needed, and two captures of real Linux traffic taken for this
 * project with test/fixtures/pcaps/pmtu-lab.sh (a router whose next link has MTU
 * 1280, with and without its ICMP frag-needed being dropped).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import type { EspFlow } from '../../src/evidence/packet-types.js';
import pathMtu from '../../checks/path-mtu.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function espFlows(name: string): Promise<EspFlow[]> {
  return (await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] })).packets.espFlows;
}

async function findings(name: string): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [pathMtu] });
  return report.findings;
}

describe('path-mtu', () => {
  it('PMTU_BLACKHOLE: 1428-byte DF pings and full-size TCP segments unanswered, small ones answered, no ICMP back', async () => {
    const fs = await findings('pmtu-blackhole-veth-lab.pcap');
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    const f = fs[0];
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ from: '10.99.1.1', to: '10.99.2.1', largeDfPackets: 11 });
    const flows = f.data.flows as Record<string, unknown>[];
    expect(flows).toContainEqual(expect.objectContaining({ flow: '10.99.1.1 → 10.99.2.1 ICMP', largeDfPackets: 3, smallPackets: 3, reversePackets: 3, reverseMaxSize: 84 }));
    expect(flows).toContainEqual(expect.objectContaining({ flow: '10.99.1.1:38850 → 10.99.2.1:5001 TCP', largeRetransmits: 4, reverseMaxSize: 60 }));
    // frames 7–9: the large pings; 15–18: the TCP segments; 19–22 their retransmissions
    const frames = f.evidence.map((e) => e.frame);
    expect(frames).toEqual(expect.arrayContaining([7, 8, 9, 15, 16]));
    expect(f.hint).toContain('TCPMSS');
  });

  it('ICMP_FRAG_NEEDED_SEEN instead of a black hole when the router\'s frag-needed gets through (same lab, ICMP allowed)', async () => {
    const fs = await findings('pmtu-frag-needed-veth-lab.pcap');
    expect(fs.map((f) => f.code)).toEqual(['ICMP_FRAG_NEEDED_SEEN']);
    expect(fs[0].severity).toBe('info');
    expect(fs[0].data).toMatchObject({ from: '10.99.1.254', to: '10.99.1.1', mtu: 1280, quotedSrc: '10.99.1.1', quotedDst: '10.99.2.1', quotedLength: 1428, quotedDf: true, frames: [8] });
    expect(fs[0].evidence[0]).toMatchObject({ frame: 8 });
  });

  it('ICMP_FRAG_NEEDED_SEEN names the MTU and the quoted 8024-byte DF packet (Vita selftest-private-out.pcap frame 6)', async () => {
    const fs = await findings('icmp-frag-needed-mtu500-from-vpn-gw.pcap');
    expect(fs.map((f) => f.code)).toEqual(['ICMP_FRAG_NEEDED_SEEN']);
    expect(fs[0].data).toMatchObject({ from: '192.168.10.1', mtu: 500, quotedSrc: '192.168.0.1', quotedDst: '192.168.10.2', quotedLength: 8024, quotedDf: true, quotedKind: 'icmp', count: 1 });
    expect(fs[0].message).toContain('500 bytes');
    expect(fs[0].evidence.map((e) => e.frame)).toEqual([6]);
  });

  it('no finding on IPsec captures without MTU trouble, nor on frames larger than 1500 that were answered', async () => {
    expect(await findings('ikev2-init-auth-then-esp.pcapng')).toEqual([]);
    expect(await findings('ikev1-main-mode-certs-qm-retransmit.pcap')).toEqual([]);
    expect(await findings('fmt-pcapng-vlan-qinq.pcapng')).toEqual([]);
  });

  it('PMTU_BLACKHOLE inside a real strongSwan tunnel (capture of the libipsec TUN device): 1328-byte DF pings unanswered, 84-byte ones answered', async () => {
    const fs = await findings('lab-pmtu-blackhole-left-ipsec0.pcap');
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    expect(fs[0].data).toMatchObject({ from: '10.1.0.1', to: '10.2.0.1', largest: 1328, largeDfPackets: 4, offloadCoalesced: false });
    expect(fs[0].evidence.map((e) => e.frame).slice(0, 4)).toEqual([13, 14, 15, 16]);
  });

  it('no PMTU finding on the healthy strongSwan tunnel', async () => {
    expect(await findings('lab-healthy-left.pcap')).toEqual([]);
  });

  it('PMTU_BLACKHOLE from outside a real strongSwan tunnel: 1412-byte DF ESP-in-UDP sent 4×, reverse SA quiet after, small ones answered (lab left.pcap)', async () => {
    const fs = await findings('lab-pmtu-blackhole-left.pcap');
    expect(fs.map((f) => f.code)).toEqual(['PMTU_BLACKHOLE']);
    const f = fs[0];
    expect(f.data).toMatchObject({
      from: '192.0.2.10', to: '198.51.100.20', spi: '0xf612c56f', reverseSpis: ['0x9959131b'], encap: 'udp', srcPort: 4500, dstPort: 4500,
      largest: 1412, largeDfPackets: 4, largeDfAnswered: 0, largeDfFrames: [17, 18, 19, 20], smallPackets: 6, smallAnswered: 5,
      reverseQuietAfter: true, reversePackets: 6, reverseMaxSize: 164, sizeBuckets: [6, 0, 0, 4, 0], dfBuckets: [6, 0, 0, 4, 0],
    });
    expect(f.data.spanSeconds).toBeCloseTo(0.611, 3);
    expect(f.message).toContain('up to 1412 bytes');
    expect(f.message).toContain('ESP-in-UDP SPI 0xf612c56f');
    expect(f.message).toContain('answered by SPI 0x9959131b, which went quiet after the first large one');
    // the four large packets, then the reverse SA's last packet (seq 6 of 0x9959131b)
    expect(f.evidence.map((e) => e.frame)).toEqual([17, 18, 19, 20, 15]);
    for (const needle of ['type 3 code 4', 'clamp-mss-to-pmtu', 'maxseg size set rt mtu', 'kernel-libipsec.mtu', 'mtu=']) expect(f.hint).toContain(needle);
  });

  it('ESP size facts: bucketed outer sizes with DF, and who answered (lab left.pcap)', async () => {
    const flows = await espFlows('lab-pmtu-blackhole-left.pcap');
    const out = flows.find((x) => x.spiHex === 'f612c56f')!;
    const back = flows.find((x) => x.spiHex === '9959131b')!;
    expect(out.size).toMatchObject({ maxSize: 1412, maxDfSize: 1412, largeDf: 4, largeDfAnswered: 0, small: 6, smallAnswered: 5, largeDfFrames: [17, 18, 19, 20] });
    expect(out.size.firstLargeDf?.frame).toBe(17);
    expect(out.size.lastLargeDf?.frame).toBe(20);
    // every small packet of the reverse SA was followed by the initiator's; the initiator's last small one (frame 16) only by its own large ones
    expect(back.size).toMatchObject({ maxSize: 164, largeDf: 0, small: 6, smallAnswered: 6, largeDfFrames: [] });
  });

  it('no PMTU_BLACKHOLE when the 1000-byte DF pings pass the healthy tunnel (1092-byte DF ESP both ways, all answered)', async () => {
    const flows = await espFlows('lab-healthy-left.pcap');
    expect(flows.map((x) => [x.size.maxDfSize, x.size.dfBuckets[1]])).toEqual([[1092, 4], [1092, 4]]);
    expect(await findings('lab-healthy-left.pcap')).toEqual([]);
  });

  it('no PMTU_BLACKHOLE for 1360-byte DF ESP answered by the gateway, nor for a large burst at the end of the capture (nDPI ipsec_isakmp_esp.pcap frames 28–55)', async () => {
    const flows = await espFlows('ikev2-natt-esp-large-df-answered-excerpt.pcap');
    expect(flows.find((x) => x.spiHex === '0424565a')?.size).toMatchObject({ maxDfSize: 1360, largeDf: 2, largeDfAnswered: 2 });
    expect(flows.find((x) => x.spiHex === '03f4a677')?.size).toMatchObject({ maxDfSize: 1360, largeDf: 2, largeDfAnswered: 0, smallAnswered: 0 });
    expect(await findings('ikev2-natt-esp-large-df-answered-excerpt.pcap')).toEqual([]);
  });

  it('no PMTU_BLACKHOLE on a real tunnel whose 1412-byte DF ESP-in-UDP passes both ways (lab, full 1500-byte path)', async () => {
    const flows = await espFlows('lab-large-df-esp-answered-left.pcap');
    // same sizes, DF and repetition as the black hole; the difference is that the other side answered every one
    expect(flows.map((x) => x.size)).toEqual([
      expect.objectContaining({ maxDfSize: 1412, largeDf: 8, largeDfAnswered: 8, largeDfFrames: [17, 19, 21, 23, 26, 28, 30, 32] }),
      expect.objectContaining({ maxDfSize: 1412, largeDf: 8, largeDfAnswered: 8, largeDfFrames: [18, 20, 22, 24, 25, 27, 29, 31] }),
    ]);
    expect(await findings('lab-large-df-esp-answered-left.pcap')).toEqual([]);
  });
});
