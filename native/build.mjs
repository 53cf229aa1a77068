#!/usr/bin/env node
/**
 * `npm install` / `npm ci` lifecycle step ("install" in package.json): builds the
 * optional native addons with node-gyp:
 *   - native/packet-stats: libpcap's received/dropped counters for `--live` through the
 *     `cap` binding (src/sources/live/packet-stats.ts);
 *   - native/pcap-reader: the batch capture reader (libpcap on its own thread, one batch
 *     per hand-off to JavaScript; src/sources/live/native-reader.ts), needs libpcap-dev.
 *
 * It NEVER fails the install: without a compiler, make, python3, Node's headers or
 * libpcap's, or off Linux, it prints one line per addon and exits 0; live capture then
 * falls back to `cap` (per-frame callback) and, without packet-stats, reports the
 * /proc/net/dev proxy counters and says why libpcap's own are missing. The full
 * node-gyp output of a failed build is kept in native/<addon>/build.log.
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

const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
/** what each addon is for, and what a user loses without it (the one line printed) */
const ADDONS = [
  {
    dir: 'packet-stats',
    target: 'packet_stats',
    what: 'libpcap drop counters (native/packet-stats)',
    built: 'built native/packet-stats (libpcap received/dropped counters for --live)',
    without: 'live capture still works, with the interface counters only',
    offLinux: (p) => `PACKET_STATISTICS is Linux-only (this is ${p}); live capture reports the interface counters instead`,
  },
  {
    dir: 'pcap-reader',
    target: 'pcap_reader',
    what: 'the batch capture reader (native/pcap-reader)',
    built: 'built native/pcap-reader (--live reads libpcap on its own thread, in batches)',
    without: "live capture still works through the 'cap' addon, which keeps up with fewer frames per second (apt-get install libpcap-dev, then node native/build.mjs)",
    offLinux: (p) => `only built on Linux (this is ${p}); live capture uses the 'cap' addon`,
  },
];
const say = (line) => console.log(`ipsec-doctor: ${line}`);

function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  return ['node-gyp'];
}

function build(addon) {
  if (process.platform !== 'linux') {
    say(`${addon.what} not built: ${addon.offLinux(process.platform)}`);
    return;
  }
  const dir = join(NATIVE_DIR, addon.dir);
  const log = join(dir, 'build.log');
  const [cmd, ...pre] = nodeGypCommand();
  const args = [...pre, 'rebuild'];
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 5 * 60_000, env: process.env });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status === 0 && existsSync(join(dir, 'build', 'Release', `${addon.target}.node`))) {
    rmSync(log, { force: true });
    say(addon.built);
    return;
  }
  try {
    writeFileSync(log, `$ ${[cmd, ...args].join(' ')}\n${output}${r.error ? `\n${r.error.message}\n` : ''}`);
  } catch {
    // a read-only install tree: the one line below still says what happened
  }
  const why = r.error ? r.error.message : firstErrorLine(output) ?? `node-gyp exited with ${r.status ?? r.signal}`;
  say(`${addon.what} not built: ${why} — ${addon.without} (details: ${log})`);
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

// `node native/build.mjs pcap-reader` builds that one only
const only = process.argv.slice(2);
for (const addon of ADDONS) {
  if (only.length && !only.includes(addon.dir)) continue;
  try {
    build(addon);
  } catch (err) {
    say(`${addon.what} not built: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}
process.exitCode = 0;
