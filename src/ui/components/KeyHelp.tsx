import { Text } from 'ink';
import type { Theme } from '../theme.js';

export type Screen = 'findings' | 'checks' | 'ladder' | 'detail' | 'check' | 'step';

const HELP: Record<Screen, string> = {
  findings: '↑↓/jk move · Enter open · Tab pane · l ladder · / filter · e export · q quit',
  checks: '↑↓/jk move · Enter open · Tab pane · l ladder · e export · q quit',
  ladder: '↑↓/jk move · Enter line · ←→ conversation · Esc back · Tab · q quit',
  detail: '↑↓/jk scroll · Esc/Enter back · l ladder · e export · q quit',
  check: '↑↓/jk scroll · Esc/Enter back · Tab pane · e export · q quit',
  step: '↑↓/jk scroll · Esc/Enter back · Tab pane · e export · q quit',
};

/** The same keys in fewer columns, for when a live capture's keys would push `q quit` off an 80-column line. */
const COMPACT: Record<Screen, string> = {
  findings: 'jk move · ⏎ open · l ladder · / filter · e export · q quit',
  checks: 'jk move · ⏎ open · Tab · l ladder · e export · q quit',
  ladder: 'jk move · ⏎ line · ←→ lane · Esc back · Tab · q quit',
  detail: 'jk scroll · Esc back · l ladder · e export · q quit',
  check: 'jk scroll · Esc back · Tab · e export · q quit',
  step: 'jk scroll · Esc back · Tab · e export · q quit',
};

export interface LiveKey {
  key: string;
  label: string;
  short: string;
}

/** The visible key-help line at the bottom of every screen; a live capture's keys come first. */
export function KeyHelp({ screen, liveKeys = [], width = Infinity, theme }: { screen: Screen; liveKeys?: LiveKey[]; width?: number; theme: Theme }) {
  const full = [...liveKeys.map((k) => `${k.key} ${k.label}`), HELP[screen]].join(' · ');
  const line = [...full].length <= width ? full : [...liveKeys.map((k) => `${k.key} ${k.short}`), COMPACT[screen]].join(' · ');
  return <Text color={theme.muted} wrap="truncate-end">{line}</Text>;
}
