/**
 * Issue 16 §6: the redaction map holds the originals, so it is owner-only in every case
 * — a file that already existed world-readable, any umask, a symlink in its place — and
 * it never replaces an input or the report. A path that cannot be written (a directory,
 * a missing directory) is one line and exit 2, never "internal error"; the same for -o.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './pipeline.js';

const LOG = join(ROOT, 'samples/lab-psk-mismatch/right.log');

function cli(args: string[], opts: { umask?: string } = {}) {
  const node = [process.execPath, '--import', 'tsx', 'src/cli.ts', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('sh', ['-c', `umask ${opts.umask ?? '022'}; exec ${node}`], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-map-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line on stderr, exit 2, and not the "internal error" of a bug. */
function expectOneLineError(r: ReturnType<typeof cli>, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(pattern);
}

describe('--redact-map stays private', () => {
  it('an existing world-readable map file ends up 0600 with the mapping (and no temporary file is left)', () => {
    withDir((dir) => {
      const map = join(dir, 'm.json');
      writeFileSync(map, 'old contents\n');
      chmodSync(map, 0o644);
      const r = cli(['--log', LOG, '--format', 'json', '--redact-map', map]);
      expect(r.code).toBe(1);
      expect(statSync(map).mode & 0o777).toBe(0o600);
      const mapping = JSON.parse(readFileSync(map, 'utf8')) as Record<string, Record<string, string>>;
      expect(Object.values(mapping.identity)).toContain('left.example');
      expect(readdirSync(dir)).toEqual(['m.json']);
    });
  });

  it('0600 whatever the umask, and a symlink in its place is replaced, not followed', () => {
    withDir((dir) => {
      const target = join(dir, 'elsewhere.txt');
      writeFileSync(target, 'not yours\n');
      chmodSync(target, 0o644);
      const map = join(dir, 'link.json');
      symlinkSync(target, map);
      const r = cli(['--log', LOG, '--format', 'json', '--redact-map', map], { umask: '000' });
      expect(r.code).toBe(1);
      expect(lstatSync(map).isSymbolicLink()).toBe(false);
      expect(statSync(map).mode & 0o777).toBe(0o600);
      expect(readFileSync(target, 'utf8')).toBe('not yours\n');
      const fresh = join(dir, 'fresh.json');
      expect(cli(['--log', LOG, '--format', 'json', '--redact-map', fresh], { umask: '000' }).code).toBe(1);
      expect(statSync(fresh).mode & 0o777).toBe(0o600);
    });
  });

  it('refuses a map path that is an input or the report, before reading anything, and leaves them as they were', () => {
    withDir((dir) => {
      const log = join(dir, 'right.log');
      writeFileSync(log, readFileSync(LOG));
      const before = readFileSync(log, 'utf8');
      expectOneLineError(cli(['--log', log, '--redact-map', log]), /--redact-map .*right\.log is the input .*right\.log: the redaction map would replace the evidence/);
      // the same file under another name
      const alias = join(dir, 'alias.log');
      symlinkSync(log, alias);
      expectOneLineError(cli(['--log', log, '--redact-map', alias]), /is the input/);
      expectOneLineError(cli([log, '--redact-map', join(dir, '.', 'right.log')]), /is the input/);
      expect(readFileSync(log, 'utf8')).toBe(before);
      const report = join(dir, 'report.md');
      expectOneLineError(cli(['--log', log, '--format', 'markdown', '-o', report, '--redact-map', report]), /is also the report's path \(-o\)/);
      expect(existsSync(report)).toBe(false);
      // -o over an input is refused too: the report would replace the evidence
      expectOneLineError(cli(['--log', log, '-o', log]), /-o .* is the input/);
      expect(readFileSync(log, 'utf8')).toBe(before);
    });
  });

  it('a directory or a missing directory, for the map or for -o, is one line and exit 2', () => {
    withDir((dir) => {
      mkdirSync(join(dir, 'sub'));
      expectOneLineError(cli(['--log', LOG, '--redact-map', join(dir, 'sub')]), /cannot write .*sub: it is a directory/);
      expectOneLineError(cli(['--log', LOG, '--redact-map', join(dir, 'missing', 'm.json')]), /cannot write .*m\.json: the directory .*missing does not exist/);
      expectOneLineError(cli(['--log', LOG, '--format', 'json', '-o', join(dir, 'sub')]), /cannot write .*sub: it is a directory/);
      expectOneLineError(cli(['--log', LOG, '--format', 'json', '-o', join(dir, 'missing', 'r.json')]), /the directory .*missing does not exist/);
    });
  });
});
