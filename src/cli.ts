#!/usr/bin/env node
/**
 * The only module with process I/O: parses argv, runs the diagnosis, renders the
 * report (Ink UI when interactive, a reporter otherwise), writes it and picks the
 * exit code: 0 no error finding, 1 error findings, 2 usage or input failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { accessSync, closeSync, constants as fsConstants, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FatalError, InputError, UsageError } from './errors.js';
import { visible } from './reporters/visible.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { analyse, buildEvidence, diagnose, liveAnalyser, type RunOptions } from './run.js';
import { redactReport, type RedactionMapping } from './reporters/redact.js';
import { reporters, FORMATS } from './reporters/index.js';
import { exitCodeOf } from './reporters/verdict.js';
import { filterBySeverity } from './report/build-report.js';
import type { Report } from './report/types.js';
import { allChecks } from '../checks/index.js';
import { checkOnlyIds, describeCheck, describeParseError, formatFromPath, listChecks, parseFailOn, parseSeverity } from './cli-args.js';
import { describeFsError, sniffHead } from './sources/open-input.js';
import { sniffKind } from './sources/sniff.js';
import { describeSavedCapture, liveOptionsFromArgs } from './sources/live/cli-options.js';
import type { LiveCapture } from './sources/live-capture.js';

const OPTIONS = {
  log: { type: 'string', short: 'l', multiple: true },
  pcap: { type: 'string', short: 'r', multiple: true },
  live: { type: 'boolean' },
  interface: { type: 'string', short: 'i' },
  filter: { type: 'string' },
  duration: { type: 'string' },
  write: { type: 'string', short: 'w' },
  snaplen: { type: 'string' },
  config: { type: 'string', short: 'c', multiple: true },
  'config-type': { type: 'string' },
  host: { type: 'boolean' },
  local: { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
  dialect: { type: 'string' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  'min-severity': { type: 'string' },
  'fail-on': { type: 'string' },
  only: { type: 'string', multiple: true },
  redact: { type: 'boolean' },
  'redact-map': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsConfig['options'];

const HELP = `${TOOL_NAME} ${TOOL_VERSION} — says why an IPsec tunnel is down, half up, or drops big transfers

Usage:
  ipsec-doctor [options] [FILE...]        FILEs are sniffed: capture, log, config, ruleset, SA table ('-' = stdin)
  ipsec-doctor --log responder.log [--log initiator.log]
  ipsec-doctor --pcap capture.pcapng
  journalctl -u strongswan | ipsec-doctor  with nothing named, a piped stdin is the input
  ipsec-doctor checks [ID]                list every check and its finding codes, or describe one

Evidence:
  -l, --log FILE        IKE daemon log (strongSwan charon, libreswan pluto); '-' = stdin, .gz ok; repeatable
      --dialect ID      force the log dialect (strongswan, libreswan, cisco-asa, fortigate, juniper-srx)
  -r, --pcap FILE       pcap/pcapng capture; '-' = stdin, .gz ok; repeatable
      --live -i IFACE   capture live with libpcap (needs CAP_NET_RAW); --filter BPF, --duration SEC,
                        --snaplen BYTES, -w/--write FILE.pcap keeps what was captured
  -c, --config FILE     swanctl.conf, ipsec.conf, ipsec.secrets, iptables-save, nft ruleset; repeatable
      --config-type T   force the type: swanctl, ipsec.conf, strongswan-ipsec.conf, libreswan-ipsec.conf,
                        ipsec.secrets, iptables-save, ip6tables-save, nft, nft-json
      --host            read-only audit of this machine (daemon, sockets, xfrm, sysctls, firewall)
      --local ADDR      an address of this side (repeatable); --peer ADDR for the far side

Output:
  -f, --format FMT      ${FORMATS.join(', ')} (default: interactive UI on a terminal, text otherwise)
  -o, --output FILE     write the report to FILE; without --format, its extension picks the format
                        (.json, .md, .html, .txt; other names get text)
      --min-severity S  show findings of S and above: info, warning (or warn), error (default info);
                        also trims the checks table
      --fail-on S       exit 1 when a finding of S or above is reported: info, warning (or warn),
                        error (default), or none
  -v, --verbose         every info finding, every evidence line, every diagnostic, each check's reason
  -q, --quiet           the verdict line only
      --only ID         run only this check (repeatable); IDs as \`ipsec-doctor checks\` lists them
      --redact          replace addresses, identities and SPIs with consistent placeholders
      --redact-map FILE also write the placeholder → original mapping (stays local)
      --no-color        no colour (NO_COLOR is honoured too)
  -h, --help, -V, --version

Exit codes: 0 the checks judged the evidence and found nothing at the --fail-on severity (error
  unless told); 1 at least one such finding; 2 nothing to judge (no check had evidence it could
  read) or an input mostly not understood, and usage errors or unreadable input.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw describeParseError(err);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const color = decideColor(values.color, values['no-color']);
  if (positionals[0] === 'checks') {
    const ids = positionals.slice(1);
    if (values.format === 'json') {
      const metas = allChecks.filter((c) => !ids.length || ids.includes(c.meta.id)).map((c) => c.meta);
      if (ids.length) checkOnlyIds(ids, allChecks);
      process.stdout.write(JSON.stringify(metas, null, 2) + '\n');
    } else process.stdout.write(ids.length ? ids.map((id) => describeCheck(id, allChecks)).join('\n') : listChecks(allChecks));
    return 0;
  }

  const logs = [...(values.log ?? [])];
  const pcaps = [...(values.pcap ?? [])];
  for (const file of positionals) {
    // stdin and FIFOs are sniffed too: the loader takes over the stream sniffHead() opened
    const kind = sniffKind(await sniffHead(file));
    if (kind === 'pcap' || kind === 'pcapng') pcaps.push(file);
    else logs.push(file);
  }
  const configs = values.config ?? [];
  // `cat charon.log | ipsec-doctor`: with nothing named and stdin a pipe or a file, stdin is the input
  if (!logs.length && !pcaps.length && !configs.length && !values.host && !values.live && !process.stdin.isTTY) {
    const head = await sniffHead('-');
    if (head.length) {
      const kind = sniffKind(head);
      if (kind === 'pcap' || kind === 'pcapng') pcaps.push('-');
      else logs.push('-');
    }
  }
  if (!logs.length && !pcaps.length && !configs.length && !values.host && !values.live) {
    throw new UsageError('no evidence given', 'name a daemon log with --log FILE, a capture with --pcap FILE, a config with --config FILE, or use --live -i IFACE, --host, or pipe a log or capture to stdin');
  }
  // -o report.html without --format: the extension says which format (.json, .md, .html, .txt)
  const format = values.format ?? formatFromPath(values.output);
  if (format !== undefined && !(format in reporters)) throw new UsageError(`unknown format ${format}`, `one of: ${FORMATS.join(', ')}`);
  const minSeverity = parseSeverity('--min-severity', values['min-severity'], 'info');
  const failOn = parseFailOn(values['fail-on']);
  checkOnlyIds(values.only ?? [], allChecks);
  // Ctrl-C ends a live capture and still analyses what was captured; a second Ctrl-C ends the process
  const stopCapture = new AbortController();
  const live = liveOptionsFromArgs(values, pcaps.length, stopCapture.signal);
  // the map holds the originals and the report is what the user asked for: neither may replace an
  // input, nor each other, and a path that cannot be written is said now, before any analysis
  const inputs = [...logs, ...pcaps, ...configs].filter((p) => p !== '-');
  if (values.output) checkWritablePath('-o', values.output, { inputs });
  if (values['redact-map']) checkWritablePath('--redact-map', values['redact-map'], { inputs, report: values.output, capture: values.write });
  endOnSignals(live ? stopCapture : undefined);
  if (live && live.durationSec === undefined && process.stderr.isTTY) process.stderr.write(`capturing on ${visible(live.iface)}: press Ctrl-C to stop and analyse\n`);

  const opts: RunOptions = {
    logs,
    pcaps,
    configs,
    configType: values['config-type'],
    host: values.host ?? false,
    dialect: values.dialect,
    local: values.local ?? [],
    peer: values.peer ?? [],
    only: values.only,
    live,
  };
  // --redact-map implies --redact: a map is only useful next to placeholders
  const redact = Boolean(values.redact || values['redact-map']);
  let mapping: RedactionMapping | undefined;
  const present = (r: Report): Report => {
    const filtered = filterBySeverity(r, minSeverity);
    if (!redact) return filtered;
    const out = redactReport(filtered);
    mapping = out.mapping;
    return out.report;
  };
  // the map holds the originals: local file, owner-only whether or not it existed (writePrivateFile)
  const writeMap = async () => {
    if (values['redact-map'] && mapping) await writePrivateFile(values['redact-map'], JSON.stringify(mapping, null, 2) + '\n');
  };
  const writeReport = async (path: string, text: string) => {
    try {
      await writeFile(path, text);
    } catch (err) {
      throw describeWriteError(path, err);
    }
  };

  if (process.stdout.isTTY && process.stdin.isTTY && !process.env.CI && values.format === undefined && !values.output) {
    interactive = true;
    const { runInteractive, needsInWords } = await import('./ui/run-ui.js');
    const definedCounters = live ? (await import('./sources/live-capture.js')).definedCounters : undefined;
    const selected = opts.only ? allChecks.filter((c) => opts.only!.includes(c.meta.id)) : allChecks;
    let pushLive: ((counters: Record<string, number>) => void) | undefined;
    let capture: LiveCapture | undefined;
    // the checks on the capture so far, re-run while it goes on (run-ui.ts paces them)
    let analyseSoFar: (() => Promise<Report | undefined>) | undefined;
    // `w`: the capture so far (the ring, or a copy of the -w file); raw frames are never redacted
    const saveCapture = async (path: string) => {
      if (!capture) return 'the capture has not started yet';
      return describeSavedCapture(capture.saveCapture(path)) + (redact ? ' (a capture is not redacted)' : '');
    };
    const finished = await runInteractive({
      registerCleanup: (undo) => cleanups.push(undo),
      checks: selected.map((c) => ({ id: c.meta.id, title: c.meta.title, description: c.meta.description, needs: needsInWords(c.meta.requires) })),
      color,
      formats: FORMATS,
      present,
      // live counters go to the header; `s` stops the capture like Ctrl-C does without the UI
      live: live
        ? { iface: live.iface, subscribe: (push) => ((pushLive = push), () => (pushLive = undefined)), stop: () => stopCapture.abort(), saveCapture, interim: async () => analyseSoFar?.() }
        : undefined,
      run: async ({ onResult, onInputs }) => {
        const evidence = await buildEvidence(
          live
            ? { ...opts, live: { ...live, onUpdate: (c) => pushLive?.(definedCounters!(c)) }, onLiveStart: (c, sofar) => ((capture = c), (analyseSoFar = liveAnalyser(c, opts, Date.now, sofar))) }
            : opts,
        );
        onInputs(evidence.inputs);
        return analyse(evidence, { ...opts, onResult });
      },
      onExport: async (shown, fmt, path) => {
        // the export path is typed at run time: the same refusals as for -o
        checkWritablePath('export', path, { inputs, map: values['redact-map'], capture: values.write });
        await writeReport(path, reporters[fmt](shown, { color: false }));
        await writeMap();
        return `wrote the ${fmt} report to ${path}${values['redact-map'] ? ` and the mapping to ${values['redact-map']}` : ''}`;
      },
    });
    await writeMap();
    return finished ? exitCodeOf(finished, failOn) : 0;
  }

  const spinner = await startStderrSpinner();
  let report: Report;
  try {
    // no `w` key without the UI: the live capture keeps no ring of frames
    report = await diagnose({ ...opts, live: live && { ...live, ring: false, onDropsStart: (warning) => process.stderr.write(`${TOOL_NAME}: warning: ${visible(warning)}\n`) }, onProgress: spinner?.update, onResult: (r) => spinner?.update(`checked ${r.check}`) });
  } finally {
    spinner?.stop();
  }
  const shown = present(report);
  // wrapped at the terminal's width only when a person reads it there: never in a pipe or a file
  const width = !values.output && process.stdout.isTTY ? process.stdout.columns || undefined : undefined;
  const text = reporters[format ?? 'text'](shown, { color: values.output ? false : color, verbose: values.verbose, quiet: values.quiet, width });
  if (values.output) {
    await writeReport(values.output, text);
    // on a terminal, say where the report went (stdout stays empty for scripts)
    if (process.stdout.isTTY) process.stdout.write(`wrote the ${format ?? 'text'} report to ${visible(values.output)}\n`);
  } else process.stdout.write(text);
  await writeMap();
  return exitCodeOf(report, failOn);
}

/**
 * A progress line on stderr, only when stderr is a terminal that can show one: stdout stays
 * clean for pipes and --format json (ui/stderr-spinner.ts: none at 0 columns or TERM=dumb).
 */
