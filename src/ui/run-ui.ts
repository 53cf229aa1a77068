/**
 * Entry of the interactive UI, loaded by cli.ts with a dynamic import() only when
 * stdout is a TTY, not CI, and no --format/--output was asked: the
 * non-interactive path never loads Ink or React.
 *
 * Owns the render loop only: the analysis comes in through `run`, the writing of
 * exports through `onExport`; both are cli.ts's.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createElement } from 'react';
import { render, type Instance, type RenderOptions } from 'ink';
import type { InputInfo } from '../evidence/types.js';
import type { CheckResult } from '../engine/types.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build-report.js';
import { App } from './App.js';
import type { CheckInfo, InterimAnalysis, LiveView, UiSnapshot } from './model.js';
// cli.ts loads this module only for the view: what it needs from the model comes through here
export { needsInWords } from './model.js';
import { makeTheme } from './theme.js';
import { visibleDeep } from '../reporters/visible.js';
import { startSpinner } from './stderr-spinner.js';

export interface RunHooks {
  onResult(result: CheckResult): void;
  onInputs(inputs: InputInfo[]): void;
}

export interface InteractiveOptions {
  checks: CheckInfo[];
  color: boolean;
  formats: string[];
  /** runs the diagnosis, reporting progress through the hooks */
  run(hooks: RunHooks): Promise<Report>;
  /** what the screen and exports show (e.g. --redact, --min-severity); defaults to the report itself */
  present?(report: Report): Report;
  /** writes `report` in `format` to `path`; resolves to a status line */
  onExport(report: Report, format: string, path: string): Promise<string>;
  /** live capture: the interface and a subscription to its counters; returns an unsubscribe */
  live?: {
    iface: string;
    subscribe(push: (counters: Record<string, number>) => void): () => void;
    stop?(): void;
    /** writes the capture so far to `path` (key w); resolves to a status line */
    saveCapture?(path: string): Promise<string>;
    /** the checks on the capture so far (run.ts liveAnalyser); undefined when nothing changed since the last call */
    interim?(): Promise<Report | undefined>;
    /** pause between the end of one interim analysis and the start of the next (default INTERIM_MS) */
    interimMs?: number;
  };
  /** called once with what restores the terminal (raw mode, cursor) if the process must end now (a signal) */
  registerCleanup?(undo: () => void): void;
  /** the terminal; process.stdout/stdin/stderr unless given (tests drive fake ones) */
  io?: Pick<RenderOptions, 'stdout' | 'stdin' | 'stderr' | 'debug' | 'patchConsole'>;
  /** without a live capture: how long the analysis may run before the screen shows its progress (default MOUNT_GRACE_MS) */
  graceMs?: number;
}

/**
 * Files are usually analysed in well under a second, and every frame Ink draws costs
 * layout and output of the whole screen — the first one most (Ink's code runs cold:
 * 80–150 ms idle, several times that on a loaded 2-core machine): drawing "reading
 * inputs…", then each check as it finishes, made the first complete screen take up to
 * ten times `--format text`'s time. So meanwhile a one-line spinner on stderr says what
 * is being read (as without the view), and the screen appears with the finished report
 * when it is ready within this time, with the progress after it otherwise. A live
 * capture shows its screen at once (its state is the point).
 */
export const MOUNT_GRACE_MS = 1000;
/** While checks run, frames are drawn at most this often (the spinner's pace); the finished report at once. */
export const PROGRESS_FRAME_MS = 100;

/**
 * Interim analyses run one at a time, this long after the previous one ended: the
 * checks share the event loop with libpcap's callback, so they must not run back to back.
 */
export const INTERIM_MS = 3000;
/**
 * The checks run synchronously between two libpcap callbacks (the kernel buffer holds
 * the frames meanwhile): the pause after an analysis is at least this many times its
 * duration, so interim checks take at most a fifth of the time. Measured (bench/out
 * ipsec-1000000.pcap, 200k IKE messages kept): snapshot 2–3 ms, checks up to 2.2 s;
 * a 834-frame multi-gateway capture: snapshot 2 ms, checks 34 ms.
 */
const INTERIM_PAUSE_FACTOR = 4;

