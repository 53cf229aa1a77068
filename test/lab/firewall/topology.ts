/**
 * The firewall agreement lab's three namespaces, named as the seed documents name the
 * interfaces: a gateway (`m`) with the LAN on eth0 and the Internet on ppp0 (FreeS/WAN
 * "and firewalls", the Shorewall native-stack note), a host behind it (`l`) and a peer
 * on the Internet (`r`):
 *
 *   l: eth0 192.0.2.10 / 2001:db8:1::10 ── m: eth0 192.0.2.1 / 2001:db8:1::1   (MTU 1280)
 *                                          m: ppp0 198.51.100.1 / 2001:db8:2::1 ── r: eth0 198.51.100.20 / 2001:db8:2::20
 *
 * Documentation prefixes only (RFC 5737, RFC 3849); nothing leaves the namespaces. The
 * LAN link is narrower so that the gateway itself sends "fragmentation needed" /
 * "packet too big" for a 1400-byte packet from the peer. Neighbours are static: a
 * ruleset that drops ICMPv6 must not turn every IPv6 probe into a neighbour-discovery
 * failure.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { run } from '../exec.js';

export const NS_PREFIX = 'ipd-fw';

export const ADDR = {
  4: { l: '192.0.2.10', mLan: '192.0.2.1', mWan: '198.51.100.1', r: '198.51.100.20' },
  6: { l: '2001:db8:1::10', mLan: '2001:db8:1::1', mWan: '2001:db8:2::1', r: '2001:db8:2::20' },
} as const;
export const LAN_IF = 'eth0';
export const WAN_IF = 'ppp0';
export const LAN_MTU = 1280;

export interface FwNamespaces {
  l: string;
  m: string;
  r: string;
}

/** One set of namespaces per ruleset: `ipd-fw<pid>-<n>-l|m|r`. Every name is pushed to `created` before it can fail. */
export async function createFwTopology(tag: string, created: string[]): Promise<FwNamespaces> {
  const ns: FwNamespaces = { l: `${NS_PREFIX}${tag}-l`, m: `${NS_PREFIX}${tag}-m`, r: `${NS_PREFIX}${tag}-r` };
  const sysctl = (name: string, ...kv: string[]) => run(['ip', 'netns', 'exec', name, 'sysctl', '-qw', ...kv]);
  for (const name of [ns.l, ns.m, ns.r]) {
    created.push(name);
    await run(['ip', 'netns', 'add', name]);
    await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    // no DAD (addresses usable at once), no router solicitations
    await sysctl(name, 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.router_solicitations=0');
  }
  const link = async (a: string, aNs: string, aName: string, b: string, bNs: string, bName: string) => {
    await run(['ip', 'link', 'add', a, 'netns', aNs, 'type', 'veth', 'peer', 'name', b, 'netns', bNs]);
    await run(['ip', '-n', aNs, 'link', 'set', a, 'name', aName]);
    await run(['ip', '-n', bNs, 'link', 'set', b, 'name', bName]);
  };
  // veth names are global while being created: unique per run and per ruleset
  const vtag = `ipdfw${tag.replace(/\D/g, '').slice(-7)}`;
  await link(`${vtag}a`, ns.l, 'eth0', `${vtag}b`, ns.m, LAN_IF);
  await link(`${vtag}c`, ns.r, 'eth0', `${vtag}d`, ns.m, WAN_IF);
  const ip = (name: string, ...args: string[]) => run(['ip', '-n', name, ...args]);
  for (const f of [4, 6] as const) {
    const a = ADDR[f];
    const len = f === 4 ? 24 : 64;
    await ip(ns.l, 'addr', 'add', `${a.l}/${len}`, 'dev', 'eth0');
    await ip(ns.m, 'addr', 'add', `${a.mLan}/${len}`, 'dev', LAN_IF);
    await ip(ns.m, 'addr', 'add', `${a.mWan}/${len}`, 'dev', WAN_IF);
    await ip(ns.r, 'addr', 'add', `${a.r}/${len}`, 'dev', 'eth0');
  }
  await ip(ns.l, 'link', 'set', 'eth0', 'mtu', String(LAN_MTU));
  await ip(ns.m, 'link', 'set', LAN_IF, 'mtu', String(LAN_MTU));
  for (const [name, dev] of [[ns.l, 'eth0'], [ns.m, LAN_IF], [ns.m, WAN_IF], [ns.r, 'eth0']] as const) await ip(name, 'link', 'set', dev, 'up');
  for (const f of [4, 6] as const) {
    const fam = f === 4 ? '-4' : '-6';
    await run(['ip', fam, '-n', ns.l, 'route', 'add', 'default', 'via', ADDR[f].mLan]);
    await run(['ip', fam, '-n', ns.r, 'route', 'add', 'default', 'via', ADDR[f].mWan]);
  }
  await sysctl(ns.m, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  const mac = async (name: string, dev: string) => /link\/ether (\S+)/.exec((await ip(name, 'link', 'show', dev)).stdout)?.[1] ?? '';
  const macs = { l: await mac(ns.l, 'eth0'), mLan: await mac(ns.m, LAN_IF), mWan: await mac(ns.m, WAN_IF), r: await mac(ns.r, 'eth0') };
  for (const f of [4, 6] as const) {
    const a = ADDR[f];
    const neigh = (name: string, addr: string, lladdr: string, dev: string) => ip(name, 'neigh', 'replace', addr, 'lladdr', lladdr, 'dev', dev, 'nud', 'permanent');
    await neigh(ns.l, a.mLan, macs.mLan, 'eth0');
    await neigh(ns.m, a.l, macs.l, LAN_IF);
    await neigh(ns.m, a.r, macs.r, WAN_IF);
    await neigh(ns.r, a.mWan, macs.mWan, 'eth0');
  }
  return ns;
}

/** Deletes exactly the namespaces this run created, and their /etc/netns entries (ufw's private /etc/ufw). */
export async function destroyFwNamespaces(created: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const name of created.splice(0).reverse()) {
    await rm(`/etc/netns/${name}`, { recursive: true, force: true });
    if (!existsSync(`/run/netns/${name}`)) continue;
    const r = await run(['ip', 'netns', 'del', name], { check: false });
    if (r.code !== 0) problems.push(`ip netns del ${name}: ${r.stderr.trim()}`);
  }
  return problems;
}

/** Namespaces and /etc/netns entries of earlier runs of this lab whose process is gone (killed by a timeout). */
export async function removeStaleFwNamespaces(): Promise<string[]> {
  const listed = await run(['ip', 'netns', 'list'], { check: false });
  const stale: string[] = [];
  for (const line of listed.stdout.split('\n')) {
    const m = new RegExp(`^(${NS_PREFIX}(\\d+)-\\d+-[lmr])\\b`).exec(line);
    if (!m || Number(m[2]) === process.pid || pidAlive(Number(m[2]))) continue;
    stale.push(m[1]);
  }
  await destroyFwNamespaces([...stale]);
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
