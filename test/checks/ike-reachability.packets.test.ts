/**
 * ike-reachability, packet side, on real captures (test/fixtures/pcaps, PROVENANCE.md):
 * unanswered requests paired by derived/wire/ike-sas.ts, and ICMP errors quoting IKE
 * captured from the real kernel with test/fixtures/pcaps/ike-icmp-lab.sh.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import ikeReachability from '../../checks/ike-reachability.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function findings(name: string): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [ikeReachability] });
  return report.findings;
}
const codes = (fs: Finding[]) => fs.map((f) => f.code).sort();

describe('ike-reachability (packets)', () => {
  it('IKE_NO_RESPONSE: a single IKE_SA_INIT request, responder SPI zero (suricata-verify IKEv2_SA_INIT_2-8-weak.pcap, DLT_RAW)', async () => {
    const fs = await findings('ikev2-init-dh2-unanswered-rawip.pcap');
    expect(codes(fs)).toEqual(['IKE_NO_RESPONSE']);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].data).toMatchObject({ peer: '212.158.157.8:500', from: '212.158.157.2:500', port: 500, exchange: 'IKE_SA_INIT', msgid: 0, retransmits: 0, stage: 'first', responderSpiZero: true, spiI: '61d3693ce12af528' });
    expect(fs[0].evidence).toEqual([expect.objectContaining({ frame: 1, excerpt: expect.stringContaining('IKE_SA_INIT request (I) msgid 0') })]);
    expect(fs[0].message).toBe('No response from 212.158.157.8:500 to the first exchange (IKE_SA_INIT), sent once, not retransmitted.');
  });

  it('IKE_NO_RESPONSE with retransmission timing: IP-fragmented IKE_AUTH on 4500 sent 3 times 1 s apart (zeek-spicy-ipsec ipsec_client.pcap)', async () => {
    const fs = await findings('ikev2-nat-auth-ipfrag-no-response.pcap');
    expect(codes(fs)).toEqual(['IKE_NO_RESPONSE']);
    expect(fs[0].data).toMatchObject({ peer: '144.76.154.114:4500', exchange: 'IKE_AUTH', msgid: 1, retransmits: 2, stage: 'auth', responderSpiZero: false, ipFragmented: true, transport: 'udp4500', seconds: 2 });
    expect((fs[0].data.retransmitIntervals as number[]).map(Math.round)).toEqual([1, 1]);
    expect(fs[0].evidence.map((e) => e.frame)).toEqual([5, 8, 11]);
    expect(fs[0].message).toBe('No response from 144.76.154.114:4500 to the authentication exchange (IKE_AUTH) after 2 retransmissions over 2 s.');
    // the first exchange was answered and only the IP-fragmented request met silence: the symptom of IKE_FRAGMENTS_DROPPED
    expect(fs[0].severity).toBe('info');
    expect(fs[0].data).toMatchObject({
      explainedBy: 'IKE_FRAGMENTS_DROPPED',
      severityReason: 'the request left as a 3500-byte datagram in 3 IP fragments and was resent and never answered: IKE_FRAGMENTS_DROPPED is the diagnosis',
    });
  });

  it('IKE_PORT_UNREACHABLE next to IKE_NO_RESPONSE when the kernel answers ICMP 3/3 (real loopback capture)', async () => {
    const fs = await findings('ike-port-unreachable-lo-lab.pcap');
    expect(codes(fs)).toEqual(['IKE_NO_RESPONSE', 'IKE_PORT_UNREACHABLE']);
    const icmp = fs.find((f) => f.code === 'IKE_PORT_UNREACHABLE')!;
    expect(icmp.data).toMatchObject({ from: '127.0.0.1', target: '127.0.0.1:500', sender: '127.0.0.2', port: 500, count: 3, type: 3, code: 3, frames: [2, 4, 6] });
    expect(icmp.evidence.map((e) => e.frame)).toEqual([2, 4, 6]);
    const silent = fs.find((f) => f.code === 'IKE_NO_RESPONSE')!;
    expect(silent.data.retransmits).toBe(2);
    expect(silent.data.icmpErrors).toEqual(['port-unreachable from 127.0.0.1 (frame 2)', 'port-unreachable from 127.0.0.1 (frame 4)', 'port-unreachable from 127.0.0.1 (frame 6)']);
    // the ICMP answer is the diagnosis, the silence its symptom
    expect([icmp.severity, silent.severity]).toEqual(['error', 'info']);
    expect(silent.data).toMatchObject({ explainedBy: 'IKE_PORT_UNREACHABLE', severityReason: '127.0.0.1 answered with ICMP port unreachable (frame 2): IKE_PORT_UNREACHABLE is the diagnosis' });
  });

  it('IKE_ADMIN_PROHIBITED for an iptables REJECT with icmp-admin-prohibited (ICMP 3/13, real loopback capture)', async () => {
    const fs = await findings('ike-admin-prohibited-lo-lab.pcap');
    expect(codes(fs)).toEqual(['IKE_ADMIN_PROHIBITED', 'IKE_NO_RESPONSE']);
    const f = fs.find((x) => x.code === 'IKE_ADMIN_PROHIBITED')!;
    expect(f.data).toMatchObject({ from: '127.0.0.1', target: '127.0.0.1:500', type: 3, code: 13, count: 3 });
    expect(f.message).toContain('a filter blocks it');
    expect(fs.find((x) => x.code === 'IKE_NO_RESPONSE')).toMatchObject({ severity: 'info', data: { explainedBy: 'IKE_ADMIN_PROHIBITED' } });
  });

  it('an ICMP port unreachable quoting DNS is not an IKE problem (zeek icmp-destunreach-udp.pcap)', async () => {
    expect(await findings('icmp-port-unreach-quoting-udp.pcap')).toEqual([]);
  });

  it('answered exchanges, COOKIE round trips and pipelined CREATE_CHILD_SA are not "no response"; the orphan INFORMATIONAL is a warning', async () => {
    expect(await findings('ikev2-init-auth-then-esp.pcapng')).toEqual([]);
    expect(await findings('ikev1-main-mode-certs-qm-retransmit.pcap')).toEqual([]); // QM retransmitted once, then answered
    const fs = await findings('ikev2-cookie-auth-create-child-dlt-null.pcap');
    expect(codes(fs)).toEqual(['IKE_NO_RESPONSE']);
    expect(fs[0].severity).toBe('warning');
    expect(fs[0].data).toMatchObject({ exchange: 'INFORMATIONAL', msgid: 0, stage: 'other', spiI: '1d9be9451d4f97a8' });
    expect(fs[0].evidence.map((e) => e.frame)).toEqual([21]);
  });

  it('the healthy strongSwan tunnel (IKE_SA_INIT, IKE_AUTH, liveness answered) has no reachability finding', async () => {
    expect(await findings('lab-healthy-left.pcap')).toEqual([]);
  });
});
