/**
 * The packet checks on every capture of the public corpus (../shared/corpus/pcaps,
 * see its MANIFEST.md "Must report" lines): the packet-check codes each capture must
 * and must not produce, and no check may end in status 'error' on any of them
 * (malformed, fuzzed and truncated files included). Skips, saying so, when the
 * corpus is absent; CI runs it with `npm run test:corpus`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';

const CORPUS = resolve(process.env.IPSEC_DOCTOR_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));
const PCAPS = join(CORPUS, 'pcaps');
const present = existsSync(join(PCAPS, 'MANIFEST.md'));
if (!present) console.warn(`[corpus] skipping the packet-check corpus tests: ${PCAPS}/MANIFEST.md not found (set IPSEC_DOCTOR_CORPUS to the corpus directory)`);

const PACKET_CHECKS = ['esp-flows', 'ike-fragmentation', 'ike-reachability', 'nat-traversal', 'path-mtu', 'proposal-mismatch'];

/** MANIFEST "Must report" → our codes; `absent` are the packet codes a correct diagnosis must not make. */
const EXPECTED: Record<string, { codes: string[]; absent: string[] }> = {
  'ikev1-main-mode-psk-quick-mode.pcap': { codes: [], absent: ['IKE_NO_RESPONSE', 'NAT_DETECTED', 'ESP_ONE_WAY', 'NO_ESP', 'IKE_PROPOSAL_MISMATCH'] },
  'ikev1-aggressive-mode-psk-quick-mode.pcap': { codes: [], absent: ['IKE_NO_RESPONSE', 'NAT_DETECTED'] },
  'ikev1-main-mode-certs-qm-retransmit.pcap': { codes: ['IKE_LARGE_MESSAGE'], absent: ['IKE_NO_RESPONSE', 'IKE_FRAGMENTS_DROPPED'] },
  'ikev1-mm-no-proposal-notify-retransmit-esp.pcap': { codes: ['IKE_PROPOSAL_MISMATCH'], absent: ['ESP_ONE_WAY', 'ESP_SEQUENCE_GAPS', 'NAT_DETECTED', 'IKE_NO_RESPONSE'] },
  'ikev1-natt-float-4500-keepalive-one-way-esp.pcap': { codes: ['NAT_DETECTED', 'ESP_ONE_WAY'], absent: ['ESP_RAW_DESPITE_NAT', 'NAT_T_BLOCKED'] },
  'ikev1-ipv6-unanswered-then-mm-qm-esp.pcap': { codes: ['IKE_NO_RESPONSE'], absent: ['ESP_ONE_WAY', 'ESP_SEQUENCE_GAPS'] },
  'ikev1-malformed-payload-length.pcap': { codes: ['IKE_NO_RESPONSE'], absent: [] },
  'ikev2-init-auth-then-ah.pcapng': { codes: [], absent: ['ESP_ONE_WAY', 'NO_ESP', 'NAT_DETECTED', 'IKE_NO_RESPONSE'] },
  'ikev2-init-auth-then-esp.pcapng': { codes: [], absent: ['ESP_ONE_WAY', 'NO_ESP', 'NAT_DETECTED', 'IKE_NO_RESPONSE'] },
  'ikev2-nat-auth-ipfrag-no-response.pcap': { codes: ['NAT_DETECTED', 'IKE_NO_RESPONSE', 'IKE_FRAGMENTS_DROPPED'], absent: ['NAT_T_BLOCKED'] },
  'ikev2-natt-cookie-invalid-ke-multi-gw.pcap': { codes: ['DH_GROUP_RENEGOTIATED', 'NAT_DETECTED', 'IKE_NO_RESPONSE', 'ESP_SEQUENCE_GAPS'], absent: ['ESP_ONE_WAY', 'ESP_RAW_DESPITE_NAT'] },
  'ikev2-cookie-auth-create-child-dlt-null.pcap': { codes: ['IKE_NO_RESPONSE'], absent: ['IKE_PROPOSAL_MISMATCH'] },
  'ikev2-ipv6-retransmit-collision-rekey-esp.pcap': { codes: [], absent: ['IKE_NO_RESPONSE', 'ESP_ONE_WAY', 'ESP_SEQUENCE_GAPS'] },
  'ikev2-init-dh2-unanswered-rawip.pcap': { codes: ['IKE_NO_RESPONSE'], absent: [] },
  'ah-esp-tunnel-bidirectional.pcap': { codes: [], absent: ['ESP_ONE_WAY', 'ESP_SEQUENCE_GAPS'] },
  'esp-one-way-24-sa-ipv4-ipv6.pcap': { codes: ['ESP_ONE_WAY'], absent: ['ESP_SEQUENCE_GAPS'] },
  'esp-in-udp-4500-one-way.pcap': { codes: ['ESP_ONE_WAY'], absent: ['ESP_SEQUENCE_GAPS'] },
  'esp-replay-gap-spi0-ipfrag.pcap': { codes: ['ESP_ONE_WAY', 'ESP_SEQUENCE_GAPS'], absent: [] },
  'ah-ipv6-ospfv3-shared-spi.pcap': { codes: [], absent: ['ESP_SEQUENCE_GAPS', 'ESP_ONE_WAY'] },
  'icmp-frag-needed-mtu500-from-vpn-gw.pcap': { codes: ['ICMP_FRAG_NEEDED_SEEN'], absent: ['PMTU_BLACKHOLE'] },
  'icmp-port-unreach-quoting-udp.pcap': { codes: [], absent: ['IKE_PORT_UNREACHABLE'] },
  'udp4500-truncated-caplen42-fuzzed.pcap': { codes: [], absent: ['ESP_ONE_WAY', 'IKE_NO_RESPONSE'] },
};

