/**
 * Loading one of our optional native addons (native/<name>/build/Release/<file>.node, built
 * by native/build.mjs at `npm install`): from src/sources/live/ or dist/src/sources/live/
 * the package root is 3 or 4 levels up. Never throws: an addon that is missing or does not
 * load is the reason why, in words.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function requireNativeAddon(name: string, file: string): { module: Record<string, unknown> } | { missing: true } | { error: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  let path: string | undefined;
  for (let i = 0; i < 6 && !path; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'native', name, 'build', 'Release', file);
    if (existsSync(candidate)) path = candidate;
  }
  if (!path) return { missing: true };
  try {
    return { module: createRequire(import.meta.url)(path) as Record<string, unknown> };
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
  }
}
