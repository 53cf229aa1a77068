/**
 * SA state tables (`swanctl --list-sas`, `ip -s xfrm state`, `ipsec trafficstatus`, …)
 * are pasted into whatever flag people find: --log, --config, or positionally. The log
 * and config loaders ask here first whether the text is a table, by the registry's
 * readers; reading it is the platform reader's job.
 */
import { coverageOf } from '../evidence/coverage.js';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { SaTable, SaTableReader } from '../evidence/sa-table-types.js';
import { tableReaders } from '../platforms/index.js';
import { bestSniff, readGuarded } from './whole-input.js';
import { platformOf } from '../platforms/index.js';
import { counted as countedWord } from '../evidence/plural.js';

export interface TableLoadResult {
  input: InputInfo;
  table: SaTable;
  diagnostics: Diagnostic[];
}

/** The table reader that claims these first lines most strongly, if any claims them at all. */
export function detectTable(head: readonly string[]): { reader: SaTableReader; score: number } | undefined {
  return bestSniff(tableReaders, head);
}

/** What to run instead, when a table holds SAs but no counters: without them no traffic can be judged. */
const WITH_COUNTERS: Partial<Record<SaTable['format'], string>> = {
  'ip-xfrm-state': '`ip -s xfrm state`',
  'ip-xfrm-policy': '`ip -s xfrm state` (policies carry no packet counts)',
  'panos-show-vpn-ike-sa': '`show vpn flow tunnel-id N` (its encap/decap counters)',
  'panos-show-vpn-ipsec-sa': '`show vpn flow tunnel-id N` (its encap/decap counters)',
};

export function readTable(reader: SaTableReader, lines: Iterable<string>, display: string): TableLoadResult {
  const { table, diagnostics } = safeRead(reader, lines, display);
  const platform = platformOf(reader);
  const counted = table.childSas.some((c) => [c.in, c.out, c.unpaired].some((d) => d?.packets !== undefined || d?.bytes !== undefined));
  if (table.childSas.length && !counted) {
    diagnostics.push({
      at: { source: display },
      decoder: 'sa-table',
      message: `this ${reader.name} output prints no packet or byte counters, so whether traffic flows through its ${countedWord(table.childSas.length, 'SA', 'SAs')} is not judged${WITH_COUNTERS[table.format] ? `: run ${WITH_COUNTERS[table.format]}` : ''}`,
    });
  }
  return {
    table,
    diagnostics,
    input: {
      kind: 'table',
      path: display,
      dialect: `${reader.name}${platform ? ` (${platform.title})` : ''}`,
      lines: table.lines,
      unparsed: table.unparsed,
      coverage: coverageOf('line', table.lines, table.unparsed, table.otherLines),
      counters: { ikeSas: table.ikeSas.length, childSas: table.childSas.length, policies: table.policies.length },
    },
  };
}

/** A reader that throws keeps the input in the report as a table that was not read (whole-input.ts readGuarded). */
function safeRead(reader: SaTableReader, lines: Iterable<string>, display: string): ReturnType<SaTableReader['read']> {
  return readGuarded(lines, (l) => reader.read(l, display), { decoder: reader.format, name: `${reader.name} output`, source: display }, (count, d) => ({
    table: { source: display, format: reader.format, platform: platformOf(reader)?.id ?? 'unknown', ikeSas: [], childSas: [], policies: [], lines: count, otherLines: 0, unparsed: count },
    diagnostics: [d],
  }));
}
