/**
 * libpcap's own received/dropped counters for `--live`, without pcap_stats().
 *
 * cap 0.2.1 binds only open/close/send (node_modules/cap/src/binding.cc), never
 * pcap_stats(). On Linux pcap_stats() is nothing but the kernel's PACKET_STATISTICS
 * of libpcap's AF_PACKET socket (libpcap pcap-linux.c, pcap_stats_linux(): ps_recv +=
 * tp_packets, ps_drop += tp_drops), and that socket is a file descriptor of this
 * process. So: note the socket inodes in /proc/self/fd just before and just after
 * cap's open(); the new one that /proc/net/packet lists is libpcap's; read its
 * PACKET_STATISTICS with our own addon (native/packet-stats, getsockopt only).
 *
 * The kernel RESETS the counters on every read (net/packet/af_packet.c,
 * packet_getsockopt(): memset(&po->stats) and atomic_xchg(&po->tp_drops, 0)), so the
 * reads are summed here, exactly as pcap_stats_linux() keeps its running total. That
 * is only right if nobody else reads them: in libpcap (1.10.3, which cap links on
 * Debian 12, and master f26ae497 of 2026-08) the only getsockopt(PACKET_STATISTICS) is
 * in pcap_stats_linux(), reached only through pcap_stats(); nothing reads it on
 * TP_STATUS_LOSING (not referenced at all) or at close (pcap_cleanup_linux() undoes
 * monitor mode and unmaps the ring; no statistics). cap never calls pcap_stats(). A
 * libpcap built differently, or another library calling pcap_stats() on cap's pcap_t,
 * would take counts from us.
 *
 * What the kernel counts (and so what tcpdump prints as "received by filter" /
 * "dropped by kernel"): tp_packets = frames that passed the socket's BPF filter,
 * INCLUDING the dropped ones (packet_getsockopt adds tp_drops to it); tp_drops =
 * frames the socket's ring had no room for. Frames still in the ring when the capture
 * stops count as received but are never handed over. On a loopback device every
 * frame is seen twice, outgoing and incoming, and libpcap discards the outgoing copy
 * (pcap-linux.c linux_check_direction()), so there ps_recv is about twice the frames.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { requireNativeAddon } from './native-addon.js';
import { PCAP_STATS_UNAVAILABLE, PcapStatsUnavailable } from './pcap-stats-reasons.js';

export { PCAP_STATS_UNAVAILABLE, PCAP_STATS_UNAVAILABLE_SHORT, PcapStatsUnavailable } from './pcap-stats-reasons.js';

/** One PACKET_STATISTICS read: counts since the previous read (the kernel resets them). */
export interface PacketStatisticsRead {
  packets: number;
  drops: number;
  /** TPACKET_V3 sockets only (tpacket_stats_v3.tp_freeze_q_cnt) */
  freezeQueue?: number;
}

export interface PacketStatsAddon {
  packetStatistics(fd: number): PacketStatisticsRead;
}

/** `socket:[12345]` (readlink of /proc/PID/fd/N, proc(5)) → 12345. */
export function socketInode(linkTarget: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(linkTarget);
  return m ? Number(m[1]) : undefined;
}

/** fd → socket inode, from readlink of each /proc/self/fd entry; non-sockets and vanished fds are skipped. */
export function socketFds(entries: Iterable<[fd: string, linkTarget: string | undefined]>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [fd, target] of entries) {
    const inode = target === undefined ? undefined : socketInode(target);
    if (inode !== undefined && /^\d+$/.test(fd)) out.set(Number(fd), inode);
  }
  return out;
}

/**
 * Inodes of the packet sockets of this network namespace, from /proc/net/packet
 * (net/packet/af_packet.c, packet_seq_show(): "sk RefCnt Type Proto Iface R Rmem User
 * Inode"); the column is found by its header, not its position.
 */
export function parseProcNetPacket(text: string): Set<number> {
  const lines = text.split('\n').filter((l) => l.trim());
  const out = new Set<number>();
  if (!lines.length) return out;
  const col = lines[0].trim().split(/\s+/).indexOf('Inode');
  if (col < 0) return out;
  for (const line of lines.slice(1)) {
    const v = line.trim().split(/\s+/)[col];
    if (v !== undefined && /^\d+$/.test(v)) out.add(Number(v));
  }
  return out;
}

/**
 * The socket libpcap opened: the fd whose socket is new since `before` and is a
 * packet socket. Exactly one, or nothing: two new packet sockets cannot be told
 * apart, and a guess would read someone else's counters.
 */
export function findNewPacketSocket(before: Map<number, number>, after: Map<number, number>, packetInodes: Set<number>): { fd: number; inode: number } | undefined {
  const known = new Set(before.values());
  const found = [...after].filter(([, inode]) => !known.has(inode) && packetInodes.has(inode));
  return found.length === 1 ? { fd: found[0][0], inode: found[0][1] } : undefined;
}

/** The socket fds of this process right now; undefined when /proc is not readable. */
export function readSocketFds(dir = '/proc/self/fd'): Map<number, number> | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  return socketFds(names.map((fd): [string, string | undefined] => {
    try {
      return [fd, readlinkSync(join(dir, fd))];
    } catch {
      return [fd, undefined]; // readdir's own fd, already closed
    }
  }));
}

