import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigs, detectConfigType } from '../../src/sources/config-file.js';
import { FatalError } from '../../src/errors.js';

let dir: string;

// The layout strongSwan installs: swanctl.conf including conf.d/*.conf (src/swanctl/swanctl.conf),
// with a connection and its secret split over two included files.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-config-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'swanctl.conf'), 'connections {\n}\n\n# Include config snippets\ninclude conf.d/*.conf\n');
  writeFileSync(join(dir, 'conf.d', 'b-secrets.conf'), 'secrets {\n  ike-gw {\n    id = gw.example\n    secret = "s3cr3t-value"\n  }\n}\n');
  writeFileSync(join(dir, 'conf.d', 'a-gw.conf'), 'connections {\n  gw {\n    remote_addrs = 198.51.100.7\n    dpd_delay = 30s\n  }\n}\n');
  writeFileSync(join(dir, 'ipsec.conf'), 'config setup\n\nconn tun\n\tleft=%defaultroute\n\tright=198.51.100.7\n\tkeyexchange=ikev2\n\tphase2alg=aes_gcm256\n\tpfs=no\ninclude /nonexistent/dir/*.conf\ninclude missing.conf\n');
  writeFileSync(join(dir, 'garbage.txt'), 'hello world\n');
  writeFileSync(join(dir, 'loop.conf'), 'connections {\n}\ninclude loop.conf\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfigs', () => {
  it('detects swanctl.conf and follows include globs relative to the file, sorted', async () => {
    const r = await loadConfigs([join(dir, 'swanctl.conf')]);
    expect(r.configs).toHaveLength(1);
    const facts = r.configs[0];
    expect(facts.type).toBe('swanctl');
    expect(facts.files).toEqual([join(dir, 'swanctl.conf'), join(dir, 'conf.d', 'a-gw.conf'), join(dir, 'conf.d', 'b-secrets.conf')]);
    expect(facts.connections[0]).toMatchObject({ name: 'gw', at: { source: join(dir, 'conf.d', 'a-gw.conf'), line: 2 } });
    expect(facts.connections[0].dpd.delay.value).toBe(30);
    expect(facts.secrets).toMatchObject([{ type: 'PSK', ids: ['gw.example'] }]);
    expect(JSON.stringify(r)).not.toContain('s3cr3t-value');
    expect(r.inputs[0]).toMatchObject({ kind: 'config', dialect: 'swanctl.conf', counters: { connections: 1, secrets: 1, files: 3 } });
  });

  it('detects a libreswan ipsec.conf; an unmatched glob is silent, a missing plain include is located', async () => {
    const r = await loadConfigs([join(dir, 'ipsec.conf')]);
    expect(r.configs[0]).toMatchObject({ type: 'ipsec.conf', dialect: 'libreswan' });
    expect(r.diagnostics.map((d) => [d.at.line, /missing\.conf/.test(d.message)])).toEqual([[10, true]]);
  });

  it('honours --config-type and rejects unknown types', async () => {
    const r = await loadConfigs([join(dir, 'ipsec.conf')], 'strongswan-ipsec.conf');
    expect(r.configs[0].dialect).toBe('strongswan');
    await expect(loadConfigs([join(dir, 'ipsec.conf')], 'bogus')).rejects.toBeInstanceOf(FatalError);
  });

  it('refuses what is not a config, a directory, or a missing file, with exit code 2', async () => {
    for (const p of [join(dir, 'garbage.txt'), dir, join(dir, 'nope.conf')]) {
      const err = await loadConfigs([p]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FatalError);
      expect((err as FatalError).exitCode).toBe(2);
    }
  });

  it('stops an include loop at the depth limit', async () => {
    const r = await loadConfigs([join(dir, 'loop.conf')]);
    expect(r.diagnostics.some((d) => /levels deep/.test(d.message))).toBe(true);
  });
});

describe('detectConfigType', () => {
  it('tells the three syntaxes apart by content', () => {
    expect(detectConfigType('# x\nconnections {\n}\n')?.type).toBe('swanctl');
    expect(detectConfigType('config setup\n\nconn a\n\tleft=1.2.3.4\n')?.type).toBe('ipsec.conf');
    expect(detectConfigType(': PSK "x"\n')?.type).toBe('ipsec.secrets');
    expect(detectConfigType('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n')).toBeUndefined();
  });
});
