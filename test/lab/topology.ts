/**
 * Three network namespaces joined by veth pairs:
 *
 *   left (initiator)            middle (router, nftables faults)          right (responder)
 *   eth0 192.0.2.10/24  ──────  ethl 192.0.2.1/24 | ethr 198.51.100.1/24  ──────  eth0 198.51.100.20/24
 *   lo   10.1.0.1 (inner)                                                          lo 10.2.0.1 (inner)
 *
 * Documentation ranges (RFC 5737) outside, 10.1/10.2 inside: none of it leaves
 * the namespaces.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { run } from './exec.js';

export const ADDR = {
  left: '192.0.2.10',
  middleLeft: '192.0.2.1',
  middleRight: '198.51.100.1',
  right: '198.51.100.20',
  leftInner: '10.1.0.1',
  rightInner: '10.2.0.1',
  leftSubnet: '10.1.0.0/24',
  rightSubnet: '10.2.0.0/24',
} as const;

export interface Namespaces {
  left: string;
  middle: string;
  right: string;
}

export function namespacesFor(prefix: string): Namespaces {
  return { left: `${prefix}l`, middle: `${prefix}m`, right: `${prefix}r` };
}

/** Creates the namespaces; every namespace that exists is recorded in `created` before anything can fail. */
export async function createTopology(prefix: string, created: string[], opts: { farLinkMtu?: number } = {}): Promise<Namespaces> {
  const ns = namespacesFor(prefix);
  for (const name of [ns.left, ns.middle, ns.right]) {
    await run(['ip', 'netns', 'add', name]);
    created.push(name);
    await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    // no IPv6: router solicitations and MLD reports would only add noise to the captures
    await run(['ip', 'netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  // veth ends are created in the host namespace under unique names and moved at once
  const link = async (a: string, aNs: string, aName: string, b: string, bNs: string, bName: string) => {
    await run(['ip', 'link', 'add', a, 'netns', aNs, 'type', 'veth', 'peer', 'name', b, 'netns', bNs]);
    await run(['ip', '-n', aNs, 'link', 'set', a, 'name', aName]);
    await run(['ip', '-n', bNs, 'link', 'set', b, 'name', bName]);
  };
  await link(`${prefix}lm`, ns.left, 'eth0', `${prefix}ml`, ns.middle, 'ethl');
  await link(`${prefix}rm`, ns.right, 'eth0', `${prefix}mr`, ns.middle, 'ethr');

  const ip = (name: string, ...args: string[]) => run(['ip', '-n', name, ...args]);
  await ip(ns.left, 'addr', 'add', `${ADDR.left}/24`, 'dev', 'eth0');
  await ip(ns.middle, 'addr', 'add', `${ADDR.middleLeft}/24`, 'dev', 'ethl');
  await ip(ns.middle, 'addr', 'add', `${ADDR.middleRight}/24`, 'dev', 'ethr');
  await ip(ns.right, 'addr', 'add', `${ADDR.right}/24`, 'dev', 'eth0');
  await ip(ns.left, 'addr', 'add', `${ADDR.leftInner}/32`, 'dev', 'lo');
  await ip(ns.right, 'addr', 'add', `${ADDR.rightInner}/32`, 'dev', 'lo');
  if (opts.farLinkMtu) {
    // both ends of the middle↔right link: the router must refuse to forward bigger DF packets
    await ip(ns.middle, 'link', 'set', 'ethr', 'mtu', String(opts.farLinkMtu));
    await ip(ns.right, 'link', 'set', 'eth0', 'mtu', String(opts.farLinkMtu));
  }
  for (const [name, dev] of [[ns.left, 'eth0'], [ns.middle, 'ethl'], [ns.middle, 'ethr'], [ns.right, 'eth0']]) await ip(name, 'link', 'set', dev, 'up');
  await ip(ns.left, 'route', 'add', 'default', 'via', ADDR.middleLeft);
  await ip(ns.right, 'route', 'add', 'default', 'via', ADDR.middleRight);
  await run(['ip', 'netns', 'exec', ns.middle, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  const reach = await run(['ip', 'netns', 'exec', ns.left, 'ping', '-c', '1', '-W', '2', ADDR.right], { check: false });
  if (reach.code !== 0) throw new Error(`lab topology: ${ADDR.left} cannot reach ${ADDR.right} through the middle box before any fault`);
  return ns;
}

/** Deletes exactly the namespaces this run created (their veths go with them). */
export async function destroyNamespaces(created: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const name of created.splice(0).reverse()) {
    if (!existsSync(`/run/netns/${name}`)) continue;
    const r = await run(['ip', 'netns', 'del', name], { check: false });
    if (r.code !== 0) problems.push(`ip netns del ${name}: ${r.stderr.trim()}`);
  }
  return problems;
}

/**
 * A lab run that was killed (SIGKILL, CI timeout) cannot clean up: remove the
 * namespaces and /etc/netns entries of lab runs whose process no longer exists.
 * Processes are left alone; only the run that started them may stop them.
 */
export async function removeStaleLabNamespaces(): Promise<string[]> {
  const listed = await run(['ip', 'netns', 'list'], { check: false });
  const stale: string[] = [];
  for (const line of listed.stdout.split('\n')) {
    const m = /^(ipsdl(\d+)-[lmr])\b/.exec(line);
    if (!m || Number(m[2]) === process.pid || pidAlive(Number(m[2]))) continue;
    stale.push(m[1]);
  }
  await destroyNamespaces([...stale]);
  for (const name of stale) await rm(`/etc/netns/${name}`, { recursive: true, force: true });
  return stale;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
