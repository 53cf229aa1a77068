// Capture benchmark (issue 3): packets/s, MB/s and peak memory of ipsec-doctor's
// packet decoding on a ~1M-packet capture built from the real corpus captures, and
// the ratios against `tshark -r F -Y "isakmp or esp" -T fields -e esp.spi` and
// `tcpdump -r F -w /dev/null` measured in the same run on the same file.
// Usage: node bench/pcap.mjs [--packets 1000000] [--corpus DIR] [--runs 3]
// Uses dist/ when built (bench/run.mjs builds first), else the TypeScript sources through tsx.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, 'out');

/** dist/ is used only when it is at least as new as the decoder sources (else tsx runs the sources). */
function distFresh() {
  const pairs = [['src/sources/pcap-file.ts', 'dist/src/sources/pcap-file.js'], ['src/wire/collector/packet-collector.ts', 'dist/src/wire/collector/packet-collector.js'], ['src/wire/ike.ts', 'dist/src/wire/ike.js']];
  return pairs.every(([s, d]) => existsSync(join(root, d)) && statSync(join(root, d)).mtimeMs >= statSync(join(root, s)).mtimeMs);
}

/** Runs our decoder on one file in this (child) process and prints timing, counts and peak RSS as JSON. */
async function child(file) {
  const dist = join(root, 'dist', 'src', 'sources', 'pcap-file.js');
  const useDist = distFresh();
  const mod = useDist ? await import(pathToFileURL(dist).href) : await import(pathToFileURL(join(root, 'src', 'sources', 'pcap-file.ts')).href);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = await mod.loadCaptures([file], { local: [], peer: [] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const c = r.packets.counters;
  process.stdout.write(JSON.stringify({
    ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, frames: c.frames, ike: c.ike, esp: c.esp + c.espInUdp, ah: c.ah,
    espFlows: r.packets.espFlows.length, ikeMessages: r.packets.ikeMessages.length, source: useDist ? 'dist' : 'tsx',
  }) + '\n');
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Wraps a command in /usr/bin/time -v when available to get its peak RSS (KiB) and CPU time. */
function timed(cmd, args, opts = {}) {
  if (!existsSync('/usr/bin/time')) return { ...run(cmd, args, opts), maxRssKiB: undefined, cpuMs: undefined };
  const r = run('/usr/bin/time', ['-v', cmd, ...args], opts);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  return { ...r, maxRssKiB: m ? Number(m[1]) : undefined, cpuMs: user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : undefined };
}

// IPsec-heavy real captures (IKEv1/v2, ESP, ESP-in-UDP, AH, fragments): see shared/corpus/pcaps/MANIFEST.md
const MIX = [
  'ikev2-natt-cookie-invalid-ke-multi-gw.pcap', 'ikev2-ipv6-retransmit-collision-rekey-esp.pcap', 'ikev1-ipv6-unanswered-then-mm-qm-esp.pcap',
  'esp-one-way-24-sa-ipv4-ipv6.pcap', 'ah-ipv6-ospfv3-shared-spi.pcap', 'ikev1-mm-no-proposal-notify-retransmit-esp.pcap',
  'ikev1-natt-float-4500-keepalive-one-way-esp.pcap', 'ikev2-nat-auth-ipfrag-no-response.pcap', 'ah-esp-tunnel-bidirectional.pcap',
  'esp-in-udp-4500-one-way.pcap', 'ikev1-main-mode-psk-quick-mode.pcap',
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median wall and CPU time of repeated timed() runs, and their largest peak memory. */
function medianOf(rs) {
  const cpu = rs.every((r) => r.cpuMs !== undefined) ? median(rs.map((r) => r.cpuMs)) : undefined;
  const rss = rs.every((r) => r.maxRssKiB !== undefined) ? Math.max(...rs.map((r) => r.maxRssKiB)) : undefined;
  return { ms: median(rs.map((r) => r.ms)), cpuMs: cpu, maxRssKiB: rss };
}

function countPackets(file) {
  if (have('capinfos')) {
    const r = run('capinfos', ['-M', '-c', file]);
    const m = /Number of packets:\s+(\d+)/.exec(r.stdout);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function buildCapture(target, corpus) {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `ipsec-${target}.pcap`);
  if (existsSync(file)) return file;
  if (!have('mergecap')) return undefined;
  const inputs = MIX.map((f) => join(corpus, f)).filter(existsSync);
  if (!inputs.length) return undefined;
  // all inputs are Ethernet, so the result stays a classic pcap tcpdump can read
  let cur = join(outDir, 'mix-0.pcap');
  let r = run('mergecap', ['-a', '-F', 'pcap', '-w', cur, ...inputs]);
  if (r.status !== 0) throw new Error(`mergecap failed: ${r.stderr}`);
  let n = countPackets(cur) ?? 1745;
  for (let i = 1; n < target; i++) {
    const next = join(outDir, `mix-${i}.pcap`);
    r = run('mergecap', ['-a', '-F', 'pcap', '-w', next, cur, cur]);
    if (r.status !== 0) throw new Error(`mergecap failed: ${r.stderr}`);
    rmSync(cur);
    cur = next;
    n *= 2;
  }
  // trim to the requested size (doubling overshoots)
  if (have('editcap') && n > target) {
    r = run('editcap', ['-F', 'pcap', '-r', cur, file, `1-${target}`]);
    if (r.status === 0) {
      rmSync(cur);
      return file;
    }
  }
  renameSync(cur, file);
  return file;
}

async function main() {
  const target = Number(arg('--packets', '1000000'));
  const corpus = arg('--corpus', join(root, '..', 'shared', 'corpus', 'pcaps'));
  if (!existsSync(corpus)) {
    console.log(`pcap bench: corpus ${corpus} not found; pass --corpus DIR (a directory of pcaps from shared/corpus/pcaps)`);
    return;
  }
  if (!have('mergecap')) {
    console.log('pcap bench: mergecap (wireshark-common) not installed: cannot build the large capture; skipped');
    return;
  }
  const file = buildCapture(target, corpus);
  const size = statSync(file).size;
  const mb = size / 1024 / 1024;
  const packets = countPackets(file);
  console.log(`capture: ${file} — ${packets ?? '?'} packets, ${mb.toFixed(1)} MB`);
  // warm the page cache so every tool reads from memory
  run('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });

  const useDist = distFresh();
  const nodeArgs = useDist ? [] : ['--import', 'tsx'];
  // the short runs (ours, tcpdump) are repeated and their medians compared: one run of
  // either can be off by a third on a shared machine; tshark takes long enough to run once
  const runs = Math.max(1, Number(arg('--runs', '3')));
  const oursRuns = [];
  const oursProcess = [];
  for (let i = 0; i < runs; i++) {
    // the same child timed from outside too: node's start, module loading and exit included
    const ours = timed(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), '--child', file]);
    if (ours.status !== 0) {
      console.log(`ipsec-doctor failed: ${ours.stderr.split('\n').slice(0, 5).join(' | ')}`);
      process.exitCode = 1;
      return;
    }
    oursRuns.push(JSON.parse(ours.stdout.trim().split('\n').pop()));
    oursProcess.push(ours);
  }
  const o = { ...oursRuns[0], ms: median(oursRuns.map((r) => r.ms)), cpuMs: median(oursRuns.map((r) => r.cpuMs)), maxRssKiB: Math.max(...oursRuns.map((r) => r.maxRssKiB)) };
  const op = medianOf(oursProcess);
  const row = (name, ms, cpuMs, rss, extra = '') =>
    console.log(`${name.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s wall ${cpuMs !== undefined ? (cpuMs / 1000).toFixed(2).padStart(6) : '   n/a'} s cpu  ${Math.round(o.frames / (ms / 1000)).toLocaleString('en').padStart(11)} pkt/s  ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s  ${rss !== undefined ? `${Math.round(rss / 1024)} MiB peak` : 'peak n/a'} ${extra}`);
  row(`ipsec-doctor (${o.source}, decode only)`, o.ms, o.cpuMs, o.maxRssKiB, `— median of ${runs}, timed inside the process; ${o.ikeMessages} IKE messages kept, ${o.esp} ESP packets in ${o.espFlows} flows`);
  row('  the same, whole process', op.ms, op.cpuMs, op.maxRssKiB, '— node start, module loading and exit included');
  // what a user waits for: the command itself, checks and the JSON report included
  const cli = useDist ? join(root, 'dist', 'src', 'cli.js') : join(root, 'src', 'cli.ts');
  const full = [];
  for (let i = 0; i < runs; i++) {
    const r = timed(process.execPath, [...nodeArgs, cli, '--pcap', file, '--format', 'json', '--output', '/dev/null']);
    // exit 1 = error findings, the normal outcome on this capture
    if (r.status !== 0 && r.status !== 1) {
      console.log(`ipsec-doctor --pcap failed (status ${r.status}): ${r.stderr.split('\n')[0]}`);
      break;
    }
    full.push(r);
  }
  const fp = full.length === runs ? medianOf(full) : undefined;
  if (fp) row('ipsec-doctor --pcap F --format json', fp.ms, fp.cpuMs, fp.maxRssKiB, '— the whole diagnosis: decode, checks, report');

  let tshark;
  if (have('tshark')) {
    const t = timed('tshark', ['-r', file, '-Y', 'isakmp or esp', '-T', 'fields', '-e', 'esp.spi']);
    if (t.status === 0) {
      tshark = t;
      row('tshark -Y "isakmp or esp" -T fields -e esp.spi', t.ms, t.cpuMs, t.maxRssKiB, `— ${t.stdout.split('\n').filter(Boolean).length} lines`);
    } else console.log(`tshark failed (status ${t.status}): ${t.stderr.split('\n')[0]}`);
  } else console.log('tshark not installed: no ratio against tshark');

  let tcpdump;
  if (have('tcpdump')) {
    const ts = [];
    for (let i = 0; i < runs; i++) ts.push(timed('tcpdump', ['-r', file, '-w', '/dev/null']));
    const t = ts.find((x) => x.status !== 0);
    if (!t) {
      tcpdump = medianOf(ts);
      row('tcpdump -r F -w /dev/null', tcpdump.ms, tcpdump.cpuMs, tcpdump.maxRssKiB, `— median of ${runs}`);
    } else console.log(`tcpdump failed (status ${t.status}): ${t.stderr.split('\n')[0]}`);
  } else console.log('tcpdump not installed: no ratio against tcpdump');
  // tcpdump decoding every packet (its one-line summaries, no name lookups), the work closest to ours; -w above only copies records
  let tcpdumpDecode;
  if (tcpdump) {
    const ts = [];
    for (let i = 0; i < runs; i++) ts.push(timed('tcpdump', ['-n', '-r', file], { stdio: ['ignore', 'ignore', 'pipe'] }));
    if (ts.every((x) => x.status === 0)) {
      tcpdumpDecode = medianOf(ts);
      row('tcpdump -n -r F (decodes, prints)', tcpdumpDecode.ms, tcpdumpDecode.cpuMs, tcpdumpDecode.maxRssKiB, `— median of ${runs}, output discarded`);
    }
  }

  const cpuRatio = (a, b) => (a !== undefined && b !== undefined ? `, ${(a / b).toFixed(1)}x by CPU time` : '');
  if (tshark) {
    console.log(`speed-up over tshark: decode ${(tshark.ms / o.ms).toFixed(1)}x by wall time${cpuRatio(tshark.cpuMs, o.cpuMs)}; whole process ${(tshark.ms / op.ms).toFixed(1)}x${cpuRatio(tshark.cpuMs, op.cpuMs)} (goal ≥ 20x)`);
    if (fp) console.log(`  the whole diagnosis (checks and report too): ${(tshark.ms / fp.ms).toFixed(1)}x by wall time${cpuRatio(tshark.cpuMs, fp.cpuMs)}`);
  }
  if (tcpdump) {
    console.log(`time relative to tcpdump copying the records (-r F -w /dev/null): decode ${(o.ms / tcpdump.ms).toFixed(2)}x by wall time${cpuRatio(o.cpuMs, tcpdump.cpuMs)}; whole process ${(op.ms / tcpdump.ms).toFixed(2)}x${cpuRatio(op.cpuMs, tcpdump.cpuMs)} (goal ≤ 3x)`);
    if (fp) console.log(`  the whole diagnosis (checks and report too): ${(fp.ms / tcpdump.ms).toFixed(2)}x by wall time${cpuRatio(fp.cpuMs, tcpdump.cpuMs)}`);
  }
  if (tcpdumpDecode) console.log(`time relative to tcpdump decoding every packet (-n -r): whole process ${(op.ms / tcpdumpDecode.ms).toFixed(2)}x${cpuRatio(op.cpuMs, tcpdumpDecode.cpuMs)}; the whole diagnosis ${fp ? `${(fp.ms / tcpdumpDecode.ms).toFixed(2)}x${cpuRatio(fp.cpuMs, tcpdumpDecode.cpuMs)}` : 'not measured'}`);
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout?.split(' ').slice(0, 3).join(' ');
  if (load) console.log(`load average during the run: ${load} (wall times are noisy on a busy machine; CPU times less so)`);
  console.log(`peak memory ${Math.round(o.maxRssKiB / 1024)} MiB for ${o.frames} packets (memory is bounded by IKE messages and flows, not packets)`);
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main();
