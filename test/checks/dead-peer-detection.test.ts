import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';
import { diagnose } from '../../src/run.js';

const only = ['dead-peer-detection'];

describe('dead-peer-detection', () => {
  it('libreswan IKEv2 liveness: unanswered, connection cleared', async () => {
    // libreswan/libreswan testing/pluto/ikev2-liveness-03-both-active-clear/east.console.txt lines 17, 20 (GPLv2+)
    const report = await diagnoseLines({
      name: 'east.log',
      lines: [
        '"westnet-eastnet-ipv4-psk-ikev2" #1: ESTABLISHED_IKE_SA: retransmission; will wait 1 second for response',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: liveness action - clearing connection kind CK_PERMANENT',
      ],
    }, { only });
    expect(codesOf(report)).toEqual(['DPD_TIMEOUT']);
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ mechanism: 'IKEv2 liveness checks', recovered: 'no' });
    expect(String(f.data.action)).toMatch(/clear/);
    expect(linesOf(f)).toEqual([1, 2]);
    expect(f.hint).toMatch(/dpd_delay/);
    expect(f.hint).toMatch(/dpdaction/);
  });

  it('libreswan IKEv1 DPD puts the connection on hold, then it is re-established', async () => {
    // libreswan/libreswan testing/pluto/dpd-04/east.console.txt lines 31, 34, 49 (GPLv2+)
    const report = await diagnoseLines({
      name: 'east.log',
      lines: [
        '"westnet-east" #4: IPsec SA established tunnel mode {ESP=>0xESPESP <0xESPESP xfrm=AES_CBC_128-HMAC_SHA1_96 DPD=active}',
        '"westnet-east" #1: DPD action - putting connection into hold',
        '"westnet-east" #4: IPsec SA established tunnel mode {ESP=>0xESPESP <0xESPESP xfrm=AES_CBC_128-HMAC_SHA1_96 DPD=active}',
      ],
    }, { only });
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.data).toMatchObject({ mechanism: 'DPD (R_U_THERE)', recovered: 'yes', reestablishedLine: 3, conn: 'westnet-east' });
    expect(String(f.data.action)).toMatch(/hold/);
    expect(linesOf(f)).toEqual([2, 3]);
    expect(f.message).toMatch(/established again later: yes \(line 3\)\.$/);
  });

  it('the same timeout repeated as the tunnel fails and comes back: one finding, counted, first and last cited', async () => {
    // dpd-04's lines (above) as a week of the same fault would log them; the last timeout is not followed by a new SA
    const cycle = [
      '"westnet-east" #4: IPsec SA established tunnel mode {ESP=>0xESPESP <0xESPESP xfrm=AES_CBC_128-HMAC_SHA1_96 DPD=active}',
      '"westnet-east" #1: DPD action - putting connection into hold',
    ];
    const lines = [...Array.from({ length: 5 }, () => cycle).flat()];
    const report = await diagnoseLines({ name: 'east.log', lines }, { only });
    const fs = report.findings.filter((f) => f.code === 'DPD_TIMEOUT');
    expect(fs).toHaveLength(1);
    expect(fs[0].data).toMatchObject({ occurrences: 5, recoveredTimes: 4, recovered: 'sometimes', lastReestablishedLine: 9 });
    expect(fs[0].message).toMatch(/established again later: 4 of the 5 times \(the last at line 9\)\.$/);
    expect(linesOf(fs[0])).toEqual([2, 3, 10]);
  });

  it('strongSwan: INFORMATIONAL (DPD) request on an established IKE SA retransmitted and given up', async () => {
    // charon format strings: "sending DPD request", "retransmit %d of request with message ID %d", "giving up after %d retransmits"
    const p = 'Nov 22 22:';
    const report = await diagnoseLines({
      name: 'charon.log',
      lines: [
        `${p}00:00 12[IKE] <west-east|1> IKE_SA west-east[1] established between 198.51.100.10[west]...203.0.113.5[east]`,
        `${p}10:00 05[IKE] <west-east|1> sending DPD request`,
        `${p}10:00 05[ENC] <west-east|1> generating INFORMATIONAL request 7 [ ]`,
        `${p}10:00 05[NET] <west-east|1> sending packet: from 198.51.100.10[4500] to 203.0.113.5[4500] (80 bytes)`,
        `${p}10:04 06[IKE] <west-east|1> retransmit 1 of request with message ID 7`,
        `${p}10:11 07[IKE] <west-east|1> retransmit 2 of request with message ID 7`,
        `${p}12:44 08[IKE] <west-east|1> giving up after 5 retransmits`,
      ],
    }, { only: ['dead-peer-detection', 'ike-reachability'] });
    expect(codesOf(report)).toEqual(['DPD_TIMEOUT']);
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.data).toMatchObject({ peer: '203.0.113.5:4500', retransmits: 5 });
    expect(linesOf(f)).toEqual(expect.arrayContaining([3, 5, 7]));
  });

  it('DPD requests that are answered are not a finding', async () => {
    const report = await diagnoseLines({
      name: 'charon.log',
      lines: [
        'Nov 22 22:00:00 12[IKE] <west-east|1> IKE_SA west-east[1] established between 198.51.100.10[west]...203.0.113.5[east]',
        'Nov 22 22:10:00 05[IKE] <west-east|1> sending DPD request',
        'Nov 22 22:10:00 05[ENC] <west-east|1> generating INFORMATIONAL request 7 [ ]',
        'Nov 22 22:10:00 05[ENC] <west-east|1> parsed INFORMATIONAL response 7 [ ]',
      ],
    }, { only });
    expect(report.findings).toEqual([]);
  });

  describe('with a capture of the same silence (samples/lab-dpd-timeout: real strongSwan peers, the middle box drops everything after establishment)', () => {
    const sample = (dir: string, file: string) => join(import.meta.dirname, '..', '..', 'samples', dir, file);
    const dpd = async (logs: string[], pcaps: string[]) =>
      (await diagnose({ logs, pcaps, configs: [], host: false, local: [], peer: [], only })).findings.filter((f) => f.code === 'DPD_TIMEOUT');

    it("cites the capture's unanswered liveness requests from this log's host to that peer", async () => {
      const pcap = sample('lab-dpd-timeout', 'left.pcap');
      const [f] = await dpd([sample('lab-dpd-timeout', 'left.log')], [pcap]);
      expect(f.data.onTheWire).toBe(`the capture ${pcap} shows the INFORMATIONAL request (msgid 2) to 198.51.100.20 sent 4 times and never answered (frames 13, 14, 17, 18)`);
      expect(f.message).toContain(`(noticed by 192.0.2.10; the capture ${pcap} shows`);
      expect(f.evidence.filter((r) => r.frame !== undefined).map((r) => [r.source, r.frame])).toEqual([13, 14, 17, 18].map((n) => [pcap, n]));
      // both among the first six lines a text report shows: the log's first three, then the capture's
      expect(f.evidence.slice(0, 6).map((r) => r.line ?? `#${r.frame}`)).toEqual([181, 183, 185, '#13', '#14', '#17']);
    });

    it("both peers' logs: one finding, the frames once", async () => {
      const pcap = sample('lab-dpd-timeout', 'left.pcap');
      const fs = await dpd([sample('lab-dpd-timeout', 'left.log'), sample('lab-dpd-timeout', 'right.log')], [pcap]);
      expect(fs).toHaveLength(1);
      expect(fs[0].message).toContain('the path between them failed in both directions; the capture');
      expect(fs[0].evidence.filter((r) => r.frame !== undefined).map((r) => r.frame)).toEqual([13, 14, 17, 18]);
      // right.log's requests to 192.0.2.10 never reached the left peer's interface: nothing to cite for them
      expect((fs[0].data.otherLog as Record<string, unknown>).onTheWire).toBeUndefined();
    });

    it("a log with the same connection timing out twice: one finding ×2, counting one silence's retransmits, citing the first and the last", async () => {
      // a long gateway log holds many timeouts of one connection; each used to get every earlier retransmit of it
      const log = readFileSync(sample('lab-dpd-timeout', 'left.log'), 'utf8');
      const dir = mkdtempSync(join(tmpdir(), 'dpd-twice-'));
      const twice = join(dir, 'left-twice.log');
      writeFileSync(twice, log + log);
      const lines = log.split('\n').length - 1;
      const fs = await dpd([twice], []);
      expect(fs).toHaveLength(1);
      expect(fs[0].data).toMatchObject({ occurrences: 2, retransmits: 3, recoveredTimes: 1 });
      // the first silence's lines in the first copy (with its recovery, the second copy's establishment), the last one's in the second
      const cited = linesOf(fs[0]).filter((n) => n !== fs[0].data.reestablishedLine);
      const [firstCopy, secondCopy] = [cited.filter((n) => n <= lines), cited.filter((n) => n > lines).map((n) => n - lines)];
      expect(firstCopy.length).toBeGreaterThan(0);
      expect(secondCopy).toEqual(firstCopy);
      expect(fs[0].message).toMatch(/established again later: 1 of the 2 times \(the last at line \d+\)\.$/);
    });

    it('a capture whose silence is another one (the same peers, IKE_SA_INIT over a dropped UDP 500) adds nothing', async () => {
      const [f] = await dpd([sample('lab-dpd-timeout', 'left.log')], [sample('lab-udp500-dropped', 'left.pcap')]);
      expect(f.data.onTheWire).toBeUndefined();
      expect(f.evidence.every((r) => r.frame === undefined)).toBe(true);
      expect(f.message).toContain('(noticed by 192.0.2.10);');
    });
  });
});

