/** Shared pieces of the IPVS readers: addresses with ports as ipvsadm prints them, located values. */
import type { EvidenceRef } from '../../evidence/types.js';
import type { IpvsForwarding, IpvsService, IpvsValue } from '../../evidence/ipvs-types.js';

/**
 * Without -n, ipvsadm prints service names from /etc/services (addrport_to_anyname in
 * ipvsadm.c uses getservbyport): the two IPsec ones are those of Debian's netbase
 * /etc/services ("isakmp 500/udp", "ipsec-nat-t 4500/udp").
 */
const PORT_NAMES: Record<string, number> = { isakmp: 500, 'ipsec-nat-t': 4500 };

export interface AddrPort {
  address: string;
  /** undefined when printed as a service name this reader does not know */
  port?: number;
  family: 4 | 6;
  /** the port as printed, when it was a name */
  portName?: string;
}

/**
 * `192.0.2.1:500`, `[2001:db8::1]:500` (ipvsadm brackets IPv6, addrport_to_anyname), a
 * bare address (ipvsadm(8) `-t`: "The Port may be omitted, in which case zero will be
 * used"), or a host name with a port or service name.
 */
export function parseAddrPort(text: string): AddrPort | undefined {
  let address: string;
  let port: string | undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::([^:]+))?$/.exec(text);
  if (v6) [address, port] = [v6[1], v6[2]];
  else if ((text.match(/:/g) ?? []).length > 1) address = text; // a bare IPv6 address
  else {
    const i = text.lastIndexOf(':');
    [address, port] = i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
  }
  if (!address || !/^[0-9A-Za-z.:_-]+$/.test(address)) return undefined;
  const family: 4 | 6 = address.includes(':') ? 6 : 4;
  if (port === undefined || port === '') return { address, port: 0, family };
  if (/^\d{1,5}$/.test(port) && Number(port) <= 65535) return { address, port: Number(port), family };
  if (!/^[A-Za-z][\w-]*$/.test(port)) return undefined;
  return { address, port: PORT_NAMES[port.toLowerCase()], family, portName: port };
}

export function refAt(source: string, line: number, text: string): EvidenceRef {
  return { source, line, excerpt: text.trim() };
}

export function valueAt<T>(value: T, at: EvidenceRef, implicit?: boolean): IpvsValue<T> {
  return implicit ? { value, at, implicit } : { value, at };
}

/** The forwarding switches of ipvsadm(8): -g gatewaying (the default), -i ipip, -m masquerading. */
export const FORWARD_SWITCH: Record<string, IpvsForwarding> = {
  '-g': 'route', '--gatewaying': 'route',
  '-i': 'tunnel', '--ipip': 'tunnel',
  '-m': 'masq', '--masquerading': 'masq',
};

/** One key per IPVS service: the kernel hashes by <protocol, addr, port> or by fwmark (ip_vs_ctl.c ip_vs_svc_hash), per family. */
export function serviceKey(s: Pick<IpvsService, 'protocol' | 'address' | 'port' | 'fwmark' | 'family'>): string {
  return s.fwmark !== undefined ? `fwm:${s.fwmark}:${s.family}` : `${s.protocol}:${s.address}:${s.port ?? 0}`;
}

export function numberOr(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}
