/**
 * SA state tables (`swanctl --list-sas`, `ip -s xfrm state`, `ipsec trafficstatus`, …)
 * are pasted into whatever flag people find: --log, --config, or positionally. The log
 * and config loaders ask here first whether the text is a table, by the registry's
 * readers; reading it is the platform reader's job.
 */
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { SaTable, SaTableReader } from '../evidence/sa-table-types.js';
import { tableReaders } from '../platforms/index.js';
import { platformOf } from '../platforms/index.js';

export interface TableLoadResult {
  input: InputInfo;
  table: SaTable;
  diagnostics: Diagnostic[];
}

/** The table reader that claims these first lines most strongly, if any claims them at all. */
export function detectTable(head: readonly string[]): { reader: SaTableReader; score: number } | undefined {
  let best: { reader: SaTableReader; score: number } | undefined;
  for (const reader of tableReaders) {
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
      message: `this ${reader.name} output prints no packet or byte counters, so whether traffic flows through its ${table.childSas.length} SA(s) is not judged${WITH_COUNTERS[table.format] ? `: run ${WITH_COUNTERS[table.format]}` : ''}`,
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
      counters: { ikeSas: table.ikeSas.length, childSas: table.childSas.length, policies: table.policies.length },
    },
  };
}

/**
 * Readers are meant never to throw; if one does, the input is kept in the report as a table
 * that was not read, with a diagnostic naming it, and every other input is still analysed.
 */
function safeRead(reader: SaTableReader, lines: Iterable<string>, display: string): ReturnType<SaTableReader['read']> {
  let count = 0;
  const counted = (function* () {
    for (const l of lines) {
      count++;
      yield l;
    }
  })();
  try {
    return reader.read(counted, display);
  } catch (err) {
    const platform = platformOf(reader);
    return {
      table: { source: display, format: reader.format, platform: platform?.id ?? 'unknown', ikeSas: [], childSas: [], policies: [], lines: count, otherLines: 0, unparsed: count },
      diagnostics: [{ at: { source: display, line: count || undefined }, decoder: reader.format, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ${reader.name} output was not analysed` }],
    };
  }
}
