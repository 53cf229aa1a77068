#!/usr/bin/env node
/**
 * The only module with process I/O: parses argv, runs the diagnosis, renders the
 * report (Ink UI when interactive, a reporter otherwise), writes it and picks the
 * exit code: 0 no error finding, 1 error findings, 2 usage or input failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { FatalError, UsageError } from './errors.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { analyse, buildEvidence, diagnose, liveAnalyser, type RunOptions } from './run.js';
import { redactReport, type RedactionMapping } from './reporters/redact.js';
import { reporters, FORMATS } from './reporters/index.js';
import { filterBySeverity } from './report/build-report.js';
import type { Severity } from './evidence/types.js';
import type { Report } from './report/types.js';
import { allChecks } from '../checks/index.js';
import { sniffHead } from './sources/open-input.js';
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
  only: { type: 'string', multiple: true },
  redact: { type: 'boolean' },
  'redact-map': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsConfig['options'];

const HELP = `${TOOL_NAME} ${TOOL_VERSION} — says why an IPsec tunnel is down, half up, or drops big transfers

Usage:
  ipsec-doctor [options] [FILE...]        FILEs are sniffed: captures vs logs ('-' = stdin)
  ipsec-doctor --log responder.log [--log initiator.log]
  ipsec-doctor --pcap capture.pcapng
  ipsec-doctor checks                     list every check and its finding codes

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
  -o, --output FILE     write the report to FILE
      --min-severity S  info, warning or error (default info)
      --only ID         run only this check (repeatable)
      --redact          replace addresses, identities and SPIs with consistent placeholders
      --redact-map FILE also write the placeholder → original mapping (stays local)
      --no-color        no colour (NO_COLOR is honoured too)
  -h, --help, -V, --version

Exit codes: 0 no error-severity finding, 1 at least one error finding, 2 usage or unreadable input.
`;

const SEVERITIES: Severity[] = ['info', 'warning', 'error'];

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.split('\n')[0] : String(err));
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
    process.stdout.write(listChecks(values.format === 'json'));
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
  if (!logs.length && !pcaps.length && !configs.length && !values.host && !values.live) {
    throw new UsageError('no evidence given', 'pass a daemon log (--log FILE), a capture (--pcap FILE), a config (--config FILE), --live -i IFACE or --host');
  }
  const format = values.format;
  if (format !== undefined && !(format in reporters)) throw new UsageError(`unknown format '${format}'`, `one of: ${FORMATS.join(', ')}`);
  const minSeverity = (values['min-severity'] ?? 'info') as Severity;
  if (!SEVERITIES.includes(minSeverity)) throw new UsageError(`unknown severity '${values['min-severity']}'`, 'one of: info, warning, error');
  for (const id of values.only ?? []) {
    if (!allChecks.some((c) => c.meta.id === id)) throw new UsageError(`unknown check '${id}'`, 'see `ipsec-doctor checks`');
  }
  // Ctrl-C ends a live capture and still analyses what was captured; a second Ctrl-C kills
  const stopCapture = new AbortController();
  const live = liveOptionsFromArgs(values, pcaps.length, stopCapture.signal);
  if (live) {
    process.once('SIGINT', () => stopCapture.abort());
    if (live.durationSec === undefined && process.stderr.isTTY) process.stderr.write(`capturing on ${live.iface}: press Ctrl-C to stop and analyse\n`);
  }

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
  // the map holds the originals: local file, owner-only
  const writeMap = async () => {
    if (values['redact-map'] && mapping) await writeFile(values['redact-map'], JSON.stringify(mapping, null, 2) + '\n', { mode: 0o600 });
  };

  if (process.stdout.isTTY && process.stdin.isTTY && !process.env.CI && format === undefined && !values.output) {
    const { runInteractive } = await import('./ui/run-ui.js');
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
      checks: selected.map((c) => ({ id: c.meta.id, title: c.meta.title })),
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
        await writeFile(path, reporters[fmt](shown, { color: false }));
        await writeMap();
        return `wrote the ${fmt} report to ${path}${values['redact-map'] ? ` and the mapping to ${values['redact-map']}` : ''}`;
      },
    });
    await writeMap();
    return finished && finished.summary.errors > 0 ? 1 : 0;
  }

  const spinner = await startSpinner();
  let report: Report;
  try {
    // no `w` key without the UI: the live capture keeps no ring of frames
    report = await diagnose({ ...opts, live: live && { ...live, ring: false }, onProgress: spinner?.update, onResult: (r) => spinner?.update(`checked ${r.check}`) });
  } finally {
    spinner?.stop();
  }
  const shown = present(report);
  const text = reporters[format ?? 'text'](shown, { color: values.output ? false : color });
  if (values.output) await writeFile(values.output, text);
  else process.stdout.write(text);
  await writeMap();
  return report.summary.errors > 0 ? 1 : 0;
}

/** ora on stderr, only when stderr is a terminal: stdout stays clean for pipes and --format json. */
async function startSpinner(): Promise<{ update(text: string): void; stop(): void } | undefined> {
  if (!process.stderr.isTTY || process.env.CI) return undefined;
  const { default: ora } = await import('ora');
  const s = ora({ text: 'reading inputs', stream: process.stderr }).start();
  return { update: (text) => void (s.text = text), stop: () => void s.stop() };
}

function decideColor(force: boolean | undefined, disable: boolean | undefined): boolean {
  if (disable || process.env.NO_COLOR) return false;
  if (force) return true;
  return Boolean(process.stdout.isTTY);
}

function listChecks(json: boolean): string {
  if (json) return JSON.stringify(allChecks.map((c) => c.meta), null, 2) + '\n';
  const out: string[] = [];
  for (const { meta } of allChecks) {
    out.push(`${meta.id} — ${meta.title} (needs: ${meta.requires.join(' or ')})`);
    for (const [code, spec] of Object.entries(meta.codes)) out.push(`  ${spec.severity.padEnd(7)} ${code}`);
  }
  return out.join('\n') + '\n';
}

export function renderReport(report: Report, format: string, color: boolean): string {
  return reporters[format](report, { color });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof FatalError) {
      process.stderr.write(`${TOOL_NAME}: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
      process.exitCode = err.exitCode;
    } else {
      // an unknown error is a bug: say so in one line, keep the detail for --debug users via env
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${TOOL_NAME}: internal error: ${msg} (please report it; set IPSEC_DOCTOR_DEBUG=1 for the stack)\n`);
      if (process.env.IPSEC_DOCTOR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    }
  },
);
