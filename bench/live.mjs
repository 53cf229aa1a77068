// Live-capture benchmark (issue 21 §1): two network namespaces joined by a veth,
// `tcpreplay --pps=R --limit=N` of a real capture on one end, and on the other end,
// one after the other in the same run, `tcpdump -w /dev/null` and
// `ipsec-doctor --live --format json`; for each: frames kept and libpcap's drops.
// Needs root, `ip netns` and tcpreplay; says so and skips otherwise.
// Then a sweep of rates (--sweep 20000,…,300000; --no-sweep skips it) gives the rate at which drops start for each.
// Usage: node bench/live.mjs [--rates 100000,300000] [--limit 1000000] [--mix healthy,espudp] [--runs 1]
//        [--tools tcpdump,ours] [--sweep R1,R2,…] [--no-sweep] [--keep-ns]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, 'out', 'live');
const NS_A = 'speed-a';
const NS_B = 'speed-b';
const IF_A = 'speed-va';
const IF_B = 'speed-vb';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const have = (cmd) => sh('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg()[0].toFixed(1);

/** The real captures replayed: the lab's healthy tunnel (IKE + ESP-in-UDP) and its ESP-in-UDP frames alone. */
function mixes() {
  mkdirSync(outDir, { recursive: true });
  const healthy = join(root, 'samples', 'lab-healthy', 'left.pcap');
  const espudp = join(outDir, 'espudp.pcap');
  if (!existsSync(espudp)) sh('tcpdump', ['-r', healthy, '-w', espudp, 'udp port 4500 and udp[8:4] != 0']);
  return { healthy, espudp };
}

function setUp() {
  const list = sh('ip', ['netns', 'list']).stdout;
  if (list.includes(NS_A) && list.includes(NS_B)) return;
  const steps = [
    ['netns', 'add', NS_A], ['netns', 'add', NS_B],
    ['link', 'add', IF_A, 'type', 'veth', 'peer', 'name', IF_B],
    ['link', 'set', IF_A, 'netns', NS_A], ['link', 'set', IF_B, 'netns', NS_B],
    ['-n', NS_A, 'link', 'set', IF_A, 'up'], ['-n', NS_B, 'link', 'set', IF_B, 'up'],
  ];
  for (const s of steps) {
    const r = sh('ip', s);
    if (r.status !== 0) throw new Error(`ip ${s.join(' ')}: ${r.stderr.trim()}`);
  }
}

export function tearDown() {
  sh('ip', ['netns', 'del', NS_A]);
  sh('ip', ['netns', 'del', NS_B]);
}

/** Packet sockets open in NS_B (from its /proc/net/packet): a capture is listening once one appears. */
function packetSockets() {
  const r = sh('ip', ['netns', 'exec', NS_B, 'cat', '/proc/net/packet']);
  return r.stdout.trim().split('\n').length - 1;
}

async function waitListening(before, child, ms = 20000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (child.exitCode !== null) return false;
    if (packetSockets() > before) return true;
    await sleep(100);
  }
  return false;
}

function replay(pcap, pps, limit) {
  const r = sh('ip', ['netns', 'exec', NS_A, 'tcpreplay', '-q', '-i', IF_A, `--pps=${pps}`, `--limit=${limit}`, '--loop=0', pcap]);
  const sent = /Actual: (\d+) packets/.exec(r.stdout + r.stderr);
  const rate = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(r.stdout + r.stderr);
  return { sent: sent ? Number(sent[1]) : undefined, pps: rate ? Number(rate[1]) : undefined, status: r.status, err: r.status ? r.stderr.trim() : undefined };
}

