/**
 * The pre-shared keys config-diff compares never reach any output: not the keys, not any
 * part of their keyed digests. The digests are captured where node:crypto makes them
 * (the only place they exist as bytes), then every format of the report, the report
 * object, and the evidence (serialised and inspected, as a debug dump would) are searched
 * for the secrets and for every 8-character run of each digest in hex and base64.
 */
import { inspect } from 'node:util';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const digests = vi.hoisted(() => [] as Buffer[]);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createHmac: (...args: Parameters<typeof real.createHmac>) => {
      const h = real.createHmac(...args);
      const digest = h.digest.bind(h);
      return Object.assign(h, {
        digest: (...d: unknown[]) => {
          const out = (digest as (...x: unknown[]) => Buffer | string)(...d);
          digests.push(Buffer.isBuffer(out) ? out : Buffer.from(out as string, d[0] as BufferEncoding));
          return out;
        },
      });
    },
  };
});

const { buildEvidence, analyse } = await import('../../src/run.js');
const { reporters, FORMATS } = await import('../../src/reporters/index.js');
const { ROOT } = await import('./pipeline.js');

const DIR = join(ROOT, 'samples/lab-psk-mismatch');
const CONFIGS = ['left.swanctl.conf', 'right.swanctl.conf'].map((f) => join(DIR, f));

function fragments(b: Buffer): string[] {
  const out: string[] = [];
  for (const text of [b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('hex').toUpperCase()]) {
    for (let i = 0; i + 8 <= text.length; i += 4) out.push(text.slice(i, i + 8));
  }
  return out;
}

describe('pre-shared keys compared by config-diff', () => {
  it('neither the keys nor any fragment of their digests appear in any format, the report or the evidence', async () => {
    const secrets = CONFIGS.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/secret\s*=\s*"([^"]+)"/g)].map((m) => m[1]));
    expect(secrets).toHaveLength(2);
    const evidence = await buildEvidence({ logs: [], pcaps: [], configs: CONFIGS, host: false, local: [], peer: [] });
    const report = await analyse(evidence);
    // the comparison ran and found the two keys different
    expect(report.findings.map((f) => f.code)).toContain('PSK_MISMATCH');
    expect(digests.length).toBeGreaterThanOrEqual(2);

    const outputs: Record<string, string> = {
      report: JSON.stringify(report),
      evidenceJson: JSON.stringify(evidence, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      evidenceInspect: inspect(evidence, { depth: Infinity, showHidden: true }),
    };
    for (const format of FORMATS) outputs[format] = reporters[format](report, { color: false });
    for (const [name, out] of Object.entries(outputs)) {
      for (const s of secrets) expect(out.includes(s), `${name} shows a secret`).toBe(false);
      for (const d of digests) for (const frag of fragments(d)) expect(out.includes(frag), `${name} shows a fragment of a digest (${name})`).toBe(false);
    }
  });
});