/** The socket inode behind one fd of this process (one readlink, cheap enough for every poll). */
export function fdSocketInode(fd: number): number | undefined {
  try {
    return socketInode(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return undefined;
  }
}

/** Running totals over reset-on-read PACKET_STATISTICS reads, as pcap_stats_linux() keeps them. */
export interface PacketStatsTotals {
  received: number;
  dropped: number;
  freezeQueue?: number;
  reads: number;
}

export function accumulate(totals: PacketStatsTotals, read: PacketStatisticsRead): PacketStatsTotals {
  const out: PacketStatsTotals = { received: totals.received + read.packets, dropped: totals.dropped + read.drops, reads: totals.reads + 1 };
  if (read.freezeQueue !== undefined || totals.freezeQueue !== undefined) out.freezeQueue = (totals.freezeQueue ?? 0) + (read.freezeQueue ?? 0);
  return out;
}

/** What live-capture.ts needs: poll at the update interval and before close; totals or why not. */
export interface PacketStatsReader {
  /** reads the kernel counters (which resets them) and adds them to the totals */
  poll(): void;
  totals(): PacketStatsTotals | undefined;
  /** set when the counters are not available; then totals() is undefined */
  unavailable(): { code: PcapStatsUnavailable; detail?: string } | undefined;
}

let addonCache: PacketStatsAddon | string | undefined;

/** The built addon, or why it cannot be loaded (never throws). */
export function loadPacketStatsAddon(): PacketStatsAddon | string {
  if (addonCache !== undefined) return addonCache;
  const r = requireNativeAddon('packet-stats', 'packet_stats.node');
  if ('missing' in r) return (addonCache = 'not built');
  if ('error' in r) return (addonCache = r.error);
  const mod = r.module as Partial<PacketStatsAddon>;
  addonCache = typeof mod.packetStatistics === 'function' ? (mod as PacketStatsAddon) : 'loaded without packetStatistics';
  return addonCache;
}

/**
 * Call before cap's open(); the returned function, right after it, finds libpcap's
 * socket and returns the reader. A capture whose counters cannot be read still
 * runs: the reader says why instead.
 */
export function watchPacketSocket(deps: {
  platform?: string;
  addon?: () => PacketStatsAddon | string;
  socketFds?: () => Map<number, number> | undefined;
  procNetPacket?: () => string;
} = {}): () => PacketStatsReader {
  const platform = deps.platform ?? process.platform;
  const fds = deps.socketFds ?? (() => readSocketFds());
  const before = platform === 'linux' ? fds() : undefined;
  return () => {
    if (platform !== 'linux') return unavailableReader(PcapStatsUnavailable.NotLinux);
    const addon = (deps.addon ?? loadPacketStatsAddon)();
    if (typeof addon === 'string') return unavailableReader(PcapStatsUnavailable.AddonNotBuilt, addon);
    const after = fds();
    let packetInodes: Set<number>;
    try {
      packetInodes = parseProcNetPacket((deps.procNetPacket ?? (() => readFileSync('/proc/net/packet', 'utf8')))());
    } catch (err) {
      return unavailableReader(PcapStatsUnavailable.SocketNotFound, `/proc/net/packet: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    const socket = before && after ? findNewPacketSocket(before, after, packetInodes) : undefined;
    if (!socket) return unavailableReader(PcapStatsUnavailable.SocketNotFound);
    return socketReader(addon, socket, deps.socketFds ? () => fds()?.get(socket.fd) : () => fdSocketInode(socket.fd));
  };
}

/** Reads one socket; stops (and says so) if the fd no longer is that socket or a read fails. */
export function socketReader(addon: PacketStatsAddon, socket: { fd: number; inode: number }, currentInode: () => number | undefined): PacketStatsReader {
  let totals: PacketStatsTotals | undefined = { received: 0, dropped: 0, reads: 0 };
  let failed: { code: PcapStatsUnavailable; detail?: string } | undefined;
  return {
    poll() {
      if (!totals) return;
      // the fd number may have been reused after cap closed the socket: never read another socket
      if (currentInode() !== socket.inode) {
        failed = { code: PcapStatsUnavailable.ReadFailed, detail: `fd ${socket.fd} is no longer libpcap's socket` };
        totals = undefined;
        return;
      }
      try {
        totals = accumulate(totals, addon.packetStatistics(socket.fd));
      } catch (err) {
        // partial totals would understate the loss: report none, and why
        failed = { code: PcapStatsUnavailable.ReadFailed, detail: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
        totals = undefined;
      }
    },
    totals: () => totals,
    unavailable: () => failed,
  };
}

function unavailableReader(code: PcapStatsUnavailable, detail?: string): PacketStatsReader {
  return { poll() {}, totals: () => undefined, unavailable: () => ({ code, detail }) };
}

/** The full reason, with the errno text or load error when there is one, for the report's diagnostic. */
export function describeUnavailable(u: { code: PcapStatsUnavailable; detail?: string }): string {
  const reason = PCAP_STATS_UNAVAILABLE[u.code] ?? 'unknown reason';
  return u.detail && u.detail !== 'not built' ? `${reason}: ${u.detail}` : reason;
}
