/**
 * Front-ends' configuration files are refused in one line that says what they are and what
 * to pass instead (real files from Debian's shorewall, firewalld and ufw packages:
 * fixtures/generated-firewall/README.md); the rulesets the kernel runs are still read.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigs } from '../../src/sources/config-file.js';
import { generatedFirewallConfig } from '../../src/sources/generated-firewall.js';
import { readFileSync, readdirSync } from 'node:fs';

const FX = join(import.meta.dirname, 'fixtures', 'generated-firewall');
const ROOT = join(import.meta.dirname, '..', '..');

describe('firewall front-ends\' own files', () => {
  it.each([
    ['shorewall-two-interfaces.rules', 'a Shorewall configuration file'],
    ['shorewall-two-interfaces.policy', 'a Shorewall configuration file'],
    ['shorewall-two-interfaces.zones', 'a Shorewall configuration file'],
    ['shorewall-two-interfaces.interfaces', 'a Shorewall configuration file'],
    ['firewalld-public.xml', 'a firewalld zone file'],
    ['ufw-before.rules', "a ufw rules file (ufw's own chains, not the whole ruleset)"],
    ['ufw-user.rules', "a ufw rules file (ufw's own chains, not the whole ruleset)"],
  ])('%s is refused as %s, with what to pass instead', async (file, what) => {
    const err = await loadConfigs([join(FX, file)]).then(() => undefined, (e: unknown) => e as { message: string; hint?: string; exitCode?: number });
    expect(err?.message).toBe(`${join(FX, file)} is ${what}: ipsec-doctor judges the ruleset the kernel runs, not a front-end's configuration`);
    expect(err?.hint).toMatch(/iptables-save.*nft list ruleset/);
    expect(err?.exitCode).toBe(2);
  });

  it('no ruleset, IKE config or SA table the tool reads is taken for one', () => {
    const samples = join(ROOT, 'samples');
    for (const dir of readdirSync(samples)) {
      for (const f of readdirSync(join(samples, dir), { withFileTypes: true })) {
        if (!f.isFile() || !/\.(conf|txt|json|secrets|list-sas|log)$/.test(f.name)) continue;
        expect(generatedFirewallConfig(readFileSync(join(samples, dir, f.name), 'utf8')), `${dir}/${f.name}`).toBeUndefined();
      }
    }
  });
});
