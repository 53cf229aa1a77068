/**
 * sources → decoders → evidence → engine → Report. No process I/O beyond reading
 * the inputs; cli.ts decides what to print and the exit code.
 */
import type { Diagnostic, Evidence, EvidenceOptions, InputInfo } from './evidence/types.js';
import type { LogEvent } from './evidence/log-events.js';
import { NotALogError } from './errors.js';
import type { Check, CheckResult } from './engine/types.js';
import { runChecks } from './engine/run-checks.js';
import { buildReport } from './report/build-report.js';
import type { Report } from './report/types.js';
import type { LiveCapture } from './sources/live-capture.js';
import type { LiveRunOptions } from './sources/live/cli-options.js';
import { allChecks } from '../checks/index.js';
import { ladderOf } from './evidence/derived/ladder/ladder.js';
import type { ProbeRunner } from './sources/host/runner.js';
import { counted } from './evidence/plural.js';

export interface RunOptions {
  logs: string[];
  pcaps: string[];
  configs: string[];
  configType?: string;
  host: boolean;
  dialect?: string;
  local: string[];
  peer: string[];
  only?: string[];
  checks?: readonly Check[];
  onResult?: (result: CheckResult) => void;
  onProgress?: (message: string) => void;
  /** --live -i IFACE: capture with libpcap (libpcap counters go to onUpdate) */
  live?: LiveRunOptions;
  /** --host probes run through this (tests: a recorded runner); default: execFile on this machine */
  hostRunner?: ProbeRunner;
  /** --live: the capture has started; `sofar` is the evidence gathered before it (logs, configs, host), for liveAnalyser */
  onLiveStart?: (capture: LiveCapture, sofar: Evidence) => void;
}

// Each source's modules are loaded when that kind of evidence is given: a capture alone
// needs neither the log dialects nor the config, ruleset, host and libpcap code, and
// loading all of them was about half of the start-up time (some 150 ES modules).
export async function buildEvidence(opts: RunOptions): Promise<Evidence> {
  const options: EvidenceOptions = { local: opts.local, peer: opts.peer };
  const inputs: InputInfo[] = [];
  const diagnostics: Diagnostic[] = [];
  const evidence: Evidence = { inputs, diagnostics, options };
  const configsGivenAsLogs: string[] = [];

  // --- logs -------------------------------------------------------------
  if (opts.logs.length) {
    const { loadLogFile } = await import('./sources/log-file.js');
    const events: LogEvent[] = [];
    let logs = 0;
    for (const path of opts.logs) {
      opts.onProgress?.(`reading log ${path}`);
      const loaded = await loadLogFile(path, opts.dialect).catch((err: unknown) => {
        // a config or ruleset given as a log (positionally, or --log): read as what it is
        if (!(err instanceof NotALogError)) throw err;
        configsGivenAsLogs.push(err.path);
        diagnostics.push({ at: { source: err.path }, decoder: 'input', message: `is ${err.what}, not a log: read as a config, as --config ${err.path} would` });
        return undefined;
      });
      if (!loaded) continue;
      diagnostics.push(...loaded.diagnostics);
      // a central log of several hosts is that many logs (log-file.ts byHost)
      for (const r of loaded.hosts ?? [loaded]) {
        inputs.push(r.input);
        if (r !== loaded) diagnostics.push(...r.diagnostics);
        if (r.ipvs) (evidence.ipvs ??= []).push(r.ipvs);
        else if (r.ruleset) (evidence.rulesets ??= []).push(r.ruleset.ruleset);
        else if (r.table) (evidence.saTables ??= []).push(r.table);
        else logs++;
        for (const e of r.events) events.push(e);
      }
    }
    // only SA tables given with --log: no log evidence, so the log checks are not applicable rather than judging nothing
    if (logs) evidence.logEvents = events;
  }

  // --- packets ----------------------------------------------------------
  if (opts.pcaps.length) {
    opts.onProgress?.(`reading ${counted(opts.pcaps.length, 'capture', 'captures')}`);
    const { loadCaptures } = await import('./sources/pcap-file.js');
    const r = await loadCaptures(opts.pcaps, { local: opts.local, peer: opts.peer });
    inputs.push(...r.inputs);
    diagnostics.push(...r.diagnostics);
    evidence.packets = r.packets;
  }

  // --- configs ----------------------------------------------------------
  const configs = [...opts.configs, ...configsGivenAsLogs];
  if (configs.length) {
    opts.onProgress?.(`reading ${counted(configs.length, 'config file', 'config files')}`);
    const [{ loadConfigs }, { loadRulesets, RULESET_TYPES }] = await Promise.all([import('./sources/config-file.js'), import('./sources/ruleset-file.js')]);
    // --config-type iptables-save|nft|…: every file is a ruleset; otherwise the config loader hands rulesets over
    const forcedRuleset = RULESET_TYPES.includes(opts.configType ?? '');
    const r = forcedRuleset ? undefined : await loadConfigs(configs, opts.configType);
    if (r) {
      inputs.push(...r.inputs);
      diagnostics.push(...r.diagnostics);
      if (r.configs.length) evidence.configs = r.configs;
      if (r.tables.length) (evidence.saTables ??= []).push(...r.tables);
      if (r.ipvs.length) (evidence.ipvs ??= []).push(...r.ipvs);
    }
    const rulesetPaths = r ? r.skipped : configs;
    if (rulesetPaths.length) {
      const rs = await loadRulesets(rulesetPaths, forcedRuleset ? opts.configType : undefined);
      inputs.push(...rs.inputs);
      diagnostics.push(...rs.diagnostics);
      evidence.rulesets = [...(evidence.rulesets ?? []), ...rs.rulesets];
    }
  }

  // --- host ---------------------------------------------------------------
  if (opts.host) {
    opts.onProgress?.('probing this host (read-only)');
    const { addHostEvidence } = await import('./sources/host-evidence.js');
    await addHostEvidence(evidence, { runner: opts.hostRunner });
  }

  // --- live capture, last: it runs until stopped, and the analyses of the capture so far
  // (liveAnalyser) see the logs, configs and host facts already gathered
  if (opts.live) {
    opts.onProgress?.(`capturing on ${opts.live.iface}`);
    const { captureLive } = await import('./sources/live-capture.js');
    const live = opts.live;
    const r = await captureLive({ ...live, local: opts.local, peer: opts.peer, onStart: (c) => (live.onStart?.(c), opts.onLiveStart?.(c, { ...evidence, inputs: [...inputs], diagnostics: [...diagnostics] })) });
    inputs.push(r.input);
    diagnostics.push(...r.diagnostics);
    evidence.packets = r.packets;
  }

  return evidence;
}

