import { Box, Text } from 'ink';
import type { InputInfo } from '../../evidence/types.js';
import type { Theme } from '../theme.js';
import { counted } from '../../evidence/plural.js';
import { describeCoverage } from '../../reporters/coverage.js';

interface Props {
  tool: string;
  inputs: InputInfo[];
  /** what the run is doing while the inputs are not read yet (a live capture's state) */
  state?: string;
  width: number;
  theme: Theme;
}

/** One input in words: a live capture by its interface, a file by its path, with its size. */
export function describeInput(i: InputInfo): string {
  // how much of the input was used, worded as the text/Markdown/HTML headers word it (issue 15: every format says it)
  const used = describeCoverage(i);
  if (i.kind === 'live') return `live capture on ${i.path}${used ? `, ${used}` : i.packets !== undefined ? `, ${counted(i.packets, 'frame', 'frames')}` : ''}`;
  if (used) return `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}, ${used}`;
  return `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}${i.lines !== undefined ? ` ${counted(i.lines, 'line', 'lines')}` : ''}${i.packets !== undefined ? ` ${counted(i.packets, 'frame', 'frames')}` : ''}`;
}

/** Tool and inputs with their detected dialect or capture kind; before they are read, what the run is doing. */
export function Header({ tool, inputs, state, width, theme }: Props) {
  const described = inputs.length ? inputs.map(describeInput).join(' · ') : (state ?? 'reading inputs…');
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>{tool}</Text>
        <Text color={theme.muted}> {described}</Text>
      </Text>
    </Box>
  );
}
