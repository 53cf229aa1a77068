import { Box, Text } from 'ink';
import type { CheckRow } from '../model.js';
import { visibleWindow } from '../model.js';
import { STATUS_SYMBOL, STATUS_WORD, type Theme } from '../theme.js';

interface Props {
  rows: CheckRow[];
  selected: number;
  height: number;
  width: number;
  spinner: string;
  theme: Theme;
}

/** Every check with its state: a spinner on the one running, then pass / fail / warn / n/a. */
export function CheckList({ rows, selected, height, width, spinner, theme }: Props) {
  const { start, end } = visibleWindow(rows.length, selected, height);
  const idWidth = Math.min(24, Math.max(8, ...rows.map((r) => r.id.length)));
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {rows.slice(start, end).map((r, i) => {
        const index = start + i;
        const isSelected = index === selected;
        const symbol = r.status === 'running' ? spinner : STATUS_SYMBOL[r.status];
        const detail = r.error ? ` — ${r.error}` : r.codes.length ? ` ${r.codes.join(', ')}` : ` ${r.title}`;
        return (
          <Text key={r.id} wrap="truncate-end">
            <Text inverse={isSelected}>{isSelected ? '›' : ' '}</Text>
            <Text color={theme.status[r.status]} bold={r.status === 'fail'}> {symbol} {STATUS_WORD[r.status].padEnd(7)}</Text>
            <Text bold={isSelected}> {r.id.padEnd(idWidth)}</Text>
            <Text color={r.codes.length ? undefined : theme.muted}>{detail}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
