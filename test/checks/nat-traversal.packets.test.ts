/**
 * nat-traversal, packet side, on real captures (test/fixtures/pcaps, PROVENANCE.md):
 * NAT-D hashes recomputed from the captured headers by the decoder.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import natTraversal from '../../checks/nat-traversal.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function findings(name: string): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [natTraversal] });
  return report.findings;
}

describe('nat-traversal (packets)', () => {
  it('NAT_DETECTED from the IKE_SA_INIT response\'s destination hash; IKE floats to 4500 at frame 5 (zeek-spicy-ipsec ipsec_client.pcap)', async () => {
    const fs = await findings('ikev2-nat-auth-ipfrag-no-response.pcap');
    // the IKE_AUTH on 4500 is unanswered, but it was IP-fragmented: that is ike-fragmentation's diagnosis, not a blocked port
    expect(fs.map((f) => f.code)).toEqual(['NAT_DETECTED']);
    expect(fs[0].data).toMatchObject({ behindAddresses: ['192.168.0.10'], basis: 'NAT-D destination hash mismatch', floatedTo: 'UDP 4500 (frame 5)', ikeSas: 1 });
    expect(fs[0].message).toContain('192.168.0.10 is behind NAT');
    expect(fs[0].evidence.map((e) => e.frame)).toEqual([2, 5]);
  });

  it('NAT_DETECTED for IKEv1 (RFC 3947 NAT-D, MD5) with the float to 4500 and ESP already in UDP (tcpdump isakmp4500.pcap)', async () => {
    const fs = await findings('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    expect(fs.map((f) => f.code)).toEqual(['NAT_DETECTED']);
    expect(fs[0].data).toMatchObject({ behindAddresses: ['192.1.2.254'], floatedTo: 'UDP 4500 (frame 7)' });
    expect(fs[0].evidence.map((e) => e.frame)).toEqual([5, 7]);
  });

  it('no NAT where every NAT-D hash matches the captured addresses', async () => {
    expect(await findings('ikev2-init-auth-then-esp.pcapng')).toEqual([]);
    expect(await findings('ikev1-main-mode-psk-quick-mode.pcap')).toEqual([]);
    expect(await findings('ikev1-mm-no-proposal-notify-retransmit-esp.pcap')).toEqual([]);
  });

  it('NAT_T_BLOCKED: real NAT (masquerade) on the path and UDP 4500 dropped; IKE_AUTH on 4500 sent 4 times, never answered (strongSwan lab)', async () => {
    const fs = await findings('lab-nat-udp4500-blocked-left.pcap');
    expect(fs.map((f) => f.code).sort()).toEqual(['NAT_DETECTED', 'NAT_T_BLOCKED']);
    const blocked = fs.find((f) => f.code === 'NAT_T_BLOCKED')!;
    expect(blocked.severity).toBe('error');
    expect(blocked.data).toMatchObject({ peer: '198.51.100.20:4500', from: '192.0.2.10:4500', exchange: 'IKE_AUTH', transmissions: 4, answeredOn500: true });
    expect(blocked.evidence.map((e) => e.frame)).toEqual([3, 4, 5, 6]);
    // the responder hashed the initiator's translated address: a destination mismatch, which cannot be faked
    expect(fs.find((f) => f.code === 'NAT_DETECTED')!.data.basis).toBe('NAT-D destination hash mismatch');
  });

  it('forced UDP encapsulation (strongSwan kernel-libipsec) is NAT by source hash only, and says so; no NAT_T_BLOCKED when 4500 answers (strongSwan lab, healthy)', async () => {
    const fs = await findings('lab-healthy-left.pcap');
    expect(fs.map((f) => f.code)).toEqual(['NAT_DETECTED']);
    expect(fs[0].data.basis).toBe('NAT-D source hash mismatch only (NAT, or UDP encapsulation forced by a peer)');
    expect(fs[0].message).toContain('which a peer forcing UDP encapsulation also fakes');
  });
});