async function startStderrSpinner(): Promise<{ update(text: string): void; stop(): void } | undefined> {
  const { startSpinner } = await import('./ui/stderr-spinner.js');
  const s = startSpinner(process.stderr, 'reading inputs');
  if (!s) return undefined;
  cleanups.push(() => s.stop());
  return s;
}

/** What a signal undoes before the process ends: the spinner's line, a live capture's -w file. */
const cleanups: Array<() => void> = [];

/**
 * SIGINT and SIGTERM end the process at once in every mode (the event loop is never kept
 * busy: nothing here loops on the terminal's size). The one exception is the documented
 * Ctrl-C of a live capture without the interactive view: the first SIGINT stops the
 * capture and the report of what was captured follows; a second one ends the process.
 * SIGTERM during a capture closes the -w file first, so it holds every frame written.
 */
function endOnSignals(capture: AbortController | undefined): void {
  const end = (signal: 'SIGINT' | 'SIGTERM') => {
    if (signal === 'SIGINT' && capture && !capture.signal.aborted && !interactive) {
      capture.abort();
      return;
    }
    if (capture && !capture.signal.aborted) capture.abort();
    for (const c of cleanups.splice(0)) {
      try {
        c();
      } catch {
        // ending anyway
      }
    }
    // Die of the signal itself, as a shell expects (bash stops a loop on a child's SIGINT). Not
    // process.exit(): it joins libuv's thread pool, and a thread blocked reading a FIFO or a
    // terminal never returns. With every listener gone the default action applies at once.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // something re-armed the handler: end anyway
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 500).unref();
  };
  process.on('SIGINT', () => end('SIGINT'));
  process.on('SIGTERM', () => end('SIGTERM'));
}

