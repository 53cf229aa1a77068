import { Box, Text } from 'ink';
import type { Finding } from '../../engine/types.js';
import { findingTags, visibleWindow } from '../model.js';
import { SEVERITY_SYMBOL, type Theme } from '../theme.js';

interface Props {
  findings: Finding[];
  selected: number;
  height: number;
  width: number;
  running: boolean;
  filter: string;
  theme: Theme;
}

/** Findings, errors first; the selected one marked with › and inverse; findings of one code told apart by what differs (peer, direction, file). */
export function FindingList({ findings, selected, height, width, running, filter, theme }: Props) {
  if (!findings.length) {
    const why = filter ? `no finding matches “${filter}”` : running ? 'no findings yet' : 'no findings: every applicable check passed';
    return (
      <Box height={height} width={width}>
        <Text color={filter || running ? theme.muted : theme.ok}>{why}</Text>
      </Box>
    );
  }
  const { start, end } = visibleWindow(findings.length, selected, height);
  const codeWidth = Math.min(26, Math.max(...findings.map((f) => f.code.length)));
  const tags = findingTags(findings);
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {findings.slice(start, end).map((f, i) => {
        const index = start + i;
        const isSelected = index === selected;
        return (
          <Text key={`${index}-${f.code}`} wrap="truncate-end">
            <Text inverse={isSelected}>{isSelected ? '›' : ' '}</Text>
            <Text color={theme.severity[f.severity]} bold> {SEVERITY_SYMBOL[f.severity]} {f.severity.padEnd(7)}</Text>
            <Text bold={isSelected}> {f.code.padEnd(codeWidth)}</Text>
            {tags[index] ? <Text color={theme.accent}> [{tags[index]}]</Text> : null}
            <Text> {f.message}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
