/**
 * ike-reachability with a daemon log and a capture of the same failed attempt:
 * one IKE_NO_RESPONSE, the log's, with the capture's frames and figures (engine
 * corroborate()). Real lab output: samples/lab-udp500-dropped (strongSwan 5.9 in
 * network namespaces, the middle box drops UDP 500), and for a capture of another
 * peer test/fixtures/pcaps/ikev2-init-dh2-unanswered-rawip.pcap (PROVENANCE.md).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'lab-udp500-dropped');
const OTHER_PEER = join(import.meta.dirname, '..', 'fixtures', 'pcaps', 'ikev2-init-dh2-unanswered-rawip.pcap');

/** The findings of `checks` on these logs and captures. */
async function findings(logs: string[], pcaps: string[], checks = ['ike-reachability']): Promise<Finding[]> {
  return (await diagnose({ logs, pcaps, configs: [], host: false, local: [], peer: [], only: checks })).findings;
}

async function noResponse(logs: string[], pcaps: string[]): Promise<Finding[]> {
  return (await findings(logs, pcaps)).filter((f) => f.code === 'IKE_NO_RESPONSE');
}

describe('ike-reachability: log and capture of the same silence', () => {
  it('is one finding: the log message, evidence from both, the capture figures under data.capture', async () => {
    const fs = await noResponse([join(SAMPLE, 'left.log')], [join(SAMPLE, 'left.pcap')]);
    expect(fs).toHaveLength(1);
    const f = fs[0];
    expect(f.message).toBe('No response from 198.51.100.20:500 to the first exchange (IKE_SA_INIT) after 3 retransmissions over 7 s.');
    expect(f.data).toMatchObject({ seenIn: 'log and capture', capture: { from: '192.0.2.10:500', retransmits: 3, retransmitIntervals: [1.001, 1.403, 1.957], stage: 'first' } });
    const sources = f.evidence.map((e) => e.source.split('/').pop());
    // both sides among the first lines a text report shows
    expect(sources.slice(0, 6)).toEqual(['left.log', 'left.log', 'left.log', 'left.pcap', 'left.pcap', 'left.pcap']);
    expect(f.evidence.filter((e) => e.frame !== undefined).map((e) => e.frame)).toEqual([1, 2, 3, 6]);
  });

  it('each alone is unchanged', async () => {
    const [fromLog] = await noResponse([join(SAMPLE, 'left.log')], []);
    expect(fromLog.data.capture).toBeUndefined();
    const [fromCapture] = await noResponse([], [join(SAMPLE, 'left.pcap')]);
    expect(fromCapture.data).toMatchObject({ peer: '198.51.100.20:500', from: '192.0.2.10:500', retransmits: 3 });
  });

  it('a silence the capture explains as dropped IP fragments is lowered with it: IKE_FRAGMENTS_DROPPED is the one error (samples/lab-ike-fragments-dropped)', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'samples', 'lab-ike-fragments-dropped');
    const report = await findings([join(dir, 'left.log')], [join(dir, 'left.pcap')], ['ike-reachability', 'ike-fragmentation']);
    expect(report.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['IKE_FRAGMENTS_DROPPED']);
    const silence = report.filter((f) => f.code === 'IKE_NO_RESPONSE');
    expect(silence).toHaveLength(1);
    expect(silence[0]).toMatchObject({ severity: 'info', data: { seenIn: 'log and capture', explainedBy: 'IKE_FRAGMENTS_DROPPED' } });
    expect(String(silence[0].data.severityReason)).toMatch(/^the request left as a \d+-byte datagram in 3 IP fragments/);
    // the log alone cannot tell: its silence stays an error
    const [fromLog] = await noResponse([join(dir, 'left.log')], []);
    expect(fromLog.severity).toBe('error');
  });

  it('a silence on UDP 4500 after NAT detection is the symptom of NAT_T_BLOCKED: lowered with it (samples/lab-nat-udp4500-blocked)', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'samples', 'lab-nat-udp4500-blocked');
    for (const logs of [[], [join(dir, 'left.log')]]) {
      const report = await findings(logs, [join(dir, 'left.pcap')], ['ike-reachability', 'nat-traversal']);
      expect(report.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['NAT_T_BLOCKED']);
      const [silence] = report.filter((f) => f.code === 'IKE_NO_RESPONSE');
      expect(silence).toMatchObject({ severity: 'info', data: { peer: '198.51.100.20:4500', explainedBy: 'NAT_T_BLOCKED', ...(logs.length ? { seenIn: 'log and capture' } : {}) } });
    }
  });

  it('unanswered liveness checks in the capture are the symptom of the log\'s DPD_TIMEOUT about that peer (samples/lab-dpd-timeout)', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'samples', 'lab-dpd-timeout');
    const both = await findings([join(dir, 'left.log')], [join(dir, 'left.pcap')], ['ike-reachability', 'dead-peer-detection']);
    expect(both.map((f) => [f.code, f.severity])).toEqual([['DPD_TIMEOUT', 'error'], ['IKE_NO_RESPONSE', 'info']]);
    expect(both[1].data).toMatchObject({ explainedBy: 'DPD_TIMEOUT', exchange: 'INFORMATIONAL', msgid: 2, stage: 'other' });
    // the capture alone cannot tell a dead peer from a lossy path: a warning
    const [alone] = await noResponse([], [join(dir, 'left.pcap')]);
    expect(alone.severity).toBe('warning');
    // a log of the same peers without a liveness timeout (the UDP 500 drop: never established) explains nothing
    const other = await findings([join(SAMPLE, 'left.log')], [join(dir, 'left.pcap')]);
    expect(other.find((f) => f.data.stage === 'other')?.severity).toBe('warning');
  });

  it("a Juniper kmd phase-1 timeout (stage 'setup': first or auth, the line does not say) is one finding with the capture's unanswered IKE_SA_INIT", async () => {
    // the corpus line (juniper-srx/kmd-syslog-ike-timeout-ts-mismatch-mixed.log:3, Elastic License 2.0) with the lab's addresses for Local and Remote
    const kmd = join(mkdtempSync(join(tmpdir(), 'ipsec-doctor-kmd-')), 'srx.log');
    writeFileSync(kmd, '<27>1 2023-05-04T15:19:33.984+10:00 AB1234-A-AB-AB01C-ABC kmd 9159 - - IKE negotiation failed with error: Timed out. IKE Version: 2, VPN: IPSEC-AAAAA-AAA1-PROD-VPN Gateway: IKE-AAAAA-AAA1-GW, Local: 192.0.2.10/500, Remote: 198.51.100.20/500, Local IKE-ID: Not-Available, Remote IKE-ID: Not-Available, VR-ID: 5: Role: Initiator\n');
    const fs = await noResponse([kmd], [join(SAMPLE, 'left.pcap')]);
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toBe('No response from 198.51.100.20:500 to IKE SA setup (IKE_SA_INIT or IKE_AUTH) until the daemon gave up (its log does not count the retransmissions).');
    expect(fs[0].data).toMatchObject({ seenIn: 'log and capture', capture: { stage: 'first', retransmits: 3 } });
  });

  it('a capture of another peer stays a finding of its own', async () => {
    const fs = await noResponse([join(SAMPLE, 'left.log')], [OTHER_PEER]);
    expect(fs.map((f) => String(f.data.peer)).sort()).toEqual(['198.51.100.20:500', '212.158.157.8:500']);
    expect(fs.every((f) => f.data.capture === undefined)).toBe(true);
  });
});
