/**
 * stale-ike-sa on BIG-IP's ipsec.log lines as F5 publishes them (corpus f5-ipsec-log-ikev2.clouddocs.log).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';

async function findings(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'stale-'));
  writeFileSync(join(dir, 'ipsec.log'), text);
  return (await diagnose({ logs: [join(dir, 'ipsec.log')], pcaps: [], configs: [], host: false, local: [], peer: [], only: ['stale-ike-sa'] })).findings;
}

describe('stale-ike-sa', () => {
  it('a message to a dead IKE SA: information naming the peer, never an error', async () => {
    const fs = await findings('info tmm[16338]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xa621fea8ec074ba9-0x90054164f78ecdcd][I] [PROTO_WARN]: received a message to a dead IKE SA\ninfo tmm[16338]: 017c0000 [0.0] [IKE] [PROTO_WARN]: message to a nonexistent ike_sa\n');
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['STALE_IKE_SA', 'info'], ['STALE_IKE_SA', 'info']]);
    expect(fs[0].message).toMatch(/^The peer 198\.51\.100\.1 sent 1 IKE message for an IKE SA/);
    expect(fs[1].message).toMatch(/^A peer sent 1 IKE message/);
  });
  it('other ipsec.log lines say nothing here', async () => {
    expect(await findings('info tmm[20647]: 017c0000  [0.0] [IKE] v2 192.0.2.1%0-198.51.100.1%0 [0xb9e04f9831b6d377-0x92f7016301791cc2][R] [PROTO_ERR]: message lacks KE payload\n')).toEqual([]);
  });
});
