// Redaction benchmark (issue 16 §3): `--redact` must cost time in proportion to the input.
// Two inputs whose every block names its own peer: a strongSwan gateway log of many distinct
// peers (addresses, identities, connection names, SPIs) at 1, 2, 5 and 10 MiB, and an
// ipsec.conf of many connections, each with its own addresses and IDs, at 0.5, 1 and 2 MiB
// (configs are capped at 4 MiB). For each: seconds of --redact per MiB of input, and the
// ratio when the input doubles (1 → 2, 5 → 10 MiB): about 2 is linear; the regular expression of every token that
// the trie replaced gave ×4–4.7 per doubling (512 KiB of ipsec.conf: 52.6 s). --redact's own
// work (redactReport and the JSON reporter on the report) is timed inside a child process,
// apart from the diagnosis, whose time depends on the checks, not on redaction; the whole
// process with --redact is shown too. A log's report stops growing once the event store's
// caps are reached (10 MiB gives the report of 5 MiB), so the log series also shows that.
// Usage: node bench/redact.mjs [--runs 3]   (needs `npm run build` first; bench/run.mjs does it)
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, 'out');
const cli = join(root, 'dist', 'src', 'cli.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
/** a doubling of the input may cost at most this much more time and still count as linear */
const DOUBLING_LIMIT = 2.5;

const pad = (n) => String(n).padStart(2, '0');
const octets = (id) => `${(id >> 8) & 255}.${id & 255}`;
const hex8 = (n) => (n >>> 0).toString(16).padStart(8, '0');

// Real charon bodies (syslog form); every block is another peer: its address, its
// identity, its connection and its SPIs appear nowhere else in the file.
const BLOCK = [
  '{ts} gw charon: 16[NET] <{conn}|{id}> received packet: from {peer}[500] to 192.0.2.1[500] (464 bytes)',
  '{ts} gw charon: 16[ENC] <{conn}|{id}> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]',
  '{ts} gw charon: 16[IKE] <{conn}|{id}> {peer} is initiating an IKE_SA',
  "{ts} gw charon: 06[CFG] <{id}> looking for peer configs matching 192.0.2.1[gw.example.org]...{peer}[{peerid}]",
  "{ts} gw charon: 06[CFG] <{conn}|{id}> selected peer config '{conn}'",
  "{ts} gw charon: 06[IKE] <{conn}|{id}> authentication of '{peerid}' with pre-shared key successful",
  '{ts} gw charon: 06[IKE] <{conn}|{id}> IKE_SA {conn}[{id}] established between 192.0.2.1[gw.example.org]...{peer}[{peerid}]',
  '{ts} gw charon: 06[IKE] <{conn}|{id}> CHILD_SA {conn}{{id}} established with SPIs {spi1}_i {spi2}_o and TS 10.1.0.0/24 === {inner}.0/24',
];
const FAIL = [
  "{ts} gw charon: 09[CFG] <{id}> looking for peer configs matching 192.0.2.1[gw.example.org]...{peer}[{peerid}]",
  "{ts} gw charon: 09[CFG] <{conn}|{id}> selected peer config '{conn}'",
  "{ts} gw charon: 09[IKE] <{conn}|{id}> tried 1 shared key for 'gw.example.org' - '{peerid}', but MAC mismatched",
  '{ts} gw charon: 09[ENC] <{conn}|{id}> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]',
];

async function manyPeersLog(path, mib) {
  const out = createWriteStream(path);
  const target = mib * 1024 * 1024;
  let bytes = 0;
  let sec = 0;
  for (let id = 1; bytes < target; id++) {
    const block = id % 10 === 3 ? FAIL : BLOCK;
    const vars = {
      conn: `branch-${id}`, id: String(id), peer: `198.${18 + ((id >> 16) & 1)}.${octets(id)}`, peerid: `peer${id}.branches.example.org`,
      spi1: hex8(0xc0000000 + id * 7), spi2: hex8(0x0d000000 + id * 13), inner: `10.${(id >> 8) & 255}.${id & 255}`,
    };
    let chunk = '';
    for (const line of block) {
      sec++;
      const ts = `Mar ${String(1 + (Math.floor(sec / 86400) % 28)).padStart(2)} ${pad(Math.floor(sec / 3600) % 24)}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}`;
      chunk += line.replace(/\{(\w+)\}/g, (m, k) => (k === 'ts' ? ts : (vars[k] ?? m))) + '\n';
    }
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

async function manyConnsConfig(path, mib) {
  const out = createWriteStream(path);
  const target = mib * 1024 * 1024;
  let bytes = 0;
  out.write('config setup\n    charondebug="ike 1"\n\n');
  for (let i = 1; bytes < target; i++) {
    const conn = `conn site${i}\n    keyexchange=ikev2\n    left=192.0.${octets(i)}\n    leftid=@gw${i}.corp.example.org\n    leftsubnet=10.${octets(i)}.0/24\n`
      + `    right=198.${18 + (i % 2)}.${octets(i)}\n    rightid=@peer${i}.branch.example.net\n    rightsubnet=172.${16 + ((i >> 16) & 15)}.${octets(i)}/32\n`
      + '    ike=aes256-sha256-modp2048!\n    esp=aes256gcm16!\n    auto=start\n\n';
    bytes += conn.length;
    if (!out.write(conn)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/** In a child process: the diagnosis, then --redact's own work on its report (redactReport and the JSON reporter), timed apart. */
async function child(flag, file) {
  const { diagnose } = await import(join(root, 'dist', 'src', 'run.js'));
  const { redactReport } = await import(join(root, 'dist', 'src', 'reporters', 'redact.js'));
  const { reporters } = await import(join(root, 'dist', 'src', 'reporters', 'index.js'));
  const opts = { logs: flag === '--log' ? [file] : [], pcaps: [], configs: flag === '--config' ? [file] : [], host: false, local: [], peer: [] };
  const t0 = performance.now();
  const report = await diagnose(opts);
  const t1 = performance.now();
  const redacted = redactReport(report);
  const json = reporters.json(redacted.report, { color: false });
  const t2 = performance.now();
  const tokens = Object.values(redacted.mapping).reduce((n, m) => n + Object.keys(m).length, 0);
  process.stdout.write(JSON.stringify({ diagnoseMs: t1 - t0, redactMs: t2 - t1, reportBytes: json.length, tokens }) + '\n');
}

/** The fastest of RUNS runs: the least disturbed by the rest of the machine. */
function best(flag, file) {
  let min;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', flag, file], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`child failed on ${file}: ${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!min || m.redactMs < min.redactMs) min = m;
  }
  return min;
}

/** One whole process, `ipsec-doctor FLAG FILE [--redact] --format json` (ms). */
function whole(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args, '--format', 'json'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`ipsec-doctor ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function series(kind, flag, sizes, make) {
  const rows = [];
  for (const mib of sizes) {
    const file = join(outDir, `redact-${kind}-${mib}MiB.${kind === 'log' ? 'log' : 'conf'}`);
    if (!existsSync(file) || statSync(file).size < mib * 1024 * 1024) await make(file, mib);
    const size = statSync(file).size / 1024 / 1024;
    const m = best(flag, file);
    rows.push({
      kind, MiB: +size.toFixed(2), reportMB: +(m.reportBytes / 1e6).toFixed(1), tokens: m.tokens,
      redactS: +(m.redactMs / 1000).toFixed(3), redactSPerMiB: +(m.redactMs / 1000 / size).toFixed(3),
      diagnoseS: +(m.diagnoseMs / 1000).toFixed(2), wholeProcessRedactS: +(whole([flag, file, '--redact']) / 1000).toFixed(2),
    });
  }
  return rows;
}

function doubling(rows, from, to) {
  const a = rows.find((r) => Math.abs(r.MiB - from) < 0.05);
  const b = rows.find((r) => Math.abs(r.MiB - to) < 0.05);
  if (!a || !b) return undefined;
  // normalised to one doubling of the input (5 → 10 MiB and 1 → 2 MiB are one each)
  const perDoubling = Math.pow(b.redactS / a.redactS, Math.log(2) / Math.log(b.MiB / a.MiB));
  return { from: a.MiB, to: b.MiB, timeRatio: +(b.redactS / a.redactS).toFixed(2), perDoubling: +perDoubling.toFixed(2), linear: perDoubling <= DOUBLING_LIMIT };
}

export async function benchRedact() {
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` (bench/run.mjs does)');
  const logs = await series('log', '--log', [1, 2, 5, 10], manyPeersLog);
  const configs = await series('config', '--config', [0.5, 1, 2], manyConnsConfig);
  return { runs: RUNS, logs, configs, doubling: { 'log 1→2 MiB': doubling(logs, 1, 2), 'log 5→10 MiB': doubling(logs, 5, 10), 'config 1→2 MiB': doubling(configs, 1, 2) } };
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchRedact();
  console.log(JSON.stringify(r, null, 2));
  for (const x of [...r.logs, ...r.configs]) {
    console.log(`${x.kind} ${x.MiB} MiB (report ${x.reportMB} MB, ${x.tokens} placeholders): --redact ${x.redactS} s = ${x.redactSPerMiB} s/MiB (whole process with --redact ${x.wholeProcessRedactS} s)`);
  }
  for (const [name, d] of Object.entries(r.doubling)) {
    if (d) console.log(`redact ${name}: time ×${d.timeRatio}, ×${d.perDoubling} per doubling (goal ≤ ${DOUBLING_LIMIT}): ${d.linear ? 'linear' : 'NOT LINEAR'}`);
  }
  if (!Object.values(r.doubling).every((d) => !d || d.linear)) process.exitCode = 1;
}
