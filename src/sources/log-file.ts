import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { LogEvent } from '../evidence/log-events.js';
import { EventStore } from '../evidence/event-store.js';
import { InputError } from '../errors.js';
import { logDialects, dialectById } from '../platforms/index.js';
import type { LineDecoder, LogDialect } from '../platforms/log-dialect.js';
import { openInput } from './open-input.js';
import { readLineBatches } from './line-reader.js';
import { sniffBinary } from './sniff.js';
import { memoryRelief } from './memory-relief.js';
import { detectTable, readTable } from './sa-table-file.js';
import { streamLines } from './whole-input.js';
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
  /** set when the input is an SA table (`swanctl --list-sas`, `ip -s xfrm state`, …) rather than a log */
  table?: SaTable;
  /** set when the input is an IPVS director's services (`ipvsadm -S -n`, `ipvsadm -L -n`, keepalived.conf) */
  ipvs?: IpvsFacts;
  /** set when the input is a firewall configuration only a ruleset reader claims (F5 tmsh AFM rules) */
  ruleset?: { ruleset: Ruleset; diagnostics: Diagnostic[] };
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
export async function loadLogFile(path: string, forcedDialect?: string): Promise<LogLoadResult> {
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
  const headLines = opened.head.toString('utf8').replaceAll('\0', '').split('\n').slice(0, SNIFF_LINES);
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
    const scored = logDialects.map((d) => ({ d, score: safeSniff(d, headLines) })).sort((a, b) => b.score - a.score);
    // an SA table pasted where a log was expected: its reader claims more of the first lines than any log dialect
    const table = detectTable(headLines);
    if (table && table.score >= scored[0].score) return loadTable(opened.stream, table.reader, display);
    // likewise an LVS director's ipvsadm output or keepalived.conf
    const ipvs = detectIpvs(headLines);
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
  const decoders: LineDecoder[] = dialects.map((d) => d.createDecoder(display));
  const store = new EventStore();
  const perDialect = new Map<string, number>();
  let lines = 0;
  let unparsed = 0;
  const diagnostics: Diagnostic[] = [];
  let truncatedLines = 0;
  // lines holding NUL bytes (the sniff decided by proportion that this is text): the NULs are skipped
  const nulLines: number[] = [];
  let nulLineCount = 0;
  const relieve = memoryRelief();
  for await (const batch of readLineBatches(opened.stream)) for (const line of batch) {
    relieve(line.text.length + 1);
    lines++;
    if (line.truncated) {
      truncatedLines++;
      if (truncatedLines <= 5) diagnostics.push({ at: { source: display, line: line.no }, decoder: 'line-reader', message: 'line longer than 16 KiB: only its start was read' });
    }
    if (line.text.includes('\0')) {
      nulLineCount++;
      if (nulLines.length < MAX_LINES_NAMED) nulLines.push(line.no);
      line.text = line.text.replaceAll('\0', '');
    }
    if (line.text.trim() === '') continue;
    let matched = false;
    for (let i = 0; i < decoders.length; i++) {
      let events: LogEvent[] | undefined;
      try {
        events = decoders[i].decode(line.text, line.no);
      } catch (err) {
        // decoders are meant to be total; if one is not, the line is located, not fatal
        diagnostics.push({ at: { source: display, line: line.no }, decoder: dialects[i].id, message: `decoder error: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      if (events === undefined) continue;
      matched = true;
      perDialect.set(dialects[i].id, (perDialect.get(dialects[i].id) ?? 0) + 1);
      for (const e of events) store.add(e);
      break;
    }
    if (!matched) unparsed++;
  }
  if (nulLineCount) {
    const named = nulLines.join(', ') + (nulLineCount > nulLines.length ? `, … (${nulLineCount} lines in all)` : '');
    diagnostics.push({
      at: { source: display, line: nulLines[0] }, decoder: 'line-reader',
      message: `${nulLineCount === 1 ? 'line' : 'lines'} ${named} ${nulLineCount === 1 ? 'holds' : 'hold'} NUL bytes (padding or damage, e.g. after an unclean shutdown): the NUL bytes were skipped and the rest of ${nulLineCount === 1 ? 'the line' : 'each line'} was read`,
    });
  }
  if (truncatedLines > 5) diagnostics.push({ at: { source: display }, decoder: 'line-reader', message: `${truncatedLines} lines longer than 16 KiB were cut` });
  for (let i = 0; i < decoders.length; i++) {
    try {
      diagnostics.push(...(decoders[i].diagnostics?.() ?? []));
    } catch (err) {
      diagnostics.push({ at: { source: display }, decoder: dialects[i].id, message: `decoder error at the end of the file: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  for (const [kind, n] of store.droppedCounts()) {
    diagnostics.push({ at: { source: display }, decoder: 'event-store', message: `${n} '${kind}' events in the middle of the file were counted but not kept (memory cap); the first and last ones are analysed` });
  }
  const recognised = lines - unparsed;
  if (recognised === 0 && !forcedDialect) {
    throw new InputError(
      `${display}: none of its ${lines} lines look like an IKE daemon log (looked for ${logDialects.map((d) => d.name).join(', ')})`,
      'pass the daemon log itself, or force a dialect with --dialect; captures go with --pcap, configs with --config',
    );
  }
  const dominant = [...perDialect.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? primary?.id;
  const mixed = [...perDialect.keys()].filter((k) => k !== dominant);
  return {
    input: {
      kind: 'log',
      path: display,
      dialect: dominant ? dominant + (mixed.length ? ` (+${mixed.join(', ')})` : '') : undefined,
      lines,
      unparsed,
    },
    events: store.events(),
    diagnostics,
  };
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
