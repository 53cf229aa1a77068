/**
 * Linux IPVS (LVS) virtual services as a director holds them, whichever way they were
 * printed or written: `ipvsadm -S -n` (the rules, as `ipvsadm -R` restores them),
 * `ipvsadm -L -n` (the kernel's table, also with `--timeout` and `-c`), and keepalived.conf
 * `virtual_server` blocks (keepalived programs IPVS from them).
 *
 * A director is a middle box in front of IPsec gateways: what matters is which real
 * server a client's UDP 500, UDP 4500, ESP and AH reach, and for how long. The readers
 * (src/platforms/lvs/) record what the input says, with the daemon's or tool's
 * documented default where a value is not written (marked `implicit`); whether any of it
 * breaks IPsec is a check's call (checks/lvs-director.ts).
 */
import type { Diagnostic, EvidenceRef } from './types.js';

export type IpvsFormat = 'ipvsadm-save' | 'ipvsadm-list' | 'keepalived-conf';

/** `-m` Masq (LVS-NAT), `-g` Route (direct routing), `-i` Tunnel (IP-in-IP, GUE, GRE), Local (a real server on the director itself). */
export type IpvsForwarding = 'masq' | 'route' | 'tunnel' | 'local';

export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/** A value with where it was read; `implicit` when not written and the documented default applies. */
export interface IpvsValue<T> {
  value: T;
  at: EvidenceRef;
  implicit?: boolean;
}

export interface IpvsRealServer {
  /** the address as printed (IPv4, IPv6 without brackets, or a host name when not run with -n) */
  address: string;
  /** 0 (or not written) = the port of the packet (ipvsadm(8) `-r`; kernel ip_vs_schedule `dest->port ? dest->port : vport`) */
  port?: number;
  forwarding: IpvsValue<IpvsForwarding>;
  weight?: number;
  /** `ipvsadm -L -n` counters, when printed */
  activeConns?: number;
  inactiveConns?: number;
  at: EvidenceRef;
}

export interface IpvsService {
  at: EvidenceRef;
  /** undefined for a firewall-mark service */
  protocol?: IpvsProtocol;
  /** virtual address as written; a keepalived group entry may be a range (`192.168.200.3-10`) */
  address?: string;
  /** 0 = every port (valid only with persistence, ipvsadm(8) `-t`) */
  port?: number;
  fwmark?: number;
  family: 4 | 6;
  scheduler?: IpvsValue<string>;
  /** seconds; undefined = not persistent */
  persistence?: IpvsValue<number>;
  /** `-M` / `persistence_granularity`, as written */
  netmask?: string;
  /** `-o` / `ops`: one-packet scheduling (UDP only) */
  onePacket?: EvidenceRef;
  realServers: IpvsRealServer[];
  /** keepalived: the virtual_server_group this service was expanded from (one IPVS service per group entry) */
  group?: string;
}

/** `ipvsadm --set tcp tcpfin udp`, `ipvsadm -L --timeout`, keepalived `lvs_timeouts`: seconds, undefined = not given (0 in `--set` keeps the current value). */
export interface IpvsTimeouts {
  tcp?: IpvsValue<number>;
  tcpFin?: IpvsValue<number>;
  udp?: IpvsValue<number>;
}

/** One line of `ipvsadm -L -n -c`: a connection entry (or a persistence template, client port 0). */
export interface IpvsConnection {
  /** as printed: TCP, UDP, SCTP, or IP for a firewall-mark template */
  protocol: string;
  expiresSeconds?: number;
  state: string;
  client: { address: string; port: number };
  virtual: { address: string; port: number };
  destination: { address: string; port: number };
  at: EvidenceRef;
}

export interface IpvsFacts {
  source: string;
  format: IpvsFormat;
  services: IpvsService[];
  timeouts?: IpvsTimeouts;
  connections?: IpvsConnection[];
  /** lines read */
  lines: number;
  /** lines the reader did not understand */
  unparsed: number;
}

export interface IpvsRead {
  facts: IpvsFacts;
  diagnostics: Diagnostic[];
}

/**
 * A reader for one IPVS format. `sniff` says how many of the first lines are unmistakably
 * this format's (0: not this format); `read` takes every line in order and never throws.
 */
export interface IpvsReader {
  format: IpvsFormat;
  /** human name for the inputs table: "ipvsadm -S -n" */
  name: string;
  sniff(lines: readonly string[]): number;
  read(lines: Iterable<string>, source: string): IpvsRead;
}
