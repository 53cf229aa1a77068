/**
 * Issue 15 §6: after `q` the shell's prompt starts on a new line. Under a real pty
 * (script): Ink leaves the cursor at the end of its last line, the key help; the view
 * ends the line before it exits, so what the shell prints next is not glued to it.
 */
import { describe, expect, it } from 'vitest';
import { hasScript, inPty, LOG, sleep, waitFor } from './pty-helpers.js';

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]/g, '');

describe.skipIf(!hasScript)('quitting the interactive view (script pty)', () => {
  it('q leaves the terminal on a fresh line', async () => {
    const run = inPty(['--log', LOG], { cols: 100, rows: 30 });
    await waitFor(run, /\d+ info(?! so far)[\s\S]*q quit/);
    await sleep(200);
    run.type('q');
    const done = await Promise.race([run.exited, sleep(20000).then(() => undefined)]);
    if (!done) process.kill(await run.pid, 'SIGKILL');
    expect(done?.code).toBe(1);
    const text = stripAnsi(run.output());
    const tail = text.slice(text.lastIndexOf('q quit') + 'q quit'.length);
    // nothing visible after the key help but the line's end
    expect(tail.replace(/[\r\n]/g, '')).toBe('');
    expect(tail).toMatch(/\n/);
  }, 60000);
});
