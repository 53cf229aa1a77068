/**
 * `--host`: read-only probes of this machine (the successor of libreswan's removed
 * `ipsec verify`). Every probe records the command it ran; a probe that cannot run
 * (command missing, not root) is recorded as skipped with the reason. Nothing is
 * changed on the box: only listing commands and file reads.
 */
import { coverageOf } from '../evidence/coverage.js';
import { existsSync } from 'node:fs';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { SaTable } from '../evidence/sa-table-types.js';
import { xfrmStateReader } from '../platforms/linux/xfrm-state.js';
import { readTable } from './sa-table-file.js';
import type { HostFacts, ProbeRecord, RouteFact } from '../evidence/host-types.js';
import type { Ruleset } from '../evidence/ruleset-types.js';
import { commandLine, type ProbeRunner } from './host/runner.js';
import { maskKeys, parseDefaultRoute, parsePs, parseRouteGet, parseSs, parseSysctl, parseXfrmPolicies, parseXfrmStates } from './host/parse.js';
import { decodeIptablesSave } from '../platforms/netfilter/iptables-save.js';
import { decodeNftJson } from '../platforms/netfilter/nft-json.js';

/** The sysctls that break IPsec gateways (strongSwan wiki "Forwarding", libreswan `ipsec verify`). */
const SYSCTL_PATTERN = '^net\\.ipv4\\.(ip_forward|ip_no_pmtu_disc|conf\\.[^.]+\\.(rp_filter|accept_redirects|send_redirects))$|^net\\.ipv6\\.conf\\.all\\.forwarding$';
export const CONFIG_PLACES = ['/etc/swanctl/swanctl.conf', '/etc/strongswan/swanctl/swanctl.conf', '/etc/ipsec.conf', '/etc/strongswan/ipsec.conf'];
export const LOG_PLACES = ['/var/log/charon.log', '/var/log/pluto.log'];
const MAX_JOURNAL_LINES = 2000;
const MAX_ROUTE_PROBES = 16;

export interface HostProbeResult {
  host: HostFacts;
  rulesets: Ruleset[];
  diagnostics: Diagnostic[];
  inputs: InputInfo[];
  /** config files and logs found in the usual places, for the existing loaders */
  configPaths: string[];
  logPaths: string[];
  /** `journalctl -u strongswan -u ipsec` output, when there is any */
  journal?: string;
  /** the kernel's SAs with their counters (`ip -s xfrm state`), as an SA table */
  tables: SaTable[];
}

export interface HostProbeOptions {
  /** where to look for configs and logs (tests point it elsewhere) */
  fileExists?: (path: string) => boolean;
}

export async function probeHost(runner: ProbeRunner, opts: HostProbeOptions = {}): Promise<HostProbeResult> {
  const probes: ProbeRecord[] = [];
  const host: HostFacts = { probes };
  const out: HostProbeResult = { host, rulesets: [], diagnostics: [], inputs: [], configPaths: [], logPaths: [], tables: [] };
  const exec = async (id: string, cmd: string, args: string[], needsRoot = false): Promise<string | undefined> => {
    const command = commandLine(cmd, args);
    if (needsRoot && !runner.root) {
      probes.push({ id, command, status: 'skipped', reason: 'needs root (CAP_NET_ADMIN): run ipsec-doctor --host with sudo' });
      return undefined;
    }
    const r = await runner.run(cmd, args);
    probes.push({ id, command, status: r.status, reason: r.reason });
    return r.status === 'ok' ? r.stdout : undefined;
  };

  const ps = await exec('processes', 'ps', ['-eo', 'pid=,comm=,args=']);
  if (ps !== undefined) host.daemons = parsePs(ps);
  const version = (await exec('version', 'swanctl', ['--version'])) ?? (await exec('version', 'ipsec', ['--version']));
  host.version = version?.split('\n').find((l) => /swan|pluto|charon/i.test(l))?.trim();

  const ss = await exec('sockets', 'ss', ['-uapnH']);
  if (ss !== undefined) host.sockets = parseSs(ss).filter((s) => s.port === 500 || s.port === 4500);

  // with -s: the same states plus their counters, which make them an SA table the traffic checks judge
  const xs = await exec('xfrm-state', 'ip', ['-s', 'xfrm', 'state'], true);
  if (xs !== undefined) {
    host.xfrmStates = parseXfrmStates(maskKeys(xs));
    if (xs.trim()) {
      const lines = xs.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const t = readTable(xfrmStateReader, lines, 'host: ip -s xfrm state');
      out.tables.push(t.table);
      out.diagnostics.push(...t.diagnostics);
    }
  }
  const xp = await exec('xfrm-policy', 'ip', ['xfrm', 'policy'], true);
  if (xp !== undefined) host.xfrmPolicies = parseXfrmPolicies(xp);

  const sysctl = await exec('sysctl', 'sysctl', ['-a', '-r', SYSCTL_PATTERN]);
  if (sysctl !== undefined) host.sysctls = parseSysctl(sysctl);

  // the live ruleset: nft JSON sees everything (iptables-nft rules too); legacy iptables needs its own dump
  host.rulesetSources = [];
  const nft = await exec('nft', 'nft', ['-j', 'list', 'ruleset'], true);
  if (nft !== undefined && nft.trim()) addRuleset(out, decodeNftJson(nft, 'host: nft -j list ruleset'), 'nft-json');
  if (nft === undefined || !nft.includes('"rule"')) {
    for (const [id, tool] of [['iptables-save', 'iptables-save'], ['ip6tables-save', 'ip6tables-save']] as const) {
      const text = await exec(id, tool, [], true);
      if (text !== undefined && /^-A /m.test(text)) addRuleset(out, decodeIptablesSave(text, `host: ${tool}`, tool === 'ip6tables-save'), tool);
    }
  }

  const exists = opts.fileExists ?? runner.fileExists?.bind(runner) ?? existsSync;
  for (const p of CONFIG_PLACES) if (exists(p)) out.configPaths.push(p);
  for (const p of LOG_PLACES) if (exists(p)) out.logPaths.push(p);
  probes.push({ id: 'files', command: `ls ${[...CONFIG_PLACES, ...LOG_PLACES].join(' ')}`, status: 'ok', excerpt: [...out.configPaths, ...out.logPaths].join('\n') || '(none found)' });
  const journal = await exec('journal', 'journalctl', ['-u', 'strongswan', '-u', 'strongswan-starter', '-u', 'ipsec', '--no-pager', '-o', 'short-iso', '-n', String(MAX_JOURNAL_LINES)]);
  if (journal && !/^-- No entries --\s*$/m.test(journal) && journal.split('\n').length > 2) out.journal = journal;
  const counted = probeCounters(probes);
  out.inputs.push({ kind: 'host', path: 'localhost', counters: counted, coverage: coverageOf('entry', counted.probes, counted.skipped) });
  return out;
}

