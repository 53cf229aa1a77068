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
    expect(fs[0].data).toMatchObject({ behindAddresses: ['192.168.0.10'], basis: 'NAT-D hash mismatch', floatedTo: 'UDP 4500 (frame 5)', ikeSas: 1 });
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
});