/**
 * The reader of stdout went away (`ipsec-doctor … | head`): what it did not read is not wanted.
 * Node ignores SIGPIPE, so the write fails with EPIPE, which would end in a stack trace; end
 * instead as a C tool killed by SIGPIPE does for the shell (128 + 13), after the same cleanups
 * as a signal (the spinner's line, a live capture's -w file).
 */
function endOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    for (const c of cleanups.splice(0)) {
      try {
        c();
      } catch {
        // ending anyway
      }
    }
    process.exit(141);
  });
}

/** Whether the Ink view runs (its Ctrl-C is a key, handled by the view; a SIGINT from outside ends the process). */
let interactive = false;

/** Paths an output must not be: the inputs (evidence would be lost), the report, the map, the -w capture. */
interface TakenPaths {
  inputs: string[];
  report?: string;
  map?: string;
  capture?: string;
}

/**
 * Refuses an output path that would replace an input or another output (compared as
 * resolved paths and, for files that exist, as the same file: a symlink or hard link
 * counts), and says in one line when its directory is missing or it is a directory.
 */
function checkWritablePath(flag: string, path: string, taken: TakenPaths): void {
  const same = (other: string | undefined) => other !== undefined && other !== '-' && sameFile(path, other);
  const what = flag === '--redact-map' ? 'the redaction map' : flag === '-o' ? 'the report' : 'the export';
  const clash = taken.inputs.find((i) => same(i));
  if (clash !== undefined) throw new UsageError(`${flag} ${path} is the input ${clash}: ${what} would replace the evidence`, `write ${what} to another file`);
  if (same(taken.report)) throw new UsageError(`${flag} ${path} is also the report's path (-o)`, `write ${what} to another file`);
  if (same(taken.map)) throw new UsageError(`${flag} ${path} is the redaction map's path (--redact-map)`, 'write the report to another file');
  if (same(taken.capture)) throw new UsageError(`${flag} ${path} is also the capture's path (-w)`, `write ${what} to another file`);
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new InputError(`cannot write ${path}: ${fileOnTheWay(path)} is a file, not a directory`, `give ${flag} another path`);
    if (code !== 'ENOENT') throw describeWriteError(path, err);
  }
  if (st?.isDirectory()) throw new InputError(`cannot write ${path}: it is a directory`, `give ${flag} a file name`);
  if (!st && /[\\/]$/.test(path)) throw new InputError(`cannot write ${path}: a name ending in / is a directory, and there is none`, `give ${flag} a file name`);
  const dir = dirname(resolvePath(path));
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (err) {
    throw new InputError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dir} does not exist` : describeFsError(err)}`, `create the directory first, or give ${flag} another path`);
  }
  if (!dirStat.isDirectory()) throw new InputError(`cannot write ${path}: ${dir} is not a directory`, `give ${flag} another path`);
  // said before the analysis, not after it (root passes this and meets the error at the write)
  try {
    accessSync(st ? path : dir, fsConstants.W_OK);
  } catch (err) {
    throw describeWriteError(path, err);
  }
}

