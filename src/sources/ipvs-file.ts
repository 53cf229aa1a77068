/**
 * IPVS (LVS) director inputs — `ipvsadm -S -n`, `ipvsadm -L -n`, keepalived.conf — arrive
 * through --config or positionally, like SA tables. The config and log loaders ask here
 * whether the text is one, by the registry's IPVS readers; reading it is the platform's job.
 */
import type { Readable } from 'node:stream';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { IpvsFacts, IpvsReader } from '../evidence/ipvs-types.js';
import { ipvsReaders, platformOf } from '../platforms/index.js';
import { readLineBatches } from './line-reader.js';

export interface IpvsLoadResult {
  input: InputInfo;
  facts: IpvsFacts;
  diagnostics: Diagnostic[];
}

/** A director's rules are a few hundred lines; this bounds a mistaken input read whole. */
const MAX_IPVS_CHARS = 16 * 1024 * 1024;

/** The IPVS reader that claims these first lines most strongly, if any claims them at all. */
export function detectIpvs(head: readonly string[]): { reader: IpvsReader; score: number } | undefined {
  let best: { reader: IpvsReader; score: number } | undefined;
  for (const reader of ipvsReaders) {
    let score = 0;
    try {
      score = reader.sniff(head);
    } catch {
      score = 0;
    }
    if (score > 0 && (!best || score > best.score)) best = { reader, score };
  }
  return best;
}

export function readIpvs(reader: IpvsReader, lines: Iterable<string>, display: string): IpvsLoadResult {
  let count = 0;
  const counted = (function* () {
    for (const l of lines) {
      count++;
      yield l;
    }
  })();
  let read: ReturnType<IpvsReader['read']>;
  try {
    read = reader.read(counted, display);
  } catch (err) {
    // readers are meant never to throw; if one does, the input is kept as one that was not read
    read = {
      facts: { source: display, format: reader.format, services: [], lines: count, unparsed: count },
      diagnostics: [{ at: { source: display, line: count || undefined }, decoder: reader.format, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ${reader.name} input was not analysed` }],
    };
  }
  const { facts, diagnostics } = read;
  if (!facts.services.length && !facts.timeouts && !facts.connections?.length) {
    diagnostics.push({ at: { source: display }, decoder: reader.format, message: `this ${reader.name} input holds no virtual service: nothing about the director was judged from it` });
  }
  const platform = platformOf(reader);
  return {
    facts,
    diagnostics,
    input: {
      kind: 'config',
      path: display,
      dialect: `${reader.name}${platform ? ` (${platform.title})` : ''}`,
      lines: facts.lines,
      unparsed: facts.unparsed,
      counters: { services: facts.services.length, realServers: facts.services.reduce((n, s) => n + s.realServers.length, 0) },
    },
  };
}

/** The text of a file already read, as the line reader gives it: \r\n ends a line too, and a final newline starts none. */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** A positional or --log input that is an IPVS output: read whole (bounded), as SA tables are. */
export async function loadIpvsStream(stream: Readable, reader: IpvsReader, display: string): Promise<IpvsLoadResult> {
  const lines: string[] = [];
  let chars = 0;
  let cut = false;
  for await (const batch of readLineBatches(stream)) {
    for (const line of batch) {
      chars += line.text.length + 1;
      if (chars > MAX_IPVS_CHARS) cut = true;
      else lines.push(line.text);
    }
  }
  const r = readIpvs(reader, lines, display);
  if (cut) r.diagnostics.push({ at: { source: display, line: lines.length + 1 }, decoder: reader.format, message: `input longer than ${MAX_IPVS_CHARS / 1024 / 1024} MiB: only its first ${lines.length} lines were read` });
  return r;
}