/** The host input's counters: probes run, and those that did not (skipped or failed). */
export function probeCounters(probes: readonly ProbeRecord[]): { probes: number; skipped: number } {
  return { probes: probes.length, skipped: probes.filter((p) => p.status !== 'ok').length };
}

/**
 * `ip route get PEER` for the peers the run knows (configs, --peer): which interface
 * faces each one, so that a ruleset's `-i eth0` / `iifname "eth0"` rules can be
 * judged on the interface the peer's packets really use. No route is a fact too,
 * recorded as the kernel's answer (the probe itself ran).
 */
export async function probeRoutes(runner: ProbeRunner, peers: string[], probes: ProbeRecord[]): Promise<RouteFact[]> {
  const routes: RouteFact[] = [];
  for (const peer of peers.slice(0, MAX_ROUTE_PROBES)) {
    const args = ['route', 'get', peer];
    const command = commandLine('ip', args);
    const r = await runner.run('ip', args);
    if (r.status === 'ok') {
      const route = parseRouteGet(peer, r.stdout);
      routes.push(route);
      probes.push({ id: 'route', command, status: 'ok', excerpt: r.stdout.split('\n')[0]?.trim() });
    } else if (r.status === 'failed' && /unreachable|no route/i.test(r.reason ?? '')) {
      routes.push({ to: peer, error: r.reason });
      probes.push({ id: 'route', command, status: 'ok', excerpt: r.reason });
    } else {
      probes.push({ id: 'route', command, status: r.status, reason: r.reason });
    }
  }
  return routes;
}

/**
 * The default route's interface per family: with no peer address known, the peers of a gateway
 * reach it through its default route (the interface `%defaultroute` means in ipsec.conf).
 */
export async function probeDefaultRoutes(runner: ProbeRunner, probes: ProbeRecord[]): Promise<RouteFact[]> {
  const routes: RouteFact[] = [];
  for (const family of [4, 6] as const) {
    const args = [`-${family}`, 'route', 'show', 'default'];
    const r = await runner.run('ip', args);
    const route = r.status === 'ok' ? parseDefaultRoute(family, r.stdout) : undefined;
    if (route) routes.push(route);
    probes.push({ id: 'route', command: commandLine('ip', args), status: r.status, ...(r.status === 'ok' ? { excerpt: r.stdout.split('\n')[0]?.trim() || '(no default route)' } : { reason: r.reason }) });
  }
  return routes;
}

function addRuleset(out: HostProbeResult, r: { ruleset: Ruleset; diagnostics: Diagnostic[] }, dialect: string): void {
  out.rulesets.push(r.ruleset);
  out.diagnostics.push(...r.diagnostics);
  out.host.rulesetSources!.push(r.ruleset.source);
  out.inputs.push({ kind: 'ruleset', path: r.ruleset.source, dialect, unparsed: r.diagnostics.length, coverage: coverageOf('rule', r.ruleset.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0) + r.diagnostics.length, r.diagnostics.length) });
}
