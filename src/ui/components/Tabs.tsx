import { Text } from 'ink';
import type { Theme } from '../theme.js';
import type { Screen } from './KeyHelp.js';

interface Props {
  screen: Screen;
  counts: { findings: number; checks: string; ladder: number };
  filter: string;
  theme: Theme;
  /** says the panes show provisional results (a live capture so far) */
  note?: string;
}

const TABS: Array<['findings' | 'checks' | 'ladder', string]> = [['findings', 'Findings'], ['checks', 'Checks'], ['ladder', 'Ladder']];

/** Which pane has the keys; the active one in brackets so it reads without colour too. */
export function Tabs({ screen, counts, filter, theme, note }: Props) {
  const active = screen === 'detail' ? 'findings' : screen === 'check' ? 'checks' : screen === 'step' ? 'ladder' : screen;
  return (
    <Text wrap="truncate-end">
      {TABS.map(([id, label]) => {
        const on = id === active;
        const n = id === 'findings' ? ` (${counts.findings})` : id === 'checks' ? ` (${counts.checks})` : counts.ladder ? ` (${counts.ladder})` : '';
        return (
          <Text key={id} bold={on} color={on ? theme.accent : theme.muted}>
            {on ? `[${label}${n}]` : ` ${label}${n} `}{' '}
          </Text>
        );
      })}
      {note ? <Text color={theme.status.running}> {note}</Text> : null}
      {filter ? <Text color={theme.severity.warning}> filter: {filter}</Text> : null}
    </Text>
  );
}