/** The first part of `path` that exists and is not a directory (ENOTDIR names no part). */
function fileOnTheWay(path: string): string {
  let dir = dirname(resolvePath(path));
  for (let up = dirname(dir); up !== dir; dir = up, up = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
    } catch {
      // does not exist or is under the file: look further up
    }
  }
  return dirname(resolvePath(path));
}

function sameFile(a: string, b: string): boolean {
  if (resolvePath(a) === resolvePath(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A write that failed, as the one-line error cli.ts prints (never "internal error"). */
function describeWriteError(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why: string =
    {
      EISDIR: 'it is a directory',
      ENOENT: 'its directory does not exist',
      ENOTDIR: 'a part of the path is not a directory',
      EROFS: 'the file system is read-only',
      ENOSPC: 'no space left on the device',
      EDQUOT: 'the disk quota is exceeded',
      EIO: 'the system refused the write (I/O error)',
      EPERM: 'permission denied',
      EACCES: 'permission denied',
    }[String(code)] ?? describeFsError(err);
  return new InputError(`cannot write ${path}: ${why}`);
}

/**
 * Writes `text` to `path` readable by the owner only, whether or not `path` existed (an
 * existing file keeps its mode under writeFile's `mode`, which applies only on creation):
 * a new file is created beside it with mode 0600, fchmod'ed to 0600 whatever the umask,
 * written, synced and renamed over `path`. A symlink at `path` is replaced, not followed.
 */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = join(dirname(resolvePath(path)), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // not created
    }
    throw describeWriteError(path, err);
  }
}

function decideColor(force: boolean | undefined, disable: boolean | undefined): boolean {
  if (disable || process.env.NO_COLOR) return false;
  if (force) return true;
  return Boolean(process.stdout.isTTY);
}


export function renderReport(report: Report, format: string, color: boolean): string {
  return reporters[format](report, { color });
}

endOnClosedStdout();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // messages can quote input (a path, a line): shown visibly, never as terminal control
    if (err instanceof FatalError) {
      process.stderr.write(`${TOOL_NAME}: ${visible(err.message)}${err.hint ? ` (${visible(err.hint)})` : ''}\n`);
      process.exitCode = err.exitCode;
    } else {
      // an unknown error is a bug: say so in one line, keep the detail for --debug users via env
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${TOOL_NAME}: internal error: ${visible(msg)} (please report it; set IPSEC_DOCTOR_DEBUG=1 for the stack)\n`);
      if (process.env.IPSEC_DOCTOR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    }
  },
);
