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
import pathMtu from '../../checks/path-mtu.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

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
});
