/**
 * `tmsh show sys connection` (`Sys::Connections`), ../shared/reference/platforms.md §2.3: one
 * line per flow — client-side client, client-side server, server-side client, server-side
 * server (`addr:port`, `any` for no port), protocol, idle seconds, `(tmm: N)`, then one or two
 * status words — ending with `Total records returned: N`. Whitespace is irregular (the
 * seed's copies pad with runs of spaces and no-break spaces): read by tokens.
 */
import type { SaTableReader, TableFlow } from '../../../evidence/sa-table-types.js';
import type { Diagnostic } from '../../../evidence/types.js';
import { plainSpaces, splitAddrPort } from '../text.js';

const HEADER = /^\s*Sys::Connections\s*$/;
const TOTAL = /^\s*Total records returned:\s*(\d+)\s*$/;
const PROMPT = /^\s*(\[[^\]]*\][^#]*#|\(tmos\)#|#)\s*(tmsh\s+)?sho?w?\s+sys\s+conn/i;

/** A flow row, or undefined. */
export function parseFlowRow(line: string): Omit<TableFlow, 'at'> | undefined {
  const tokens = plainSpaces(line).trim().split(/\s+/);
  if (tokens.length < 6) return undefined;
  const ends = tokens.slice(0, 4).map(splitAddrPort);
  if (ends.some((e) => !e)) return undefined;
  const protocol = tokens[4].toLowerCase();
  if (!/^[a-z][a-z0-9-]*$/.test(protocol)) return undefined;
  const idle = /^\d+$/.test(tokens[5]) ? Number(tokens[5]) : undefined;
  const [cc, cs, sc, ss] = ends as Array<{ addr: string; port: string }>;
  return {
    protocol,
    client: { src: cc.addr, srcPort: cc.port, dst: cs.addr, dstPort: cs.port },
    server: { src: sc.addr, srcPort: sc.port, dst: ss.addr, dstPort: ss.port },
    ...(idle !== undefined ? { idleSeconds: idle } : {}),
  };
}

export const sysConnectionReader: SaTableReader = {
  format: 'f5-sys-connection',
  name: 'F5 tmsh show sys connection',
  sniff(lines) {
    const head = lines.slice(0, 50);
    // a bare row is too generic on its own (four addr:port tokens could be anything's): the title or the footer must be there
    if (!head.some((l) => HEADER.test(plainSpaces(l)) || TOTAL.test(plainSpaces(l)))) return 0;
    return head.filter((l) => HEADER.test(plainSpaces(l)) || TOTAL.test(plainSpaces(l)) || parseFlowRow(l) !== undefined).length;
  },
  read(lines, source) {
    const flows: TableFlow[] = [];
    const diagnostics: Diagnostic[] = [];
    let n = 0;
    let other = 0;
    let unparsed = 0;
    for (const raw of lines) {
      n++;
      const line = plainSpaces(raw);
      if (!line.trim() || HEADER.test(line) || PROMPT.test(line) || /^-+$/.test(line.trim())) {
        other++;
        continue;
      }
      const total = TOTAL.exec(line);
      if (total) {
        other++;
        continue;
      }
      const row = parseFlowRow(line);
      if (row) flows.push({ ...row, at: { source, line: n, excerpt: line.trim() } });
      else {
        unparsed++;
        if (diagnostics.length < 10) diagnostics.push({ at: { source, line: n }, decoder: 'f5-sys-connection', message: 'not a Sys::Connections row (four addr:port ends, protocol, idle time): skipped' });
      }
    }
    return { table: { source, format: 'f5-sys-connection', platform: 'f5', ikeSas: [], childSas: [], policies: [], flows, lines: n, otherLines: other, unparsed }, diagnostics };
  },
};
