/**
 * The CLI's output paths without a terminal: reporter on stdout, no Ink, no
 * spinner, no ANSI; --redact and --redact-map wired end to end. Runs the sources
 * through tsx so no build is needed.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './pipeline.js';

const LOGS = ['samples/lab-psk-mismatch/left.log', 'samples/lab-psk-mismatch/right.log'];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli output without a terminal', () => {
  it('prints the reporter, not the UI, and no ANSI in json/markdown/html even with --color', () => {
    for (const format of ['json', 'markdown', 'html']) {
      const r = cli(['--log', LOGS[1], '--format', format, '--color']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('AUTH_FAILED');
      expect(r.stdout).not.toMatch(/\x1b\[/);
      // no spinner: stderr is not a terminal here
      expect(r.stderr).toBe('');
    }
    const text = cli(['--log', LOGS[1]]);
    expect(text.stdout.split('\n')[0]).toMatch(/^ipsec-doctor \d/);
    expect(text.stdout).not.toContain('↑↓/jk');
  });

  it('ends quietly when the reader of stdout goes away (| head), as a tool killed by SIGPIPE does', async () => {
    // a pipe whose read end is closed before the report is written: the write fails with EPIPE
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--log', LOGS[1], '--format', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });

  it('--redact-map writes the mapping (owner-only) and implies --redact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-map-'));
    try {
      const map = join(dir, 'map.json');
      const r = cli(['--log', LOGS[0], '--log', LOGS[1], '--format', 'markdown', '--redact-map', map]);
      expect(r.code).toBe(1);
      for (const original of ['192.0.2.10', '198.51.100.20', 'left.example', 'right.example', 'samples/lab-psk-mismatch']) expect(r.stdout).not.toContain(original);
      const mapping = JSON.parse(readFileSync(map, 'utf8')) as Record<string, Record<string, string>>;
      expect(Object.values(mapping.ipv4).sort()).toEqual(['192.0.2.10', '198.51.100.20']);
      expect(Object.values(mapping.identity)).toEqual(expect.arrayContaining(['left.example', 'right.example']));
      expect(Object.values(mapping.path).sort()).toEqual(LOGS);
      expect(statSync(map).mode & 0o077).toBe(0);
      // every placeholder of the mapping is what the report shows
      for (const placeholder of Object.keys(mapping.ipv4)) expect(r.stdout).toContain(placeholder);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without --redact-map, --redact writes no mapping anywhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-nomap-'));
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '--log', join(ROOT, LOGS[1]), '--redact', '--format', 'json'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
      expect(r.status).toBe(1);
      expect(r.stdout).not.toContain('198.51.100.20');
      expect(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A FIFO or stdin can be read once: the sniffed first bytes must reach the loader
  // (before, a positional FIFO was opened for sniffing, closed, and re-opened empty).
  it.skipIf(process.platform === 'win32')('sniffs positional stdin and FIFOs without losing their first bytes', () => {
    const pcap = 'samples/pcap-ikev1-no-proposal-chosen/ikev1-mm-no-proposal-notify-retransmit-esp.pcap';
    const fromFile = JSON.parse(cli([pcap, '--format', 'json']).stdout) as { inputs: Array<{ kind: string; path: string; packets?: number }>; findings: Array<{ code: string }> };
    expect(fromFile.inputs[0].kind).toBe('pcap');

    const stdin = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', input: readFileSync(join(ROOT, pcap)), timeout: 60000 });
    const viaStdin = JSON.parse(stdin.stdout) as typeof fromFile;
    expect(viaStdin.inputs.map((i) => [i.kind, i.packets])).toEqual(fromFile.inputs.map((i) => [i.kind, i.packets]));
    expect(viaStdin.findings.map((f) => f.code)).toEqual(fromFile.findings.map((f) => f.code));

    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-fifo-'));
    try {
      const fifoPcap = join(dir, 'capture');
      const fifoLog = join(dir, 'log');
      const fifoRules = join(dir, 'rules');
      expect(spawnSync('mkfifo', [fifoPcap, fifoLog, fifoRules]).status).toBe(0);
      // `-c <(iptables-save)`: the config loader reads it, sees a ruleset and hands the text over
      const rules = join(ROOT, 'samples/firewall-iptables-gateway-healthy/iptables-save.conf');
      const viaRules = spawnSync('sh', ['-c', `cat '${rules}' > '${fifoRules}' & exec "$0" --import tsx src/cli.ts -c '${fifoRules}' --format json`, process.execPath], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
      expect((JSON.parse(viaRules.stdout) as typeof fromFile).inputs.map((i) => [i.kind, i.path])).toEqual([['ruleset', fifoRules]]);
      // writers in the background: each blocks until ipsec-doctor opens its FIFO
      const sh = `cat '${join(ROOT, pcap)}' > '${fifoPcap}' & cat '${join(ROOT, LOGS[1])}' > '${fifoLog}' & exec "$0" --import tsx src/cli.ts '${fifoPcap}' '${fifoLog}' --format json`;
      const r = spawnSync('sh', ['-c', sh, process.execPath], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
      const viaFifo = JSON.parse(r.stdout) as typeof fromFile;
      expect(viaFifo.inputs.map((i) => i.kind)).toEqual(['log', 'pcap']);
      expect(viaFifo.inputs.find((i) => i.kind === 'pcap')?.packets).toBe(fromFile.inputs[0].packets);
      expect(viaFifo.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['AUTH_FAILED', ...fromFile.findings.map((f) => f.code)]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
