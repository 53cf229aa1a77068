import { Box, Text } from 'ink';
import type { LadderView, LadderStep } from '../../evidence/derived/ladder/lane.js';
import { stepArrow, stepSuffix, stepTime } from '../../reporters/ladder-text.js';
import { formatLocation } from '../../reporters/text.js';
import type { Theme } from '../theme.js';
import { counted } from '../../evidence/plural.js';

interface Props {
  ladder: LadderView | undefined;
  lane: number;
  scroll: number;
  height: number;
  width: number;
  running: boolean;
  theme: Theme;
}

/** The IKE conversation as a ladder: who sent what, in order, retransmissions and errors where they happened. */
export function LadderPane({ ladder, lane, scroll, height, width, running, theme }: Props) {
  const current = ladder?.ladders[Math.min(lane, (ladder?.ladders.length ?? 1) - 1)];
  if (!current) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.muted}>{running ? 'the ladder is drawn when the checks finish' : 'no IKE messages in the inputs to draw'}</Text>
      </Box>
    );
  }
  const espRows = current.esp.map((c) => `ESP ${c.spi} ${c.dir === 'out' ? `${current.local} → ${current.remote}` : `${current.remote} → ${current.local}`}: ${counted(c.packets, 'pkt', 'pkts')}${c.bytes !== undefined ? `, ${c.bytes} B` : ''}`);
  const stepRows = height - 2 - Math.min(espRows.length, 4);
  const start = Math.max(0, Math.min(scroll, current.steps.length - stepRows));
  const lanes = ladder!.ladders.length;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        {current.local} ⇄ {current.remote}
        <Text color={theme.muted}> ({current.perspective}{lanes > 1 ? `, ${lane + 1}/${lanes}` : ''}; ──▶ sent by {current.local})</Text>
      </Text>
      {current.steps.slice(start, start + stepRows).map((s, i) => (
        <StepRow key={start + i} step={s} n={start + i + 1} theme={theme} showWhere={width >= 110} />
      ))}
      {current.steps.length > start + stepRows || current.omitted ? (
        <Text color={theme.muted}>… {current.steps.length - start - stepRows + current.omitted > 0 ? current.steps.length - start - stepRows + current.omitted : current.omitted} more (j/k to scroll)</Text>
      ) : null}
      {espRows.slice(0, 4).map((r) => (
        <Text key={r} color={theme.accent} wrap="truncate-end">{r}</Text>
      ))}
    </Box>
  );
}

/** On narrow terminals the file:line goes (the detail pane of a finding has it); the arrow and errors stay. */
function StepRow({ step, n, theme, showWhere }: { step: LadderStep; n: number; theme: Theme; showWhere: boolean }) {
  const bad = step.kind === 'failure' || Boolean(step.errors?.length);
  const color = bad ? theme.severity.error : step.kind === 'retransmit' ? theme.severity.warning : step.kind === 'milestone' ? theme.ok : undefined;
  return (
    <Text wrap="truncate-end">
      <Text color={theme.muted}>{String(n).padStart(3)} {stepTime(step).padStart(9)}</Text>
      <Text color={color} bold={bad}>{stepArrow(step)}{step.label}</Text>
      <Text color={bad ? theme.severity.error : theme.muted}>{stepSuffix(step)}</Text>
      {showWhere ? <Text color={theme.muted}> {formatLocation(step.at)}</Text> : null}
    </Text>
  );
}
