/**
 * SA tables are sniffed by content whatever the flag: --log, --config or positional
 * (run.ts routes positional text files to the log loader). Real outputs from the
 * platform fixtures.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../../src/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const fx = (platform: string, file: string) => join(ROOT, 'test', 'platforms', platform, 'fixtures', file);

async function evidenceOf(opts: { logs?: string[]; configs?: string[] }) {
  return buildEvidence({ logs: opts.logs ?? [], pcaps: [], configs: opts.configs ?? [], host: false, local: [], peer: [] });
}

describe('SA tables as inputs', () => {
  it('the same table read through --log and through --config gives the same table and input line', async () => {
    const file = join(ROOT, 'samples', 'lab-esp-return-dropped', 'left.list-sas');
    const viaLog = await evidenceOf({ logs: [file] });
    const viaConfig = await evidenceOf({ configs: [file] });
    expect(viaLog.saTables).toEqual(viaConfig.saTables);
    expect(viaLog.inputs).toEqual(viaConfig.inputs);
    expect(viaLog.inputs[0]).toMatchObject({ kind: 'table', dialect: 'strongSwan swanctl --list-sas (strongSwan)', lines: 11, unparsed: 0, counters: { ikeSas: 1, childSas: 1, policies: 0 } });
    // a table is not a log: the log checks stay not applicable
    expect(viaLog.logEvents).toBeUndefined();
  });

  it('each platform\'s table is claimed by its own reader', async () => {
    const ev = await evidenceOf({ logs: [fx('linux', 'xa.ip-s-xfrm-state.txt'), fx('linux', 'xa.ip-s-xfrm-policy.txt'), fx('libreswan', 'ikev2.west.whack-status.txt'), fx('libreswan', 'ikev2.west.whack-trafficstatus.txt'), fx('strongswan', 'public-bsdrp-5.5.1.statusall')] });
    expect(ev.saTables!.map((t) => t.format)).toEqual(['ip-xfrm-state', 'ip-xfrm-policy', 'libreswan-status', 'libreswan-trafficstatus', 'ipsec-statusall']);
  });

  it('a table without counters says that traffic through its SAs is not judged, and what to run instead', async () => {
    const ev = await evidenceOf({ logs: [fx('linux', 'xa.ip-xfrm-state.txt')] });
    expect(ev.diagnostics.map((d) => d.message)).toContain('this Linux ip xfrm state output prints no packet or byte counters, so whether traffic flows through its 10 SAs is not judged: run `ip -s xfrm state`');
    const counted = await evidenceOf({ logs: [fx('linux', 'xa.ip-s-xfrm-state.txt')] });
    expect(counted.diagnostics.filter((d) => d.decoder === 'sa-table')).toEqual([]);
  });

  it('a daemon log is still a log (the table readers do not claim it)', async () => {
    const ev = await evidenceOf({ logs: [join(ROOT, 'samples', 'lab-psk-mismatch', 'right.log')] });
    expect(ev.saTables).toBeUndefined();
    expect(ev.inputs[0].kind).toBe('log');
  });
});
