/**
 * The layout shows the architecture (../shared/DESIGN.md, "Layout that shows the
 * architecture"): sources → platforms/wire → evidence → engine → checks, one way.
 * Checks read neutral evidence only and never reach a platform, not even through a
 * derived view; a platform never reaches a check. Every registered platform is one
 * folder with its descriptor, a test folder, and a sample whose input one of its
 * readers claims (ESLint's checkRuleFiles is the model).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReaders, ipvsReaders, logDialects, platforms, platformOf, rulesetReaders, tableReaders } from '../src/platforms/index.js';
import { detectConfigType } from '../src/sources/config-file.js';

const ROOT = join(import.meta.dirname, '..');

/** Relative imports (static, dynamic, re-exports) of one module, resolved to repo paths. */
function importsOf(file: string): string[] {
  const src = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(join(ROOT, file)), m[1]).replace(/\.js$/, '');
    for (const ext of ['.ts', '.tsx']) if (existsSync(target + ext)) out.push(relative(ROOT, target + ext));
  }
  return out;
}

/** Every module reachable from `start` through relative imports, with the chain that reaches it. */
function reachable(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length) {
    const f = queue.shift()!;
    for (const g of importsOf(f)) {
      if (seen.has(g)) continue;
      seen.set(g, [...seen.get(f)!, g]);
      queue.push(g);
    }
  }
  return seen;
}

function filesUnder(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((n) => (statSync(join(abs, n)).isDirectory() ? filesUnder(join(dir, n)) : /\.tsx?$/.test(n) ? [join(dir, n)] : []));
}

describe('layout', () => {
  it.each(filesUnder('checks'))('%s never reaches a platform', (file) => {
    const platformModules = [...reachable(file)].filter(([f]) => f.startsWith('src/platforms/'));
    expect(platformModules.map(([, chain]) => chain.join(' → '))).toEqual([]);
  });

  it.each(filesUnder('src/platforms'))('%s never reaches a check, the engine or a reporter', (file) => {
    const wrong = [...reachable(file)].filter(([f]) => /^(checks|src\/engine|src\/report|src\/reporters|src\/ui)\//.test(f));
    expect(wrong.map(([, chain]) => chain.join(' → '))).toEqual([]);
  });

  it.each(filesUnder('src/wire'))('%s (the wire) never reaches a platform or a check', (file) => {
    const wrong = [...reachable(file)].filter(([f]) => /^(checks|src\/platforms)\//.test(f));
    expect(wrong.map(([, chain]) => chain.join(' → '))).toEqual([]);
  });

  it('src/platforms/ holds exactly the registered platforms, each with its descriptor in index.ts', () => {
    const folders = readdirSync(join(ROOT, 'src/platforms')).filter((n) => statSync(join(ROOT, 'src/platforms', n)).isDirectory()).sort();
    expect(folders).toEqual(platforms.map((p) => p.id).sort());
    for (const p of platforms) expect(readFileSync(join(ROOT, 'src/platforms', p.id, 'index.ts'), 'utf8')).toMatch(new RegExp(`id: '${p.id}'`));
  });
});

/** Which platforms' readers claim a sample input, as the loaders would detect it. */
function claimants(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').slice(0, 400);
  const ids = new Set<string>();
  const best = logDialects.map((d) => ({ d, score: d.sniff(lines) })).sort((a, b) => b.score - a.score)[0];
  if (best && best.score > 0) ids.add(platformOf(best.d)!.id);
  const config = detectConfigType(text);
  if (config) ids.add(platformOf(config.reader)!.id);
  for (const r of rulesetReaders) if (r.detect(text)) ids.add(platformOf(r)!.id);
  for (const r of tableReaders) if (r.sniff(lines) > 0) ids.add(platformOf(r)!.id);
  for (const r of ipvsReaders) if (r.sniff(lines) > 0) ids.add(platformOf(r)!.id);
  return [...ids];
}

describe('every platform', () => {
  const samples = join(ROOT, 'samples');
  const claimed = new Map<string, string[]>();
  for (const c of readdirSync(samples)) {
    const dir = join(samples, c);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (!statSync(p).isFile() || /^(README\.md|expected\.json)$/.test(f) || /\.(pcap|pcapng|gz)$/.test(f)) continue;
      for (const id of claimants(p)) claimed.set(id, [...(claimed.get(id) ?? []), `${c}/${f}`]);
    }
  }

  for (const p of platforms) {
    describe(p.id, () => {
      it('has a test folder test/platforms/<id>/ with tests', () => {
        const dir = join(ROOT, 'test/platforms', p.id);
        expect(existsSync(dir) && filesUnder(`test/platforms/${p.id}`).some((f) => f.endsWith('.test.ts')), `test/platforms/${p.id}/*.test.ts`).toBe(true);
      });
      it('has a sample whose input one of its readers claims', () => {
        expect(claimed.get(p.id) ?? [], `no samples/<case>/ input is read by ${p.id}`).not.toEqual([]);
      });
      it('has at least one reader', () => {
        expect([p.logs, p.configs, p.rulesets, p.tables, p.ipvs].some((l) => (l?.length ?? 0) > 0)).toBe(true);
      });
    });
  }
  it('the registry lists every reader once', () => {
    const all = [...logDialects, ...configReaders, ...rulesetReaders, ...tableReaders, ...ipvsReaders];
    expect(new Set(all).size).toBe(all.length);
  });
});
