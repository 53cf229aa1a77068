import { Box, Text } from 'ink';
import type { Ladder, LadderView, LadderStep } from '../../evidence/derived/ladder/lane.js';
import { stepArrow, stepSuffix, stepTime } from '../../reporters/ladder-text.js';
import { formatLocation } from '../../reporters/text.js';
import { visibleWindow } from '../model.js';
import { fitParts, wrapText } from '../wrap.js';
import type { Theme } from '../theme.js';
import { counted } from '../../evidence/plural.js';

interface Props {
  ladder: LadderView | undefined;
  lane: number;
  /** the selected step (Enter shows it whole) */
  selected: number;
  /** steps of the finding the ladder was opened from, marked */
  marked?: ReadonlySet<number>;
  height: number;
  width: number;
  running: boolean;
  theme: Theme;
}

export function laneOf(ladder: LadderView | undefined, lane: number): Ladder | undefined {
  return ladder?.ladders[Math.min(lane, (ladder?.ladders.length ?? 1) - 1)];
}

/**
 * The ladder's legend: who is who and which way the arrows go. Parts that do not fit the
 * width are left out whole (the conversation's number first, then whose view), never cut
 * inside a word.
 */
export function ladderLegend(current: Ladder, lane: number, lanes: number, width: number): { head: string; rest: string } {
  const head = `${current.local} ⇄ ${current.remote}`;
  const perspective = current.perspective.replace(/^.*\//, '');
  const rest = fitParts(
    [
      { text: `──▶ sent by ${current.local}`, keep: 1 },
      { text: `${current.source === 'log' ? 'log' : 'capture'} ${perspective}`, keep: 3 },
      // that there are other conversations (and the keys to them) outlasts whose view this is
      ...(lanes > 1 ? [{ text: `${lane + 1}/${lanes} ←→`, keep: 2 }] : []),
    ],
    '; ',
    width - [...head].length - 3,
  );
  return { head, rest: rest ? ` (${rest})` : '' };
}

/** The IKE conversation as a ladder: who sent what, in order, retransmissions and errors where they happened. */
export function LadderPane({ ladder, lane, selected, marked, height, width, running, theme }: Props) {
  const current = laneOf(ladder, lane);
  if (!current) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.muted}>{running ? 'the ladder is drawn when the checks finish' : 'no IKE messages in the inputs to draw'}</Text>
      </Box>
    );
  }
  const espRows = current.esp.map((c) => `ESP ${c.spi} ${c.dir === 'out' ? `${current.local} → ${current.remote}` : `${current.remote} → ${current.local}`}: ${counted(c.packets, 'packet', 'packets')}${c.bytes !== undefined ? `, ${c.bytes} B` : ''}`);
  const stepRows = Math.max(1, height - 2 - Math.min(espRows.length, 4));
  const sel = Math.max(0, Math.min(selected, current.steps.length - 1));
  const { start, end } = visibleWindow(current.steps.length, sel, stepRows);
  const lanes = ladder!.ladders.length;
  const legend = ladderLegend(current, Math.min(lane, lanes - 1), lanes, width);
  const below = current.steps.length - end + current.omitted;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        {legend.head}
        <Text color={theme.muted}>{legend.rest}</Text>
      </Text>
      {current.steps.slice(start, end).map((s, i) => (
        <StepRow key={start + i} step={s} n={start + i + 1} selected={start + i === sel} marked={marked?.has(start + i) ?? false} theme={theme} showWhere={width >= 110} />
      ))}
      {below > 0 ? <Text color={theme.muted}>… {below} more (j/k to move{current.omitted ? `; ${current.omitted} not kept` : ''})</Text> : null}
      {espRows.slice(0, 4).map((r) => (
        <Text key={r} color={theme.accent} wrap="truncate-end">{r}</Text>
      ))}
    </Box>
  );
}

/** On narrow terminals the file:line goes (Enter shows it, and the whole line); the arrow and errors stay. */
function StepRow({ step, n, selected, marked, theme, showWhere }: { step: LadderStep; n: number; selected: boolean; marked: boolean; theme: Theme; showWhere: boolean }) {
  const bad = step.kind === 'failure' || Boolean(step.errors?.length);
  const color = bad ? theme.severity.error : step.kind === 'retransmit' ? theme.severity.warning : step.kind === 'milestone' ? theme.ok : undefined;
  return (
    <Text wrap="truncate-end">
      <Text inverse={selected}>{selected ? '›' : marked ? '•' : ' '}</Text>
      <Text color={theme.muted}>{String(n).padStart(3)} {stepTime(step).padStart(9)}</Text>
      <Text color={color} bold={bad}>{stepArrow(step)}{step.label}</Text>
      <Text color={bad ? theme.severity.error : theme.muted}>{stepSuffix(step)}</Text>
      {showWhere ? <Text color={theme.muted}> {formatLocation(step.at)}</Text> : null}
    </Text>
  );
}

/** One step in full: the whole label wrapped, who sent it to whom, errors, timing and where it is. */
export function stepDetailRows(lane: Ladder, index: number, width: number): string[] {
  const s = lane.steps[index];
  if (!s) return ['no step selected'];
  const w = Math.max(10, width);
  const rows: string[] = [];
  const who = s.dir === 'out' ? `${lane.local} → ${lane.remote}` : s.dir === 'in' ? `${lane.remote} → ${lane.local}` : `on ${lane.local}`;
  rows.push(`step ${index + 1} of ${lane.steps.length}${stepTime(s) ? ` at ${stepTime(s)}` : ''}${s.time ? ` (${s.time})` : ''}: ${who}`);
  rows.push('');
  rows.push(...wrapText(s.label, w));
  if (s.errors?.length) rows.push('', ...wrapText(`errors: ${s.errors.join(', ')}`, w));
  // the errors are said above: the rest of what the list row says after the label
  const suffix = stepSuffix({ ...s, errors: undefined }).trim().replace(/^\((.*)\)$/, '$1');
  if (suffix) rows.push('', ...wrapText(suffix, w));
  rows.push('', ...wrapText(`at ${formatLocation(s.at)}`, w));
  return rows;
}

export function StepDetail({ ladder, lane, step, height, width, scroll, theme }: { ladder: LadderView | undefined; lane: number; step: number; height: number; width: number; scroll: number; theme: Theme }) {
  const current = laneOf(ladder, lane);
  const rows = current ? stepDetailRows(current, step, width) : ['no conversation'];
  const start = Math.max(0, Math.min(scroll, rows.length - height));
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {rows.slice(start, start + height).map((r, i) => (
        <Text key={start + i} bold={start + i === 0} color={start + i === 0 ? theme.accent : undefined} wrap="truncate-end">
          {r || ' '}
        </Text>
      ))}
    </Box>
  );
}
