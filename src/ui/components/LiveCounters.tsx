import { Box, Text } from 'ink';
import type { LiveView } from '../model.js';
import type { Theme } from '../theme.js';
import { PCAP_STATS_UNAVAILABLE_SHORT } from '../../sources/live/pcap-stats-reasons.js';
import { dropWarningShort } from '../../sources/live/drop-warning.js';

interface Props {
  live: LiveView;
  width: number;
  theme: Theme;
}

/** What crossed the interface, in the order people watch it during an outage; any other counter is left to the report. */
const TRAFFIC: Array<[string, string]> = [
  ['received', 'received'],
  ['ike', 'IKE'],
  ['esp', 'ESP'],
  ['espInUdp', 'ESP-in-UDP'],
  ['natKeepalives', 'NAT-T keepalives'],
  ['icmpErrors', 'ICMP errors'],
];

/**
 * Two lines: the traffic, then what may be missing from it (and a third, a warning with
 * what helps, once libpcap drops frames). Each loss counter is
 * named for what it counts (src/sources/live-capture.ts LiveCounters): first
 * libpcap's own received/dropped (what pcap_stats() reports, read from its socket's
 * kernel PACKET_STATISTICS) or why they are missing, then the interface's kernel
 * counters, a proxy that does not see libpcap's loss.
 */
export function LiveCounters({ live, width, theme }: Props) {
  const c = live.counters;
  const traffic = TRAFFIC.filter(([k]) => c[k] !== undefined).map(([k, label]) => `${label} ${formatCount(c[k])}`);
  if (c.seconds !== undefined) traffic.unshift(`${formatCount(c.seconds)} s`);
  const loss: string[] = [];
  if (c.pcapReceived !== undefined) {
    loss.push(`libpcap: received ${formatCount(c.pcapReceived)}, dropped ${formatCount(c.pcapDropped ?? 0)}${c.pcapFreezeQueue ? `, queue frozen ${formatCount(c.pcapFreezeQueue)}` : ''}`);
  } else if (c.received !== undefined) {
    loss.push(`libpcap counters n/a (${PCAP_STATS_UNAVAILABLE_SHORT[c.pcapStatsUnavailable ?? 0] ?? 'not measured'})`);
  }
  // the native reader's own loss: its batch buffer was full (the analysis fell behind)
  if (c.readerDropped) loss.push(`reader dropped ${formatCount(c.readerDropped)}`);
  if (c.snaplenCut) loss.push(`cut by snaplen ${formatCount(c.snaplenCut)}`);
  if (c.notWritten !== undefined) loss.push(`written ${formatCount(c.written ?? 0)}${c.notWritten ? ` · NOT written ${formatCount(c.notWritten)}` : ''}`);
  if (c.ringKept !== undefined) loss.push(`in memory ${formatCount(c.ringKept)}/${formatCount(c.received ?? c.ringKept)}`);
  const kernel = [
    c.ifaceRxPackets !== undefined ? `rx ${formatCount(c.ifaceRxPackets)}` : '',
    c.ifaceRxDrops !== undefined ? `drops ${formatCount(c.ifaceRxDrops)}` : '',
  ].filter(Boolean);
  // the interface's own counters: every frame, before the capture filter; a proxy blind to
  // libpcap's ring, so last (a narrow terminal cuts it first)
  if (kernel.length) loss.push(`kernel ${live.iface}, all traffic: ${kernel.join(' ')}`);
  return (
    <Box width={width} flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.status.running}>● live {live.iface}</Text>
        <Text> {traffic.join(' · ')}</Text>
      </Text>
      <Text wrap="truncate-end" color={c.notWritten || c.pcapDropped || c.readerDropped || c.ifaceRxDrops ? theme.status.warning : theme.muted}>
        {'  '}{loss.join(' · ') || ' '}
      </Text>
      {c.pcapDropped || c.readerDropped ? (
        <Text wrap="truncate-end" color={theme.status.warning}>
          {'  '}{dropWarningShort()}
        </Text>
      ) : null}
    </Box>
  );
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
