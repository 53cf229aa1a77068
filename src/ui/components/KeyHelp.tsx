import { Text } from 'ink';
import type { Theme } from '../theme.js';

export type Screen = 'findings' | 'checks' | 'ladder' | 'detail';

const HELP: Record<Screen, string> = {
  findings: '↑↓/jk move · Enter open · Tab pane · l ladder · / filter · e export · q quit',
  checks: '↑↓/jk move · Tab pane · l ladder · / filter · e export · q quit',
  ladder: '↑↓/jk scroll · ←→ conversation · Esc back · Tab pane · e export · q quit',
  detail: '↑↓/jk scroll · Esc/Enter back · l ladder · e export · q quit',
};

/** The visible key-help line at the bottom of every screen. */
export function KeyHelp({ screen, live = false, theme }: { screen: Screen; live?: boolean; theme: Theme }) {
  return <Text color={theme.muted} wrap="truncate-end">{live ? `s stop capture · ${HELP[screen]}` : HELP[screen]}</Text>;
}
