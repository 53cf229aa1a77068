/**
 * nat-traversal with daemon logs and a capture of the same IKE SA: the daemon's NAT
 * verdict and the NAT-D hashes on the wire about the same peer are one NAT_DETECTED
 * (engine corroborate()). Real lab output: samples/lab-nat-udp4500-blocked (strongSwan
 * 5.9 in network namespaces; kernel-libipsec forces UDP encapsulation, so both sides log
 * NAT; the middle box drops UDP 4500).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'lab-nat-udp4500-blocked');

async function natDetected(logs: string[], pcaps: string[]): Promise<Finding[]> {
  const report = await diagnose({ logs: logs.map((l) => join(SAMPLE, l)), pcaps: pcaps.map((p) => join(SAMPLE, p)), configs: [], host: false, local: [], peer: [], only: ['nat-traversal'] });
  return report.findings.filter((f) => f.code === 'NAT_DETECTED');
}

describe('nat-traversal: a log and a capture of the same NAT', () => {
  it('the initiator\'s log (floated to 198.51.100.20:4500) and its capture (NAT-D between 192.0.2.10 and 198.51.100.20) are one finding', async () => {
    const fs = await natDetected(['left.log'], ['left.pcap']);
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toMatch(/^NAT detected: this host \(the log's author\) is behind NAT, and the peer is behind NAT too or forces UDP encapsulation, .*; IKE moves to 198\.51\.100\.20:4500/);
    expect(fs[0].data).toMatchObject({ seenIn: 'log and capture', capture: { behindAddresses: ['192.0.2.10', '198.51.100.20'], peers: ['192.0.2.10 ⇄ 198.51.100.20'] } });
    expect(new Set(fs[0].evidence.map((e) => e.source.split('/').pop()))).toEqual(new Set(['left.log', 'left.pcap']));
  });

  it('with the responder\'s log too (it names the NAT\'s address as its peer): both logs and the capture are one finding', async () => {
    const fs = await natDetected(['left.log', 'right.log'], ['left.pcap']);
    expect(fs.map((f) => f.data.seenIn)).toEqual(["both peers' logs and the capture"]);
    expect(new Set(fs[0].evidence.map((e) => e.source.split('/').pop()))).toEqual(new Set(['left.log', 'right.log', 'left.pcap']));
  });

  it('the initiator\'s log alone asserts only what its lines say: "local host is behind NAT" is this host, "remote host is behind NAT" may be a peer forcing encapsulation', async () => {
    // left.log:141 "local host is behind NAT, sending keep alives", :142 "remote host is behind NAT"; the right peer is
    // in fact not behind NAT (README: kernel-libipsec forces UDP encapsulation, faking its NAT-D hash)
    const [f] = await natDetected(['left.log'], []);
    expect(f.message).not.toMatch(/both this host and the peer are behind NAT/);
    expect(f.message).toMatch(/this host \(the log's author\) is behind NAT/);
    expect(f.message).toMatch(/the peer is behind NAT too or forces UDP encapsulation/);
    expect(f.message).toMatch(/this log alone cannot tell which/);
    expect(f.evidence.map((e) => e.line)).toEqual(expect.arrayContaining([141, 142]));
  });

  it('a capture alone is unchanged', async () => {
    const fs = await natDetected([], ['left.pcap']);
    expect(fs).toHaveLength(1);
    expect(fs[0].data.capture).toBeUndefined();
    expect(fs[0].data.behindAddresses).toEqual(['192.0.2.10', '198.51.100.20']);
  });
});