/** One capture while the replay runs: tcpdump or ipsec-doctor; kept = frames handed to the tool. */
async function measure(tool, pcap, pps, limit, extra) {
  const before = packetSockets();
  const cmd = tool === 'tcpdump'
    ? ['tcpdump', '-i', IF_B, '-n', '-w', '/dev/null', ...(extra ?? [])]
    : [process.execPath, join(root, 'dist', 'src', 'cli.js'), '--live', '-i', IF_B, '--format', 'json', ...(extra ?? [])];
  const child = spawn('ip', ['netns', 'exec', NS_B, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', r));
  if (!(await waitListening(before, child))) {
    child.kill('SIGTERM');
    await exited;
    return { tool, error: `did not start listening: ${stderr.trim().split('\n').slice(-2).join(' ')}` };
  }
  await sleep(300);
  const loadBefore = load();
  const r = replay(pcap, pps, limit);
  // let it drain what is in its ring, then stop it as a user would (Ctrl-C)
  await sleep(1500);
  child.kill('SIGINT');
  await exited;
  const row = { tool, pps, sentPps: r.pps, sent: r.sent, load: loadBefore };
  if (tool === 'tcpdump') {
    const cap = /(\d+) packets? captured/.exec(stderr);
    const recv = /(\d+) packets? received by filter/.exec(stderr);
    const drop = /(\d+) packets? dropped by kernel/.exec(stderr);
    Object.assign(row, { kept: cap && Number(cap[1]), pcapReceived: recv && Number(recv[1]), pcapDropped: drop && Number(drop[1]) });
  } else {
    try {
      const report = JSON.parse(stdout);
      const c = report.inputs.find((i) => i.kind === 'live')?.counters ?? {};
      Object.assign(row, { kept: c.received, pcapReceived: c.pcapReceived, pcapDropped: c.pcapDropped, warnedAtDrops: /dropping frames/.test(stderr) || undefined });
    } catch {
      row.error = `no JSON report (${stderr.trim().split('\n').slice(-2).join(' ')})`;
    }
  }
  // kept out of what passed the tool's filter (libpcap's ps_recv, the dropped included): ipsec-doctor's
  // default filter leaves the replayed ARP frames out, tcpdump's empty filter does not
  if (row.pcapReceived && row.kept != null) row.keptPct = +((100 * row.kept) / row.pcapReceived).toFixed(2);
  return row;
}

export async function benchLive() {
  if (process.getuid?.() !== 0) return { skipped: 'needs root (network namespaces, a veth and tcpreplay)' };
  for (const t of ['ip', 'tcpreplay', 'tcpdump']) if (!have(t)) return { skipped: `${t} not installed${t === 'tcpreplay' ? ' (apt-get install tcpreplay)' : ''}` };
  if (!existsSync(join(root, 'dist', 'src', 'cli.js'))) return { skipped: 'dist/ not built (npm run build)' };
  try {
    setUp();
  } catch (err) {
    return { skipped: `cannot create network namespaces here: ${err.message}` };
  }
  const rates = arg('--rates', '100000,300000').split(',').map(Number);
  const limit = Number(arg('--limit', '1000000'));
  const runs = Number(arg('--runs', '1'));
  const tools = arg('--tools', 'tcpdump,ours').split(',');
  const all = mixes();
  const wanted = arg('--mix', 'healthy,espudp').split(',');
  const rows = [];
  try {
    for (const mix of wanted) {
      for (const pps of rates) {
        for (let run = 0; run < runs; run++) {
          // the two tools back to back at the same rate, so the machine's load is alike for both
          for (const tool of tools) {
            const row = { mix, ...(await measure(tool, all[mix], pps, limit)) };
            rows.push(row);
            console.log(JSON.stringify(row));
          }
        }
      }
    }
  } finally {
    if (!process.argv.includes('--keep-ns')) tearDown();
  }
  // the rate at which drops start, per tool: the lowest swept rate where more than 0.1% of the frames sent were not kept
  let dropsStart;
  if (!process.argv.includes('--no-sweep')) {
    const sweep = arg('--sweep', '20000,50000,100000,200000,300000').split(',').map(Number);
    dropsStart = {};
    setUp();
    try {
      for (const tool of tools) {
        for (const pps of sweep) {
          // about 4 s of traffic at each rate (at least 100,000 frames)
          const row = { mix: 'healthy', sweep: true, ...(await measure(tool, all.healthy, pps, Math.max(100000, pps * 4))) };
          rows.push(row);
          console.log(JSON.stringify(row));
          if (row.keptPct !== undefined && row.keptPct < 99.9) {
            dropsStart[tool] = pps;
            break;
          }
        }
        if (!(tool in dropsStart)) dropsStart[tool] = `none up to ${sweep.at(-1)}/s`;
      }
    } finally {
      if (!process.argv.includes('--keep-ns')) tearDown();
    }
  }
  return { rows, dropsStart };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLive();
  if (r.skipped) {
    console.log(`live capture bench skipped: ${r.skipped}`);
  } else {
    console.log('\nmix      rate/s   tool          kept%   kept/passed filter  libpcap dropped   load');
    for (const x of r.rows.filter((x) => !x.sweep)) {
      console.log(`${x.mix.padEnd(8)} ${String(x.pps).padStart(7)}  ${x.tool.padEnd(12)} ${String(x.keptPct ?? '-').padStart(6)}  ${`${x.kept ?? '-'}/${x.pcapReceived ?? '-'}`.padStart(19)}  ${String(x.pcapDropped ?? '-').padStart(16)}   ${x.load}  (replayed at ${Math.round(x.sentPps ?? 0)}/s)${x.error ? '  ' + x.error : ''}`);
    }
    if (r.dropsStart) console.log(`drops start (>0.1% not kept, healthy mix): ${Object.entries(r.dropsStart).map(([t, v]) => `${t === 'ours' ? 'ipsec-doctor' : t} at ${v}${typeof v === 'number' ? '/s' : ''}`).join(', ')} (load ${load()}; tcpreplay may replay below the asked rate on a busy machine: see "replayed at")`);
  }
}
