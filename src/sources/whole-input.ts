/**
 * What the loaders of inputs read whole — SA tables, IPVS directors' rules, configs — share:
 * picking the reader that claims the first lines most strongly, reading a stream into
 * bounded lines, splitting text as the line reader does, and running a reader so that one
 * that throws loses only its own input, located.
 */
import type { Readable } from 'node:stream';
import type { Diagnostic } from '../evidence/types.js';
import { readLineBatches } from './line-reader.js';

/** The reader that claims these first lines most strongly (a reader that throws claims nothing), if any does. */
export function bestSniff<R extends { sniff(lines: readonly string[]): number }>(readers: readonly R[], head: readonly string[]): { reader: R; score: number } | undefined {
  let best: { reader: R; score: number } | undefined;
  for (const reader of readers) {
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

/** A stream's lines, up to `maxChars`: whole-text readers take an array, and a mistaken multi-GB input stays bounded. */
export async function streamLines(stream: Readable, maxChars: number): Promise<{ lines: string[]; cut: boolean }> {
  const lines: string[] = [];
  let chars = 0;
  let cut = false;
  for await (const batch of readLineBatches(stream)) {
    for (const line of batch) {
      chars += line.text.length + 1;
      if (chars > maxChars) cut = true;
      else lines.push(line.text);
    }
  }
  return { lines, cut };
}

/** The text of a file already read, as the line reader gives it: \r\n ends a line too, and a final newline starts none. */
export function textLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Runs `read` over the lines, counting them; if the reader throws (readers are meant never
 * to), `failed(count, diagnostic)` builds the input as one that was not read, with a
 * located "decoder error", and every other input is still analysed.
 */
export function readGuarded<T>(lines: Iterable<string>, read: (lines: Iterable<string>) => T, what: { decoder: string; name: string; source: string }, failed: (count: number, d: Diagnostic) => T): T {
  let count = 0;
  const counted = (function* () {
    for (const l of lines) {
      count++;
      yield l;
    }
  })();
  try {
    return read(counted);
  } catch (err) {
    return failed(count, { at: { source: what.source, line: count || undefined }, decoder: what.decoder, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ${what.name} was not analysed` });
  }
}
