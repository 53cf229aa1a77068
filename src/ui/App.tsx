/**
 * The interactive triage screen. Renders a UiSnapshot (a run in progress or a
 * finished Report) from props; keys only move the view. Exporting calls the
 * onExport prop, writing the capture the onWriteCapture prop — the writing happens
 * in cli.ts, never here.
 *
 * Ctrl-C: render with Ink's `exitOnCtrlC: false` so it reaches this handler. During
 * a live capture the first Ctrl-C stops the capture and still analyses (like `s`),
 * the second quits; otherwise it quits at once, from any prompt.
 */
import { useCallback, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { Header } from './components/Header.js';
import { Verdict } from './components/Verdict.js';
import { LiveCounters } from './components/LiveCounters.js';
import { Tabs } from './components/Tabs.js';
import { FindingList } from './components/FindingList.js';
import { FindingDetail, detailRows } from './components/FindingDetail.js';
import { CheckList } from './components/CheckList.js';
import { LadderPane, StepDetail, laneOf, stepDetailRows } from './components/LadderPane.js';
import { CheckDetail, checkDetailRows } from './components/CheckDetail.js';
import { KeyHelp, type Screen } from './components/KeyHelp.js';
import { FormatChoice, Prompt } from './components/Prompt.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { useSpinner } from './hooks/use-spinner.js';
import { checkRows, filterFindings, findingsOf, isProvisional, isRunning, ladderOfSnapshot, laneOfFinding, shownResults, type UiSnapshot } from './model.js';
import { makeTheme, type Theme } from './theme.js';

export interface AppProps {
  snapshot: UiSnapshot;
  theme?: Theme;
  toolName?: string;
  /** export formats offered by `e` (the reporters' names) */
  formats?: string[];
  /** writes the report; resolves to a one-line message for the status bar */
  onExport?: (format: string, path: string) => Promise<string>;
  /** what is at an export path before writing: a file to ask about overwriting, or why it cannot be written (one line) */
  exportTarget?: (path: string) => { exists: boolean } | { problem: string };
  onQuit?: () => void;
  /** live capture: stop capturing and analyse what was captured (key s, first Ctrl-C) */
  onStopCapture?: () => void;
  /** live capture: writes the capture so far to `path` (key w); resolves to a status line */
  onWriteCapture?: (path: string) => Promise<string>;
  /** fixed size for tests; otherwise the terminal's, following resizes */
  size?: TerminalSize;
}

type Mode =
  | { kind: 'normal' }
  | { kind: 'filter'; draft: string }
  | { kind: 'export-format'; index: number }
  | { kind: 'export-path'; format: string; draft: string }
  | { kind: 'export-overwrite'; format: string; path: string }
  | { kind: 'capture-path'; draft: string };

export const DEFAULT_CAPTURE_PATH = 'ipsec-doctor-capture.pcap';
const STOPPING = 'stopping the capture';

const WIDE = 110;
const EXTENSION: Record<string, string> = { markdown: 'md', html: 'html', json: 'json', text: 'txt' };
const PREFERRED = ['markdown', 'html', 'json', 'text'];
const preference = (f: string) => (PREFERRED.includes(f) ? PREFERRED.indexOf(f) : PREFERRED.length);

export function App({ snapshot, theme = makeTheme(true), toolName = 'ipsec-doctor', formats = ['markdown', 'html', 'json', 'text'], onExport, exportTarget, onQuit, onStopCapture, onWriteCapture, size }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(size);
  const running = isRunning(snapshot);
  const spinner = useSpinner(running);
  const [screen, setScreen] = useState<Screen>('findings');
  const [selected, setSelected] = useState(0);
  const [checkSel, setCheckSel] = useState(0);
  const [scroll, setScroll] = useState(0);
  const [lane, setLane] = useState(0);
  // the selected step of the ladder, and the steps of the finding it was opened from
  const [step, setStep] = useState(0);
  const [marked, setMarked] = useState<ReadonlySet<number>>(new Set());
  const [filter, setFilter] = useState('');
  const [mode, setModeState] = useState<Mode>({ kind: 'normal' });
  // keys can arrive before the re-render that re-binds the input handler: prompts read the latest mode from a ref
  const modeRef = useRef<Mode>(mode);
  const setMode = (next: Mode | ((m: Mode) => Mode)) => {
    modeRef.current = typeof next === 'function' ? next(modeRef.current) : next;
    setModeState(modeRef.current);
  };
  const [status, setStatus] = useState('');
  // set by the first Ctrl-C of a live capture: the next one quits even while the analysis still runs
  const stopRequested = useRef(false);

  const all = findingsOf(snapshot);
  const findings = filterFindings(all, filter);
  const checks = checkRows(snapshot);
  const ladder = ladderOfSnapshot(snapshot);
  const sel = Math.min(selected, Math.max(0, findings.length - 1));
  const current = findings[sel];
  const wide = columns >= WIDE;
  // inputs arrive once the evidence is built: until then a live run is still capturing
  const capturing = Boolean(snapshot.live) && running && snapshot.inputs.length === 0;
  // the checks on the capture so far: shown, marked provisional, until the final analysis replaces them
  const provisional = capturing && isProvisional(snapshot);
  // a ticket wants markdown or html first; any other reporter follows
  const exportFormats = [...formats].sort((a, b) => preference(a) - preference(b));

  const headerRows = 2 + (snapshot.live ? 2 : 0);
  const bodyHeight = Math.max(3, rows - headerRows - 3);
  const listWidth = wide && screen === 'findings' ? Math.floor(columns * 0.45) : columns;
  const currentCheck = checks[Math.min(checkSel, Math.max(0, checks.length - 1))];
  const currentLane = laneOf(ladder, lane);
  const detailWidth = screen === 'detail' ? columns : columns - listWidth - 1;

  const move = (delta: number) => {
    if (screen === 'findings') setSelected(clamp(sel + delta, findings.length));
    else if (screen === 'checks') setCheckSel(clamp(checkSel + delta, checks.length));
    else if (screen === 'ladder') setStep((n) => clamp(n + delta, currentLane?.steps.length ?? 0));
    else setScroll((s) => Math.max(0, s + delta));
  };

  const quit = () => {
    onQuit?.();
    exit();
  };
  const stopCapture = () => {
    stopRequested.current = true;
    onStopCapture!();
  };

  const writeExport = (format: string, path: string) => {
    setStatus(`writing ${path}…`);
    onExport!(format, path).then(
      (line) => setStatus(oneLine(line)),
      (err: unknown) => setStatus(`export failed: ${oneLine(err instanceof Error ? err.message : String(err))}`),
    );
  };
  /** `l`: the conversation that holds the finding's evidence, its first evidence step selected */
  const openLadder = () => {
    const found = current ? laneOfFinding(current, ladder) : undefined;
    if (found && ladder) {
      const l = ladder.ladders[found.lane];
      const at = new Set(current!.evidence.map((e) => `${e.source}|${e.line ?? ''}|${e.frame ?? ''}`));
      setLane(found.lane);
      setStep(found.step);
      setMarked(new Set(l.steps.flatMap((s, i) => (at.has(`${s.at.source}|${s.at.line ?? ''}|${s.at.frame ?? ''}`) ? [i] : []))));
      setStatus('');
    } else {
      setMarked(new Set());
      setStep(0);
      if (current && ladder?.ladders.length) setStatus(`no conversation holds the evidence of ${current.code}: showing conversation ${Math.min(lane, ladder.ladders.length - 1) + 1}`);
    }
    setScreen('ladder');
    setScroll(0);
  };

  const onKey = (input: string, key: Key) => {
    const mode = modeRef.current;
    if (key.ctrl && input === 'c') {
      if (capturing && onStopCapture && !stopRequested.current) {
        setMode({ kind: 'normal' });
        stopCapture();
        setStatus(`${STOPPING} and analysing… (Ctrl-C again quits)`);
      } else quit();
      return;
    }
    if (mode.kind === 'capture-path') {
      const t = typed(mode.draft, input, key);
      if (t.cancel) setMode({ kind: 'normal' });
      else if (t.submit) {
        const path = t.draft.trim();
        setMode({ kind: 'normal' });
        if (!onWriteCapture) setStatus('writing the capture is not available here');
        else if (!path) setStatus('capture not written: no path');
        else {
          setStatus(`writing ${path}…`);
          onWriteCapture(path).then(setStatus, (err: unknown) => setStatus(`capture not written: ${err instanceof Error ? err.message : String(err)}`));
        }
      } else setMode((m) => (m.kind === 'capture-path' ? { ...m, draft: typed(m.draft, input, key).draft } : m));
      return;
    }
    if (mode.kind === 'filter') {
      const t = typed(mode.draft, input, key);
      if (t.cancel) {
        setFilter('');
        setMode({ kind: 'normal' });
      } else if (t.submit) {
        setFilter(t.draft);
        setSelected(0);
        setMode({ kind: 'normal' });
      } else setMode((m) => (m.kind === 'filter' ? { ...m, draft: typed(m.draft, input, key).draft } : m));
      return;
    }
    if (mode.kind === 'export-format') {
      if (key.escape) setMode({ kind: 'normal' });
      else if (key.leftArrow || key.upArrow || input === 'h' || input === 'k') setMode({ kind: 'export-format', index: (mode.index + exportFormats.length - 1) % exportFormats.length });
      else if (key.rightArrow || key.downArrow || input === 'l' || input === 'j' || key.tab) setMode({ kind: 'export-format', index: (mode.index + 1) % exportFormats.length });
      else if (key.return) {
        const format = exportFormats[mode.index];
        setMode({ kind: 'export-path', format, draft: `ipsec-doctor-report.${EXTENSION[format] ?? format}` });
      }
      return;
    }
    if (mode.kind === 'export-path') {
      const t = typed(mode.draft, input, key);
      if (t.cancel) setMode({ kind: 'normal' });
      else if (t.submit) {
        const { format } = mode;
        const path = t.draft.trim();
        setMode({ kind: 'normal' });
        if (!onExport) setStatus('export is not available here');
        // mid-capture the export is the provisional report of the capture so far (onExport picks it)
        else if (capturing && !provisional) setStatus(`no analysis of the capture yet: wait a few seconds, or stop the capture (${onStopCapture ? 's' : 'Ctrl-C'})`);
        else if (running && !provisional) setStatus('wait until the checks finish to export');
        else if (!path) setStatus('export cancelled: no path');
        else {
          const target = exportTarget?.(path);
          if (target && 'problem' in target) setStatus(`export failed: ${oneLine(target.problem)}`);
          else if (target?.exists) setMode({ kind: 'export-overwrite', format, path });
          else writeExport(format, path);
        }
      } else setMode((m) => (m.kind === 'export-path' ? { ...m, draft: typed(m.draft, input, key).draft } : m));
      return;
    }
    if (mode.kind === 'export-overwrite') {
      setMode({ kind: 'normal' });
      if (input === 'y' || input === 'Y') writeExport(mode.format, mode.path);
      else setStatus(`export cancelled: ${mode.path} left as it was`);
      return;
    }

    // a terminal glues Esc to the next key (Alt+j) and delivers fast repeats as one chunk ("jjj")
    if (/^(?:j+|k+)$/.test(input) && (input.length > 1 || key.meta)) {
      move(input[0] === 'j' ? input.length : -input.length);
      return;
    }
    if (input === 'q') {
      quit();
      return;
    }
    if (key.upArrow || input === 'k') move(-1);
    else if (key.downArrow || input === 'j') move(1);
    else if (key.pageUp) move(-(bodyHeight - 1));
    else if (key.pageDown) move(bodyHeight - 1);
    else if (key.tab) {
      const order: Screen[] = ['findings', 'checks', 'ladder'];
      const from = paneOf(screen);
      setScreen(order[(order.indexOf(from) + (key.shift ? order.length - 1 : 1)) % order.length]);
      setScroll(0);
    } else if (key.return) {
      setScroll(0);
      if (screen === 'findings' && current) setScreen('detail');
      else if (screen === 'detail') setScreen('findings');
      else if (screen === 'checks' && currentCheck) setScreen('check');
      else if (screen === 'check') setScreen('checks');
      else if (screen === 'ladder' && currentLane?.steps.length) setScreen('step');
      else if (screen === 'step') setScreen('ladder');
    } else if (key.escape || key.backspace) {
      if (screen === 'check') setScreen('checks');
      else if (screen === 'step') setScreen('ladder');
      else if (screen === 'detail' || screen === 'ladder' || screen === 'checks') setScreen('findings');
      else if (filter) setFilter('');
      setScroll(0);
    } else if (input === 'l') {
      if (screen === 'ladder' || screen === 'step') setScreen('findings');
      else if (screen === 'findings' || screen === 'detail') openLadder();
      else {
        setScreen('ladder');
        setMarked(new Set());
      }
      setScroll(0);
    } else if (screen === 'ladder' && (key.leftArrow || key.rightArrow) && ladder) {
      setLane((n) => (n + (key.rightArrow ? 1 : ladder.ladders.length - 1)) % ladder.ladders.length);
      setStep(0);
      setMarked(new Set());
      setScroll(0);
    } else if (input === '/') setMode({ kind: 'filter', draft: filter });
    else if (input === 'e') setMode({ kind: 'export-format', index: 0 });
    else if (input === 'w' && snapshot.live && onWriteCapture) setMode({ kind: 'capture-path', draft: DEFAULT_CAPTURE_PATH });
    else if (input === 's' && capturing && onStopCapture && !stopRequested.current) {
      stopCapture();
      setStatus(`${STOPPING}…`);
    }
  };
  // Ink re-binds the handler in an effect, after the frame is drawn: a key in between would see the
  // previous render's state. The ref always holds this render's handler.
  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  useInput(useCallback((input: string, key: Key) => onKeyRef.current(input, key), []));

  const done = shownResults(snapshot).length;
  const applicable = shownResults(snapshot).filter((r) => r.status !== 'not-applicable').length;
  const runningCheck = checks.find((c) => c.status === 'running')?.id;
  const paneRows = screen === 'detail' && current ? detailRows(current, detailWidth, theme).length : screen === 'check' && currentCheck ? checkDetailRows(currentCheck, columns, theme).length : screen === 'step' && currentLane ? stepDetailRows(currentLane, step, columns).length : 0;
  const detailScroll = Math.min(scroll, Math.max(0, paneRows - bodyHeight));
  // a live capture says what it is doing until its evidence is read
  const received = snapshot.live?.counters.received;
  const liveState = snapshot.live
    ? capturing && stopRequested.current
      ? `capture on ${snapshot.live.iface} stopped: analysing what was captured…`
      : capturing
        ? `capturing on ${snapshot.live.iface}${received !== undefined ? `: ${received} frame${received === 1 ? '' : 's'} so far` : '…'}`
        : `capture on ${snapshot.live.iface} ended: analysing…`
    : undefined;

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header tool={toolName} inputs={snapshot.report?.inputs ?? snapshot.inputs} state={liveState} width={columns} theme={theme} />
      {snapshot.live ? <LiveCounters live={snapshot.live} width={columns} theme={theme} /> : null}
      {provisional ? (
        <Verdict
          findings={all} running={false} done={done} total={snapshot.checks.length || done} spinner={spinner} applicable={applicable} theme={theme}
          soFar={{ iface: snapshot.live!.iface, frames: snapshot.interim!.frames, ms: snapshot.interim!.ms }}
        />
      ) : capturing ? (
        <Text color={theme.status.running} wrap="truncate-end">{spinner} capturing on {snapshot.live!.iface}{onStopCapture ? ' — press s to stop and analyse' : ''}{snapshot.interimError ? ` — live checks stopped: ${snapshot.interimError}` : ''}</Text>
      ) : (
      <Verdict findings={all} running={running} done={done} total={snapshot.checks.length || done} current={runningCheck} spinner={spinner} applicable={applicable} theme={theme} />
      )}
      <Tabs screen={screen} counts={{ findings: findings.length, checks: `${done}/${snapshot.checks.length || done}`, ladder: ladder?.ladders.reduce((n, l) => n + l.steps.length, 0) ?? 0 }} filter={filter} theme={theme} note={provisional ? 'live — so far' : undefined} />
      <Box height={bodyHeight} width={columns}>
        {screen === 'findings' ? (
          <>
            <FindingList findings={findings} selected={sel} height={bodyHeight} width={listWidth} running={running} filter={filter} theme={theme} />
            {wide ? (
              <Box marginLeft={1} borderStyle="single" borderColor={theme.border} borderTop={false} borderBottom={false} borderRight={false} paddingLeft={1}>
                <FindingDetail finding={current} height={bodyHeight} width={detailWidth - 2} scroll={0} theme={theme} />
              </Box>
            ) : null}
          </>
        ) : screen === 'detail' ? (
          <FindingDetail finding={current} height={bodyHeight} width={columns} scroll={detailScroll} theme={theme} />
        ) : screen === 'checks' ? (
          <CheckList rows={checks} selected={Math.min(checkSel, Math.max(0, checks.length - 1))} height={bodyHeight} width={columns} spinner={spinner} theme={theme} />
        ) : screen === 'check' ? (
          <CheckDetail row={currentCheck} height={bodyHeight} width={columns} scroll={detailScroll} theme={theme} />
        ) : screen === 'step' ? (
          <StepDetail ladder={ladder} lane={lane} step={step} height={bodyHeight} width={columns} scroll={detailScroll} theme={theme} />
        ) : (
          <LadderPane ladder={ladder} lane={lane} selected={step} marked={marked} height={bodyHeight} width={columns} running={running} theme={theme} />
        )}
      </Box>
      {mode.kind === 'filter' ? (
        <Prompt label="filter: " value={mode.draft} theme={theme} />
      ) : mode.kind === 'export-format' ? (
        <FormatChoice formats={exportFormats} selected={mode.index} theme={theme} />
      ) : mode.kind === 'export-path' ? (
        <Prompt label={`export ${mode.format} to: `} value={mode.draft} theme={theme} />
      ) : mode.kind === 'export-overwrite' ? (
        <Prompt label={`${mode.path} exists — overwrite it? (y/N) `} value="" theme={theme} />
      ) : mode.kind === 'capture-path' ? (
        <Prompt label="write capture (pcap) to: " value={mode.draft} theme={theme} />
      ) : (
        // once the report is there, "stopping…" is history
        <Text color={theme.muted} wrap="truncate-end">{fitLine((!running && status.startsWith(STOPPING) ? '' : status) || ' ', columns)}</Text>
      )}
      <KeyHelp
        screen={screen}
        liveKeys={[
          ...(capturing && onStopCapture ? [{ key: 's', label: 'stop capture', short: 'stop' }] : []),
          ...(snapshot.live && onWriteCapture ? [{ key: 'w', label: 'write pcap', short: 'pcap' }] : []),
        ]}
        width={columns}
        theme={theme}
      />
    </Box>
  );
}

