/**
 * One charon per namespace: its /etc (strongswan.conf, swanctl.conf, credentials)
 * under /etc/netns/<ns>/, the daemon itself under a private /run, and swanctl
 * reaching its vici socket through the daemon's mount and network namespaces.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Background, run, sleep, type CommandResult } from './exec.js';
import { CHARON } from './preflight.js';
import { LAB_DAEMON, strongswanConf, swanctlConf, type PeerConfig } from './strongswan-config.js';
import type { PeerCredentials } from './certs.js';

/** swanctl warns about every credential folder it cannot open; create them all */
const SWANCTL_DIRS = ['x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12', 'conf.d'];

export async function writePeerEtc(etc: string, peer: PeerConfig, logPath: string, creds?: PeerCredentials): Promise<void> {
  for (const sub of SWANCTL_DIRS) {
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

/**
 * `ip netns exec` gives the daemon its own mount namespace with /etc/netns/<ns>/ bound
 * over /etc; a private tmpfs on /run keeps its pid file and vici socket apart from the
 * other peer's.
 */
export function startCharon(ns: string): Background {
  return new Background(['ip', 'netns', 'exec', ns, 'sh', '-c', `mount -t tmpfs ipsdl-run /run && exec ${CHARON}`]);
}

export async function swanctl(charon: Background, args: string[], check = true): Promise<CommandResult> {
  return run(['nsenter', '-t', String(charon.pid), '-m', '-n', 'swanctl', ...args], { check, timeoutMs: 60_000 });
}

export async function waitForVici(charon: Background): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!charon.running) throw new Error(`charon exited: ${charon.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const r = await swanctl(charon, ['--stats'], false);
    if (r.code === 0) return;
    if (Date.now() > deadline) throw new Error(`charon's vici socket did not answer: ${r.stderr.trim()}`);
    await sleep(200);
  }
}

