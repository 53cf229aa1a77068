/**
 * IPVS (LVS) director inputs — `ipvsadm -S -n`, `ipvsadm -L -n`, keepalived.conf — arrive
 * through --config or positionally, like SA tables. The config and log loaders ask here
 * whether the text is one, by the registry's IPVS readers; reading it is the platform's job.
 */
import { coverageOf } from '../evidence/coverage.js';
import type { Readable } from 'node:stream';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { IpvsFacts, IpvsReader } from '../evidence/ipvs-types.js';
import { ipvsReaders, platformOf } from '../platforms/index.js';
import { bestSniff, readGuarded, streamLines, textLines } from './whole-input.js';

export interface IpvsLoadResult {
  input: InputInfo;
  facts: IpvsFacts;
  diagnostics: Diagnostic[];
}

/** A director's rules are a few hundred lines; this bounds a mistaken input read whole. */
const MAX_IPVS_CHARS = 16 * 1024 * 1024;

/** The IPVS reader that claims these first lines most strongly, if any claims them at all. */
export function detectIpvs(head: readonly string[]): { reader: IpvsReader; score: number } | undefined {
  return bestSniff(ipvsReaders, head);
}

export function readIpvs(reader: IpvsReader, lines: Iterable<string>, display: string): IpvsLoadResult {
  const read = readGuarded(lines, (l) => reader.read(l, display), { decoder: reader.format, name: `${reader.name} input`, source: display }, (count, d) => ({
    facts: { source: display, format: reader.format, services: [], lines: count, unparsed: count },
    diagnostics: [d],
  }));
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
      coverage: coverageOf('line', facts.lines, facts.unparsed),
      counters: { services: facts.services.length, realServers: facts.services.reduce((n, s) => n + s.realServers.length, 0) },
    },
  };
}

/** The text of a file already read, as the line reader gives it (whole-input.ts textLines). */
export const linesOf = textLines;

/** A positional or --log input that is an IPVS output: read whole (bounded), as SA tables are. */
export async function loadIpvsStream(stream: Readable, reader: IpvsReader, display: string): Promise<IpvsLoadResult> {
  const { lines, cut } = await streamLines(stream, MAX_IPVS_CHARS);
  const r = readIpvs(reader, lines, display);
  if (cut) r.diagnostics.push({ at: { source: display, line: lines.length + 1 }, decoder: reader.format, message: `input longer than ${MAX_IPVS_CHARS / 1024 / 1024} MiB: only its first ${lines.length} lines were read` });
  return r;
}
