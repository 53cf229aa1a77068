import { Box, Text } from 'ink';
import type { Theme } from '../theme.js';

/** One-line input shown at the bottom: the filter, or the export path. */
export function Prompt({ label, value, theme }: { label: string; value: string; theme: Theme }) {
  return (
    <Box>
      <Text bold color={theme.accent}>{label}</Text>
      <Text>{value}</Text>
      <Text inverse> </Text>
    </Box>
  );
}

/** The export format choice: the highlighted one is taken with Enter. */
export function FormatChoice({ formats, selected, theme }: { formats: string[]; selected: number; theme: Theme }) {
  return (
    <Box>
      <Text bold color={theme.accent}>export as: </Text>
      {formats.map((f, i) => (
        <Text key={f} inverse={i === selected} bold={i === selected}>
          {i === selected ? `[${f}]` : ` ${f} `}{' '}
        </Text>
      ))}
      <Text color={theme.muted}> ←→ choose · Enter · Esc cancel</Text>
    </Box>
  );
}
