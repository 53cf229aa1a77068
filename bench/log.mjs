// Log benchmark (issue 2): MB/s of ipsec-doctor on a large generated strongSwan log,
// the ratio against `grep -c -E` with the same signatures on the same file, and peak memory.
// Usage: node bench/log.mjs [--mb 200]   (needs `npm run build` first; bench/run.mjs does it)
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'out');
const mbArg = process.argv.indexOf('--mb');
const targetMB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 200;

// Real charon message bodies (format strings from strongSwan's sources as catalogued in
// shared/reference/log-signatures.md), in syslog form, one IKEv2 negotiation per block.
// A share of the blocks fail in the ways the checks look for.
const OK_BLOCK = [
  '{ts} gw charon: 16[NET] <{conn}|{id}> received packet: from {peer}[500] to 192.0.2.1[500] (464 bytes)',
  '{ts} gw charon: 16[ENC] <{conn}|{id}> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
  '{ts} gw charon: 16[IKE] <{conn}|{id}> {peer} is initiating an IKE_SA',
  '{ts} gw charon: 16[CFG] <{conn}|{id}> selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048',
  '{ts} gw charon: 16[ENC] <{conn}|{id}> generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(CHDLESS_SUP) N(MULT_AUTH) ]',
  '{ts} gw charon: 16[NET] <{conn}|{id}> sending packet: from 192.0.2.1[500] to {peer}[500] (456 bytes)',
  '{ts} gw charon: 06[NET] <{conn}|{id}> received packet: from {peer}[500] to 192.0.2.1[500] (316 bytes)',
  '{ts} gw charon: 06[ENC] <{conn}|{id}> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]',
  "{ts} gw charon: 06[CFG] <{id}> looking for peer configs matching 192.0.2.1[gw.example.org]...{peer}[peer{id}.example.org]",
  "{ts} gw charon: 06[CFG] <{conn}|{id}> selected peer config '{conn}'",
  "{ts} gw charon: 06[IKE] <{conn}|{id}> authentication of 'peer{id}.example.org' with pre-shared key successful",
  "{ts} gw charon: 06[IKE] <{conn}|{id}> authentication of 'gw.example.org' (myself) with pre-shared key",
  '{ts} gw charon: 06[IKE] <{conn}|{id}> IKE_SA {conn}[{id}] established between 192.0.2.1[gw.example.org]...{peer}[peer{id}.example.org]',
  '{ts} gw charon: 06[IKE] <{conn}|{id}> scheduling rekeying in 13991s',
  '{ts} gw charon: 06[CFG] <{conn}|{id}> selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ',
  '{ts} gw charon: 06[IKE] <{conn}|{id}> CHILD_SA {conn}{{id}} established with SPIs c1a2b3c4_i c5d6e7f8_o and TS 10.1.0.0/24 === 10.2.{oct}.0/24',
  '{ts} gw charon: 06[ENC] <{conn}|{id}> generating IKE_AUTH response 1 [ IDr AUTH SA TSi TSr N(AUTH_LFT) N(MOBIKE_SUP) N(ADD_4_ADDR) ]',
  '{ts} gw charon: 06[NET] <{conn}|{id}> sending packet: from 192.0.2.1[4500] to {peer}[4500] (236 bytes)',
];
const PSK_FAIL_BLOCK = [
  '{ts} gw charon: 09[NET] <{conn}|{id}> received packet: from {peer}[4500] to 192.0.2.1[4500] (300 bytes)',
  '{ts} gw charon: 09[ENC] <{conn}|{id}> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]',
  "{ts} gw charon: 09[CFG] <{id}> looking for peer configs matching 192.0.2.1[gw.example.org]...{peer}[peer{id}.example.org]",
  "{ts} gw charon: 09[CFG] <{conn}|{id}> selected peer config '{conn}'",
  "{ts} gw charon: 09[IKE] <{conn}|{id}> tried 1 shared key for 'gw.example.org' - 'peer{id}.example.org', but MAC mismatched",
  '{ts} gw charon: 09[ENC] <{conn}|{id}> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]',
  '{ts} gw charon: 09[NET] <{conn}|{id}> sending packet: from 192.0.2.1[4500] to {peer}[4500] (76 bytes)',
];
const NO_RESPONSE_BLOCK = [
  '{ts} gw charon: 12[IKE] <{conn}|{id}> initiating IKE_SA {conn}[{id}] to {peer}',
  '{ts} gw charon: 12[ENC] <{conn}|{id}> generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
  '{ts} gw charon: 12[NET] <{conn}|{id}> sending packet: from 192.0.2.1[500] to {peer}[500] (464 bytes)',
  '{ts} gw charon: 13[IKE] <{conn}|{id}> retransmit 1 of request with message ID 0',
  '{ts} gw charon: 13[IKE] <{conn}|{id}> retransmit 2 of request with message ID 0',
  '{ts} gw charon: 13[IKE] <{conn}|{id}> giving up after 2 retransmits',
];
// Lines any busy gateway log is full of that say nothing about failures.
const NOISE = [
  '{ts} gw charon: 04[KNL] <{conn}|{id}> interface eth1 activated',
  '{ts} gw charon: 08[JOB] <{conn}|{id}> deleting half open IKE_SA with {peer} after timeout',
  '{ts} gw charon: 11[NET] <{conn}|{id}> received packet: from {peer}[4500] to 192.0.2.1[4500] (80 bytes)',
  '{ts} gw charon: 11[ENC] <{conn}|{id}> parsed INFORMATIONAL request 7 [ ]',
  '{ts} gw charon: 11[ENC] <{conn}|{id}> generating INFORMATIONAL response 7 [ ]',
  '{ts} gw charon: 11[NET] <{conn}|{id}> sending packet: from 192.0.2.1[4500] to {peer}[4500] (80 bytes)',
];

