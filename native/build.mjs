#!/usr/bin/env node
/**
 * `npm install` / `npm ci` lifecycle step ("install" in package.json): builds the
 * optional native addon native/packet-stats (libpcap's received/dropped counters for
 * `--live`, see src/sources/live/packet-stats.ts) with node-gyp.
 *
 * It NEVER fails the install: without a compiler, make, python3 or Node's headers,
 * or off Linux, it prints one line and exits 0; live capture then reports the
 * /proc/net/dev proxy counters and says why libpcap's own are missing. The full
 * node-gyp output of a failed build is kept in native/packet-stats/build.log.
 *
 * node-gyp: npm hands its bundled copy to lifecycle scripts as $npm_config_node_gyp
 * (@npmcli/run-script); outside npm, the copy inside npm's own install and then a
 * `node-gyp` on PATH are tried. Headers: node-gyp honours $npm_config_nodedir; when it
 * is unset and this Node.js ships its headers (PREFIX/include/node), they are used
 * rather than letting node-gyp download them (no network on build machines).
 *
 * Rebuild by hand: `node native/build.mjs` (or `npm rebuild ipsec-doctor` when installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON_DIR = join(dirname(fileURLToPath(import.meta.url)), 'packet-stats');
const LOG = join(ADDON_DIR, 'build.log');
const say = (line) => console.log(`ipsec-doctor: ${line}`);

function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  return ['node-gyp'];
}

function main() {
  if (process.platform !== 'linux') {
    say(`libpcap drop counters (native/packet-stats) not built: PACKET_STATISTICS is Linux-only (this is ${process.platform}); live capture reports the interface counters instead`);
    return;
  }
  const [cmd, ...pre] = nodeGypCommand();
  const args = [...pre, 'rebuild'];
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(cmd, args, { cwd: ADDON_DIR, encoding: 'utf8', timeout: 5 * 60_000, env: process.env });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status === 0 && existsSync(join(ADDON_DIR, 'build', 'Release', 'packet_stats.node'))) {
    rmSync(LOG, { force: true });
    say('built native/packet-stats (libpcap received/dropped counters for --live)');
    return;
  }
  try {
    writeFileSync(LOG, `$ ${[cmd, ...args].join(' ')}\n${output}${r.error ? `\n${r.error.message}\n` : ''}`);
  } catch {
    // a read-only install tree: the one line below still says what happened
  }
  const why = r.error ? r.error.message : firstErrorLine(output) ?? `node-gyp exited with ${r.status ?? r.signal}`;
  say(`libpcap drop counters (native/packet-stats) not built: ${why} — live capture still works, with the interface counters only (details: ${LOG})`);
}

/** The line of node-gyp/make/cc output that names the cause, not node-gyp's "not ok" footer. */
function firstErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  // a compiler diagnostic (missing header, …) names the cause best; then node-gyp's own error
  const cause = lines.find((l) => /(fatal )?error: /.test(l) && !l.startsWith('gyp')) ??
    // make: cc: No such file or directory (no compiler), sh: 1: python3: not found, …
    lines.find((l) => /No such file or directory|command not found|: not found$/.test(l) && !l.startsWith('gyp')) ??
    lines.find((l) => l.startsWith('gyp ERR! stack Error: '))?.slice('gyp ERR! stack Error: '.length) ??
    lines.find((l) => l.startsWith('gyp ERR! ') && !/^gyp ERR! (stack|cwd|node|command|System|not ok|build error)/.test(l))?.slice('gyp ERR! '.length);
  return cause?.slice(0, 200);
}

try {
  main();
} catch (err) {
  say(`libpcap drop counters (native/packet-stats) not built: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
}
process.exitCode = 0;
