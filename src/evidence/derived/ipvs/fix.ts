/**
 * The fixes in both languages a director is run with: ipvsadm(8) commands (the -S/-R
 * syntax) and keepalived.conf(5) keywords. Numbers come from the evidence (the VIP, the
 * real servers, the configs' IKE SA lifetime); only what the evidence lacks is a default.
 */
import type { IpvsForwarding, IpvsRealServer, IpvsService } from '../../ipvs-types.js';
import type { ConfigFacts } from '../../config-types.js';
import type { Director } from './paths.js';

const SWITCH: Record<IpvsForwarding, string> = { masq: '-m', route: '-g', tunnel: '-i', local: '-g' };
const KEEPALIVED: Record<IpvsForwarding, string> = { masq: 'NAT', route: 'DR', tunnel: 'TUN', local: 'DR' };
/** libreswan's default ikelifetime (8 h), the longest of the common defaults (strongSwan: 4 h rekey + 10 %) */
export const DEFAULT_PERSISTENCE_HINT = 28800;

/** Persistence to suggest: the longest IKE SA lifetime the configs give, else the default above. */
export function persistenceHint(configs: ConfigFacts[] = []): number {
  const lifetimes = configs.flatMap((c) => c.connections.map((k) => (k.ikeLifeTime && k.ikeLifeTime.value > 0 ? k.ikeLifeTime.value : k.ikeRekeyTime.value)));
  return Math.max(0, ...lifetimes) || DEFAULT_PERSISTENCE_HINT;
}

/** ipvsadm's own spelling of a service on the command line. */
export function serviceArg(s: IpvsService): string {
  if (s.fwmark !== undefined) return `-f ${s.fwmark}${s.family === 6 ? ' -6' : ''}`;
  const host = s.family === 6 ? `[${s.address}]` : s.address;
  return `${s.protocol === 'tcp' ? '-t' : s.protocol === 'sctp' ? '--sctp-service' : '-u'} ${host}:${s.port ?? 0}`;
}

/** A mark no service of the director uses yet. */
export function freeMark(d: Director): number {
  return Math.max(0, ...d.services.map((s) => s.fwmark ?? 0)) + 1;
}

/** One persistent firewall-mark service for UDP 500 and 4500 of the VIP: one template per client keeps both on one real server. */
export function fwmarkFix(vip: string | undefined, realServers: IpvsRealServer[], mark: number, persistence: number, scheduler = 'rr'): string {
  const dst = vip ?? 'VIP';
  const servers = uniqueServers(realServers);
  const fwd = servers[0]?.forwarding.value ?? 'route';
  return `\`iptables -t mangle -A PREROUTING -d ${dst} -p udp -m multiport --dports 500,4500 -j MARK --set-mark ${mark}\` (nft: \`${vip?.includes(':') ? 'ip6' : 'ip'} daddr ${dst} udp dport { 500, 4500 } meta mark set ${mark}\` in a prerouting chain), then \`ipvsadm -A -f ${mark} -s ${scheduler} -p ${persistence}\`${servers.map((r) => `, \`ipvsadm -a -f ${mark} -r ${hostOf(r)}:0 ${SWITCH[r.forwarding.value]} -w ${r.weight ?? 1}\``).join('')}, and delete the separate UDP services; keepalived: \`virtual_server fwmark ${mark} {\` with \`lvs_sched ${scheduler}\`, \`lvs_method ${KEEPALIVED[fwd]}\`, \`persistence_timeout ${persistence}\` and ${servers.map((r) => `\`real_server ${r.address} 0 { }\``).join(', ')} (one keyword a line). Without mangle rules, one persistent port-zero service does the same for every UDP port of the VIP: \`ipvsadm -A -u ${dst}:0 -s ${scheduler} -p ${persistence}\` (keepalived: \`virtual_server ${dst} 0 {\` … \`protocol UDP\`, \`persistence_timeout ${persistence}\`)`;
}

export function markFix(vip: string | undefined, port: number, mark: number): string {
  const dst = vip ?? 'VIP';
  return `\`iptables -t mangle -A PREROUTING -d ${dst} -p udp --dport ${port} -j MARK --set-mark ${mark}\` (nft: \`${vip?.includes(':') ? 'ip6' : 'ip'} daddr ${dst} udp dport ${port} meta mark set ${mark}\` in the prerouting chain)`;
}

export function persistenceFix(s: IpvsService, seconds: number): string {
  return `\`ipvsadm -E ${serviceArg(s)} -s ${s.scheduler?.value ?? 'rr'} -p ${seconds}\` (keepalived: \`persistence_timeout ${seconds}\` in the virtual_server)`;
}

/** `--set tcp tcpfin udp`: 0 keeps the current TCP values (ipvsadm(8)). */
export function udpTimeoutFix(seconds: number): string {
  return `\`ipvsadm --set 0 0 ${seconds}\` (keepalived: \`lvs_timeouts udp ${seconds}\` in global_defs)`;
}

/** `-E` takes the service's flags from its own command line: without -o, one-packet scheduling is off. */
export function onePacketFix(s: IpvsService): string {
  return `\`ipvsadm -E ${serviceArg(s)} -s ${s.scheduler?.value ?? 'rr'}${s.persistence ? ` -p ${s.persistence.value}` : ''}\` (keepalived: delete \`ops\` from the virtual_server)`;
}

export function realPortFix(s: IpvsService, rs: IpvsRealServer): string {
  return `\`ipvsadm -d ${serviceArg(s)} -r ${hostOf(rs)}:${rs.port}\` and \`ipvsadm -a ${serviceArg(s)} -r ${hostOf(rs)}:500 -m -w ${rs.weight ?? 1}\`, with the IKE daemon on port 500 (keepalived: \`real_server ${rs.address} 500\`)`;
}

export function directRoutingFix(s: IpvsService): string {
  return uniqueServers(s.realServers).map((r) => `\`ipvsadm -e ${serviceArg(s)} -r ${hostOf(r)}:${r.port ?? 0} -g\``).join(', ') + ' (keepalived: `lvs_method DR`; the real servers then hold the VIP on a non-ARPing interface)';
}

function uniqueServers(rs: IpvsRealServer[]): IpvsRealServer[] {
  const seen = new Set<string>();
  return rs.filter((r) => !seen.has(r.address) && seen.add(r.address));
}

function hostOf(r: IpvsRealServer): string {
  return r.address.includes(':') ? `[${r.address}]` : r.address;
}
