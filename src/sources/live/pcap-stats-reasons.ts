/**
 * Why libpcap's own received/dropped counters (live/packet-stats.ts) can be missing.
 * A number travels with the other live counters (`pcapStatsUnavailable`, JSON-safe);
 * the UI and the reporters turn it into words from these tables. No I/O here, so
 * renderers can import it.
 */
export const PcapStatsUnavailable = { NotLinux: 1, AddonNotBuilt: 2, SocketNotFound: 3, ReadFailed: 4 } as const;
export type PcapStatsUnavailable = (typeof PcapStatsUnavailable)[keyof typeof PcapStatsUnavailable];

/** The full reasons, with what to do: the report's diagnostic. */
export const PCAP_STATS_UNAVAILABLE: Record<number, string> = {
  [PcapStatsUnavailable.NotLinux]: 'not Linux (PACKET_STATISTICS is Linux-only)',
  [PcapStatsUnavailable.AddonNotBuilt]: 'the native/packet-stats addon is not built (it needs g++, make and python3; then `node native/build.mjs` in a clone, `npm rebuild ipsec-doctor` when installed)',
  [PcapStatsUnavailable.SocketNotFound]: "libpcap's packet socket was not found in /proc/self/fd",
  [PcapStatsUnavailable.ReadFailed]: 'reading PACKET_STATISTICS failed',
};

/** The same reasons, short enough for the live view's counter line. */
export const PCAP_STATS_UNAVAILABLE_SHORT: Record<number, string> = {
  [PcapStatsUnavailable.NotLinux]: 'not Linux',
  [PcapStatsUnavailable.AddonNotBuilt]: 'addon not built',
  [PcapStatsUnavailable.SocketNotFound]: 'socket not found',
  [PcapStatsUnavailable.ReadFailed]: 'read failed',
};

