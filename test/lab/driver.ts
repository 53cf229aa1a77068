/**
 * Runs one lab scenario: builds the namespaces, starts two real charon daemons,
 * captures on the left peer and the middle box, injects the scenario's fault with
 * nftables, sends traffic, and collects logs, captures, configs and list-sas.
 * Everything it creates is removed in `finally`, even when a step fails.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Background, run, sleep, type CommandResult } from './exec.js';
import { CHARON } from './preflight.js';
import { ADDR, createTopology, destroyNamespaces, removeStaleLabNamespaces, type Namespaces } from './topology.js';
import { LAB_DAEMON, strongswanConf, swanctlConf, type PeerConfig } from './strongswan-config.js';
import { makeCredentials, type PeerCredentials } from './certs.js';
import type { Scenario, Side, TrafficStep } from './scenario-types.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAB_PSK = 'lab-only-psk-7Hq2xV9';

export interface PingResult extends TrafficStep {
  transmitted: number;
  received: number;
  afterFault: boolean;
}

export interface LiveRun {
  /** the JSON report `--live` wrote, when it wrote one */
  report?: { findings: { code: string; severity: string }[] };
  code: number | null;
  stderr: string;
}

export interface LabResult {
  scenario: string;
  /** directory holding every file below */
  dir: string;
  logs: { left: string; right: string };
  /** left: the left peer's outer interface; middle: the middle box towards the responder; leftInner: ipsec0 on the left peer (cleartext side of the tunnel) */
  pcaps: { left: string; middle: string; leftInner: string };
  configs: { left: string; right: string };
  listSas: { left: string; right: string };
  initiate: CommandResult;
  pings: PingResult[];
  live?: LiveRun;
  /** secrets that must never appear in a report */
  secrets: string[];
}

const BASE_PEERS: Record<Side, PeerConfig> = {
  left: {
    conn: 'lab',
    localAddr: ADDR.left,
    remoteAddrs: ADDR.right,
    localId: 'left.example',
    remoteId: 'right.example',
    auth: 'psk',
    proposals: 'aes256-sha256-modp2048',
    espProposals: 'aes256-sha256',
    localTs: ADDR.leftSubnet,
    remoteTs: ADDR.rightSubnet,
    // the initiator brings the tunnel back, the responder just clears (strongSwan's usual advice)
    dpdDelay: '30s',
    dpdAction: 'restart',
    psk: LAB_PSK,
  },
  right: {
    conn: 'lab',
    localAddr: ADDR.right,
    remoteAddrs: ADDR.left,
    localId: 'right.example',
    remoteId: 'left.example',
    auth: 'psk',
    proposals: 'aes256-sha256-modp2048',
    espProposals: 'aes256-sha256',
    localTs: ADDR.rightSubnet,
    remoteTs: ADDR.leftSubnet,
    dpdDelay: '30s',
    dpdAction: 'clear',
    psk: LAB_PSK,
  },
};

/** every pid the lab started, so a test can prove none survived */
export const startedPids: number[] = [];

let credentialCache: Promise<{ left: PeerCredentials; right: PeerCredentials }> | undefined;

