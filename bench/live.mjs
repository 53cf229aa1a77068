// Live-capture benchmark (issue 21 §1): two network namespaces joined by a veth,
// `tcpreplay --pps=R --limit=N` of a real capture on one end, and on the other end,
// one after the other in the same run, `tcpdump -w /dev/null` and `ipsec-doctor --live
// --format json` with each of its two readers: `native` (native/pcap-reader, libpcap on
// its own thread, batches) and `cap` (the cap addon's per-frame callback, forced with
// IPSEC_DOCTOR_LIVE_READER=cap); for each: frames kept, libpcap's drops, the native
// reader's own drops, and the tool's CPU time per frame kept (utime + stime of the
// process, all threads, from /proc/PID/stat just before it is stopped; the machine may be
// shared, so kept% alone says little without the load and the CPU cost).
// Needs root, `ip netns` and tcpreplay; says so and skips otherwise.
// Then a sweep of rates (--sweep 20000,…,300000; --no-sweep skips it) gives the rate at which drops start for each.
// Usage: node bench/live.mjs [--rates 100000,300000] [--limit 1000000] [--mix healthy,espudp] [--runs 1]
//        [--tools tcpdump,native,cap] [--sweep R1,R2,…] [--no-sweep] [--keep-ns]
//        node bench/live.mjs --soak SEC [--rate 100000]: one long capture (native reader) at that rate,
//        RSS sampled every 30 s, to show memory stays flat (issue 21 §1: RSS at 1 and 10 minutes)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, 'out', 'live');
// namespaces and veth of this benchmark only (prefixed as the speed-live branch's tests are)
const NS_A = 'speedlive-a';
const NS_B = 'speedlive-b';
const IF_A = 'speedlive-va';
const IF_B = 'speedlive-vb';
/** the tools measured: tcpdump, and ipsec-doctor with each reader */
const TOOL_NAMES = { tcpdump: 'tcpdump', native: 'ipsec-doctor native', cap: 'ipsec-doctor cap' };

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const have = (cmd) => sh('sh', ['-c', `command -v ${cmd}`]).status === 0;
const CLK_TCK = Number(sh('getconf', ['CLK_TCK']).stdout.trim()) || 100;
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

