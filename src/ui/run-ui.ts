/**
 * Entry of the interactive UI, loaded by cli.ts with a dynamic import() only when
 * stdout is a TTY, not CI, and no --format/--output was asked: the
 * non-interactive path never loads Ink or React.
 *
 * Owns the render loop only: the analysis comes in through `run`, the writing of
 * exports through `onExport`; both are cli.ts's.
 */
import { createElement } from 'react';
import { render, type RenderOptions } from 'ink';
import type { InputInfo } from '../evidence/types.js';
import type { CheckResult } from '../engine/types.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build-report.js';
import { App } from './App.js';
import type { LiveView, UiSnapshot } from './model.js';
import { makeTheme } from './theme.js';

export interface RunHooks {
  onResult(result: CheckResult): void;
  onInputs(inputs: InputInfo[]): void;
}

export interface InteractiveOptions {
  checks: Array<{ id: string; title: string }>;
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
  };
  /** the terminal; process.stdout/stdin/stderr unless given (tests drive fake ones) */
  io?: Pick<RenderOptions, 'stdout' | 'stdin' | 'stderr' | 'debug' | 'patchConsole'>;
}

/** Renders until the user quits; resolves to the finished report (undefined if they quit before it finished). */
export async function runInteractive(o: InteractiveOptions): Promise<Report | undefined> {
  const theme = makeTheme(o.color);
  let snapshot: UiSnapshot = { checks: o.checks, results: [], inputs: [], live: o.live ? { iface: o.live.iface, counters: {} } : undefined };
  let shown: Report | undefined;
  const element = () =>
    createElement(App, {
      snapshot,
      theme,
      formats: o.formats,
      onStopCapture: o.live?.stop,
      onWriteCapture: o.live?.saveCapture,
      onExport: (format: string, path: string) => (shown ? o.onExport(shown, format, path) : Promise.resolve('the report is not ready yet')),
    });
  // Ctrl-C goes to App: during a live capture the first one stops the capture (and still analyses), the second quits
  const instance = render(element(), { exitOnCtrlC: false, ...o.io });
  const update = (next: Partial<UiSnapshot>) => {
    snapshot = { ...snapshot, ...next };
    instance.rerender(element());
  };
  const unsubscribe = o.live?.subscribe((counters) => update({ live: { iface: o.live!.iface, counters } satisfies LiveView }));
  const raw: CheckResult[] = [];
  // partial reports are built from the originals: presenting placeholders twice would shift them
  let rawInputs: InputInfo[] = [];
  let failure: unknown;
  const finished = o
    .run({
      onResult: (r) => {
        raw.push(r);
        // a partial report goes through the same presentation (--redact) so the screen never shows originals
        update({ results: o.present ? o.present(buildReport(rawInputs, raw, [])).results : [...raw] });
      },
      onInputs: (inputs) => {
        rawInputs = inputs;
        update({ inputs: o.present ? o.present(buildReport(inputs, [], [])).inputs : inputs });
      },
    })
    .then(
      (report) => {
        shown = o.present ? o.present(report) : report;
        update({ report: shown, inputs: shown.inputs, results: shown.results });
        return report;
      },
      (err: unknown) => {
        failure = err;
        instance.unmount();
        return undefined;
      },
    );
  await instance.waitUntilExit();
  unsubscribe?.();
  // quitting during a live capture ends the capture too (libpcap would keep the process alive)
  if (!shown) o.live?.stop?.();
  if (failure) throw failure;
  // quitting while checks run leaves the analysis to finish in the background; do not wait for it
  return shown ? finished : undefined;
}