export interface RunOptions {
  /** where the scenario's files end up (created); a temp dir when omitted */
  outDir?: string;
  log?: (line: string) => void;
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<LabResult> {
  const log = opts.log ?? (() => {});
  const work = await mkdtemp(join(tmpdir(), `ipsdl-${scenario.name}-`));
  const outDir = opts.outDir ?? work;
  await mkdir(outDir, { recursive: true });
  const prefix = `ipsdl${process.pid}-`;
  const createdNs: string[] = [];
  const createdEtc: string[] = [];
  const etcNetnsExisted = existsSync('/etc/netns');
  const children: Background[] = [];
  const peers = { left: peerConfig('left', scenario), right: peerConfig('right', scenario) };
  const secrets = [peers.left.psk, peers.right.psk].filter((s): s is string => !!s);
  const files = {
    logs: { left: join(outDir, 'left.log'), right: join(outDir, 'right.log') },
    pcaps: { left: join(outDir, 'left.pcap'), middle: join(outDir, 'middle.pcap'), leftInner: join(outDir, 'left-ipsec0.pcap') },
    configs: { left: join(outDir, 'left.swanctl.conf'), right: join(outDir, 'right.swanctl.conf') },
    listSas: { left: join(outDir, 'left.list-sas'), right: join(outDir, 'right.list-sas') },
  };
  const pings: PingResult[] = [];
  let initiate: CommandResult = { code: null, stdout: '', stderr: '' };
  let live: LiveRun | undefined;
  let liveProc: Background | undefined;
  const liveOut = join(work, 'live.json');
  const charons: Partial<Record<Side, Background>> = {};
  const captures: Background[] = [];

  try {
    const stale = await removeStaleLabNamespaces();
    if (stale.length) log(`removed namespaces left by killed lab runs: ${stale.join(', ')}`);
    log(`${scenario.name}: building namespaces ${prefix}{l,m,r}`);
    const ns = await createTopology(prefix, createdNs, { farLinkMtu: scenario.farLinkMtu });
    const creds = scenario.auth === 'cert' ? await (credentialCache ??= makeCredentials(join(tmpdir(), `ipsdl-creds-${process.pid}`), { left: peers.left.localId, right: peers.right.localId })) : undefined;
    for (const side of ['left', 'right'] as const) {
      const etc = `/etc/netns/${ns[side]}`;
      createdEtc.push(etc);
      await writePeerEtc(etc, peers[side], files.logs[side], creds?.[side]);
      await copyFile(join(etc, 'swanctl', 'swanctl.conf'), files.configs[side]);
    }
    if (scenario.faultBefore) await applyFault(ns, scenario.faultBefore, work, 'before');

    // --immediate-mode: with TPACKET_V3 libpcap otherwise holds packets in a ring block for up to
    // its timeout, and a SIGINT within that window loses them (short failures are over in < 1 s).
    // -U: each packet is written as it arrives; -Z root: tcpdump would otherwise drop to a user that cannot write here
    const capture = async (name: string, iface: string, file: string) => {
      const proc = new Background(['ip', 'netns', 'exec', name, 'tcpdump', '-i', iface, '-n', '-s', '0', '--immediate-mode', '-U', '-Z', 'root', '-w', file]);
      captures.push(proc);
      children.push(proc);
      startedPids.push(proc.pid);
      await proc.waitForOutput(/listening on/, 10_000);
    };
    await capture(ns.left, 'eth0', files.pcaps.left);
    await capture(ns.middle, 'ethr', files.pcaps.middle);

    for (const side of ['left', 'right'] as const) {
      // a private /run per daemon: its pid file and vici socket must not collide with the other peer's
      const charon = new Background(['ip', 'netns', 'exec', ns[side], 'sh', '-c', `mount -t tmpfs ipsdl-run /run && exec ${CHARON}`]);
      children.push(charon);
      startedPids.push(charon.pid);
      charons[side] = charon;
    }
    for (const side of ['left', 'right'] as const) {
      await waitForVici(charons[side]!);
      await swanctl(charons[side]!, ['--load-all', '--noprompt']);
      const peerSubnet = side === 'left' ? ADDR.rightSubnet : ADDR.leftSubnet;
      const src = side === 'left' ? ADDR.leftInner : ADDR.rightInner;
      // install_routes = no: kernel-libipsec's TUN device gets the remote subnet by hand
      await run(['ip', '-n', ns[side], 'route', 'add', peerSubnet, 'dev', 'ipsec0', 'src', src]);
    }
    // charon creates ipsec0 (kernel-libipsec's TUN device) at start-up: the tunnel's cleartext side
    await capture(ns.left, 'ipsec0', files.pcaps.leftInner);

    if (scenario.live) {
      const socketsBefore = await packetSockets(charons.left!.pid);
      liveProc = new Background(['ip', 'netns', 'exec', ns.left, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli.ts'), '--live', '-i', 'eth0', '--duration', '120', '-f', 'json', '-o', liveOut, '--no-color'], { cwd: REPO_ROOT });
      children.push(liveProc);
      startedPids.push(liveProc.pid);
      await waitForNewPacketSocket(liveProc, charons.left!.pid, socketsBefore);
    }

    log(`${scenario.name}: initiating`);
    initiate = await swanctl(charons.left!, ['--initiate', '--child', 'net', '--timeout', '30'], false);
    if (scenario.establishes !== (initiate.code === 0)) {
      throw new Error(`${scenario.name}: expected the initiation to ${scenario.establishes ? 'succeed' : 'fail'}, swanctl said (${initiate.code}): ${initiate.stdout.trim().split('\n').slice(-2).join(' | ')}`);
    }
    for (const step of scenario.traffic) pings.push({ ...step, ...(await ping(ns, step)), afterFault: false });
    if (scenario.faultAfter) {
      await applyFault(ns, scenario.faultAfter, work, 'after');
      for (const step of scenario.trafficAfterFault ?? []) pings.push({ ...step, ...(await ping(ns, step)), afterFault: true });
    }
    // the responder may still be writing its last log lines and answers when swanctl returns
    await sleep(scenario.settleMs ?? 500);
    for (const side of ['left', 'right'] as const) {
      const sas = await swanctl(charons[side]!, ['--list-sas', '--noblock'], false);
      await writeFile(files.listSas[side], sas.stdout);
    }
  } finally {
    const problems: string[] = [];
    if (liveProc) {
      await sleep(1500); // like a user who lets the capture see the end of the exchange before Ctrl-C
      await liveProc.stop('SIGINT', 15_000);
      live = { code: liveProc.child.exitCode, stderr: liveProc.stderr.trim(), report: await readJson(liveOut) };
    }
    for (const c of captures) await c.stop('SIGINT'); // tcpdump flushes and closes the file on SIGINT
    for (const side of ['left', 'right'] as const) await charons[side]?.stop('SIGTERM');
    for (const c of children) await c.stop('SIGKILL', 2000);
    problems.push(...(await destroyNamespaces(createdNs)));
    for (const etc of createdEtc) await rm(etc, { recursive: true, force: true });
    if (!etcNetnsExisted && existsSync('/etc/netns')) {
      // remove it only when empty: another user of this machine may have put a namespace there meanwhile
      if ((await readdir('/etc/netns')).length === 0) await rmdir('/etc/netns').catch(() => {});
    }
    if (outDir !== work) await rm(work, { recursive: true, force: true });
    if (problems.length) log(`cleanup problems: ${problems.join('; ')}`);
  }
  return { scenario: scenario.name, dir: outDir, ...files, initiate, pings, live, secrets };
}

/** Removes the CA and keys the cert scenarios made; call once at the end of a run. */
export async function removeCredentials(): Promise<void> {
  credentialCache = undefined;
  await rm(join(tmpdir(), `ipsdl-creds-${process.pid}`), { recursive: true, force: true });
}

function peerConfig(side: Side, scenario: Scenario): PeerConfig {
  const base = { ...BASE_PEERS[side] };
  if (scenario.auth === 'cert') {
    base.auth = 'pubkey';
    base.cert = `${side}.crt`;
    delete base.psk;
  }
  return { ...base, ...scenario[side] };
}

async function writePeerEtc(etc: string, peer: PeerConfig, logPath: string, creds?: PeerCredentials): Promise<void> {
  for (const sub of ['x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12', 'conf.d']) {
    await mkdir(join(etc, 'swanctl', sub), { recursive: true });
  }
  await writeFile(join(etc, 'strongswan.conf'), strongswanConf({ ...LAB_DAEMON, logPath }));
  await writeFile(join(etc, 'swanctl', 'swanctl.conf'), swanctlConf(peer));
  if (creds && peer.cert) {
    await copyFile(creds.caCert, join(etc, 'swanctl', 'x509ca', 'lab-ca.crt'));
    await copyFile(creds.cert, join(etc, 'swanctl', 'x509', peer.cert));
    await copyFile(creds.key, join(etc, 'swanctl', 'private', peer.cert.replace(/\.crt$/, '.key')));
  }
}

async function applyFault(ns: Namespaces, script: string, work: string, when: string): Promise<void> {
  const file = join(work, `fault-${when}.nft`);
  await writeFile(file, script);
  await run(['ip', 'netns', 'exec', ns.middle, 'nft', '-f', file]);
}

async function swanctl(charon: Background, args: string[], check = true): Promise<CommandResult> {
  return run(['nsenter', '-t', String(charon.pid), '-m', '-n', 'swanctl', ...args], { check, timeoutMs: 60_000 });
}

async function waitForVici(charon: Background): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!charon.running) throw new Error(`charon exited: ${charon.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const r = await swanctl(charon, ['--stats'], false);
    if (r.code === 0) return;
    if (Date.now() > deadline) throw new Error(`charon's vici socket did not answer: ${r.stderr.trim()}`);
    await sleep(200);
  }
}

async function ping(ns: Namespaces, step: TrafficStep): Promise<{ transmitted: number; received: number }> {
  const [src, dst] = step.from === 'left' ? [ADDR.leftInner, ADDR.rightInner] : [ADDR.rightInner, ADDR.leftInner];
  const argv = ['ip', 'netns', 'exec', ns[step.from], 'ping', '-n', '-q', '-c', String(step.count), '-i', '0.2', '-W', '1', '-s', String(step.size), '-I', src];
  if (step.df) argv.push('-M', 'do');
  const r = await run([...argv, dst], { check: false, timeoutMs: 30_000 });
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  if (!m) throw new Error(`ping printed no statistics: ${r.stdout.trim()} ${r.stderr.trim()}`);
  return { transmitted: Number(m[1]), received: Number(m[2]) };
}

/** AF_PACKET sockets open in the namespace of `pid` (tcpdump has one; libpcap in --live opens another). */
async function packetSockets(pid: number): Promise<number> {
  try {
    return (await readFile(`/proc/${pid}/net/packet`, 'utf8')).trim().split('\n').length - 1;
  } catch {
    return 0;
  }
}

/** tsx compiles the CLI first: wait until libpcap really listens, so it sees the first IKE_SA_INIT. */
async function waitForNewPacketSocket(live: Background, nsPid: number, before: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const netns = (pid: number) => readlink(`/proc/${pid}/ns/net`).catch(() => '');
  const target = await netns(nsPid);
  while (live.running && Date.now() < deadline) {
    // until `ip netns exec` has switched namespaces, /proc/<pid>/net shows the host's sockets
    if ((await netns(live.pid)) === target && (await packetSockets(live.pid)) > before) {
      await sleep(300); // the BPF filter is attached right after the socket opens
      return;
    }
    await sleep(100);
  }
}

async function readJson(path: string): Promise<LiveRun['report']> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LiveRun['report'];
  } catch {
    return undefined;
  }
}
