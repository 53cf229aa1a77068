import { Box, Text } from 'ink';
import type { Theme } from '../theme.js';

/** One line of a detail pane (a finding's, a check's), already wrapped to the pane's width. */
export interface DetailRow {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

/** The rows from `scroll` on that fit the pane, or what to select when there is nothing to show. */
export function DetailPane({ rows, empty, height, width, scroll, theme }: { rows: DetailRow[] | undefined; empty: string; height: number; width: number; scroll: number; theme: Theme }) {
  if (!rows) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.muted}>{empty}</Text>
      </Box>
    );
  }
  const start = Math.max(0, Math.min(scroll, rows.length - height));
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {rows.slice(start, start + height).map((r, i) => (
        <Text key={start + i} color={r.color} bold={r.bold} wrap="truncate-end">
          {r.text || ' '}
        </Text>
      ))}
    </Box>
  );
}
