import type { Diagnostic, InputInfo } from '../evidence/types.js';
import { isFirewallDecision, type LogEvent } from '../evidence/log-events.js';
import { EventStore } from '../evidence/event-store.js';
import { InputError, NotALogError } from '../errors.js';
import { logDialects, dialectById } from '../platforms/index.js';
import type { LineDecoder, LogDialect } from '../platforms/log-dialect.js';
import { inputChunks, openInput } from './open-input.js';
import { readLineBatches, type Line } from './line-reader.js';
import { sniffBinary } from './sniff.js';
import { capYoungGeneration, tuneHeapForStreaming } from './heap-tuning.js';
import { detectTable, readTable } from './sa-table-file.js';
import { streamLines } from './whole-input.js';
import { detectHostField } from './log-hosts.js';
import type { SaTable, SaTableReader } from '../evidence/sa-table-types.js';
import type { IpvsFacts } from '../evidence/ipvs-types.js';
import { detectIpvs, loadIpvsStream } from './ipvs-file.js';
import type { Readable } from 'node:stream';
import type { Ruleset } from '../evidence/ruleset-types.js';
import { decodeRuleset, detectRulesetType, MAX_RULESET_BYTES } from './ruleset-file.js';

/** A ruleset reader claims the first lines: the whole input (bounded) is read as that ruleset. */
async function loadRulesetStream(stream: Readable, head: string[], display: string): Promise<LogLoadResult | undefined> {
  const type = detectRulesetType(head.join('\n'));
  if (!type) return undefined;
  const { lines } = await streamLines(stream, MAX_RULESET_BYTES);
  const text = lines.join('\n');
  let decoded: { ruleset: Ruleset; diagnostics: Diagnostic[] };
  try {
    decoded = decodeRuleset(text, display, type);
  } catch (err) {
    // readers are meant to be total; one that is not loses this input, located, never the whole report
    return { input: { kind: 'ruleset', path: display, dialect: type, lines: lines.length, unparsed: lines.length }, events: [], diagnostics: [{ at: { source: display }, decoder: type, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ruleset was not analysed` }] };
  }
  const rules = decoded.ruleset.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
  return {
    input: { kind: 'ruleset', path: display, dialect: type, lines: lines.length, unparsed: decoded.diagnostics.length, counters: { tables: decoded.ruleset.tables.length, rules } },
    events: [],
    diagnostics: decoded.diagnostics,
    ruleset: decoded,
  };
}

export interface LogLoadResult {
  input: InputInfo;
  events: LogEvent[];
  diagnostics: Diagnostic[];
  /**
   * set when the file holds several hosts' IKE lines (a central syslog, journalctl on a log host):
   * one log per host, each to be used as if given on its own (`input` then describes the file)
   */
  hosts?: LogLoadResult[];
  /** set when the input is an SA table (`swanctl --list-sas`, `ip -s xfrm state`, …) rather than a log */
  table?: SaTable;
  /** set when the input is an IPVS director's services (`ipvsadm -S -n`, `ipvsadm -L -n`, keepalived.conf) */
  ipvs?: IpvsFacts;
  /** set when the input is a firewall configuration only a ruleset reader claims (F5 tmsh AFM rules) */
  ruleset?: { ruleset: Ruleset; diagnostics: Diagnostic[] };
}

export interface LoadOptions {
  /** false: every line is decoded as text, none is judged from its bytes first (the reference the tests compare with) */
  quietScan?: boolean;
}

const SNIFF_LINES = 400;
/** lines a diagnostic names one by one before it only counts them */
const MAX_LINES_NAMED = 10;
/** An SA table is read whole by its reader: a gateway's table of thousands of SAs is a few MiB; this bounds a mistaken input. */
const MAX_TABLE_CHARS = 64 * 1024 * 1024;

/**
 * Streams one log file through the detected dialect's decoder. Lines the primary
 * dialect does not know are offered to the other dialects (interop test logs mix
 * charon and pluto lines); lines nobody knows are counted as unparsed.
 */
export async function loadLogFile(path: string, forcedDialect?: string, options: LoadOptions = {}): Promise<LogLoadResult> {
  const opened = await openInput(path);
  const display = path === '-' ? '(stdin)' : path;
  if (opened.head.length === 0) {
    opened.close();
    throw new InputError(`${display} is empty`, 'pass the IKE daemon log (charon.log, journalctl -u strongswan, /var/log/pluto.log)');
  }
  const binary = sniffBinary(opened.head);
  if (binary) {
    opened.close();
    throw new InputError(`${display} is not a text log: ${binary.what}`, binary.hint);
  }

  // NUL bytes (padding, a damaged line) are skipped wherever they are, as the lines below are read
  const rawHead = opened.head.toString('utf8').replaceAll('\0', '').split('\n').slice(0, SNIFF_LINES);
  // a central log (several hosts' syslog, a journal export) is read host by host (log-hosts.ts)
  const hostField = detectHostField(rawHead);
  const toLine = hostField?.toLine;
  const headLines = toLine ? rawHead.map((l) => toLine(l) ?? l) : rawHead;
  // each dialect's sniff of the first lines, asked once: detection and every host's dialect claim use it
  const sniffScores = new Map<string, number>();
  const sniffOf = (d: LogDialect): number => {
    let score = sniffScores.get(d.id);
    if (score === undefined) sniffScores.set(d.id, (score = safeSniff(d, headLines)));
    return score;
  };
  let primary: LogDialect | undefined;
  let dialects: LogDialect[];
  if (forcedDialect) {
    primary = dialectById(forcedDialect);
    if (!primary) {
      opened.close();
      throw new InputError(`unknown dialect '${forcedDialect}'`, `one of: ${logDialects.map((d) => d.id).join(', ')}`);
    }
    dialects = [primary];
  } else {
    const scored = logDialects.map((d) => ({ d, score: sniffOf(d) })).sort((a, b) => b.score - a.score);
    // an SA table pasted where a log was expected: its reader claims more of the first lines than any log dialect
    const table = toLine ? undefined : detectTable(headLines);
    if (table && table.score >= scored[0].score) return loadTable(opened.stream, table.reader, display);
    // likewise an LVS director's ipvsadm output or keepalived.conf
    const ipvs = toLine ? undefined : detectIpvs(headLines);
    if (ipvs && ipvs.score >= scored[0].score) {
      const r = await loadIpvsStream(opened.stream, ipvs.reader, display);
      return { input: r.input, events: [], diagnostics: r.diagnostics, ipvs: r.facts };
    }
    // a box's firewall configuration (F5 tmsh) pasted as a log: no log dialect claims it, a ruleset reader does
    if (scored[0].score === 0) {
      const r = await loadRulesetStream(opened.stream, headLines, display);
      if (r) return r;
    }
    primary = scored[0].score > 0 ? scored[0].d : undefined;
    dialects = scored.map((s) => s.d);
  }
  // one set of decoders per host (a file without a host field is one host): each host is a log of its own
  const newSink = (source: string): Sink => ({ source, decoders: dialects.map((d) => d.createDecoder(source)), store: new EventStore(), perDialect: new Map(), tallies: [], lines: 0, unparsed: 0 });
  const sinks = new Map<string | undefined, Sink>();
  let sink = newSink(display);
  sinks.set(undefined, sink);
  let lines = 0;
  let blank = 0;
  let unparsed = 0;
  let unreadRecords = 0;
  const diagnostics: Diagnostic[] = [];
  let truncatedLines = 0;
  // lines holding NUL bytes (the sniff decided by proportion that this is text): the NULs are skipped
  const nulLines: number[] = [];
  let nulLineCount = 0;
  tuneHeapForStreaming();
  const readLine = (line: Line, nulFree = false): void => {
    lines++;
    if (line.truncated) {
      truncatedLines++;
      if (truncatedLines <= 5) diagnostics.push({ at: { source: display, line: line.no }, decoder: 'line-reader', message: 'line longer than 16 KiB: only its start was read' });
    }
    if (!nulFree && line.text.includes('\0')) {
      nulLineCount++;
      if (nulLines.length < MAX_LINES_NAMED) nulLines.push(line.no);
      line.text = line.text.replaceAll('\0', '');
    }
    if (line.text.trim() === '') {
      blank++;
      return;
    }
    let text = line.text;
    if (hostField) {
      if (toLine) {
        const t = toLine(text);
        if (t === undefined) unreadRecords++;
        else text = t;
      }
      // a line without a host field (a continuation) stays with the host of the line before
      const host = hostField.hostOf(line.text);
      if (host !== undefined && host !== sink.host) sink = sinks.get(host) ?? sinks.get(MORE_HOSTS) ?? sinkOf(sinks, sinks.size >= MAX_HOSTS ? MORE_HOSTS : host, sink.host === undefined && sink.lines === 0 ? sink : newSink(display));
    }
    sink.lines++;
    let matched = false;
    for (let i = 0; i < sink.decoders.length; i++) {
      let events: LogEvent[] | undefined;
      try {
        events = sink.decoders[i].decode(text, line.no);
      } catch (err) {
        // decoders are meant to be total; if one is not, the line is located, not fatal
        diagnostics.push({ at: { source: sink.source, line: line.no }, decoder: dialects[i].id, message: `decoder error: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      if (events === undefined) continue;
      matched = true;
      // per dialect: lines it claimed, and of those the lines that gave at least one event
      const tally = (sink.tallies[i] ??= claimedTally(sink.perDialect, dialects[i].id));
      tally.claimed++;
      if (events.length) {
        tally.events++;
        if (events.every(isFirewallDecision)) tally.decisions++;
      }
      for (let j = 0; j < events.length; j++) sink.store.add(events[j]);
      break;
    }
    if (!matched) {
      unparsed++;
      sink.unparsed++;
    }
  };
  // Lines the first decoder proves quiet from their bytes (LineDecoder.quietLine) are counted as
  // it would count them and never decoded; it reads first, so no other decoder would see them.
  // In a central log only a line whose host field is the current host's (HostField.hostIs) is
  // asked; journal exports (JSON records), lines holding NUL bytes and cut lines are decoded.
  const quietDialect = dialects[0]?.id;
  const hostIs = hostField?.hostIs;
  const byteScan = options.quietScan !== false && quietDialect !== undefined && sink.decoders[0]?.quietLine !== undefined && (!hostField || (hostIs !== undefined && !toLine));
  // a read that fails part way (a cut .gz, an I/O error): what was read stands, and is said to be all
  let readError: string | undefined;
  try {
    for await (const batch of readLineBatches(noteReadError(inputChunks(opened), (why) => (readError = why)))) {
      capYoungGeneration();
      if (batch.first) readLine(batch.first);
      const { chunk, bounds, count, firstNo, maxLineBytes } = batch;
      // the next NUL byte of the chunk: a line holding one is decoded (its NULs skipped), the others are scanned
      let nul = count > 0 ? chunk.indexOf(0, bounds[0]) : -1;
      // quiet lines are counted in runs, the run given to its sink before any line is decoded
      // (a decoded line may switch hosts); per line, the tally lookup cost as much as the scan
      let quietRun = 0;
      const flushQuiet = (): void => {
        lines += quietRun;
        sink.lines += quietRun;
        (sink.tallies[0] ??= claimedTally(sink.perDialect, quietDialect!)).claimed += quietRun;
        quietRun = 0;
      };
      for (let i = 0; i < count; i++) {
        const start = bounds[2 * i];
        const end = bounds[2 * i + 1];
        if (nul !== -1 && nul < start) nul = chunk.indexOf(0, start);
        const nulFree = nul === -1 || nul >= end;
        if (byteScan && nulFree && end - start <= maxLineBytes && (!hostIs || (sink.host !== undefined && sink.host !== MORE_HOSTS && hostIs(chunk, start, end, sink.host))) && quietLineOf(sink.decoders[0], chunk, start, end, firstNo + i)) {
          quietRun++;
          continue;
        }
        if (quietRun) flushQuiet();
        readLine(batch.lineAt(i), nulFree);
      }
      if (quietRun) flushQuiet();
    }
  } catch (err) {
    // only the reading's own failure is said as such; anything else is a fault of ours and stays one
    if (readError === undefined) throw err;
  }
  if (unreadRecords) diagnostics.push({ at: { source: display }, decoder: 'journal-json', message: `${unreadRecords} lines are not journal records with a MESSAGE (cut at 16 KiB, or not JSON): not read` });
  if (nulLineCount) {
    const named = nulLines.join(', ') + (nulLineCount > nulLines.length ? `, … (${nulLineCount} lines in all)` : '');
    diagnostics.push({
      at: { source: display, line: nulLines[0] }, decoder: 'line-reader',
      message: `${nulLineCount === 1 ? 'line' : 'lines'} ${named} ${nulLineCount === 1 ? 'holds' : 'hold'} NUL bytes (padding or damage, e.g. after an unclean shutdown): the NUL bytes were skipped and the rest of ${nulLineCount === 1 ? 'the line' : 'each line'} was read`,
    });
  }
  if (truncatedLines > 5) diagnostics.push({ at: { source: display }, decoder: 'line-reader', message: `${truncatedLines} lines longer than 16 KiB were cut` });
  for (const k of sinks.values()) {
    for (let i = 0; i < k.decoders.length; i++) {
      try {
        diagnostics.push(...(k.decoders[i].diagnostics?.() ?? []));
      } catch (err) {
        diagnostics.push({ at: { source: k.source }, decoder: dialects[i].id, message: `decoder error at the end of the file: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    for (const [kind, n] of k.store.droppedCounts()) {
      diagnostics.push({ at: { source: k.source }, decoder: 'event-store', message: `${n} '${kind}' events in the middle of the file were counted but not kept (memory cap); the first and last ones are analysed` });
    }
  }
  const recognised = lines - blank - unparsed;
  if (readError !== undefined) {
    const why = readError + (opened.gzip ? ' (the gzip stream is cut or damaged)' : '');
    if (recognised === 0) throw new InputError(`cannot read ${display}: ${why}`, 'pass the whole file');
    diagnostics.push({ at: { source: display, line: lines + 1 }, decoder: 'line-reader', message: `reading stopped after line ${lines}: ${why}; the lines before it were read, nothing after` });
  }
  if (recognised === 0 && !forcedDialect) {
    const other = await whatElseItIs(headLines, display);
    if (other && path !== '-') throw new NotALogError(`${display} ${other.what}, not an IKE daemon log`, other.hint, path, other.what.replace(/^looks like /, ''));
    throw new InputError(
      other ? `${display} ${other.what}, not an IKE daemon log` : `${display}: none of its ${lines} lines look like an IKE daemon log (looked for ${logDialects.map((d) => d.name).join(', ')})`,
      other?.hint ?? 'pass the daemon log itself, or force a dialect with --dialect; captures go with --pcap, configs with --config',
    );
  }
  const claim = (perDialect: Tallies, total: number, notes?: Diagnostic[]) => claimDialects(perDialect, total, sniffOf, display, forcedDialect, primary, notes);
  const ike = [...sinks.values()].filter((k) => k.lines > k.unparsed);
  if (hostField && ike.length > 1) return byHost(display, ike, [...sinks.values()], lines, claim, diagnostics);
  // one host (or none named): one log, as a file without host names is
  const all = [...sinks.values()];
  const c = claim(sumTallies(all), lines - blank, diagnostics);
  return { input: { kind: 'log', path: display, dialect: c.dialect, lines, unparsed: c.coverage.notUnderstood, coverage: c.coverage }, events: eventsAs(all, display), diagnostics };
}

/** The chunks of `source`; a failure to read them is noted (its message) before it is passed on. */
async function* noteReadError(source: AsyncIterable<Buffer>, note: (why: string) => void): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (err) {
    note(err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/** The first decoder's byte pre-check; a decoder that throws there has its lines decoded instead. */
function quietLineOf(d: LineDecoder, chunk: Buffer, start: number, end: number, no: number): boolean {
  try {
    return d.quietLine!(chunk, start, end, no);
  } catch {
    return false;
  }
}

/** The dialect's tally, created on its first claimed line (the order claimDialects sees them in). */
function claimedTally(perDialect: Tallies, id: string): Tally {
  let t = perDialect.get(id);
  if (!t) perDialect.set(id, (t = { claimed: 0, events: 0, decisions: 0 }));
  return t;
}

/**
 * Per dialect: the lines it claimed; of those, the lines that gave at least one event; of
 * those, the lines whose events are a middle box's firewall decisions (F5 AFM), not IKE events.
 */
interface Tally {
  claimed: number;
  events: number;
  decisions: number;
}
type Tallies = Map<string, Tally>;

function sumTallies(sinks: Sink[]): Tallies {
  const out: Tallies = new Map();
  for (const k of sinks) {
    for (const [d, t] of k.perDialect) {
      const sum = out.get(d) ?? { claimed: 0, events: 0, decisions: 0 };
      sum.claimed += t.claimed;
      sum.events += t.events;
      sum.decisions += t.decisions;
      out.set(d, sum);
    }
  }
  return out;
}

/**
 * Which dialect a log is, and how much of it was understood. A line shape two implementations
 * share (a `YYYY-MM-DD HH:MM:SS:` stamp: F5's racoon.log and libreswan's pluto.log) goes to the
 * dialect whose events come out of this file, or to none. A dialect that read no event here is
 * claimed only when its own fingerprints (sniff) recognise the lines — a daemon's start-up lines
 * are its own, with nothing to judge in them — otherwise the lines only it matched count as not
 * understood. `notes` receives the diagnostics that say so (once per file).
 */
function claimDialects(perDialect: Tallies, total: number, sniffOf: (d: LogDialect) => number, display: string, forcedDialect: string | undefined, primary: LogDialect | undefined, notes?: Diagnostic[]): { dialect?: string; coverage: NonNullable<InputInfo['coverage']> } {
  const fingerprinted = (id: string) => sniffOf(dialectById(id)!) > 0;
  const byEvents = [...perDialect.entries()].filter(([, t]) => t.events > 0).sort((a, b) => b[1].events - a[1].events || b[1].claimed - a[1].claimed);
  const withoutEvents = [...perDialect.entries()].filter(([, t]) => t.events === 0);
  const recognisedOnly = withoutEvents.filter(([id]) => fingerprinted(id)).sort((a, b) => b[1].claimed - a[1].claimed);
  const claimed = [...byEvents, ...recognisedOnly];
  const shapeOnly = withoutEvents.filter(([id]) => !fingerprinted(id));
  const eventLines = claimed.reduce((n, [, t]) => n + t.events, 0);
  const decisionLines = claimed.reduce((n, [, t]) => n + t.decisions, 0);
  const otherLines = claimed.reduce((n, [, t]) => n + t.claimed - t.events, 0);
  const notUnderstood = total - eventLines - otherLines;
  // said only when no dialect read an event here; beside one that did, such lines just count as not understood
  for (const [id, t] of claimed.length ? [] : shapeOnly) {
    const name = dialectById(id)?.name ?? id;
    notes?.push({
      at: { source: display }, decoder: id,
      message: `${t.claimed} ${t.claimed === 1 ? 'line has' : 'lines have'} the shape of ${name} lines, but none of them is an IKE event: not read as ${name} (a log of the daemon starting only, or another program's log in the same shape)`,
    });
  }
  if (forcedDialect && eventLines === 0) {
    const better = logDialects.filter((d) => d.id !== forcedDialect).map((d) => ({ d, score: sniffOf(d) })).sort((a, b) => b.score - a.score)[0];
    notes?.push({
      at: { source: display }, decoder: forcedDialect,
      message: `none of its ${total} lines is an IKE event of ${primary!.name} (--dialect ${forcedDialect})${better && better.score > 0 ? `; they look like ${better.d.name} lines: leave out --dialect, or give --dialect ${better.d.id}` : ''}`,
    });
  }
  const dominant = claimed[0]?.[0];
  // the dialects listed beside it are those whose events are in this file
  const mixed = byEvents.filter(([id]) => id !== dominant).map(([id]) => id);
  return {
    dialect: dominant ? dominant + (mixed.length ? ` (+${mixed.join(', ')})` : '') : undefined,
    coverage: { unit: 'line', total, events: eventLines, ...(decisionLines ? { decisions: decisionLines } : {}), other: otherLines, notUnderstood },
  };
}

/** A log host may collect hundreds of machines; beyond this many, the rest share one set of decoders. */
const MAX_HOSTS = 256;
const MORE_HOSTS = 'more hosts';

/** The decoders, events and counts of one host's lines. */
interface Sink {
  source: string;
  host?: string;
  decoders: LineDecoder[];
  store: EventStore;
  perDialect: Tallies;
  /** perDialect's entries by decoder index, once created (a Map lookup per line cost as much as the scan) */
  tallies: Tally[];
  lines: number;
  unparsed: number;
}

/** The sink of a host seen for the first time (the file's first sink when no line came before). */
function sinkOf(sinks: Map<string | undefined, Sink>, host: string, sink: Sink): Sink {
  if (sink.host === undefined && sinks.get(undefined) === sink) sinks.delete(undefined);
  sink.host = host;
  sink.source = `${sink.source} [${host}]`;
  sinks.set(host, sink);
  return sink;
}

/** Every sink's events under one source name (a file whose lines name one host, or none). */
function eventsAs(sinks: Sink[], source: string): LogEvent[] {
  const out: LogEvent[] = [];
  for (const k of sinks) for (const e of k.store.events()) {
    if (e.at.source !== source) e.at = { ...e.at, source };
    out.push(e);
  }
  return sinks.length > 1 ? out.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0)) : out;
}

/**
 * Several hosts' IKE lines in one file: one log per host, named "FILE [HOST]", each used as
 * if it had been given with --log on its own (the two peers' logs then meet as two files do).
 * Hosts whose lines no dialect knew (sshd, cron on a log host) are named in a diagnostic.
 */
function byHost(display: string, ike: Sink[], all: Sink[], lines: number, claim: (t: Tallies, total: number, notes?: Diagnostic[]) => ReturnType<typeof claimDialects>, diagnostics: Diagnostic[]): LogLoadResult {
  const names = ike.map((k) => k.host ?? '(lines without a host name)');
  const others = all.filter((k) => !ike.includes(k) && k.lines > 0).map((k) => k.host ?? '(lines without a host name)');
  const found = `hosts with IKE lines: ${names.join(', ')}${others.length ? `; lines of ${others.length} other host${others.length === 1 ? '' : 's'} without any (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})` : ''}`;
  diagnostics.push({ at: { source: display }, decoder: 'log-hosts', message: `${found}: each host's lines are read as a log of its own` });
  const hosts = ike.map((k): LogLoadResult => {
    const c = claim(k.perDialect, k.lines);
    return {
      input: { kind: 'log', path: k.source, dialect: c.dialect, lines: k.lines, unparsed: c.coverage.notUnderstood, coverage: c.coverage, note: `host ${k.host ?? '(none)'} of ${display}, which holds the lines of ${names.length} hosts (${names.join(', ')})` },
      events: eventsAs([k], k.source),
      diagnostics: [],
    };
  });
  const c = claim(sumTallies(all), all.reduce((n, k) => n + k.lines, 0), diagnostics);
  return { input: { kind: 'log', path: display, dialect: c.dialect, lines, unparsed: c.coverage.notUnderstood, note: found }, events: [], diagnostics, hosts };
}

/**
 * A config or ruleset given where a log was expected (`ipsec-doctor swanctl.conf`, `--log
 * ipsec.conf`): what it is and how to pass it. Loaded only then: the config readers are not
 * needed to read a log.
 */
async function whatElseItIs(headLines: string[], display: string): Promise<{ what: string; hint: string } | undefined> {
  const { detectConfigType, looksLikeRuleset } = await import('./config-file.js');
  const text = headLines.join('\n');
  let config: ReturnType<typeof detectConfigType>;
  try {
    config = detectConfigType(text);
  } catch {
    config = undefined;
  }
  if (config) return { what: `looks like ${article(config.reader.name)}`, hint: `pass it with --config ${display}` };
  if (looksLikeRuleset(text)) return { what: 'looks like a firewall ruleset', hint: `pass it with --config ${display}` };
  return undefined;
}

function article(name: string): string {
  return /^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`;
}

async function loadTable(stream: Readable, reader: SaTableReader, display: string): Promise<LogLoadResult> {
  const { lines, cut } = await streamLines(stream, MAX_TABLE_CHARS);
  const r = readTable(reader, lines, display);
  if (cut) r.diagnostics.push({ at: { source: display, line: lines.length + 1 }, decoder: 'sa-table', message: `table longer than ${MAX_TABLE_CHARS / 1024 / 1024} MiB: only its first ${lines.length} lines were read` });
  return { input: r.input, events: [], diagnostics: r.diagnostics, table: r.table };
}

function safeSniff(d: LogDialect, lines: string[]): number {
  try {
    return d.sniff(lines);
  } catch {
    return 0;
  }
}
