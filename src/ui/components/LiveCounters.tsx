import { Box, Text } from 'ink';
import type { LiveView } from '../model.js';
import type { Theme } from '../theme.js';

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
 * Two lines: the traffic, then what may be missing from it. Each loss counter is
 * named for what it counts (src/sources/live-capture.ts LiveCounters): libpcap's
 * own drop counter is not available through the `cap` binding, and the line says so
 * rather than showing a number nobody measured.
 */
export function LiveCounters({ live, width, theme }: Props) {
  const c = live.counters;
  const traffic = TRAFFIC.filter(([k]) => c[k] !== undefined).map(([k, label]) => `${label} ${formatCount(c[k])}`);
  if (c.seconds !== undefined) traffic.unshift(`${formatCount(c.seconds)} s`);
  const loss: string[] = [];
  const kernel = [
    c.ifaceRxPackets !== undefined ? `rx ${formatCount(c.ifaceRxPackets)}` : '',
    c.ifaceRxDrops !== undefined ? `drops ${formatCount(c.ifaceRxDrops)}` : '',
  ].filter(Boolean);
  // the interface's own counters: every frame, before the capture filter
  if (kernel.length) loss.push(`kernel ${live.iface}, all traffic: ${kernel.join(' ')}`);
  if (c.received !== undefined) loss.push('libpcap drops n/a');
  if (c.snaplenCut) loss.push(`cut by snaplen ${formatCount(c.snaplenCut)}`);
  if (c.notWritten !== undefined) loss.push(`written ${formatCount(c.written ?? 0)}${c.notWritten ? ` · NOT written ${formatCount(c.notWritten)}` : ''}`);
  if (c.ringKept !== undefined) loss.push(`in memory ${formatCount(c.ringKept)}/${formatCount(c.received ?? c.ringKept)}`);
  return (
    <Box width={width} flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.status.running}>● live {live.iface}</Text>
        <Text> {traffic.join(' · ')}</Text>
      </Text>
      <Text wrap="truncate-end" color={c.notWritten || c.ifaceRxDrops ? theme.status.warning : theme.muted}>
        {'  '}{loss.join(' · ') || ' '}
      </Text>
    </Box>
  );
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
