/**
 * capture-coverage on real captures: the zeek ICMP port-unreachable that quotes DNS
 * (samples/pcap-icmp-port-unreach-not-ike), the lab's capture inside the tunnel
 * (samples/lab-pmtu-blackhole/inside-tunnel: kernel-libipsec's TUN device, cleartext
 * only), a real capture cut to its file header, and real IPsec captures that must
 * not be flagged — among them the loopback lab's ICMP port unreachable quoting IKE
 * with the IKE requests left out (written by the test).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse, diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';
import { startLiveCapture, type LiveCapture } from '../../src/sources/live-capture.js';
import { createPcapWriter } from '../../src/sources/pcap-writer.js';
import { readPcapFrames, replayCap } from '../sources/replay-cap.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NOT_IKE = join(ROOT, 'samples', 'pcap-icmp-port-unreach-not-ike', 'icmp-port-unreach-quoting-udp.pcap');
const INSIDE = join(ROOT, 'samples', 'lab-pmtu-blackhole', 'inside-tunnel', 'left-ipsec0.pcap');
const CLEAN = join(ROOT, 'samples', 'pcap-ikev2-clean-esp');
const PORT_UNREACHABLE = join(ROOT, 'samples', 'pcap-ike-port-unreachable', 'ike-port-unreachable-lo-lab.pcap');
const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-coverage-'));

async function findings(pcaps: string[], only = ['capture-coverage']): Promise<Finding[]> {
  return (await diagnose({ logs: [], pcaps, configs: [], host: false, local: [], peer: [], only })).findings;
}

describe('capture-coverage', () => {
  it('a capture of other traffic only: a warning that says what it held', async () => {
    const [f, ...rest] = await findings([NOT_IKE]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'NO_IPSEC_PACKETS', severity: 'warning', data: { frames: 1, otherIp: 0 } });
    expect(f.message).toBe(`The capture ${NOT_IKE} holds no IKE, ESP or AH packet (1 frame: 1 ICMP error about other traffic): the IKE and ESP checks had nothing to judge.`);
    expect(f.evidence).toEqual([{ source: NOT_IKE, excerpt: '1 frame: 1 ICMP error about other traffic' }]);
    expect(f.hint).toMatch(/udp port 500 or udp port 4500 or ip proto 50 or ip proto 51/);
  });

  it('the inside of the tunnel (raw IP, ipsec0): info, cleartext judged for path MTU only, and path-mtu still finds its black hole', async () => {
    const fs = await findings([INSIDE], ['capture-coverage', 'path-mtu']);
    expect(fs.map((f) => f.code).sort()).toEqual(['NO_IPSEC_PACKETS', 'PMTU_BLACKHOLE']);
    const f = fs.find((x) => x.code === 'NO_IPSEC_PACKETS')!;
    expect(f).toMatchObject({ severity: 'info', data: { insideTunnel: true } });
    expect(f.message).toBe(
      `The capture ${INSIDE} holds no IKE, ESP or AH packet (16 frames: 16 of other IP traffic): the IKE and ESP checks had nothing to judge, its other IP traffic was judged for path MTU only; `
        + 'it is raw IP without a link layer, as a tunnel device (ipsecN, a VTI or xfrm interface) is captured: the inside of a tunnel shows no IPsec.',
    );
    // the same kind of traffic with an Ethernet header (the veth lab's PMTU capture) may be the wrong interface: a warning
    const [veth] = await findings([join(ROOT, 'samples', 'pcap-pmtu-blackhole', 'pmtu-blackhole-veth-lab.pcap')]);
    expect(veth).toMatchObject({ severity: 'warning', data: { insideTunnel: false } });
  });

  it('a capture cut to its file header holds no packets at all', async () => {
    const empty = join(dir, 'header-only.pcap');
    writeFileSync(empty, readFileSync(NOT_IKE).subarray(0, 24));
    const [f] = await findings([empty]);
    expect(f.message).toContain('holds no IKE, ESP or AH packet (no packets at all)');
  });

  it('IPsec captures are not flagged; of two captures only the one without IPsec is', async () => {
    expect(await findings([join(CLEAN, readdirPcap(CLEAN))])).toEqual([]);
    // one IKEv1 header with length 0 (corpus #8): not decodable, but IKE — its diagnostic says what is wrong
    expect(await findings([join(ROOT, 'test', 'fixtures', 'pcaps', 'ikev1-malformed-zero-header-length.pcap')])).toEqual([]);
    expect(await findings([PORT_UNREACHABLE])).toEqual([]);
    const fs = await findings([join(CLEAN, readdirPcap(CLEAN)), NOT_IKE]);
    expect(fs.map((f) => f.evidence[0].source)).toEqual([NOT_IKE]);
  });

  it('ICMP errors quoting IKE are IPsec evidence: no warning for a capture of only those', async () => {
    // the loopback lab capture is Ethernet + IPv4: IP protocol 1 (ICMP) at byte 14 + 9
    const icmpOnly = join(dir, 'icmp-quoting-ike.pcap');
    const w = createPcapWriter(icmpOnly, 1, 65535);
    for (const frame of readPcapFrames(readFileSync(PORT_UNREACHABLE)).filter((f) => f.data[23] === 1)) w.write(frame);
    w.close();
    const fs = await findings([icmpOnly], ['capture-coverage', 'ike-reachability']);
    expect(fs.map((f) => f.code)).toEqual(['IKE_PORT_UNREACHABLE']);
  });

  it('a live capture names its interface and how long nothing came (the cap binding replaying the zeek capture)', async () => {
    const replay = replayCap(NOT_IKE, ['lo']);
    let capture!: LiveCapture;
    await startLiveCapture({ iface: 'lo', local: [], peer: [], loadCap: async () => replay.module, onStart: (c) => (capture = c) });
    const before = capture.snapshot();
    replay.emit();
    capture.stop();
    const done = await capture.done;
    const evidenceOf = (r: { input: typeof done.input; packets: typeof done.packets }) => ({ inputs: [r.input], packets: r.packets, diagnostics: [], options: { local: [], peer: [] } });
    const [early] = (await analyse(evidenceOf(before), { only: ['capture-coverage'] })).findings;
    expect(early.message).toMatch(/^The live capture on lo holds no IKE, ESP or AH packet \(no packets in \d+ s\)/);
    const [after] = (await analyse(evidenceOf(done), { only: ['capture-coverage'] })).findings;
    expect(after.message).toMatch(/^The live capture on lo holds no IKE, ESP or AH packet \(1 frame in \d+ s: 1 ICMP error about other traffic\)/);
    // located as the capture's frames are
    expect(after.evidence[0].source).toBe('live:lo');
  });
});

function readdirPcap(d: string): string {
  return readdirSync(d).find((f) => /\.pcap(ng)?$/.test(f))!;
}