/**
 * A text prompt's keys. Terminals deliver fast typing and pastes as one chunk
 * ("abc\r", many DELs), which Ink hands over as one input string: apply it char
 * by char so nothing is lost and an Enter inside the chunk still submits.
 */
function typed(draft: string, input: string, key: Key): { draft: string; submit: boolean; cancel: boolean } {
  if (key.escape) return { draft, submit: false, cancel: true };
  if (key.return) return { draft, submit: true, cancel: false };
  if (key.backspace || key.delete) return { draft: draft.slice(0, -1), submit: false, cancel: false };
  if (key.ctrl || key.meta) return { draft, submit: false, cancel: false };
  let out = draft;
  for (const ch of input) {
    if (ch === '\r' || ch === '\n') return { draft: out, submit: true, cancel: false };
    if (ch === '\x7f' || ch === '\b') out = out.slice(0, -1);
    else if (ch >= ' ') out += ch;
  }
  return { draft: out, submit: false, cancel: false };
}

function clamp(n: number, length: number): number {
  return Math.max(0, Math.min(n, length - 1));
}

/** The tab a screen belongs to: a finding's detail to Findings, a check's to Checks, a step's to Ladder. */
export function paneOf(screen: Screen): 'findings' | 'checks' | 'ladder' {
  return screen === 'detail' ? 'findings' : screen === 'check' ? 'checks' : screen === 'step' ? 'ladder' : screen;
}

/** Status lines are one line: an error that spans several says them joined. */
function oneLine(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, ' — ').trim();
}

/**
 * A status line that fits `width`: when shortening the longest path in it from its start
 * ("…/no-such-dir/r.md", keeping at least 20 characters of it) makes the line fit, that is
 * done, so the reason after the path stays readable; otherwise the line is left to be cut
 * at its end.
 */
export function fitLine(s: string, width: number): string {
  const over = [...s].length - width;
  if (over <= 0) return s;
  const longest = (s.match(/\S*\/\S*/g) ?? []).sort((a, b) => b.length - a.length)[0];
  if (!longest) return s;
  const keep = longest.length - over - 1;
  return keep >= 20 ? s.replace(longest, `…${longest.slice(longest.length - keep)}`) : s;
}
