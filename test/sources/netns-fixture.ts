/**
 * A network namespace of the test's own, with its loopback up, and a scratch
 * directory: created before the suite, always removed after it. Live-capture
 * tests send traffic only inside it.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function useNetns(prefix: string): { ns: string; dir: string } {
  const ns = `${prefix}-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  beforeAll(() => {
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    expect(spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']).status).toBe(0);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { ns, dir };
}
