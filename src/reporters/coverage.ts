/**
 * How much of an input was used, in words, for every header (text, Markdown, HTML, the
 * interactive view) and the verdict: one wording, so the formats never disagree.
 */
import type { InputCoverage, InputInfo } from '../evidence/types.js';

interface Words {
  unit: [string, string];
  events: [string, string];
  other: [string, string];
  notUnderstood: string;
}

const UNIT: Record<InputCoverage['unit'], [string, string]> = { line: ['line', 'lines'], frame: ['frame', 'frames'], row: ['row', 'rows'], rule: ['rule', 'rules'], entry: ['entry', 'entries'] };

function wordsFor(kind: InputInfo['kind'], unit: InputCoverage['unit']): Words {
  const u = UNIT[unit];
  switch (kind) {
    case 'log':
      return { unit: u, events: ['IKE event', 'IKE events'], other: ['other daemon line', 'other daemon lines'], notUnderstood: 'not understood' };
    case 'pcap':
    case 'live':
      return { unit: u, events: ['IPsec frame', 'IPsec frames'], other: ['other frame', 'other frames'], notUnderstood: 'not decoded' };
    case 'table':
      return { unit: u, events: ['read as SAs', 'read as SAs'], other: ['other', 'other'], notUnderstood: 'not understood' };
    case 'host':
      return { unit: ['probe', 'probes'], events: ['answered', 'answered'], other: ['other', 'other'], notUnderstood: 'not run' };
    default:
      return { unit: u, events: ['read', 'read'], other: ['other', 'other'], notUnderstood: 'not understood' };
  }
}

function count(n: number, [one, many]: [string, string]): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "131 lines: 40 IKE events, 80 other daemon lines, 11 not understood", "12 lines, none an
 * IKE event (12 not understood)", "11 lines: 1 firewall decision, 10 other daemon lines" (a
 * middle box's log), "214 frames: 200 IPsec frames, 14 other traffic".
 * Undefined when the source did not measure it.
 */
export function describeCoverage(input: Pick<InputInfo, 'kind' | 'coverage'>): string | undefined {
  const c = input.coverage;
  if (!c) return undefined;
  const w = wordsFor(input.kind, c.unit);
  const total = count(c.total, w.unit);
  if (c.total === 0) return total;
  if (c.events === 0 && input.kind === 'log') {
    if (c.notUnderstood === c.total) return `${total}, none understood`;
    return `${total}, none an IKE event${c.notUnderstood ? ` (${c.notUnderstood} not understood)` : ''}`;
  }
  const parts: string[] = [];
  const decisions = c.decisions ?? 0;
  if (w.events[0] === 'read') parts.push(`${c.events} read`);
  else if (c.events > decisions) parts.push(count(c.events - decisions, w.events));
  if (decisions) parts.push(count(decisions, ['firewall decision', 'firewall decisions']));
  if (c.other) parts.push(`${c.other} ${c.other === 1 ? w.other[0] : w.other[1]}`);
  if (c.notUnderstood) parts.push(`${c.notUnderstood} ${w.notUnderstood}`);
  return `${total}: ${parts.join(', ')}`;
}
