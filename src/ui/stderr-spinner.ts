/**
 * The progress line on stderr while a report is prepared for stdout or -o (no Ink).
 *
 * One line, redrawn in place with `\r` and "erase to end of line", its text cut to the
 * terminal's width so it never wraps: nothing is computed from the width that could
 * loop. ora counted the lines to clear as text width ÷ columns, which is Infinity on a
 * terminal 0 columns wide (some CI runners, serial consoles and containers give a 0×0
 * pty): it then wrote "cursor up, erase line" forever and, the event loop never idle
 * again, SIGINT and SIGTERM were never handled.
 *
 * No spinner at all where it cannot be drawn: not a terminal, CI, TERM=dumb (no cursor
 * control), or fewer than MIN_COLUMNS columns — and it stops drawing (clearing its line
 * once) when the terminal is resized below that, resuming when it grows back. The
 * cursor is left alone, so a process ended by a signal leaves nothing to restore. The
 * timer is unref'd: a spinner never keeps the process alive.
 */
import { visible } from '../reporters/visible.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const INTERVAL_MS = 80;
/** a frame, a space and a few characters of text */
export const MIN_COLUMNS = 8;

export interface SpinnerStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

/** Whether a spinner can be drawn on this stream in this environment. */
export function canSpin(stream: SpinnerStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!stream.isTTY || env.CI || env.TERM === 'dumb') return false;
  return (stream.columns ?? 0) >= MIN_COLUMNS;
}

/** Starts a spinner on `stream`, or returns undefined when none can be drawn there. */
export function startSpinner(stream: SpinnerStream, text: string, env: NodeJS.ProcessEnv = process.env): Spinner | undefined {
  if (!canSpin(stream, env)) return undefined;
  let frame = 0;
  let current = text;
  // something of ours is on the line and must be erased before anything else is written
  let drawn = false;
  let stopped = false;

  const clear = () => {
    if (!drawn) return;
    stream.write('\r\x1b[K');
    drawn = false;
  };
  const draw = () => {
    const columns = stream.columns ?? 0;
    if (columns < MIN_COLUMNS) {
      clear();
      return;
    }
    // one column spare: a line exactly as wide as the terminal wraps on some terminals
    const line = `${FRAMES[frame]} ${fit(visible(current), columns - 3)}`;
    stream.write(`\r${line}\x1b[K`);
    drawn = true;
  };
  const onResize = () => {
    if (!stopped) draw();
  };

  draw();
  const timer = setInterval(() => {
    frame = (frame + 1) % FRAMES.length;
    draw();
  }, INTERVAL_MS);
  timer.unref();
  stream.on('resize', onResize);

  return {
    update(next) {
      current = next;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.off('resize', onResize);
      clear();
    },
  };
}

/** `text` cut to `width` characters (code points, not UTF-16 units), with an ellipsis when cut. */
function fit(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  if (width <= 0) return '';
  if (chars.length <= width) return chars.join('');
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}
