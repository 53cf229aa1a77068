/**
 * dead-peer-detection on PAN-OS configurations (Cloudflare's published gateway, see
 * test/platforms/panos/fixtures/config/README.md): IKEv2 liveness / IKEv1 DPD off, with
 * PAN-OS's own facts in the finding; `dpd enable` not written is not judged; the two peers'
 * DPD compared across platforms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import deadPeerDetection from '../../checks/dead-peer-detection.js';
import { analyse } from '../../src/run.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { ConfigFacts } from '../../src/evidence/config-types.js';
import type { Finding } from '../../src/engine/types.js';
import { panosConfigReaders } from '../../src/platforms/panos/configs.js';
import { decodeSwanctlConf } from '../../src/platforms/strongswan/swanctl-conf.js';

const [, setReader] = panosConfigReaders;
const panos = (text: string, source = 'gw.panos'): ConfigFacts => setReader.decode(text, source, () => ({ files: [] })).facts;
const GW = readFileSync(join(import.meta.dirname, '../../samples/panos-config-vs-strongswan/left.panos-set.conf'), 'utf8');
const LAB_RIGHT = readFileSync(join(import.meta.dirname, '../../samples/lab-healthy/right.swanctl.conf'), 'utf8');

async function run(...configs: ConfigFacts[]): Promise<Finding[]> {
  const evidence: Evidence = { inputs: [], configs, diagnostics: [], options: { local: [], peer: [] } };
  return (await analyse(evidence, { checks: [deadPeerDetection] })).findings;
}

describe('dead-peer-detection on PAN-OS', () => {
  it('IKEv2 liveness off: DPD_DISABLED with the PAN-OS facts, the 319 s–7 min 15 s give-up time and the PAN-OS set syntax', async () => {
    const [f] = await run(panos(GW.replace('protocol ikev2 dpd enable yes', 'protocol ikev2 dpd enable no')));
    expect(f.code).toBe('DPD_DISABLED');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('after up to 1h plus 5m19s (PAN-OS 7.0) to 7m15s (PAN-OS 11.0) of retransmissions');
    expect(f.hint).toContain('`set network ike gateway CF_Magic_WAN_IKE_01 protocol ikev2 dpd enable yes`');
    expect(f.hint).toContain('`set network tunnel ipsec CF_Magic_WAN_IPsec_01 tunnel-monitor enable yes`');
    expect(f.data.platformFacts).toEqual([{ fact: expect.stringContaining('tunnel interface stays up and static routes through it stay active'), source: expect.stringContaining('kA10g000000ClgcCAC') }]);
    expect(f.evidence[0].excerpt).toBe('set network ike gateway CF_Magic_WAN_IKE_01 protocol ikev2 dpd enable no');
  });

  it('IKEv1 DPD off: the fact is the IKEv1 one (DPD only at a phase-2 rekey)', async () => {
    const v1 = GW.replace('protocol version ikev2', 'protocol version ikev1').replace('protocol ikev1 dpd enable yes', 'protocol ikev1 dpd enable no');
    const [f] = await run(panos(v1));
    expect(f.code).toBe('DPD_DISABLED');
    expect(f.data.platformFacts).toEqual([{ fact: expect.stringContaining('runs only when a phase-2 rekey is due'), source: expect.stringContaining('kA10g000000ClFaCAK') }]);
    expect(f.hint).toContain('protocol ikev1 dpd enable yes');
  });

  it('`dpd enable` not written: the default changed between releases, so nothing is reported', async () => {
    const unwritten = GW.split('\n').filter((l) => !/dpd enable/.test(l)).join('\n');
    expect(await run(panos(unwritten))).toEqual([]);
    expect(await run(panos(unwritten), decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts)).toEqual([expect.objectContaining({ code: 'DPD_ACTION_NONE' })]);
  });

  it('no DPD_ACTION_NONE for PAN-OS (it negotiates anew on traffic); DPD compared with a strongSwan peer', async () => {
    const fs = await run(panos(GW.replace('protocol ikev2 dpd enable yes', 'protocol ikev2 dpd enable no')), decodeSwanctlConf(LAB_RIGHT, 'right.swanctl.conf').facts);
    expect(fs.map((f) => `${f.code}:${f.severity}`).sort()).toEqual(['DPD_ACTION_NONE:warning', 'DPD_DISABLED:warning', 'DPD_MISMATCH:warning']);
    expect(fs.find((f) => f.code === 'DPD_MISMATCH')!.message).toContain('gw.panos runs no DPD, right.swanctl.conf checks every 30s');
  });
});
