/**
 * The rulesets of the agreement lab, each loaded into the gateway namespace by the real
 * tool that makes it: iptables (nf_tables backend) commands, iptables-restore, nft -f,
 * Shorewall (compile, then the compiled script's start), ufw, firewalld and Docker. Their texts are in
 * rulesets/ and shorewall/, with the seed document each one comes from.
 */
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { run } from '../exec.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const RULESET_DIR = join(HERE, 'rulesets');
export const SHOREWALL_DIR = join(HERE, 'shorewall');
export const SHOREWALL_SAMPLE_CONF = '/usr/share/doc/shorewall/examples/two-interfaces/shorewall.conf';

export interface LoadContext {
  /** the gateway namespace */
  ns: string;
  /** a scratch directory of this run, removed afterwards */
  tmp: string;
}

export interface RulesetDef {
  id: string;
  title: string;
  /** where the rules come from and which tool made them */
  origin: string;
  /** the tools it needs (preflight), besides ip, nft, iptables */
  needs?: string[];
  load(ctx: LoadContext): Promise<void>;
}

const inNs = (ns: string, argv: string[], timeoutMs = 60_000) => run(['ip', 'netns', 'exec', ns, ...argv], { timeoutMs });

/** `.cmds` files: one command per line, run as written (words split on blanks; "double quotes" keep blanks). */
async function runCommandFile(ctx: LoadContext, file: string): Promise<void> {
  const text = await readFile(join(RULESET_DIR, file), 'utf8');
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const argv = [...t.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
    await inNs(ctx.ns, argv);
  }
}

const commands = (id: string, title: string, origin: string, file: string, needs?: string[]): RulesetDef => ({
  id, title, origin, needs, load: (ctx) => runCommandFile(ctx, file),
});
const restore = (id: string, title: string, origin: string, file: string): RulesetDef => ({
  id, title, origin, load: async (ctx) => void (await inNs(ctx.ns, ['iptables-restore', join(RULESET_DIR, file)])),
});
const nft = (id: string, title: string, origin: string, file: string): RulesetDef => ({
  id, title, origin, load: async (ctx) => void (await inNs(ctx.ns, ['nft', '-f', join(RULESET_DIR, file)])),
});

/**
 * Shorewall writes its state under /var/lib/shorewall: a private copy is bind-mounted
 * there inside `ip netns exec`'s own mount namespace (mounts do not propagate back).
 */
function shorewall(id: string, title: string, origin: string, variant: string, overrides: Record<string, string> = {}): RulesetDef {
  return {
    id, title, origin, needs: ['shorewall'],
    load: async (ctx) => {
      const dir = join(ctx.tmp, `shorewall-${variant}`);
      const vardir = join(ctx.tmp, `shorewall-${variant}-var`);
      await mkdir(dir, { recursive: true });
      await mkdir(vardir, { recursive: true });
      for (const f of await readdir(join(SHOREWALL_DIR, variant))) await cp(join(SHOREWALL_DIR, variant, f), join(dir, f));
      let conf = await readFile(SHOREWALL_SAMPLE_CONF, 'utf8');
      for (const [k, v] of Object.entries({ STARTUP_LOG: '', ...overrides })) {
        conf = new RegExp(`^${k}=`, 'm').test(conf) ? conf.replace(new RegExp(`^${k}=.*$`, 'm'), `${k}=${v}`) : `${conf}\n${k}=${v}\n`;
      }
      await writeFile(join(dir, 'shorewall.conf'), conf);
      const script = `mount --bind '${vardir}' /var/lib/shorewall && shorewall compile '${dir}' '${dir}/firewall' && '${dir}/firewall' start`;
      // a clean environment: the compiler copies the caller's variables into the script (npm's break its quoting)
      await inNs(ctx.ns, ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'sh', '-c', script]);
    },
  };
}

/** ufw keeps its rules and ENABLED flag in /etc/ufw and its defaults in /etc/default/ufw: `ip netns exec` bind-mounts /etc/netns/NS/* over them. */
const ufw: RulesetDef = {
  id: 'ufw',
  title: 'ufw: IKE/NAT-T, ESP, AH to the gateway, ESP routed to the LAN',
  origin: 'ufw 0.36 (Debian 12) commands in rulesets/ufw.cmds, `ufw enable` in the gateway namespace',
  needs: ['ufw'],
  load: async (ctx) => {
    const etc = `/etc/netns/${ctx.ns}`;
    await mkdir(etc, { recursive: true });
    await cp('/etc/ufw', join(etc, 'ufw'), { recursive: true });
    await cp('/etc/default', join(etc, 'default'), { recursive: true });
    await runCommandFile(ctx, 'ufw.cmds');
  },
};

/**
 * firewalld runs as a D-Bus service: inside `ip netns exec`'s own mount namespace a private
 * system bus (/run/dbus) and private /etc/firewalld and /run/firewalld are bind-mounted, the
 * daemon started, the `firewall-cmd` lines of the .cmds file run, and the daemon stopped with
 * CleanupOnExit=no (firewalld.conf(5)) so the ruleset it wrote stays in the namespace's kernel.
 */
