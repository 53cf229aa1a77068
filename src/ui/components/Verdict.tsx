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
  /** a live capture still running: the verdict is the provisional one of the checks on the capture so far */
  soFar?: { iface: string; frames: number; ms: number };
}

/** The one-line answer, or the progress while checks run. */
export function Verdict({ findings, running, done, total, current, spinner, applicable, theme, soFar }: Props) {
  const c = summaryCounts(findings);
  const counts = `${c.errors} error${c.errors === 1 ? '' : 's'}, ${c.warnings} warning${c.warnings === 1 ? '' : 's'}, ${c.info} info`;
  if (soFar) {
    const worst = c.errors ? 'error' : c.warnings ? 'warning' : undefined;
    const codes = worst ? `${worst === 'error' ? '✖' : '⚠'} ${[...new Set(findings.filter((f) => f.severity === worst).map((f) => f.code))].join(', ')}` : '✔ no problem yet';
    return (
      <Text wrap="truncate-end">
        <Text color={theme.status.running}>{spinner} live — so far (frame {soFar.frames}): </Text>
        <Text bold color={worst ? theme.severity[worst] : theme.ok}>{codes}</Text>
        <Text color={theme.muted}> — {counts} · still capturing on {soFar.iface}; checks took {soFar.ms} ms</Text>
      </Text>
    );
  }
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
