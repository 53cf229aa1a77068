/**
 * ike-fragmentation, packet side, on real captures (test/fixtures/pcaps, PROVENANCE.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { analyse } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import ikeFragmentation from '../../checks/ike-fragmentation.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');

async function findings(name: string): Promise<Finding[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([join(FIXTURES, name)], { local: [], peer: [] });
  const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [ikeFragmentation] });
  return report.findings;
}

describe('ike-fragmentation (packets)', () => {
  it('IKE_FRAGMENTS_DROPPED: the 3468-byte IKE_AUTH went out as 3 IP fragments, 3 times, never answered; neither peer announced RFC 7383', async () => {
    const fs = await findings('ikev2-nat-auth-ipfrag-no-response.pcap');
    expect(fs.map((f) => f.code).sort()).toEqual(['IKE_FRAGMENTATION_SUPPORT', 'IKE_FRAGMENTS_DROPPED']);
    const f = fs.find((x) => x.code === 'IKE_FRAGMENTS_DROPPED')!;
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ peer: '144.76.154.114:4500', exchange: 'IKE_AUTH (msgid 1)', retransmits: 2, ipFragments: 3, ikeLength: 3468, allFragmentsCaptured: true, fragmentation: 'not negotiated', fragmentationSupported: { initiator: false, responder: false } });
    // every fragment frame of the three copies is cited
    expect(f.evidence.map((e) => e.frame)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(f.hint).toContain('fragmentation = yes');
    const support = fs.find((x) => x.code === 'IKE_FRAGMENTATION_SUPPORT')!;
    expect(support.data).toMatchObject({ announcedBy: 'neither peer', both: false, pairs: ['192.168.0.10 → 144.76.154.114'] });
    expect(support.evidence.map((e) => e.frame)).toEqual([1, 2]);
  });

  it('IKE_LARGE_MESSAGE (warning) for the 1792/1960-byte certificate Main Mode messages that were answered (zeek-spicy-ipsec ikev1-certs.pcap)', async () => {
    const fs = await findings('ikev1-main-mode-certs-qm-retransmit.pcap');
    const large = fs.filter((f) => f.code === 'IKE_LARGE_MESSAGE');
    expect(large.map((f) => [f.data.from, f.data.largest, f.evidence[0].frame])).toEqual([['192.168.12.118', 1792, 5], ['172.16.1.103', 1960, 6]]);
    expect(large.every((f) => f.severity === 'warning')).toBe(true);
    expect(fs.map((f) => f.code)).not.toContain('IKE_FRAGMENTS_DROPPED');
  });

  it('small IKE messages, answered after a retransmission: nothing above info (arkime IKEv2.pcap excerpt, IPv6)', async () => {
    const fs = await findings('ikev2-ipv6-retransmit-excerpt.pcap');
    expect(fs.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(fs.map((f) => f.code)).toContain('IKE_FRAGMENTATION_SUPPORT');
  });
});

describe('ike-fragmentation (packets): a capture cut short', () => {
  /** samples/lab-healthy/left.pcap (the lab's real capture) ending `keep` bytes into its second record, the IKE_SA_INIT response. */
  function cutInSecondRecord(keep: number): string {
    const whole = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'lab-healthy', 'left.pcap'));
    const second = 24 + 16 + whole.readUInt32LE(24 + 8);
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-cut-'));
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, whole.subarray(0, second + 16 + keep));
    return path;
  }

  async function support(path: string): Promise<Finding> {
    const { inputs, packets, diagnostics } = await loadCaptures([path], { local: [], peer: [] });
    const report = await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [ikeFragmentation] });
    rmSync(join(path, '..'), { recursive: true, force: true });
    expect(diagnostics.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/last record truncated/)]));
    return report.findings.find((f) => f.code === 'IKE_FRAGMENTATION_SUPPORT')!;
  }

  it('a response cut before its N(IKEV2_FRAGMENTATION_SUPPORTED) is not read as "announced by the initiator only"', async () => {
    // the whole capture: both peers announce it
    const whole = await findings('../../../samples/lab-healthy/left.pcap');
    expect(whole.find((f) => f.code === 'IKE_FRAGMENTATION_SUPPORT')!.data.announcedBy).toBe('both peers');
    const f = await support(cutInSecondRecord(300));
    expect(f.data.announcedBy).not.toBe('the initiator only');
    expect(f.data.notKnownFor).toEqual(['responder']);
    expect(f.message).toMatch(/whether the responder announced it is not known, as the capture cut its message short/);
  });

  it('cut after the notify: the responder did announce it, and that is said', async () => {
    const f = await support(cutInSecondRecord(500));
    expect(f.data.announcedBy).toBe('both peers');
    expect(f.data.notKnownFor).toBeUndefined();
  });
});

describe('ike-fragmentation (packets): a message cut by the snap length', () => {
  /** the fixture with its second record (the IKE_SA_INIT response) cut to `caplen` bytes, as `tcpdump -s` would have cut it */
  function snapSecond(name: string, caplen: number): string {
    const b = readFileSync(join(FIXTURES, name));
    const le = b.readUInt32LE(0) === 0xa1b2c3d4;
    const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const second = 24 + 16 + u32(24 + 8);
    const out = Buffer.concat([b.subarray(0, second + 16 + caplen), b.subarray(second + 16 + u32(second + 8))]);
    if (le) out.writeUInt32LE(caplen, second + 8);
    else out.writeUInt32BE(caplen, second + 8);
    const path = join(mkdtempSync(join(tmpdir(), 'ipsec-doctor-snap-')), name);
    writeFileSync(path, out);
    return path;
  }

  it('IKE_FRAGMENTS_DROPPED does not say fragmentation was "not negotiated" when the response that would announce it was cut', async () => {
    const path = snapSecond('ikev2-nat-auth-ipfrag-no-response.pcap', 100);
    const { inputs, packets, diagnostics } = await loadCaptures([path], { local: [], peer: [] });
    const fs = (await analyse({ inputs, packets, diagnostics, options: { local: [], peer: [] } }, { checks: [ikeFragmentation] })).findings;
    rmSync(join(path, '..'), { recursive: true, force: true });
    const dropped = fs.find((f) => f.code === 'IKE_FRAGMENTS_DROPPED')!;
    expect(dropped.data.fragmentation).toBe('not known (the capture cut a message short)');
    const support = fs.find((f) => f.code === 'IKE_FRAGMENTATION_SUPPORT')!;
    expect(support.data.notKnownFor).toEqual(['responder']);
    expect(support.data.announcedBy).not.toBe('neither peer');
  });
});
