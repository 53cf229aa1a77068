/**
 * What the existing checks make of BIG-IP's endpoint logs (line shapes from F5's clouddocs pages and
 * ipsec-tools' source, as in log.test.ts): the same codes as for strongSwan or libreswan.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/run.js';

async function codes(text: string): Promise<string[]> {
  const p = join(mkdtempSync(join(tmpdir(), 'f5d-')), 'x.log');
  writeFileSync(p, text);
  return (await diagnose({ logs: [p], pcaps: [], configs: [], host: false, local: [], peer: [] })).findings.map((f) => f.code);
}

describe('BIG-IP endpoint logs through the checks', () => {
  it('tmm: an initiator giving up with a zero responder SPI is IKE_NO_RESPONSE, not DPD', async () => {
    const c = await codes('info tmm[1]: 017c0000 [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xbabf623a8fa1e13f-0x0000000000000000][I] [PROTO_ERR]: retransmission count exceeded the limit\n');
    expect(c).toContain('IKE_NO_RESPONSE');
    expect(c).not.toContain('DPD_TIMEOUT');
  });
  it('racoon: "failed to get sainfo." is the TS_MISMATCH verdict; the debug id comparison alone is not', async () => {
    expect(await codes('2018-03-20 09:38:16: DEBUG: check and compare ids : value mismatch (IPv4_address)\n2018-03-20 09:38:16: ERROR: failed to get sainfo.\n')).toContain('TS_MISMATCH');
    expect(await codes('2018-03-20 09:38:16: DEBUG: check and compare ids : value mismatch (IPv4_address)\n2018-03-12 09:13:04: DEBUG: selected sainfo: loc=\'10.1.1.0/24\', rmt=\'10.2.1.0/24\', peer=\'ANY\', id=0\n')).not.toContain('TS_MISMATCH');
  });
  it('a bigip.conf excerpt with an IKE peer\'s pre-shared key: the key reaches no output', async () => {
    const conf = 'net ipsec ike-peer /Common/peer_b {\n    my-id-value 192.0.2.1\n    preshared-key "s3cretPSKvalue"\n    preshared-key-encrypted $M$ab$c2VjcmV0\n    remote-address 198.51.100.1\n}\nltm virtual /Common/vs_alg {\n    destination /Common/0.0.0.0:isakmp\n    profiles {\n        /Common/ipsecalg { }\n        /Common/udp { }\n    }\n}\n';
    const p = join(mkdtempSync(join(tmpdir(), 'f5d-')), 'bigip.conf');
    writeFileSync(p, conf);
    const report = await diagnose({ logs: [], pcaps: [], configs: [p], host: false, local: [], peer: [] });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toMatch(/s3cretPSKvalue|c2VjcmV0/);
  });
});
