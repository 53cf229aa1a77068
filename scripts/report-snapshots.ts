/**
 * Writes the JSON report of every sample and corpus input to OUT_DIR, one file per
 * run, so that a refactoring can be checked to leave every report byte-identical:
 *   npx tsx scripts/report-snapshots.ts /tmp/before && (move) && npx tsx scripts/report-snapshots.ts /tmp/after
 *   diff -r /tmp/before /tmp/after
 * Each sample runs as samples.test.ts runs it (all its inputs together) and each of
 * its inputs alone; each corpus file runs alone as a log, a capture, or a config.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { diagnose, type RunOptions } from '../src/run.js';
import { jsonReporter } from '../src/reporters/json.js';
import { recordedRunnerFromFiles } from '../src/sources/host/runner.js';

const ROOT = join(import.meta.dirname, '..');
const out = process.argv[2];
if (!out) throw new Error('usage: report-snapshots.ts OUT_DIR');
mkdirSync(out, { recursive: true });

type Kind = 'logs' | 'pcaps' | 'configs';
function kindOf(name: string): Kind | undefined {
  if (/\.(pcap|pcapng|cap)(\.gz)?$/i.test(name)) return 'pcaps';
  if (/\.(conf|secrets)$/i.test(name) || /ipsec\.secrets$/.test(name) || /(iptables|nft).*\.(txt|json)$/i.test(name)) return 'configs';
  if (/\.(log|txt)(\.gz)?$/i.test(name) || /\.(list-sas|xfrm-state|xfrm-policy|trafficstatus|status|statusall|show-vpn)$/i.test(name)) return 'logs';
  return undefined;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else files.push(p);
  }
  return files;
}

async function snapshot(name: string, opts: Partial<RunOptions>): Promise<void> {
  const full: RunOptions = { logs: [], pcaps: [], configs: [], host: false, local: [], peer: [], ...opts };
  let text: string;
  try {
    text = jsonReporter(await diagnose(full), {} as never);
  } catch (e) {
    text = `error: ${(e as Error).message}\n`;
  }
  writeFileSync(join(out!, name.replace(/[/\\]/g, '__') + '.json'), text);
}

const samples = join(ROOT, 'samples');
for (const c of readdirSync(samples).sort()) {
  const dir = join(samples, c);
  if (!statSync(dir).isDirectory()) continue;
  const all: Record<Kind, string[]> = { logs: [], pcaps: [], configs: [] };
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (!statSync(p).isFile() || statSync(p).size === 0 || f === 'README.md' || f === 'expected.json') continue;
    const k = kindOf(f);
    if (!k) continue;
    all[k].push(p);
    await snapshot(`samples/${c}/${f}`, { [k]: [p] });
  }
  const hostDir = join(dir, 'host');
  const hostRunner = existsSync(hostDir) ? recordedRunnerFromFiles(Object.fromEntries(readdirSync(hostDir).map((f) => [f, readFileSync(join(hostDir, f), 'utf8')]))) : undefined;
  await snapshot(`samples/${c}/ALL`, { ...all, host: Boolean(hostRunner), hostRunner });
}

const corpus = join(ROOT, '..', 'shared', 'corpus');
if (existsSync(corpus)) {
  for (const p of walk(corpus)) {
    const rel = relative(corpus, p);
    if (/(MANIFEST|PROVENANCE|README)\.md$/.test(p)) continue;
    const k = kindOf(p) ?? 'logs';
    await snapshot(`corpus/${rel}`, { [k]: [p] });
    if (rel.startsWith('platforms/')) await snapshot(`corpus/${rel}.as-config`, { configs: [p] });
  }
}
console.log(`wrote ${readdirSync(out).length} reports to ${out}`);
