/**
 * esp-flows on SA tables with counters: the lab's real `swanctl --list-sas` of both peers
 * (samples/lab-*, strongSwan 5.9 in network namespaces) and real `ip -s xfrm state` of a
 * kernel (test/platforms/linux/fixtures, README there), read through the registry the
 * way `ipsec-doctor FILE…` reads them, and with the same run's capture.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const sample = (name: string, file: string) => join(ROOT, 'samples', name, file);
const xfrm = (file: string) => join(ROOT, 'test', 'platforms', 'linux', 'fixtures', file);
const pluto = (file: string) => join(ROOT, 'test', 'platforms', 'libreswan', 'fixtures', file);

async function findings(files: { logs?: string[]; pcaps?: string[]; configs?: string[] }, local: string[] = []): Promise<Finding[]> {
  const report = await diagnose({ logs: files.logs ?? [], pcaps: files.pcaps ?? [], configs: files.configs ?? [], host: false, local, peer: [], only: ['esp-flows'] });
  return report.findings;
}

describe('esp-flows from SA tables', () => {
  it('ESP_ONE_WAY from one peer\'s counters: out 5 packets, in 0 (lab-esp-return-dropped, left.list-sas)', async () => {
    const fs = await findings({ logs: [sample('lab-esp-return-dropped', 'left.list-sas')] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].data).toMatchObject({ sender: '192.0.2.10', silent: '198.51.100.20', amount: '5 packets', spis: '0x8356d647', basis: 'SA counters' });
    expect(fs[0].message).toContain(`the SA table ${sample('lab-esp-return-dropped', 'left.list-sas')} counts 0 packets in on 0x9e3b4c73`);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([6, 8, 9]);
  });

  it('both peers\' tables: the responder sent 5 packets on the SPI the initiator counts 0 on — lost on the path (one finding)', async () => {
    const fs = await findings({ logs: [sample('lab-esp-return-dropped', 'left.list-sas'), sample('lab-esp-return-dropped', 'right.list-sas')] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].data).toMatchObject({ peerSent: 5, peerReceived: 5 });
    const [left, right] = ['left.list-sas', 'right.list-sas'].map((f) => sample('lab-esp-return-dropped', f));
    expect(fs[0].message).toContain(`${right} shows 198.51.100.20 sent 5 packets on 0x9e3b4c73 and ${left} counts none of them, so they are lost on the path between the two`);
    expect(fs[0].evidence.map((e) => `${e.source.split('/').pop()}:${e.line}`)).toEqual(['left.list-sas:6', 'left.list-sas:8', 'left.list-sas:9', 'right.list-sas:6', 'right.list-sas:9', 'right.list-sas:8']);
  });

  it('the table and the capture of the same run are one finding led by the table, with the capture\'s frames', async () => {
    const fs = await findings({ logs: [sample('lab-esp-return-dropped', 'left.list-sas')], pcaps: [sample('lab-esp-return-dropped', 'left.pcap')] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].data.seenIn).toBe('SA table and capture');
    expect((fs[0].data.capture as { spis: string }).spis).toBe('0x8356d647');
    expect(fs[0].evidence.some((e) => e.frame !== undefined)).toBe(true);
    expect(fs[0].evidence.some((e) => e.line === 8)).toBe(true);
  });

  it('NO_ESP: an installed Child SA that counted nothing either way for 13 s, both tables one finding (lab-idle-tunnel)', async () => {
    const fs = await findings({ logs: [sample('lab-idle-tunnel', 'left.list-sas'), sample('lab-idle-tunnel', 'right.list-sas')] });
    expect(fs.map((f) => f.code)).toEqual(['NO_ESP']);
    expect(fs[0].severity).toBe('warning');
    expect(fs[0].data).toMatchObject({ a: '192.0.2.10', b: '198.51.100.20', seconds: 13 });
    expect(fs[0].message).not.toContain('not in the evidence');
  });

  it('a Child SA up for 2 s with traffic both ways, and one up for 0 s with no child: nothing to say (lab-healthy, lab-ts-mismatch)', async () => {
    expect(await findings({ logs: [sample('lab-healthy', 'left.list-sas'), sample('lab-healthy', 'right.list-sas')] })).toEqual([]);
    expect(await findings({ logs: [sample('lab-ts-mismatch', 'left.list-sas')] })).toEqual([]);
  });

  it('ip -s xfrm state of both ends: the left sent 6 packets the right counted none of (integrity failure on the right) — direction told by src/dst, no --local needed', async () => {
    const fs = await findings({ logs: [xfrm('xa.ip-s-xfrm-state.txt'), xfrm('xb.ip-s-xfrm-state.txt')] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].data).toMatchObject({ sender: '192.0.2.10', silent: '198.51.100.20', spis: '0xc5a00005', peerReceived: 0, peerSent: 0 });
    expect(fs[0].message).toContain('received 0 of the 6 packets sent to it on 0xc5a00005, so the traffic towards it is lost on the path');
  });

  it('one xfrm table alone does not claim which SPI is inbound, unless --local says which end it is', async () => {
    const [alone] = await findings({ logs: [xfrm('xa.ip-s-xfrm-state.txt')] });
    expect(alone.message).toContain('counts 0 packets on 0xc5b00005 (198.51.100.20 → 192.0.2.10)');
    const [located] = await findings({ logs: [xfrm('xa.ip-s-xfrm-state.txt')] }, ['192.0.2.10']);
    expect(located.message).toContain('counts 0 packets in on 0xc5b00005');
  });

  it('a one-way SA whose SPI the peer does not have is the SA mismatch\'s symptom: info, explainedBy', async () => {
    const fs = await findings({ logs: [xfrm('sm-a.ip-s-xfrm-state.txt'), xfrm('sm-b.ip-s-xfrm-state.txt')] });
    expect(fs.map((f) => [f.code, f.severity, f.data.explainedBy])).toEqual([['ESP_ONE_WAY', 'info', 'SA_SPI_MISMATCH']]);
  });

  it('libreswan `ipsec status` of both ends (real libreswan 4.10): west sent 252 bytes, east counted them and its 252 bytes back never reached west', async () => {
    const west = pluto('ikev2-oneway.west.whack-status.txt');
    const east = pluto('ikev2-oneway.east.whack-status.txt');
    const fs = await findings({ logs: [west, east] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].data).toMatchObject({ sender: '192.0.2.45', silent: '192.0.2.23', amount: '252 bytes', spis: '0x17711eb2', peerSent: 252 });
    expect(fs[0].message).toContain(`${east} shows 192.0.2.23 sent 252 bytes on 0xab58142a and ${west} counts none of them`);
  });

  it('libreswan `ipsec trafficstatus` names no SPI: the Child SA is named instead, and the two tables are not joined', async () => {
    const fs = await findings({ logs: [pluto('ikev2-oneway.west.whack-trafficstatus.txt'), pluto('ikev2-oneway.east.whack-trafficstatus.txt')] });
    expect(fs.map((f) => f.code)).toEqual(['ESP_ONE_WAY']);
    expect(fs[0].data).toMatchObject({ amount: '252 bytes', spis: '#2 "westnet-eastnet"' });
    expect(fs[0].data.peerSent).toBeUndefined();
    expect(await findings({ logs: [pluto('ikev2.west.whack-trafficstatus.txt'), pluto('ikev2.east.whack-trafficstatus.txt')] })).toEqual([]);
  });
});
