/**
 * A secondary, proxy view of capture loss: the kernel's per-interface receive
 * counters. libpcap's own received/dropped counters (what pcap_stats() reports) come
 * from its socket's PACKET_STATISTICS (live/packet-stats.ts, through the optional
 * native/packet-stats addon); these stay beside them, and are all there is when the
 * addon is not built or libpcap's socket cannot be found.
 *
 * Read from /proc/net/dev rather than /sys/class/net/IFACE/statistics: /proc/net is
 * always the network namespace of the reading process (proc(5)), while /sys shows
 * the namespace of whoever mounted sysfs (`nsenter --net` does not remount it).
 * Its receive "drop" column is rx_dropped + rx_missed_errors
 * (net/core/net-procfs.c, dev_seq_printf_stats).
 *
 * Neither counter sees frames lost in libpcap's own packet-socket ring: flooding lo
 * in a namespace, 42,012 frames crossed it, libpcap handed over 16,065 and the
 * drop column stayed 0; in test/sources/packet-stats.test.ts 20,000 frames cross a
 * stalled capture's lo, PACKET_STATISTICS counts 39,936 drops, this column 0. The
 * receive packet count is still reported next to `received`: when the interface
 * carries mostly IPsec, a large gap is capture loss.
 */
import { readFileSync } from 'node:fs';

const PROC_NET_DEV = '/proc/net/dev';

export interface IfaceRx {
  /** frames the interface received (all traffic, before any capture filter) */
  packets: number;
  /** rx_dropped + rx_missed_errors */
  drops: number;
}

/** Receive packets and drops per interface name, from /proc/net/dev's text. */
export function parseProcNetDev(text: string): Map<string, IfaceRx> {
  const out = new Map<string, IfaceRx>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    // the two header lines carry '|' separators, not "name:"
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    // receive: bytes packets errs drop fifo frame compressed multicast
    if (name && fields.length >= 4 && Number.isFinite(fields[1]) && Number.isFinite(fields[3])) out.set(name, { packets: fields[1], drops: fields[3] });
  }
  return out;
}

/**
 * The receive counters of `iface` (the sum over every interface for libpcap's
 * pseudo-device `any`), or undefined when they cannot be read: no number is invented.
 */
export function readIfaceRx(iface: string, read: () => string = () => readFileSync(PROC_NET_DEV, 'utf8')): IfaceRx | undefined {
  let table: Map<string, IfaceRx>;
  try {
    table = parseProcNetDev(read());
  } catch {
    return undefined;
  }
  if (iface === 'any') return table.size ? [...table.values()].reduce((a, b) => ({ packets: a.packets + b.packets, drops: a.drops + b.drops })) : undefined;
  return table.get(iface);
}
