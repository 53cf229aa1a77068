/**
 * sa-state on real SA tables of both peers: the lab's `swanctl --list-sas` (strongSwan
 * 5.9, samples/lab-*) and a real kernel's `ip -s xfrm state` with manually keyed SAs
 * that disagree on an SPI (test/platforms/linux/fixtures, README there).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Finding } from '../../src/engine/types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const sample = (name: string, file: string) => join(ROOT, 'samples', name, file);
const xfrm = (file: string) => join(ROOT, 'test', 'platforms', 'linux', 'fixtures', file);

async function findings(...logs: string[]): Promise<Finding[]> {
  const report = await diagnose({ logs, pcaps: [], configs: [], host: false, local: [], peer: [], only: ['sa-state'] });
  return report.findings;
}

describe('sa-state', () => {
  it('SA_SPI_MISMATCH: left sends on 0xd1a00001, right holds 0xd1a0000f for that direction', async () => {
    const fs = await findings(xfrm('sm-a.ip-s-xfrm-state.txt'), xfrm('sm-b.ip-s-xfrm-state.txt'));
    expect(fs.map((f) => f.code)).toEqual(['SA_SPI_MISMATCH']);
    expect(fs[0].data).toMatchObject({ spis: '0xd1a00001', otherSpis: '0xd1a0000f', src: '192.0.2.10', dst: '198.51.100.20' });
    expect(fs[0].evidence.map((e) => `${e.source.split('/').pop()}:${e.line}`)).toEqual(['sm-a.ip-s-xfrm-state.txt:18', 'sm-a.ip-s-xfrm-state.txt:31', 'sm-b.ip-s-xfrm-state.txt:18', 'sm-b.ip-s-xfrm-state.txt:31']);
  });

  it('no mismatch between two ends holding the same SPIs, nor for a table alone', async () => {
    expect(await findings(xfrm('xa.ip-s-xfrm-state.txt'), xfrm('xb.ip-s-xfrm-state.txt'))).toEqual([]);
    expect(await findings(sample('lab-esp-return-dropped', 'left.list-sas'), sample('lab-esp-return-dropped', 'right.list-sas'))).toEqual([]);
    expect(await findings(xfrm('sm-a.ip-s-xfrm-state.txt'))).toEqual([]);
  });

  it('CHILD_SA_MISSING: the IKE SA is up in both tables, no Child SA (the responder refused the selectors: lab-ts-mismatch) — one finding', async () => {
    const fs = await findings(sample('lab-ts-mismatch', 'left.list-sas'), sample('lab-ts-mismatch', 'right.list-sas'));
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['CHILD_SA_MISSING', 'error']]);
    expect(fs[0].data).toMatchObject({ ike: 'lab #1', local: '192.0.2.10', remote: '198.51.100.20', tables: `${sample('lab-ts-mismatch', 'left.list-sas')} and ${sample('lab-ts-mismatch', 'right.list-sas')}` });
    expect(fs[0].evidence.map((e) => e.line)).toEqual([1, 1]);
  });

  it('one peer\'s table alone: a warning that says why (an IKE SA may carry no Child SA by design) — left.list-sas of lab-ts-mismatch, and the public BSDRP statusall whose mediation connection has none', async () => {
    const [alone] = await findings(sample('lab-ts-mismatch', 'left.list-sas'));
    expect([alone.code, alone.severity]).toEqual(['CHILD_SA_MISSING', 'warning']);
    expect(alone.data.severityReason).toMatch(/one peer's table only/);
    const bsdrp = await findings(join(ROOT, 'test', 'platforms', 'strongswan', 'fixtures', 'public-bsdrp-5.5.1.statusall'));
    expect(bsdrp.map((f) => [f.code, f.severity, f.data.ike])).toEqual([['CHILD_SA_MISSING', 'warning', 'medsrv #2']]);
  });

  it('an IKE SA still CONNECTING is not half up (lab-ike-fragments-dropped, right.list-sas)', async () => {
    expect(await findings(sample('lab-ike-fragments-dropped', 'right.list-sas'))).toEqual([]);
  });

  it('healthy: both tables hold the Child SA with mirrored selectors', async () => {
    expect(await findings(sample('lab-healthy', 'left.list-sas'), sample('lab-healthy', 'right.list-sas'))).toEqual([]);
  });
});

describe('sa-state: says what it judged', () => {
  const panos = (file: string) => join(ROOT, 'test', 'platforms', 'panos', 'fixtures', 'tables', file);
  const f5 = (file: string) => join(ROOT, 'test', 'platforms', 'f5', 'fixtures', file);
  const result = async (...logs: string[]) => (await diagnose({ logs, pcaps: [], configs: [], host: false, local: [], peer: [], only: ['sa-state'] })).results.find((c) => c.check === 'sa-state')!;

  it("one table: its IKE SAs are checked for a Child SA, no pair is compared — never 'the two peers agree' by silence", async () => {
    // PAN-OS `show vpn ike-sa` with its Child SA section (VyOS documentation's PA-VM output)
    const one = await result(panos('vyos-doc.pa-vm.show-vpn-ike-sa.txt'));
    expect([one.status, one.judged]).toEqual(['pass', '1 established IKE SAs checked for a Child SA, 0 pairs of SA tables compared for SPIs and selectors']);
    // IKE SAs alone (Palo Alto KB's output: no Child SA section) or IPsec SAs alone: nothing this check can judge
    expect((await result(panos('kb-cli-commands.show-vpn-ike-sa.txt'))).status).toBe('not-applicable');
    expect((await result(panos('cloudflare.show-vpn-ipsec-sa.txt'))).status).toBe('not-applicable');
    // racoonctl counts each phase 1's Quick Mode SAs (Phase2) instead of listing them: F5's published output, 1 each
    const racoon = await result(f5('racoonctl-show-sa-isakmp.txt'));
    expect([racoon.status, racoon.judged]).toEqual(['pass', '2 established IKE SAs checked for a Child SA, 0 pairs of SA tables compared for SPIs and selectors']);
    const two = await result(sample('lab-esp-return-dropped', 'left.list-sas'), sample('lab-esp-return-dropped', 'right.list-sas'));
    expect([two.status, two.judged]).toEqual(['pass', '2 established IKE SAs checked for a Child SA, 1 pairs of SA tables compared for SPIs and selectors']);
  });
});

describe('sa-state: racoonctl (BIG-IP IKEv1), which counts Quick Mode SAs instead of listing them', () => {
  it('CHILD_SA_MISSING at warning for an established phase 1 whose Phase2 count is 0, not for the one with 1', async () => {
    const fs = await findings(join(ROOT, 'test', 'platforms', 'f5', 'fixtures', 'racoonctl-show-sa-isakmp.phase2-0.txt'));
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['CHILD_SA_MISSING', 'warning']]);
    expect(fs[0].data).toMatchObject({ local: '127.0.0.1', remote: '10.2.2.2' });
    expect(fs[0].data.severityReason).toMatch(/Quick Mode may still be under way/);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([3]);
  });
});

describe('sa-state: selectors', () => {
  const fx = (f: string) => join(import.meta.dirname, 'fixtures', 'sa-tables', f);
  it('TS_MISMATCH at warning when each table installs selectors the other lacks (edited real pair, see fixtures/sa-tables/README.md)', async () => {
    const fs = await findings(fx('ts-differ-left.list-sas'), fx('ts-differ-right.list-sas'));
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['TS_MISMATCH', 'warning']]);
    expect(fs[0].data).toMatchObject({ pairsA: '10.1.0.0/24 === 10.2.0.0/24', pairsB: '10.2.0.0/16 === 10.1.0.0/24', hosts: ['192.0.2.10', '198.51.100.20'] });
    expect(fs[0].data.severityReason).toMatch(/installed state/);
  });
});
