/**
 * Every colour the UI uses, in one place. With colour off (NO_COLOR, --no-color,
 * a dumb terminal) every entry is undefined and the screen stays readable through
 * symbols (✖ ⚠ ℹ ✔), bold and the › selection marker.
 */
import type { Severity } from '../evidence/types.js';
import type { CheckStatus } from '../engine/types.js';

export interface Theme {
  color: boolean;
  severity: Record<Severity, string | undefined>;
  status: Record<DisplayStatus, string | undefined>;
  accent: string | undefined;
  muted: string | undefined;
  ok: string | undefined;
  selectedBg: string | undefined;
  border: string | undefined;
}

/** A check's state on screen: the engine's status, refined (a fail with only warnings shows as a warning). */
export type DisplayStatus = CheckStatus | 'warning' | 'pending' | 'running';

export const SEVERITY_SYMBOL: Record<Severity, string> = { error: '✖', warning: '⚠', info: 'ℹ' };
export const STATUS_SYMBOL: Record<DisplayStatus, string> = { pass: '✔', fail: '✖', warning: '⚠', info: 'ℹ', 'not-applicable': '–', error: '!', pending: '·', running: '…' };
export const STATUS_WORD: Record<DisplayStatus, string> = { pass: 'pass', fail: 'fail', warning: 'warn', info: 'info', 'not-applicable': 'n/a', error: 'error', pending: 'pending', running: 'running' };

export function makeTheme(color: boolean): Theme {
  const c = (name: string) => (color ? name : undefined);
  return {
    color,
    severity: { error: c('red'), warning: c('yellow'), info: c('cyan') },
    status: { pass: c('green'), fail: c('red'), warning: c('yellow'), info: c('cyan'), 'not-applicable': c('gray'), error: c('magenta'), pending: c('gray'), running: c('blue') },
    accent: c('blue'),
    muted: c('gray'),
    ok: c('green'),
    selectedBg: c('blue'),
    border: c('gray'),
  };
}
