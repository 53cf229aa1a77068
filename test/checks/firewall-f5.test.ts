/**
 * The firewall check on F5 AFM rules (the seed's four rules, test/platforms/f5/fixtures): the box
 * sits between the ends its IPsec rules name, each direction is judged, and the fix is tmsh.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';

const rules = readFileSync(join(import.meta.dirname, '..', 'platforms', 'f5', 'fixtures', 'seed-afm-rules.tmsh'), 'utf8').replaceAll('\u00a0', ' ');
const outOnly = rules.slice(0, rules.indexOf('velascoIN_ESP {'));

async function findings(text: string, peer: string[] = []) {
  const p = join(mkdtempSync(join(tmpdir(), 'fw-f5-')), 'afm.tmsh.conf');
  writeFileSync(p, text);
  return (await diagnose({ logs: [], pcaps: [], configs: [p], host: false, local: [], peer, only: ['firewall'] })).findings;
}

describe('firewall on F5 AFM rules', () => {
  it('all four rules: IKE and ESP pass both ways between the rule hosts', async () => {
    const fs = await findings(rules);
    expect(fs.filter((f) => f.code === 'FIREWALL_BLOCKS_IKE' || f.code === 'FIREWALL_BLOCKS_ESP')).toEqual([]);
  });

  it('OUT rules only, default unknown: return ESP and IKE from 2.2.2.2 may be dropped (warnings), nothing from 1.1.1.1', async () => {
    const fs = (await findings(outOnly)).filter((f) => f.code === 'FIREWALL_BLOCKS_IKE' || f.code === 'FIREWALL_BLOCKS_ESP');
    expect(fs.map((f) => [f.code, f.severity, f.data.peer])).toEqual(expect.arrayContaining([['FIREWALL_BLOCKS_ESP', 'warning', 'from 2.2.2.2'], ['FIREWALL_BLOCKS_IKE', 'warning', 'from 2.2.2.2']]));
    expect(fs.some((f) => f.data.peer === 'from 1.1.1.1')).toBe(false);
  });

  it('OUT rules only with the default action given as reject: errors, the fix an accept-decisively tmsh rule', async () => {
    const fs = (await findings(`${outOnly}\nsys db tm.fw.defaultaction {\n    value "reject"\n}\n`)).filter((f) => f.code === 'FIREWALL_BLOCKS_ESP');
    expect(fs.map((f) => [f.severity, f.data.peer])).toEqual([['error', 'from 2.2.2.2']]);
    expect(String(fs[0].data.fix)).toMatch(/^tmsh modify security firewall policy <policy> rules add \{ allow-esp-from-2\.2\.2\.2 \{ action accept-decisively ip-protocol esp source \{ addresses add \{ 2\.2\.2\.2 \} \} place-before first \} \}$/);
  });

  it('NAT-T refused by the box is information while no input shows the peers on UDP 4500', async () => {
    const nat = (await findings(rules)).filter((f) => f.code === 'FIREWALL_BLOCKS_NAT_T');
    expect(nat.length).toBeGreaterThan(0);
    expect(nat.every((f) => f.severity === 'info')).toBe(true);
  });

  it('a peer named with --peer joins the ends the rules name', async () => {
    const fs = (await findings(rules, ['3.3.3.3'])).filter((f) => f.code === 'FIREWALL_BLOCKS_ESP');
    expect(fs.some((f) => f.data.peer === 'from 3.3.3.3')).toBe(true);
  });
});