/** CPU seconds (user + system, all threads) of a running process: /proc/PID/stat fields 14 and 15 (proc(5)). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** One capture while the replay runs: tcpdump or ipsec-doctor; kept = frames handed to the tool. */
async function measure(tool, pcap, pps, limit, extra) {
  const before = packetSockets();
  const cmd = tool === 'tcpdump'
    ? ['tcpdump', '-i', IF_B, '-n', '-w', '/dev/null', ...(extra ?? [])]
    : [process.execPath, join(root, 'dist', 'src', 'cli.js'), '--live', '-i', IF_B, '--format', 'json', ...(extra ?? [])];
  // `ip netns exec` execs the command: the child's pid is the tool's own (its CPU time is read below)
  const env = { ...process.env, IPSEC_DOCTOR_LIVE_READER: tool === 'cap' ? 'cap' : '' };
  const child = spawn('ip', ['netns', 'exec', NS_B, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env });
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
  const cpu0 = cpuSeconds(child.pid);
  const r = replay(pcap, pps, limit);
  // let it drain what is in its ring, then stop it as a user would (Ctrl-C)
  await sleep(1500);
  const cpu1 = cpuSeconds(child.pid);
  const hwm = /VmHWM:\s+(\d+) kB/.exec((() => { try { return readFileSync(`/proc/${child.pid}/status`, 'utf8'); } catch { return ''; } })());
  child.kill('SIGINT');
  await exited;
  const row = { tool, pps, sentPps: r.pps, sent: r.sent, load: loadBefore, peakRssMiB: hwm ? Math.round(Number(hwm[1]) / 1024) : undefined, cpuSec: cpu0 !== undefined && cpu1 !== undefined ? +(cpu1 - cpu0).toFixed(2) : undefined };
  if (tool === 'tcpdump') {
    const cap = /(\d+) packets? captured/.exec(stderr);
    const recv = /(\d+) packets? received by filter/.exec(stderr);
    const drop = /(\d+) packets? dropped by kernel/.exec(stderr);
    Object.assign(row, { kept: cap && Number(cap[1]), pcapReceived: recv && Number(recv[1]), pcapDropped: drop && Number(drop[1]) });
  } else {
    try {
      const report = JSON.parse(stdout);
      const c = report.inputs.find((i) => i.kind === 'live')?.counters ?? {};
      const reader = report.inputs.find((i) => i.kind === 'live')?.note?.split(' ')[0];
      Object.assign(row, { reader, kept: c.received, pcapReceived: c.pcapReceived, pcapDropped: c.pcapDropped, readerDropped: c.readerDropped, warnedAtDrops: /dropping frames/.test(stderr) || undefined });
      if (reader !== tool) row.error = `asked for the ${tool} reader, the report says ${reader}`;
    } catch {
      row.error = `no JSON report (${stderr.trim().split('\n').slice(-2).join(' ')})`;
    }
  }
  // kept out of what passed the tool's filter (libpcap's ps_recv, the dropped included): ipsec-doctor's
  // default filter leaves the replayed ARP frames out, tcpdump's empty filter does not
  if (row.pcapReceived && row.kept != null) row.keptPct = +((100 * row.kept) / row.pcapReceived).toFixed(2);
  // CPU per frame kept, in µs: the work the tool did for each frame it handed over
  if (row.cpuSec !== undefined && row.kept) row.cpuUsPerFrame = +((1e6 * row.cpuSec) / row.kept).toFixed(2);
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
  const tools = arg('--tools', 'tcpdump,native,cap').split(',');
  const unknown = tools.filter((t) => !(t in TOOL_NAMES));
  if (unknown.length) return { skipped: `unknown --tools ${unknown.join(',')} (tcpdump, native, cap)` };
  const all = mixes();
  const wanted = arg('--mix', 'healthy,espudp').split(',');
  const rows = [];
  try {
    for (const mix of wanted) {
      for (const pps of rates) {
        for (let run = 0; run < runs; run++) {
          // the tools back to back at the same rate, so the machine's load is alike for all
          for (const tool of tools) {
            const row = { mix, run, ...(await measure(tool, all[mix], pps, limit)) };
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
          const row = { mix: 'healthy', sweep: true, run: 0, ...(await measure(tool, all.healthy, pps, Math.max(100000, pps * 4))) };
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

/** A long capture at one rate: RSS of ipsec-doctor (native reader) every 30 s, and the frames kept at the end. */
async function soak(seconds, pps) {
  if (process.getuid?.() !== 0) return console.log('live soak skipped: needs root');
  setUp();
  try {
    const before = packetSockets();
    const child = spawn('ip', ['netns', 'exec', NS_B, process.execPath, join(root, 'dist', 'src', 'cli.js'), '--live', '-i', IF_B, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise((r) => child.on('exit', r));
    if (!(await waitListening(before, child))) throw new Error('did not start listening');
    const replayer = spawn('ip', ['netns', 'exec', NS_A, 'tcpreplay', '-q', '-i', IF_A, `--pps=${pps}`, `--duration=${seconds}`, '--loop=0', mixes().healthy], { stdio: 'ignore' });
    const t0 = Date.now();
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    for (let t = 30; t <= seconds; t += 30) {
      await sleep(t0 + t * 1000 - Date.now());
      console.log(JSON.stringify({ soak: true, pps, atSec: t, rssMiB: Math.round(rss()), load: load() }));
    }
    await new Promise((r) => replayer.on('exit', r));
    await sleep(1500);
    child.kill('SIGINT');
    await exited;
    const c = JSON.parse(stdout).inputs[0].counters;
    console.log(JSON.stringify({ soak: true, pps, seconds, kept: c.received, pcapReceived: c.pcapReceived, pcapDropped: c.pcapDropped, readerDropped: c.readerDropped, keptPct: +((100 * c.received) / c.pcapReceived).toFixed(2) }));
  } finally {
    if (!process.argv.includes('--keep-ns')) tearDown();
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--soak')) {
  await soak(Number(arg('--soak', '600')), Number(arg('--rate', '100000')));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLive();
  if (r.skipped) {
    console.log(`live capture bench skipped: ${r.skipped}`);
  } else {
    console.log('\nmix      rate/s   tool                    kept%  of tcpdump%   kept/passed filter  libpcap dropped  reader dropped  CPU µs/frame  peak RSS   load');
    for (const x of r.rows.filter((x) => !x.sweep)) {
      // ipsec-doctor's kept% against tcpdump's in the same (mix, rate, run) group: the issue's goal
      const anchor = r.rows.find((y) => !y.sweep && y.tool === 'tcpdump' && y.mix === x.mix && y.pps === x.pps && y.run === x.run);
      const ofTcpdump = x.tool !== 'tcpdump' && anchor?.keptPct && x.keptPct !== undefined ? ((100 * x.keptPct) / anchor.keptPct).toFixed(1) : '-';
      console.log(`${x.mix.padEnd(8)} ${String(x.pps).padStart(7)}  ${TOOL_NAMES[x.tool].padEnd(20)} ${String(x.keptPct ?? '-').padStart(7)}  ${ofTcpdump.padStart(11)}  ${`${x.kept ?? '-'}/${x.pcapReceived ?? '-'}`.padStart(19)}  ${String(x.pcapDropped ?? '-').padStart(15)}  ${String(x.readerDropped ?? '-').padStart(14)}  ${String(x.cpuUsPerFrame ?? '-').padStart(12)}  ${`${x.peakRssMiB ?? '-'} MiB`.padStart(8)}   ${x.load}  (replayed at ${Math.round(x.sentPps ?? 0)}/s)${x.error ? '  ' + x.error : ''}`);
    }
    if (r.dropsStart) console.log(`drops start (>0.1% not kept, healthy mix): ${Object.entries(r.dropsStart).map(([t, v]) => `${TOOL_NAMES[t]} at ${v}${typeof v === 'number' ? '/s' : ''}`).join(', ')} (load ${load()}; tcpreplay may replay below the asked rate on a busy machine: see "replayed at")`);
  }
}
