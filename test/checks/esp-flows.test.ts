/**
 * esp-flows on real captures (test/fixtures/pcaps, origins and licences in its
 * PROVENANCE.md), read by the real pcap/pcapng readers and collector (loadCaptures)
 * and run through the real engine (analyse).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import espFlows from '../../checks/esp-flows.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function findings(...names: string[]): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures(names.map((n) => join(FIXTURES, n)), { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [espFlows] });
  return report.findings;
}

const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();
const frames = (f: Finding) => f.evidence.map((e) => e.frame);

describe('esp-flows', () => {
  it('ESP_ONE_WAY (error): ESP-in-UDP only from the NATed initiator while the responder still answers IKE (tcpdump isakmp4500.pcap)', async () => {
    const fs = await findings('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    expect(codes(fs)).toEqual(['ESP_ONE_WAY']);
    const f = fs[0];
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ sender: '192.1.2.254', silent: '192.1.2.23', packets: 8, spis: '0xf4dc0ae5', ikeSeen: true, ikeBothWays: true });
    expect(f.data.flows).toEqual([expect.objectContaining({ spi: '0xf4dc0ae5', encap: 'udp', srcPort: 4500, dstPort: 4500, packets: 8, minSeq: 1, maxSeq: 8, firstFrame: 12 })]);
    // first ESP frame, then the responder's last IKE message (frame 35, Informational) proving IKE still arrives
    expect(frames(f)).toContain(12);
    expect(frames(f)).toContain(35);
    expect(f.message).toContain('nothing comes back from 192.1.2.23');
    expect(f.evidence[0].excerpt).toBe('first packet of 192.1.2.254:4500 → 192.1.2.23:4500 ESP-in-UDP SPI 0xf4dc0ae5 seq 1..8 (8 packets)');
  });

  it('ESP_ONE_WAY is only a warning when the capture has no IKE, and names every one-way SA (arkime wireshark-esp.pcap)', async () => {
    const fs = await findings('esp-one-way-24-sa-ipv4-ipv6.pcap');
    // sequences start above 1 (capture started mid-SA) and SPIs repeat per destination: no gap may be reported
    expect(codes(fs)).toEqual(['ESP_ONE_WAY']);
    const f = fs[0];
    expect(f.severity).toBe('warning');
    expect(f.data).toMatchObject({ ikeSeen: false, pairs: 24, packets: 240, severityReason: 'no IKE in both directions in the capture' });
    expect(f.data.flows).toHaveLength(24);
    expect(f.data.flows).toContainEqual(expect.objectContaining({ src: '190.0.0.1', dst: '190.0.0.2', spi: '0x0000006e', minSeq: 19, maxSeq: 28, missing: 0 }));
    expect(f.data.flows).toContainEqual(expect.objectContaining({ src: '3ffe::1', dst: '3ffe::22', spi: '0x00000014', minSeq: 1, maxSeq: 10 }));
    expect(f.hint).toContain('capture on the peer too');
    expect(f.hint).toContain('if the tunnel should carry replies');
  });

  it('ESP_SEQUENCE_GAPS with per-SPI counts: seq 3 missing on 0xc4c0e3f5 (nDPI ipsec_isakmp_esp.pcap excerpt)', async () => {
    const fs = await findings('ikev2-natt-cookie-invalid-ke-excerpt.pcap');
    const gaps = fs.filter((f) => f.code === 'ESP_SEQUENCE_GAPS');
    expect(gaps).toHaveLength(1);
    expect(gaps[0].data).toMatchObject({ sender: '109.237.187.130', receiver: '192.168.2.100', spi: 'c4c0e3f5', missing: 1, expected: 6, received: 5, minSeq: 1, maxSeq: 6, lossPercent: 16.7 });
    expect(gaps[0].data.gaps).toEqual([{ after: 2, next: 4, frame: 17 }]);
    expect(frames(gaps[0])).toEqual([17]);
    // ESP flows both ways between the client and .130 in this excerpt
    expect(codes(fs)).not.toContain('ESP_ONE_WAY');
  });

  it('ESP_SEQUENCE_GAPS counts only unfragmented ESP and reports the replayed seq 1 (Vita selftest input)', async () => {
    const fs = await findings('esp-replay-gap-spi0-ipfrag.pcap');
    const gap = fs.find((f) => f.code === 'ESP_SEQUENCE_GAPS')!;
    expect(gap.data).toMatchObject({ spi: '000003e9', missing: 2, duplicates: 1, ipFragments: 1, minSeq: 1, maxSeq: 7 });
    expect(gap.data.gaps).toEqual([{ after: 3, next: 6, frame: 10 }]);
  });

  it('an AH SA shared by several senders toward multicast is neither one-way nor lossy (tcpdump OSPFv3_with_AH.pcap)', async () => {
    expect(await findings('ah-ipv6-ospfv3-shared-spi.pcap')).toEqual([]);
  });

  it('healthy captures: ESP (or AH) both ways after IKE, no finding', async () => {
    expect(await findings('ikev2-init-auth-then-esp.pcapng')).toEqual([]);
    expect(await findings('ikev2-init-auth-then-ah.pcapng')).toEqual([]);
    expect(await findings('ikev1-mm-no-proposal-notify-retransmit-esp.pcap')).toEqual([]);
    expect(await findings('ah-esp-tunnel-bidirectional.pcap')).toEqual([]);
  });

  it('NO_ESP is not claimed when the capture ends right after Quick Mode (0.2 s: too short to expect traffic)', async () => {
    expect(codes(await findings('ikev1-main-mode-psk-quick-mode.pcap'))).toEqual([]);
  });

  it('ESP_ONE_WAY on a real strongSwan tunnel whose return ESP is dropped: 5 ESP-in-UDP packets out, none back, IKE_AUTH answered (strongSwan lab)', async () => {
    const fs = await findings('lab-esp-return-dropped-left.pcap');
    expect(codes(fs)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].data).toMatchObject({ sender: '192.0.2.10', silent: '198.51.100.20', packets: 5, ikeBothWays: true });
    expect(frames(fs[0])).toEqual([5, 6, 4]); // first two ESP frames, then the responder's IKE_AUTH answer
  });

  it('no ESP finding on the healthy strongSwan tunnel (ESP-in-UDP both ways)', async () => {
    expect(await findings('lab-healthy-left.pcap')).toEqual([]);
  });

  it('NO_ESP: real strongSwan tunnel up, liveness answered at 30 s, no ESP for 35 s (idle-tunnel lab capture)', async () => {
    const fs = await findings('lab-idle-tunnel-dpd-left.pcap');
    expect(codes(fs)).toEqual(['NO_ESP']);
    expect(fs[0].severity).toBe('warning');
    expect(fs[0].data).toMatchObject({ a: '192.0.2.10', b: '198.51.100.20', exchange: 'IKE_AUTH', frame: 4, seconds: 35, espFlowsInCapture: 0 });
    expect(fs[0].message).toContain('a Child SA refused inside the encrypted answer looks the same');
    expect(frames(fs[0])).toEqual([4]);
  });
});