/** Renders until the user quits; resolves to the finished report (undefined if they quit before it finished). */
export async function runInteractive(o: InteractiveOptions): Promise<Report | undefined> {
  const theme = makeTheme(o.color);
  let snapshot: UiSnapshot = { checks: o.checks, results: [], inputs: [], live: o.live ? { iface: o.live.iface, counters: {} } : undefined };
  let shown: Report | undefined;
  let interimShown: Report | undefined;
  const element = () =>
    createElement(App, {
      snapshot,
      theme,
      formats: o.formats,
      exportTarget,
      onStopCapture: o.live?.stop,
      onWriteCapture: o.live?.saveCapture,
      onExport: (format: string, path: string) =>
        shown
          ? o.onExport(shown, format, path)
          : interimShown && !snapshot.results.length
            ? o.onExport(interimShown, format, path).then((line) => `${line} — provisional: the capture so far (frame ${snapshot.interim?.frames ?? 0}), still running`)
            : Promise.resolve('the report is not ready yet'),
    });
  // Ctrl-C goes to App: during a live capture the first one stops the capture (and still analyses), the second quits
  let instance: Instance | undefined;
  // set once the run failed or a signal ends the process: nothing is drawn any more
  let settled = false;
  let resolveExit!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExit = resolve));
  const mount = () => {
    if (instance || settled) return;
    clearTimeout(graceTimer);
    waiting?.stop();
    instance = render(element(), { exitOnCtrlC: false, ...o.io });
    instance.waitUntilExit().then(resolveExit, resolveExit);
  };
  o.registerCleanup?.(() => {
    settled = true;
    waiting?.stop();
    instance?.unmount();
  });
  // a live capture's state is the screen's point: shown at once; files get the grace period
  const graceTimer = o.live ? undefined : setTimeout(mount, o.graceMs ?? MOUNT_GRACE_MS);
  const waiting = o.live ? undefined : startSpinner(o.io?.stderr ?? process.stderr, 'reading inputs');
  if (o.live) mount();
  let frameTimer: NodeJS.Timeout | undefined;
  const draw = () => {
    frameTimer = undefined;
    instance?.rerender(element());
  };
  const update = (next: Partial<UiSnapshot>, now = false) => {
    // what the screen shows, never what exports write: control characters from the evidence are
    // shown as escapes (reporters/visible.ts), so a peer's identity cannot drive the terminal
    snapshot = { ...snapshot, ...visibleDeep(next) };
    if (!instance) return;
    if (now) {
      clearTimeout(frameTimer);
      draw();
    } else frameTimer ??= setTimeout(draw, PROGRESS_FRAME_MS);
  };
  const unsubscribe = o.live?.subscribe((counters) => update({ live: { iface: o.live!.iface, counters } satisfies LiveView }));
  const stopInterim = startInterim();
  const raw: CheckResult[] = [];
  // partial reports are built from the originals: presenting placeholders twice would shift them
  let rawInputs: InputInfo[] = [];
  let failure: unknown;
  const finished = o
    .run({
      onResult: (r) => {
        raw.push(r);
        waiting?.update(`checked ${r.check}`);
        // a partial report goes through the same presentation (--redact) so the screen never shows originals
        update({ results: o.present ? o.present(buildReport(rawInputs, raw, [])).results : [...raw] });
      },
      onInputs: (inputs) => {
        // the capture has ended: the final analysis takes over from the provisional one
        stopInterim();
        rawInputs = inputs;
        update({ inputs: o.present ? o.present(buildReport(inputs, [], [])).inputs : inputs });
      },
    })
    .then(
      (report) => {
        stopInterim();
        shown = o.present ? o.present(report) : report;
        update({ report: shown, inputs: shown.inputs, results: shown.results, interim: undefined }, true);
        // the finished report is the complete first screen when it came within the grace period
        mount();
        return report;
      },
      (err: unknown) => {
        stopInterim();
        failure = err;
        clearTimeout(graceTimer);
        waiting?.stop();
        settled = true;
        if (instance) instance.unmount();
        else resolveExit();
        return undefined;
      },
    );
  await exited;
  clearTimeout(frameTimer);
  // Ink leaves the cursor at the end of its last line (the key help): the shell's prompt goes on the next one
  if (instance) (o.io?.stdout ?? process.stdout).write('\n');
  stopInterim();
  unsubscribe?.();
  // quitting during a live capture ends the capture too (libpcap would keep the process alive)
  if (!shown) o.live?.stop?.();
  if (failure) throw failure;
  // quitting while checks run leaves the analysis to finish in the background; do not wait for it
  return shown ? finished : undefined;

  /** Re-runs the checks on the capture so far until the capture ends; returns the stop function. */
  function startInterim(): () => void {
    const analyse = o.live?.interim;
    if (!analyse) return () => {};
    let active = true;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      const started = performance.now();
      let report: Report | undefined;
      try {
        report = await analyse();
      } catch (err) {
        // a failed interim analysis must not end the capture: say why on screen, stop re-analysing, keep capturing
        if (active) update({ interim: undefined, interimError: err instanceof Error ? err.message : String(err) });
        active = false;
        interimShown = undefined;
        return;
      }
      if (!active) return;
      const took = performance.now() - started;
      if (report) {
        interimShown = o.present ? o.present(report) : report;
        const interim: InterimAnalysis = { report: interimShown, frames: report.inputs.find((i) => i.kind === 'live')?.packets ?? 0, ms: Math.round(took) };
        update({ interim, interimError: undefined });
      }
      timer = setTimeout(tick, Math.max(o.live?.interimMs ?? INTERIM_MS, took * INTERIM_PAUSE_FACTOR));
    };
    timer = setTimeout(tick, o.live?.interimMs ?? INTERIM_MS);
    return () => {
      active = false;
      clearTimeout(timer);
      interimShown = undefined;
    };
  }
}

/**
 * What is at an export path, asked before writing: an existing file (the view asks before
 * replacing it), or why nothing can be written there, in one line. Only looks (stat).
 */
export function exportTarget(path: string): { exists: boolean } | { problem: string } {
  try {
    const st = statSync(path);
    return st.isDirectory() ? { problem: `cannot write ${path}: it is a directory` } : { exists: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { problem: `cannot write ${path}: ${code === 'ENOTDIR' ? 'a part of the path is not a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(err))}` };
  }
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) return { problem: `cannot write ${path}: ${dir} is not a directory` };
  } catch {
    return { problem: `cannot write ${path}: the directory ${dir} does not exist` };
  }
  return { exists: false };
}