describe.skipIf(!present)('packet checks on the capture corpus', () => {
  const files = present ? readdirSync(PCAPS).filter((n) => /\.pcap(ng)?$/.test(n)).sort() : [];

  it('covers the whole corpus', () => {
    expect(files.length).toBe(30);
    for (const name of Object.keys(EXPECTED)) expect(files).toContain(name);
  });

  for (const name of files) {
    it(`${name}: no packet check errors${EXPECTED[name] ? ', expected codes present and absent' : ''}`, async () => {
      const report = await diagnose({ logs: [], pcaps: [join(PCAPS, name)], configs: [], host: false, local: [], peer: [], only: PACKET_CHECKS });
      const failed = report.results.filter((r) => r.status === 'error');
      expect(failed.map((r) => `${r.check}: ${r.error}`)).toEqual([]);
      const codes = new Set(report.findings.map((f) => f.code));
      const want = EXPECTED[name];
      if (!want) return;
      for (const c of want.codes) expect(codes, `${name} should report ${c}; got ${[...codes].join(', ')}`).toContain(c);
      for (const c of want.absent) expect(codes, `${name} must not report ${c}`).not.toContain(c);
      for (const f of report.findings) {
        // every packet finding points at frames of this capture
        expect(f.evidence.length).toBeGreaterThan(0);
        for (const e of f.evidence) expect(e.frame).toBeGreaterThan(0);
      }
    });
  }

  it('ikev2-natt-cookie-invalid-ke-multi-gw.pcap: the 18 unanswered INFORMATIONAL requests of 8 gateways to the client are one finding about the client (MANIFEST §13)', async () => {
    const report = await diagnose({ logs: [], pcaps: [join(PCAPS, 'ikev2-natt-cookie-invalid-ke-multi-gw.pcap')], configs: [], host: false, local: [], peer: [], only: ['ike-reachability'] });
    const silence = report.findings.filter((f) => f.code === 'IKE_NO_RESPONSE');
    expect(silence.map((f) => [f.severity, f.data.peer, f.data.stage])).toEqual([['error', '109.237.187.227:500', 'first'], ['warning', '192.168.2.100:14500', 'other']]);
    const dpd = silence[1];
    expect(dpd.data).toMatchObject({ requests: 18, transmissions: 18, retransmits: 0 });
    expect(dpd.data.requesters).toHaveLength(8);
    expect(dpd.message).toBe('No response from 192.168.2.100:14500 to 18 requests of an INFORMATIONAL exchange (liveness check or delete) from 8 peers (109.237.187.193:4500, 109.237.187.195:4500, 109.237.187.194:4500 and 5 more), none of them retransmitted.');
  });
});
