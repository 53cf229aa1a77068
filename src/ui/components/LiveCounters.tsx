import { Box, Text } from 'ink';
import type { LiveView } from '../model.js';
import type { Theme } from '../theme.js';

interface Props {
  live: LiveView;
  width: number;
  theme: Theme;
}

/** The counters people watch during an outage, in a fixed order; any other counter follows. */
const ORDER: Array<[string, string]> = [
  ['received', 'frames'],
  ['ike', 'IKE'],
  ['esp', 'ESP'],
  ['espInUdp', 'ESP-in-UDP'],
  ['natKeepalives', 'NAT-T keepalives'],
  ['icmpErrors', 'ICMP errors'],
  ['drops', 'libpcap drops'],
  ['kernelDrops', 'kernel drops'],
  ['snaplenCut', 'cut by snaplen'],
  ['written', 'written'],
];

export function LiveCounters({ live, width, theme }: Props) {
  const shown = ORDER.filter(([k]) => live.counters[k] !== undefined).map(([k, label]) => `${label} ${formatCount(live.counters[k])}`);
  if (live.counters.seconds !== undefined) shown.unshift(`${formatCount(live.counters.seconds)} s`);
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text bold color={theme.status.running}>● live {live.iface}</Text>
        <Text> {shown.join(' · ')}</Text>
      </Text>
    </Box>
  );
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
