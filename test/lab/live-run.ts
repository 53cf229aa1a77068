/**
 * `ipsec-doctor --live` inside the left namespace during a scenario, started the way
 * a user would (the CLI through tsx) and stopped with Ctrl-C (SIGINT).
 */
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Background, sleep } from './exec.js';

export interface LiveRun {
  /** the JSON report `--live` wrote, when it wrote one */
  report?: { findings: { code: string; severity: string }[] };
  code: number | null;
  stderr: string;
}

export function startLive(ns: string, repoRoot: string, reportPath: string): Background {
  const argv = [process.execPath, '--import', 'tsx', join(repoRoot, 'src/cli.ts'), '--live', '-i', 'eth0', '--duration', '120', '-f', 'json', '-o', reportPath, '--no-color'];
  return new Background(['ip', 'netns', 'exec', ns, ...argv], { cwd: repoRoot });
}

export async function finishLive(live: Background, reportPath: string): Promise<LiveRun> {
  await sleep(1500); // like a user who lets the capture see the end of the exchange before Ctrl-C
  await live.stop('SIGINT', 15_000);
  return { code: live.child.exitCode, stderr: live.stderr.trim(), report: await readJson(reportPath) };
}

/** AF_PACKET sockets open in the namespace of `pid` (tcpdump has one; libpcap in --live opens another). */
export async function packetSockets(pid: number): Promise<number> {
  try {
    return (await readFile(`/proc/${pid}/net/packet`, 'utf8')).trim().split('\n').length - 1;
  } catch {
    return 0;
  }
}

/** tsx compiles the CLI first: wait until libpcap really listens, so it sees the first IKE_SA_INIT. */
export async function waitForNewPacketSocket(live: Background, nsPid: number, before: number): Promise<void> {
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
