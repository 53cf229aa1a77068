import { Box, Text } from 'ink';
import type { InputInfo } from '../../evidence/types.js';
import type { Theme } from '../theme.js';
import { counted } from '../../evidence/plural.js';

interface Props {
  tool: string;
  inputs: InputInfo[];
  width: number;
  theme: Theme;
}

/** Tool and inputs with their detected dialect or capture kind. */
export function Header({ tool, inputs, width, theme }: Props) {
  const described = inputs.length
    ? inputs.map((i) => `${i.kind} ${i.path}${i.dialect ? ` (${i.dialect})` : ''}${i.lines !== undefined ? ` ${counted(i.lines, 'line', 'lines')}` : ''}${i.packets !== undefined ? ` ${counted(i.packets, 'pkt', 'pkts')}` : ''}`).join(' · ')
    : 'reading inputs…';
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>{tool}</Text>
        <Text color={theme.muted}> {described}</Text>
      </Text>
    </Box>
  );
}
