/**
 * Both peers' logs (and a capture) of one refusal: the initiator learns only the
 * verdict, the responder's log says why. One finding, led by the responder's
 * (engine/corroborate.ts mergePeerViews), with the initiator's data and lines.
 * Real lab output: samples/lab-* (strongSwan 5.9 peers in network namespaces).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');
const files = (sample: string, names: string[]) => names.map((n) => join(SAMPLES, sample, n));

async function findings(sample: string, code: string, logs: string[], pcaps: string[] = []): Promise<Finding[]> {
  const report = await diagnose({ logs: files(sample, logs), pcaps: files(sample, pcaps), configs: [], host: false, local: [], peer: [] });
  return report.findings.filter((f) => f.code === code);
}

const sourcesOf = (f: Finding) => [...new Set(f.evidence.map((e) => e.source.split('/').pop()))];

describe('one refusal seen by both peers', () => {
  it('PSK mismatch: the responder\'s reason leads, the initiator\'s AUTHENTICATION_FAILED joins it', async () => {
    const [f, ...rest] = await findings('lab-psk-mismatch', 'AUTH_FAILED', ['left.log', 'right.log']);
    expect(rest).toHaveLength(0);
    expect(f.message).toBe("Authentication failed (pre-shared key) seen from the responder (the initiator's log shows the same refusal): tried 1 shared key for 'right.example' - 'left.example', but MAC mismatched.");
    expect(f.data).toMatchObject({ side: 'responder', seenIn: "both peers' logs", localAddress: '198.51.100.20', peerAddress: '192.0.2.10', initiatorLog: { side: 'initiator', localAddress: '192.0.2.10' } });
    expect(sourcesOf(f)).toEqual(['right.log', 'left.log']);
    // the order of the logs on the command line does not matter
    const [g] = await findings('lab-psk-mismatch', 'AUTH_FAILED', ['right.log', 'left.log']);
    expect(g.message).toBe(f.message);
  });

  it('ESP proposal mismatch: the responder names the transform types, the initiator saw only NO_PROPOSAL_CHOSEN', async () => {
    const fs = await findings('lab-esp-proposal-mismatch', 'CHILD_PROPOSAL_MISMATCH', ['left.log', 'right.log']);
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('seen from the responder (the initiator\'s log shows the same refusal); transform types without overlap: encryption, integrity (received ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ; configured ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ)');
    expect(fs[0].hint).toContain('(give both peers at least one common encryption, integrity, for example add `aes256-sha256` (AES_CBC_256/HMAC_SHA2_256_128/NO_ESN) to this host\'s proposals, or `aes128-sha1` (AES_CBC_128/HMAC_SHA1_96/NO_ESN) to the peer\'s)');
    expect(sourcesOf(fs[0])).toEqual(['right.log', 'left.log']);
  });

  it('IKE proposal mismatch: both logs and the capture are one finding, and the responder\'s log rules out "no connection"', async () => {
    const fs = await findings('lab-ike-proposal-mismatch', 'IKE_PROPOSAL_MISMATCH', ['left.log', 'right.log'], ['left.pcap']);
    expect(fs).toHaveLength(1);
    expect(fs[0].data).toMatchObject({ seenIn: "both peers' logs and the capture", transformTypes: ['encryption', 'integrity', 'PRF', 'DH/KE group'], capture: { rejectedBy: '198.51.100.20', offeredBy: '192.0.2.10' } });
    expect(sourcesOf(fs[0])).toEqual(['right.log', 'left.pcap', 'left.log']);
    expect(await findings('lab-ike-proposal-mismatch', 'NO_MATCHING_CONNECTION', ['left.log', 'right.log'])).toHaveLength(0);
    // the initiator's log alone cannot tell a crypto mismatch from a missing connection
    expect(await findings('lab-ike-proposal-mismatch', 'NO_MATCHING_CONNECTION', ['left.log'])).toHaveLength(1);
  });

  it('traffic selectors: the responder\'s refused selectors lead', async () => {
    const fs = await findings('lab-ts-mismatch', 'TS_MISMATCH', ['left.log', 'right.log']);
    expect(fs.map((f) => f.message)).toEqual(["Traffic selectors refused, seen from the responder (the initiator's log shows the same refusal): proposed local 10.2.0.0/24 === remote 10.1.0.0/24, while this side's configuration accepts local 10.2.0.0/24 === remote 10.9.0.0/24 (the peer's subnets differ)."]);
  });

  it('one side alone says what it cannot see instead of a garbled sentence', async () => {
    const [f] = await findings('lab-esp-proposal-mismatch', 'CHILD_PROPOSAL_MISMATCH', ['left.log']);
    expect(f.message).toBe('Child SA (phase 2) proposal rejected with NO_PROPOSAL_CHOSEN in the authentication exchange (IKE_AUTH), seen from the initiator; this log does not show which transform types differ (configured ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ).');
    expect(f.hint).toContain("(compare the two peers' proposals; the responder's log prints the list it received (strongSwan also prints the one it has configured, libreswan only the one it received))");
    const [c] = await findings('lab-ike-proposal-mismatch', 'IKE_PROPOSAL_MISMATCH', [], ['left.pcap']);
    expect(c.message).toContain('seen from the capture: 198.51.100.20 (the responder) sent it in frame 2; the capture cannot show which transform types differ');
    expect(c.hint).toContain('(compare what was offered with the configuration of 198.51.100.20, whose log prints');
  });

  it('a log and a capture of the same dropped, IP-fragmented IKE_AUTH are one finding, raised to error by the capture', async () => {
    const fs = await findings('lab-ike-fragments-dropped', 'IKE_FRAGMENTS_DROPPED', ['left.log'], ['left.pcap']);
    expect(fs).toHaveLength(1);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].data).toMatchObject({ seenIn: 'log and capture', capture: { ipFragments: 3, allFragmentsCaptured: true }, severityReason: 'the capture shows the request IP-fragmented, resent and never answered' });
    const [logOnly] = await findings('lab-ike-fragments-dropped', 'IKE_FRAGMENTS_DROPPED', ['left.log']);
    expect(logOnly.severity).toBe('warning');
  });

  it('NAT: each log says the other is behind NAT, neither itself: forced UDP encapsulation, not a NAT (kernel-libipsec lab)', async () => {
    const fs = await findings('lab-healthy', 'UDP_ENCAPSULATION_FORCED', ['left.log', 'right.log']);
    expect(fs.map((f) => f.message)).toEqual([
      "No NAT between 192.0.2.10 and 198.51.100.20: each peer's log says the other is behind NAT and neither says it is itself, which a NAT on the path would show in the log of the host behind it; both force UDP encapsulation, faking the NAT-D hash, so IKE and ESP run on UDP 4500.",
    ]);
    expect(sourcesOf(fs[0])).toEqual(['left.log', 'right.log']);
    expect(await findings('lab-healthy', 'NAT_DETECTED', ['left.log', 'right.log'])).toHaveLength(0);
    // the capture's NAT-D source-hash mismatches are the same fact
    const [withCapture] = await findings('lab-healthy', 'UDP_ENCAPSULATION_FORCED', ['left.log', 'right.log'], ['left.pcap']);
    expect(withCapture.data).toMatchObject({ seenIn: "both peers' logs and the capture", capture: { basis: expect.stringMatching(/^NAT-D source hash mismatch only/) } });
    expect(await findings('lab-healthy', 'NAT_DETECTED', ['left.log', 'right.log'], ['left.pcap'])).toHaveLength(0);
    // one log alone cannot tell
    expect(await findings('lab-healthy', 'NAT_DETECTED', ['left.log'])).toHaveLength(1);
  });

  it('NAT: both logs name the host behind the NAT (its own log says so) and the peer that only forces encapsulation', async () => {
    expect(await findings('lab-nat-udp4500-blocked', 'UDP_ENCAPSULATION_FORCED', ['left.log', 'right.log'])).toHaveLength(0);
    // the responder sees the NAT's address, not the initiator's: the logs still pair (the initiator's own log says it is behind NAT)
    const nat = await findings('lab-nat-udp4500-blocked', 'NAT_DETECTED', ['left.log', 'right.log']);
    expect(nat.map((f) => f.message)).toEqual([
      'NAT detected: 192.0.2.10 is behind NAT, by its own log; 198.51.100.20 is not but forces UDP encapsulation, which fakes the NAT-D hash; IKE moves to 198.51.100.20:4500 and ESP is sent in UDP 4500 (RFC 3948).',
    ]);
    expect(nat[0].data).toMatchObject({ behindAddresses: ['192.0.2.10'], forcesEncapsulation: ['198.51.100.20'], seenIn: "both peers' logs" });
    expect(sourcesOf(nat[0])).toEqual(['left.log', 'right.log']);
    // each log alone keeps its own verdict
    expect((await findings('lab-nat-udp4500-blocked', 'NAT_DETECTED', ['right.log']))[0].message).toMatch(/^NAT detected: the peer is behind NAT \(or it forces UDP encapsulation/);
  });

  it('one Child SA established, as both logs show (the same two SPIs, each side\'s inbound first)', async () => {
    const fs = await findings('lab-healthy', 'TUNNEL_ESTABLISHED', ['left.log', 'right.log']);
    expect(fs.map((f) => f.message)).toEqual([
      "Tunnel lab established, as both peers' logs show: IKE SA left.example ... right.example, Child SA net with SPIs 0xbee6676c, 0x9d390d15, selectors 10.1.0.0/24 === 10.2.0.0/24.",
    ]);
    expect(fs[0].data).toMatchObject({ seenIn: "both peers' logs", otherLog: { spis: ['0x9d390d15', '0xbee6676c'], local: ['10.2.0.0/24'] } });
    expect(sourcesOf(fs[0])).toEqual(['left.log', 'right.log']);
    const [one] = await findings('lab-healthy', 'TUNNEL_ESTABLISHED', ['right.log']);
    expect(one.message).toMatch(/^Tunnel lab established, as the log shows: IKE SA right.example/);
  });

  it('DPD: each peer gave up on the other, so the path failed both ways: one finding', async () => {
    const fs = await findings('lab-dpd-timeout', 'DPD_TIMEOUT', ['left.log', 'right.log']);
    expect(fs.map((f) => f.message)).toEqual([
      "The peer 198.51.100.20:4500 stopped answering IKEv2 liveness checks on an established SA (and 198.51.100.20's log says the same of 192.0.2.10: the path between them failed in both directions); action taken: SA deleted; established again later: no.",
    ]);
    expect(fs[0].data).toMatchObject({ seenIn: "both peers' logs", otherLog: { peer: '192.0.2.10:4500', localAddress: '198.51.100.20' } });
    expect(sourcesOf(fs[0])).toEqual(['left.log', 'right.log']);
    const [one] = await findings('lab-dpd-timeout', 'DPD_TIMEOUT', ['right.log']);
    expect(one.message).toContain('on an established SA (noticed by 198.51.100.20)');
  });

  it("the initiator's AUTHENTICATION_FAILED, explained by the responder's PEER_ID_MISMATCH, is not a second error", async () => {
    const report = await diagnose({ logs: files('lab-peer-id-mismatch', ['left.log', 'right.log']), pcaps: [], configs: [], host: false, local: [], peer: [] });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['PEER_ID_MISMATCH']);
    const auth = report.findings.find((f) => f.code === 'AUTH_FAILED')!;
    expect(auth.severity).toBe('info');
    expect(auth.message).toContain("and 198.51.100.20's own log shows why: no peer config matches the identity this side presented (PEER_ID_MISMATCH)");
    // the initiator's log alone still reports it as the error it is from there
    const [alone] = await findings('lab-peer-id-mismatch', 'AUTH_FAILED', ['left.log']);
    expect(alone.severity).toBe('error');
  });
  it('a Windows client\'s event names no address: it joins the server\'s finding of the same code when each is the only one', async () => {
    // two real logs given together (the Azure docs' RRAS events, and the lab strongSwan responder refusing a PSK):
    // not one attempt, but what the engine sees when a user passes a Windows event and the server's log
    const report = await diagnose({
      logs: [join(SAMPLES, 'windows-rras-events-azure-docs', 'get-eventlog.log'), join(SAMPLES, 'lab-psk-mismatch', 'right.log')],
      pcaps: [], configs: [], host: false, local: [], peer: [],
    });
    const auth = report.findings.filter((f) => f.code === 'AUTH_FAILED');
    expect(auth).toHaveLength(1);
    expect(auth[0].data).toMatchObject({ side: 'responder', seenIn: "both peers' logs", initiatorLog: { side: 'initiator' } });
    expect(sourcesOf(auth[0])).toEqual(['right.log', 'get-eventlog.log']);
    // with two responders refusing, the address-less initiator stays apart
    const two = await diagnose({
      logs: [join(SAMPLES, 'windows-rras-events-azure-docs', 'get-eventlog.log'), join(SAMPLES, 'lab-psk-mismatch', 'right.log'), join(SAMPLES, 'strongswan-psk-mismatch', 'responder.log')],
      pcaps: [], configs: [], host: false, local: [], peer: [],
    });
    expect(two.findings.filter((f) => f.code === 'AUTH_FAILED').length).toBe(3);
  });
});
