/**
 * The real charon logs bundled with the project: the lab's and the strongSwan samples' logs and
 * the decoder's fixtures. The byte-scan tests compare their verdicts with decoding on these.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

function logsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logsUnder(p));
    else if (/\.(log|txt)$/.test(name)) out.push(p);
  }
  return out;
}

export const REAL_CHARON_LOGS: readonly string[] = [
  ...readdirSync(join(ROOT, 'samples')).filter((d) => d.startsWith('lab-') || d.startsWith('strongswan-')).flatMap((d) => logsUnder(join(ROOT, 'samples', d))),
  ...logsUnder(join(ROOT, 'test', 'platforms', 'strongswan', 'log-fixtures')),
];