// The signatures grep gets: the same failure/success bodies the decoders look for.
export const GREP_SIGNATURES = [
  'MAC mismatched', 'no shared key found', 'no matching peer config found', 'does not match to',
  'NO_PROPOSAL_CHOSEN', 'no acceptable proposal found', 'received proposals', 'configured proposals', 'selected proposal',
  "didn't accept (DH group|key exchange method)", 'TS_UNACCEPTABLE', 'traffic selectors .* unacceptable',
  'retransmit [0-9]+ of request', 'giving up after [0-9]+ retransmits', 'peer not responding',
  'behind NAT', 'IKE_SA .* established between', 'CHILD_SA .* established with SPIs', 'AUTHENTICATION_FAILED',
  'authentication of .* (successful|failed)', 'initiating IKE_SA', 'is initiating an IKE_SA', 'generating [A-Z_]+ (request|response)',
  'parsed [A-Z_]+ (request|response)', 'sending packet', 'received packet', 'looking for peer configs matching',
  'DPD', 'liveness', 'unable to install', 'fragment',
];

function pad(n) { return String(n).padStart(2, '0'); }

export async function generateLog(path, mb) {
  const out = createWriteStream(path);
  const target = mb * 1024 * 1024;
  let bytes = 0, id = 0, sec = 0;
  const months = ['Jan', 'Feb', 'Mar'];
  while (bytes < target) {
    id++;
    const r = id % 20;
    const block = r === 7 ? PSK_FAIL_BLOCK : r === 13 ? NO_RESPONSE_BLOCK : OK_BLOCK;
    const conn = `site${id % 500}`;
    const peer = `198.51.100.${1 + (id % 250)}`;
    const lines = [...block, ...NOISE];
    let chunk = '';
    for (const l of lines) {
      sec++;
      const d = Math.floor(sec / 86400) % 28 + 1;
      const ts = `${months[Math.floor(sec / 2419200) % 3]} ${String(d).padStart(2)} ${pad(Math.floor(sec / 3600) % 24)}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}`;
      chunk += l.replaceAll('{ts}', ts).replaceAll('{conn}', conn).replaceAll('{id}', String(id)).replaceAll('{peer}', peer).replaceAll('{oct}', String(id % 250)) + '\n';
    }
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

function timeCmd(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) return { ms, error: r.error.message };
  return { ms, stdout: r.stdout, status: r.status };
}

export async function benchLogs() {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `strongswan-${targetMB}MB.log`);
  if (!existsSync(file) || statSync(file).size < targetMB * 1024 * 1024) {
    console.log(`generating ${file} (${targetMB} MB)…`);
    await generateLog(file, targetMB);
  }
  const size = statSync(file).size;
  const mb = size / 1024 / 1024;
  // warm the page cache so both tools read from memory
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
  const ours = timeCmd(process.execPath, [join(here, 'log-child.mjs'), file]);
  if (ours.status !== 0) throw new Error(`ipsec-doctor failed: ${ours.error ?? ours.stdout}`);
  const res = JSON.parse(ours.stdout.trim().split('\n').pop());
  const pattern = GREP_SIGNATURES.join('|');
  const grep = timeCmd('grep', ['-c', '-E', pattern, file]);
  const rows = {
    file, sizeMB: +mb.toFixed(1), lines: res.lines,
    ipsecDoctor: { seconds: +(ours.ms / 1000).toFixed(2), MBps: +(mb / (ours.ms / 1000)).toFixed(1), peakRssMB: +(res.maxRssKiB / 1024).toFixed(0), codes: res.codes },
    grep: grep.error ? { error: grep.error } : { seconds: +(grep.ms / 1000).toFixed(2), MBps: +(mb / (grep.ms / 1000)).toFixed(1), matches: Number(grep.stdout.trim()) },
  };
  rows.ratioVsGrep = grep.error ? null : +(ours.ms / grep.ms).toFixed(2);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLogs();
  console.log(JSON.stringify(r, null, 2));
  console.log(`logs: ${r.ipsecDoctor.MBps} MB/s, ${r.ratioVsGrep}x grep -c -E time (goal ≤ 3x), peak RSS ${r.ipsecDoctor.peakRssMB} MB (goal < 200 MB)`);
}
