/**
 * The README says one way to run the tool and uses it in every example; --help and the README
 * document the same options (issue 15 §2).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './pipeline.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const HELP = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 }).stdout;

function codeBlocks(md: string): string[] {
  return [...md.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README usage', () => {
  it('says how the command gets on the PATH, and every example runs it that way', () => {
    expect(README).toMatch(/npm link\s+# puts the `ipsec-doctor` command on your PATH/);
    const invocations = codeBlocks(README)
      .flatMap((b) => b.split('\n'))
      .filter((l) => /ipsec-doctor\s+(-|\w)/.test(l) && !/^(ipsec-doctor \d|✖|✔|ERROR|WARNING|INFO)/.test(l));
    expect(invocations.length).toBeGreaterThan(10);
    for (const line of invocations) {
      // npx without `--` takes --format, --only, -o … for its own (npm 7+): never in an example
      expect(line, line).not.toMatch(/npx ipsec-doctor|node dist\/|tsx src\/cli/);
      expect(line, line).toMatch(/(^|\$ |sudo |\| )ipsec-doctor\b/);
    }
  });

  it('--help and the README options table name the same long options', () => {
    const fromHelp = new Set([...HELP.matchAll(/(?:^|\s)(--[a-z][a-z-]+)/gm)].map((m) => m[1]));
    const table = README.split('\n').filter((l) => l.startsWith('| `-'));
    const fromReadme = new Set(table.flatMap((l) => [...l.split('|')[1].matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0])));
    for (const o of ['--fail-on', '--min-severity', '--output', '--only']) expect(fromHelp.has(o), o).toBe(true);
    const undocumented = [...fromHelp].filter((o) => !README.includes('`' + o) && !README.includes(o + ' ') && !fromReadme.has(o));
    expect(undocumented).toEqual([]);
  });
});
