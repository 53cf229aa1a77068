/**
 * proposal-mismatch, packet side, on real captures (test/fixtures/pcaps, PROVENANCE.md):
 * cleartext NO_PROPOSAL_CHOSEN with the offered proposals decoded, INVALID_KE_PAYLOAD
 * followed by a retry with the requested group.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import proposalMismatch from '../../checks/proposal-mismatch.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function findings(name: string): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [proposalMismatch] });
  return report.findings;
}

describe('proposal-mismatch (packets)', () => {
  it('IKE_PROPOSAL_MISMATCH names the offered Main Mode transforms; lowered to warning because the SA came up afterwards (zeek-spicy-ipsec ipsec.cap)', async () => {
    const fs = await findings('ikev1-mm-no-proposal-notify-retransmit-esp.pcap');
    expect(fs.map((f) => f.code)).toEqual(['IKE_PROPOSAL_MISMATCH']);
    const f = fs[0];
    expect(f.severity).toBe('warning');
    expect(f.data).toMatchObject({ phase: 'ike', exchange: 'Informational', rejectedBy: '192.168.140.205', offeredBy: '192.168.140.205', recovered: true, configured: 'not visible on the wire' });
    expect(f.data.offered).toEqual(['IKE:3DES_CBC/SHA1/PSK/MODP_1024']);
    expect(f.data.severityReason).toContain('frame 8');
    // the offer (frame 1), the NO_PROPOSAL_CHOSEN notify (frame 3), the completing MM6 (frame 8)
    expect(f.evidence.map((e) => e.frame)).toEqual([1, 3, 8]);
    expect(f.evidence[1].excerpt).toContain('NO_PROPOSAL_CHOSEN');
  });

  it('DH_GROUP_RENEGOTIATED: INVALID_KE_PAYLOAD asks for MODP_2048, the initiator retries with a new SPIi and succeeds (nDPI ipsec_isakmp_esp.pcap excerpt)', async () => {
    const fs = await findings('ikev2-natt-cookie-invalid-ke-excerpt.pcap');
    const renegotiated = fs.filter((f) => f.code === 'DH_GROUP_RENEGOTIATED');
    expect(renegotiated).toHaveLength(1);
    expect(renegotiated[0].severity).toBe('info');
    expect(renegotiated[0].data).toMatchObject({ offered: 'MODP_1024', requested: 'MODP_2048', retries: 1, responder: '109.237.187.193', initiator: '192.168.2.100' });
    expect(fs.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('no finding where every proposal was accepted', async () => {
    expect(await findings('ikev1-main-mode-psk-quick-mode.pcap')).toEqual([]);
    expect(await findings('ikev2-init-auth-then-esp.pcapng')).toEqual([]);
    expect(await findings('ikev2-cookie-auth-create-child-dlt-null.pcap')).toEqual([]);
  });
});
