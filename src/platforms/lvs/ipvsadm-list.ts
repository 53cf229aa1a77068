/**
 * `ipvsadm -L -n` (and plain `ipvsadm`, `ipvsadm -l`): the kernel's virtual server table.
 * ipvsadm 1.31 (ipvsadm.c list_all, print_title, print_service_entry) prints
 *
 *   IP Virtual Server version 1.2.1 (size=4096)
 *   Prot LocalAddress:Port Scheduler Flags
 *     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
 *   UDP  192.0.2.1:500 rr persistent 300          ("%-4s %s", then " (flags)", " persistent N",
 *     -> 10.0.0.5:500                 Masq    1      0          0      " mask M", " pe NAME", " ops")
 *   FWM  1 rr                                     ("FWM  %d", "FWM  %d IPv6")
 *
 * Forward is Masq (-m), Route (-g), Tunnel (-i) or Local (a real server on the director
 * itself, set by the kernel, ipvsadm(8) `-m` note); `--tun-info` adds a TunnelInfo column.
 * Also read in the same input: `ipvsadm -L --timeout` ("Timeout (tcp tcpfin udp): 900 120
 * 300", list_timeout) and `ipvsadm -L -n -c` connection entries (print_conn: "pro expire
 * state source virtual destination"; a persistence template has client port 0, and a
 * firewall-mark template prints protocol IP with the mark as its virtual address).
 * `--stats`, `--rate`, `--thresholds` and `--persistent-conn` print no scheduler,
 * persistence or forwarding method: their services are not read, and a diagnostic says so.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { IpvsConnection, IpvsFacts, IpvsForwarding, IpvsProtocol, IpvsRead, IpvsReader, IpvsService } from '../../evidence/ipvs-types.js';
import { numberOr, parseAddrPort, refAt, valueAt } from './common.js';

const DECODER = 'ipvsadm-list';
const VERSION = /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)\s*$/;
const TITLE = /^Prot LocalAddress:Port\s+Scheduler Flags\s*$/;
const RS_TITLE = /^\s+-> RemoteAddress:Port\s+Forward\s+(TunnelInfo\s+)?Weight\s+ActiveConn\s+InActConn\s*$/;
/** the --stats / --rate / --thresholds / --persistent-conn titles */
const OTHER_TITLE = /^Prot LocalAddress:Port\s+(Conns|CPS|Uthreshold|Weight)\s/;
const SERVICE = /^(TCP|UDP|SCTP)\s+(\S+)\s+([A-Za-z][\w-]*)((?:\s+\S+)*)\s*$/;
const FWM = /^FWM\s+(\d+)(\s+IPv6)?\s+([A-Za-z][\w-]*)((?:\s+\S+)*)\s*$/;
const REAL = /^\s+->\s+(\S+)\s+(Masq|Route|Tunnel|Local)\s+(?:(\S+)\s+)?(-?\d+)\s+(\d+)\s+(\d+)\s*$/;
const TIMEOUT = /^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)\s*$/;
const CONN_TITLE = /^IPVS connection entries\s*$|^pro expire state\s+source\s+virtual\s+destination/;
const CONN = /^(TCP|UDP|SCTP|IP|\S{1,5})\s+(\d+):(\d\d)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+\S+)*\s*$/;
const DAEMON = /^(master|backup) sync daemon \(/;

const FORWARD: Record<string, IpvsForwarding> = { Masq: 'masq', Route: 'route', Tunnel: 'tunnel', Local: 'local' };
const PROTO: Record<string, IpvsProtocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

export function sniffIpvsadmList(lines: readonly string[]): number {
  return lines.filter((l) => VERSION.test(l) || TITLE.test(l) || RS_TITLE.test(l) || TIMEOUT.test(l) || /^IPVS connection entries\s*$/.test(l)).length;
}

export function readIpvsadmList(lines: Iterable<string>, source: string): IpvsRead {
  const services: IpvsService[] = [];
  const connections: IpvsConnection[] = [];
  const diagnostics: Diagnostic[] = [];
  const facts: IpvsFacts = { source, format: 'ipvsadm-list', services, lines: 0, unparsed: 0 };
  let current: IpvsService | undefined;
  let unreadListing = false;
  let inConnections = false;
  const unread = (line: number, message: string) => {
    facts.unparsed++;
    if (diagnostics.length < 50) diagnostics.push({ at: { source, line }, decoder: DECODER, message });
  };
  for (const text of lines) {
    const no = ++facts.lines;
    const at = refAt(source, no, text);
    if (/^\s*$/.test(text) || VERSION.test(text) || RS_TITLE.test(text) || DAEMON.test(text)) continue;
    if (TITLE.test(text)) {
      [unreadListing, inConnections, current] = [false, false, undefined];
      continue;
    }
    if (OTHER_TITLE.test(text)) {
      [unreadListing, inConnections, current] = [true, false, undefined];
      diagnostics.push({ at: { source, line: no }, decoder: DECODER, message: 'this listing (--stats, --rate, --thresholds or --persistent-conn) prints no scheduler, persistence or forwarding method, so its services were not read: pass `ipvsadm -L -n` or `ipvsadm -S -n`' });
      continue;
    }
    if (CONN_TITLE.test(text)) {
      [inConnections, current] = [true, undefined];
      continue;
    }
    const timeout = TIMEOUT.exec(text);
    if (timeout) {
      const [tcp, tcpFin, udp] = timeout.slice(1, 4).map(Number);
      facts.timeouts = { tcp: valueAt(tcp, at), tcpFin: valueAt(tcpFin, at), udp: valueAt(udp, at) };
      continue;
    }
    if (unreadListing) continue;
    if (inConnections) {
      const c = readConnection(text, at);
      if (c) connections.push(c);
      else unread(no, `not an IPVS connection entry: ${text.trim().slice(0, 80)}`);
      continue;
    }
    const svc = SERVICE.exec(text);
    const fwm = svc ? undefined : FWM.exec(text);
    if (svc) {
      const ap = parseAddrPort(svc[2]);
      if (!ap) {
        unread(no, `cannot read the service address '${svc[2]}'`);
        current = undefined;
        continue;
      }
      current = { at, protocol: PROTO[svc[1]], address: ap.address, ...(ap.port !== undefined ? { port: ap.port } : {}), family: ap.family, scheduler: valueAt(svc[3], at), realServers: [] };
      flags(current, svc[4], at);
      services.push(current);
    } else if (fwm) {
      current = { at, fwmark: Number(fwm[1]), family: fwm[2] ? 6 : 4, scheduler: valueAt(fwm[3], at), realServers: [] };
      flags(current, fwm[4], at);
      services.push(current);
    } else {
      const rs = REAL.exec(text);
      const ap = rs ? parseAddrPort(rs[1]) : undefined;
      if (!rs || !ap) unread(no, `not an ipvsadm -L line: ${text.trim().slice(0, 80)}`);
      else if (!current) unread(no, 'a real server line before any service line');
      else {
        current.realServers.push({
          address: ap.address, ...(ap.port !== undefined ? { port: ap.port } : {}), forwarding: valueAt(FORWARD[rs[2]], at),
          weight: Number(rs[4]), activeConns: Number(rs[5]), inactiveConns: Number(rs[6]), at,
        });
      }
    }
  }
  if (connections.length) facts.connections = connections;
  return { facts, diagnostics };
}

/** " persistent 300", " mask 255.255.255.0", " pe sip", " ops", " (flag-1,flag-2)" after the scheduler, in ipvsadm's order. */
function flags(s: IpvsService, rest: string, at: IpvsService['at']): void {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'persistent' && numberOr(words[i + 1]) !== undefined) s.persistence = valueAt(Number(words[++i]), at);
    else if (words[i] === 'mask' && words[i + 1]) s.netmask = words[++i];
    else if (words[i] === 'ops') s.onePacket = at;
  }
}

function readConnection(text: string, at: IpvsConnection['at']): IpvsConnection | undefined {
  const m = CONN.exec(text);
  if (!m) return undefined;
  const [client, virtual, destination] = [m[5], m[6], m[7]].map(parseAddrPort);
  if (!client || !virtual || !destination) return undefined;
  const end = (a: typeof client) => ({ address: a.address, port: a.port ?? 0 });
  return { protocol: m[1], expiresSeconds: Number(m[2]) * 60 + Number(m[3]), state: m[4], client: end(client), virtual: end(virtual), destination: end(destination), at };
}

export const ipvsadmListReader: IpvsReader = { format: 'ipvsadm-list', name: 'ipvsadm -L -n', sniff: sniffIpvsadmList, read: readIpvsadmList };
