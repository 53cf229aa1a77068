/**
 * config-diff compares the two peers' pre-shared keys for the same ID pair by a keyed
 * digest (src/evidence/secret-digest.ts), on the lab's real configs (samples/lab-psk-mismatch:
 * the two `secret =` values differ; samples/lab-healthy: they agree) and on small
 * ipsec.conf/ipsec.secrets and PAN-OS inputs written in the daemons' own syntax.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Report } from '../../src/report/types.js';

const only = ['config-diff'];
const sample = (dir: string, f: string) => new URL(`../../samples/${dir}/${f}`, import.meta.url).pathname;
const run = (configs: string[]): Promise<Report> => diagnose({ logs: [], pcaps: [], configs, host: false, local: [], peer: [], only });
const pskCodes = (r: Report) => r.findings.filter((f) => f.code.startsWith('PSK_'));

const tmp = mkdtempSync(join(tmpdir(), 'ipsec-doctor-psk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function write(rel: string, text: string): string {
  const p = join(tmp, rel);
  writeFileSync(p, text);
  return p;
}

const conf = (left: string, right: string, leftid: string, rightid: string) => `conn net
  keyexchange=ikev2
  authby=secret
  left=${left}
  leftid=${leftid}
  leftsubnet=10.1.0.0/24
  right=${right}
  rightid=${rightid}
  rightsubnet=10.2.0.0/24
  auto=start
`;

describe('config-diff: pre-shared keys', () => {
  it('lab-psk-mismatch: the two swanctl.conf hold different secrets for left.example/right.example → PSK_MISMATCH, secret lines cited masked', async () => {
    const r = await run([sample('lab-psk-mismatch', 'left.swanctl.conf'), sample('lab-psk-mismatch', 'right.swanctl.conf')]);
    const [f] = pskCodes(r);
    expect(f).toMatchObject({ code: 'PSK_MISMATCH', severity: 'error', data: { outcome: 'different', idA: 'left.example', idB: 'right.example' } });
    expect(f.evidence.map((e) => [e.source.split('/').pop(), e.line])).toEqual([['left.swanctl.conf', 27], ['right.swanctl.conf', 27]]);
    for (const e of f.evidence) expect(e.excerpt).toContain('<secret masked>');
  });

  it('lab-healthy: the same secret on both sides → no PSK finding', async () => {
    const r = await run([sample('lab-healthy', 'left.swanctl.conf'), sample('lab-healthy', 'right.swanctl.conf')]);
    expect(pskCodes(r)).toEqual([]);
  });

  it('ipsec.conf with its ipsec.secrets: equal by bytes whatever the notation (quoted vs 0x hex), different, and missing for the ID pair', async () => {
    const a = write('left.ipsec.conf', conf('192.0.2.10', '198.51.100.20', '@left.example', '@right.example'));
    const b = write('right.ipsec.conf', conf('198.51.100.20', '192.0.2.10', '@right.example', '@left.example').replace(/left(?=[=a-z])/g, 'X').replace(/right(?=[=a-z])/g, 'left').replace(/X/g, 'right'));
    // "abc" written as hex on one side (strongSwan ipsec.secrets(5): 0x… is hex)
    write('left.ipsec.secrets', '@left.example @right.example : PSK "abc"\n');
    write('right.ipsec.secrets', '@right.example @left.example : PSK 0x616263\n');
    expect(pskCodes(await run([a, join(tmp, 'left.ipsec.secrets'), b, join(tmp, 'right.ipsec.secrets')]))).toEqual([]);

    write('right.ipsec.secrets', '@right.example @left.example : PSK "abd"\n');
    const diff = pskCodes(await run([a, join(tmp, 'left.ipsec.secrets'), b, join(tmp, 'right.ipsec.secrets')]));
    expect(diff.map((f) => f.code)).toEqual(['PSK_MISMATCH']);
    expect(diff[0].evidence.map((e) => e.source.split('/').pop())).toEqual(['left.ipsec.secrets', 'right.ipsec.secrets']);

    // the right side's only key names neither id (a key naming one of them would still be chosen: libcharon mem_cred shared_filter)
    write('right.ipsec.secrets', '@carol.example @dave.example : PSK "abc"\n');
    const missing = pskCodes(await run([a, join(tmp, 'left.ipsec.secrets'), b, join(tmp, 'right.ipsec.secrets')]));
    expect(missing).toMatchObject([{ code: 'PSK_MISSING', severity: 'warning', data: { outcome: 'missing' } }]);
    expect(missing[0].data.fileWithout).toMatch(/right\.ipsec\.conf$/);
  });

  it('one swanctl.conf without any secrets section: PSK_MISSING is info, its keys are probably elsewhere', async () => {
    const right = readFileSync(sample('lab-psk-mismatch', 'right.swanctl.conf'), 'utf8');
    const noSecrets = write('right-nosecrets.swanctl.conf', right.slice(0, right.indexOf('secrets {')));
    const f = pskCodes(await run([sample('lab-psk-mismatch', 'left.swanctl.conf'), noSecrets]));
    expect(f).toMatchObject([{ code: 'PSK_MISSING', severity: 'info', data: { outcome: 'missing', connWith: 'lab' } }]);
    expect(f[0].data.severityReason).toMatch(/holds no pre-shared key at all/);
  });

  it('no secrets given for either side → PSK_NOT_COMPARED (info), never a pass over keys it did not see', async () => {
    const a = write('solo-a.ipsec.conf', conf('192.0.2.10', '198.51.100.20', '@left.example', '@right.example'));
    mkdirSync(join(tmp, 'b'), { recursive: true });
    const b = write('b/solo-b.ipsec.conf', conf('198.51.100.20', '192.0.2.10', '@right.example', '@left.example'));
    const r = await run([a, b]);
    expect(pskCodes(r)).toMatchObject([{ code: 'PSK_NOT_COMPARED', severity: 'info', data: { outcome: 'none' } }]);
  });

  it('a PAN-OS key stored encrypted (-AQ==…) is said to be so, not compared', async () => {
    const r = await run([sample('panos-config-vs-strongswan', 'left.panos-set.conf'), sample('panos-config-vs-strongswan', 'right.swanctl.conf')]);
    const f = pskCodes(r);
    expect(f).toMatchObject([{ code: 'PSK_NOT_COMPARED', data: { outcome: 'encrypted' } }]);
    expect(f[0].message).toMatch(/encrypted/);
  });
});