function firewalld(id: string, title: string, file: string): RulesetDef {
  return {
    id, title, origin: `firewalld 1.3 (Debian 12, nftables backend), firewall-cmd lines in rulesets/${file}`, needs: ['firewalld', 'firewall-cmd', 'dbus-daemon'],
    load: async (ctx) => {
      const root = join(ctx.tmp, `firewalld-${id}`);
      for (const d of ['run-dbus', 'run-firewalld']) await mkdir(join(root, d), { recursive: true });
      await cp('/etc/firewalld', join(root, 'etc-firewalld'), { recursive: true });
      const confPath = join(root, 'etc-firewalld', 'firewalld.conf');
      const conf = (await readFile(confPath, 'utf8')).replace(/^CleanupOnExit=.*$/m, 'CleanupOnExit=no').replace(/^#?\s*FirewallBackend=.*$/m, 'FirewallBackend=nftables');
      await writeFile(confPath, conf);
      const cmds = (await readFile(join(RULESET_DIR, file), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      const script = [
        'set -e',
        `mount --bind '${root}/run-dbus' /run/dbus`,
        `mount --bind '${root}/etc-firewalld' /etc/firewalld`,
        'mkdir -p /run/firewalld',
        `mount --bind '${root}/run-firewalld' /run/firewalld`,
        `dbus-daemon --system --fork --print-pid > '${root}/dbus.pid'`,
        `firewalld --nofork --nopid --log-file '${root}/firewalld.log' & FW=$!`,
        // firewall-cmd --state answers once the daemon has loaded its zones
        'i=0; until firewall-cmd --state >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 150 ] || { echo "firewalld did not start" >&2; exit 1; }; sleep 0.2; done',
        ...cmds,
        'kill $FW; wait $FW || true',
        `kill $(cat '${root}/dbus.pid') || true`,
      ].join('\n');
      await inNs(ctx.ns, ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'sh', '-c', script], 120_000);
    },
  };
}

/** Docker Engine on the gateway (rulesets/docker.sh): the chains a stock dockerd writes at start. */
const docker: RulesetDef = {
  id: 'docker',
  title: 'Docker Engine started where forwarding was off: it turns it on with FORWARD policy DROP',
  origin: 'Docker Engine 20.10 (Debian 12 docker.io), dockerd started in the gateway namespace (rulesets/docker.sh)',
  needs: ['dockerd'],
  load: async (ctx) => {
    const dir = join(ctx.tmp, 'docker');
    await mkdir(dir, { recursive: true });
    await inNs(ctx.ns, ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'sh', join(RULESET_DIR, 'docker.sh'), dir], 120_000);
  },
};

export const RULESETS: RulesetDef[] = [
  commands('freeswan-simple', 'FreeS/WAN "A simple set of rules" (INPUT/OUTPUT policy DROP)', 'seed 002, verbatim `iptables -I` commands (iptables-nft)', 'freeswan-simple.cmds'),
  commands('freeswan-block', 'FreeS/WAN: Netfilter\'s block chain (NEW ! -i ppp0 -j ACCEPT)', 'seed 002, `iptables` commands (iptables-nft)', 'freeswan-block-original.cmds'),
  commands('freeswan-block-ppp+', 'FreeS/WAN: block chain modified for IPsec (NEW -i ppp+ / ipsec+ -j DROP)', 'seed 002, `iptables` commands (iptables-nft)', 'freeswan-block-modified.cmds'),
  restore('freeswan-known-gateways', 'FreeS/WAN: known gateways only, ICMP filtering', 'seed 002, iptables-restore (iptables-nft)', 'freeswan-known-gateways.rules'),
  restore('freeswan-through-gateway', 'FreeS/WAN: IPsec through the gateway (UDP 500, 50, 51)', 'seed 002, iptables-restore (iptables-nft)', 'freeswan-through-gateway.rules'),
  restore('shorewall-note-marks', 'Shorewall note: ESP marked 1 in mangle, marked packets accepted', 'seed 004\'s tcrules and start file as iptables rules, iptables-restore (iptables-nft)', 'shorewall-note-iptables.rules'),
  nft('nft-gateway', 'nft gateway: "ppp*" wildcards, marks, tcp flags, meta ipsec', 'seeds 002/004 in nft syntax, nft -f', 'nft-gateway.nft'),
  nft('nft-ipv4-peer', 'nft inet table accepting one IPv4 peer (issue 17 §2)', 'issue 17 §2, nft -f', 'nft-ipv4-peer.nft'),
  shorewall('shorewall-two-interfaces', 'Shorewall two-interface gateway (tcpflags), IPsec rules', 'Shorewall 5.2.8 two-interfaces sample + IPsec rules, shorewall compile + start', 'two-interfaces'),
  shorewall('shorewall-ipsec-zone', 'Shorewall two-interface gateway with an ipsec zone', 'Shorewall 5.2.8, zone `vpn ipsec` on ppp0, shorewall compile + start', 'ipsec-zone'),
  shorewall('shorewall-note', 'Shorewall with the note\'s mangle marks and start file', 'seed 004 in Shorewall 5 terms (mangle, TC_ENABLED=Internal), shorewall compile + start', 'note', { TC_ENABLED: 'Internal', MANGLE_ENABLED: 'Yes' }),
  ufw,
  firewalld('firewalld-ipsec', 'firewalld: zone public on ppp0 with the ipsec service, LAN eth0 trusted', 'firewalld-ipsec.cmds'),
  docker,
  firewalld('firewalld-public', 'firewalld: zone public on ppp0 as installed (no ipsec service), LAN eth0 trusted', 'firewalld-public.cmds'),
];

/** Whether a tool is installed (sbin directories included: CI's PATH may lack them). */
export function toolPath(tool: string): string | undefined {
  for (const d of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(d, tool))) return join(d, tool);
  return undefined;
}