export async function diagnose(opts: RunOptions): Promise<Report> {
  const evidence = await buildEvidence(opts);
  return analyse(evidence, opts);
}

export async function analyse(evidence: Evidence, opts: Pick<RunOptions, 'only' | 'checks' | 'onResult'> = {}): Promise<Report> {
  const results = await runChecks(opts.checks ?? allChecks, evidence, { only: opts.only, onResult: opts.onResult });
  return buildReport(evidence.inputs, results, evidence.diagnostics, buildViews(evidence));
}

/** Without new frames the checks still re-run this often: NO_ESP's quiet period is measured against the clock. */
const LIVE_QUIET_RERUN_MS = 15_000;

/**
 * --live in the interactive UI (issue 6, "checks re-evaluated as evidence arrives"):
 * each call analyses a snapshot of the capture so far, or resolves to undefined when
 * no frame arrived since the last analysis and it is recent. With `sofar`, the logs,
 * configs and host facts gathered before the capture join each analysis.
 */
export function liveAnalyser(
  capture: Pick<LiveCapture, 'snapshot' | 'counters'>,
  opts: Pick<RunOptions, 'local' | 'peer' | 'only' | 'checks'>,
  now: () => number = Date.now,
  sofar?: Evidence,
): () => Promise<Report | undefined> {
  let analysedFrames = -1;
  let analysedAt = 0;
  return async () => {
    const frames = capture.counters().received;
    if (frames === analysedFrames && now() - analysedAt < LIVE_QUIET_RERUN_MS) return undefined;
    const snap = capture.snapshot();
    analysedFrames = snap.input.packets ?? frames;
    analysedAt = now();
    // the same logs array each time: log-only views are computed once (memo.ts derivedFromLogs)
    const evidence: Evidence = {
      ...sofar, inputs: [...(sofar?.inputs ?? []), snap.input], diagnostics: [...(sofar?.diagnostics ?? []), ...snap.diagnostics], options: { local: opts.local, peer: opts.peer }, packets: snap.packets,
    };
    return analyse(evidence, opts);
  };
}

/** Renderable views for the UI and HTML: the ladder is bounded (ladder/lane.ts MAX_STEPS/MAX_LANES) and JSON-safe. */
function buildViews(evidence: Evidence): Record<string, unknown> {
  const ladder = ladderOf(evidence);
  return ladder.ladders.length ? { ladder } : {};
}
