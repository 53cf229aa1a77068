/**
 * Runs one lab scenario: builds the namespaces, starts two real charon daemons,
 * captures on the left peer and the middle box, injects the scenario's fault with
 * nftables, sends traffic, and collects logs, captures, configs and list-sas.
 * Everything it creates is removed in `finally`, even when a step fails.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Background, run, sleep, type CommandResult } from './exec.js';
import { ADDR, createTopology, destroyNamespaces, removeStaleLabNamespaces, type Namespaces } from './topology.js';
import type { PeerConfig } from './strongswan-config.js';
import { makeCredentials, type PeerCredentials } from './certs.js';
import { startCharon, swanctl, waitForVici, writePeerEtc } from './peer-daemon.js';
import { finishLive, packetSockets, startLive, waitForNewPacketSocket, type LiveRun } from './live-run.js';
import { ping, type PingResult } from './traffic.js';
import type { Scenario, Side } from './scenario-types.js';
import { MIDDLE_BOX_FIREWALL } from './scenarios.js';
import { auditPeerHost, type HostAudit } from './host-audit.js';

export type { LiveRun, PingResult };

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAB_PSK = 'lab-only-psk-7Hq2xV9';

export interface LabResult {
  scenario: string;
  /** directory holding every file below */
  dir: string;
  logs: { left: string; right: string };
  /** left: the left peer's outer interface; middle: the middle box towards the responder; leftInner: ipsec0 on the left peer (cleartext side of the tunnel) */
  pcaps: { left: string; middle: string; leftInner: string };
  configs: { left: string; right: string };
  /** the middle box's ruleset at the end of the run (after the fault): `nft list ruleset` and `nft -j list ruleset` */
  rulesets: { middleNft: string; middleNftJson: string };
  listSas: { left: string; right: string };
  initiate: CommandResult;
  pings: PingResult[];
  live?: LiveRun;
  /** `--host` run inside the left peer's namespaces while both daemons ran (scenario.hostAudit) */
  host?: HostAudit;
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
  /** called once the traffic is done, while both daemons still run (hand checks: pause here) */
  whileUp?: (up: { ns: Namespaces; charonPids: Record<Side, number> }) => Promise<void>;
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
    rulesets: { middleNft: join(outDir, 'middle-ruleset.nft.conf'), middleNftJson: join(outDir, 'middle-ruleset.nft-json.conf') },
    listSas: { left: join(outDir, 'left.list-sas'), right: join(outDir, 'right.list-sas') },
  };
  const pings: PingResult[] = [];
  let initiate: CommandResult = { code: null, stdout: '', stderr: '' };
  let live: LiveRun | undefined;
  let host: HostAudit | undefined;
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
    await applyFault(ns, MIDDLE_BOX_FIREWALL, work, 'baseline');
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
      const charon = startCharon(ns[side]);
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
      liveProc = startLive(ns.left, REPO_ROOT, liveOut);
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
    if (scenario.hostAudit) {
      log(`${scenario.name}: --host in ${ns.left}`);
      host = await auditPeerHost(charons.left!.pid, files.configs.left);
    }
    await opts.whileUp?.({ ns, charonPids: { left: charons.left!.pid, right: charons.right!.pid } });
    // the responder may still be writing its last log lines and answers when swanctl returns
    await sleep(scenario.settleMs ?? 500);
    for (const side of ['left', 'right'] as const) {
      const sas = await swanctl(charons[side]!, ['--list-sas', '--noblock'], false);
      await writeFile(files.listSas[side], sas.stdout);
    }
    // what an admin of the middle box would hand over: its whole ruleset as the kernel holds it
    await writeFile(files.rulesets.middleNft, (await run(['ip', 'netns', 'exec', ns.middle, 'nft', 'list', 'ruleset'])).stdout);
    await writeFile(files.rulesets.middleNftJson, (await run(['ip', 'netns', 'exec', ns.middle, 'nft', '-j', 'list', 'ruleset'])).stdout);
  } finally {
    const problems: string[] = [];
    if (liveProc) live = await finishLive(liveProc, liveOut);
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
  return { scenario: scenario.name, dir: outDir, ...files, initiate, pings, live, host, secrets };
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

async function applyFault(ns: Namespaces, script: string, work: string, when: string): Promise<void> {
  const file = join(work, `fault-${when}.nft`);
  await writeFile(file, script);
  await run(['ip', 'netns', 'exec', ns.middle, 'nft', '-f', file]);
}

