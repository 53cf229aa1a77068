import { Text } from 'ink';
import type { Finding } from '../../engine/types.js';
import type { Theme } from '../theme.js';
import { summaryCounts } from '../model.js';

interface Props {
  findings: Finding[];
  running: boolean;
  done: number;
  total: number;
  current?: string;
  spinner: string;
  applicable: number;
  theme: Theme;
}

/** The one-line answer, or the progress while checks run. */
export function Verdict({ findings, running, done, total, current, spinner, applicable, theme }: Props) {
  const c = summaryCounts(findings);
  const counts = `${c.errors} error${c.errors === 1 ? '' : 's'}, ${c.warnings} warning${c.warnings === 1 ? '' : 's'}, ${c.info} info`;
  if (running) {
    return (
      <Text wrap="truncate-end">
        <Text color={theme.status.running}>{spinner} running checks {done}/{total}{current ? `: ${current}` : ''}</Text>
        <Text color={theme.muted}> — {counts} so far</Text>
      </Text>
    );
  }
  const worst = c.errors ? 'error' : c.warnings ? 'warning' : undefined;
  if (!worst) {
    return <Text bold color={theme.ok} wrap="truncate-end">✔ no problems found by {applicable} applicable check{applicable === 1 ? '' : 's'} — {counts}</Text>;
  }
  const codes = [...new Set(findings.filter((f) => f.severity === worst).map((f) => f.code))].join(', ');
  return (
    <Text bold color={theme.severity[worst]} wrap="truncate-end">
      {worst === 'error' ? '✖' : '⚠'} {codes} — {counts}
    </Text>
  );
}
