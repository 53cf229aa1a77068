/**
 * One finding when a daemon log and a capture show the same symptom: the log's
 * finding (it knows the connection and what the daemon concluded) keeps its
 * message, gains the capture's frames as evidence and the capture's figures under
 * `data.capture`. Without it, `--log` and `--pcap` of the same failed attempt read
 * as two problems.
 */
import type { FindingInput } from './types.js';

/** Evidence lines kept from each side of a merged finding (the engine keeps 20 in all). */
const LOG_EVIDENCE = 12;
const CAPTURE_EVIDENCE = 8;
const LEAD = 3;

/**
 * Capture findings whose key (e.g. peer and stage) matches a log finding's are folded
 * into it; the others are returned as they are, after the log findings.
 */
export function corroborate(fromLog: FindingInput[], fromCapture: FindingInput[], keyOf: (f: FindingInput) => string | undefined): FindingInput[] {
  const byKey = new Map<string, FindingInput>();
  for (const f of fromLog) {
    const k = keyOf(f);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, f);
  }
  const out = [...fromLog];
  for (const c of fromCapture) {
    const k = keyOf(c);
    const log = k === undefined ? undefined : byKey.get(k);
    if (!log || log.data?.capture) {
      out.push(c);
      continue;
    }
    log.data = { ...log.data, seenIn: 'log and capture', capture: c.data ?? {} };
    // both sides among the first lines (a text report shows the first six), the rest after
    log.evidence = [
      ...log.evidence.slice(0, LEAD), ...c.evidence.slice(0, LEAD),
      ...log.evidence.slice(LEAD, LOG_EVIDENCE), ...c.evidence.slice(LEAD, CAPTURE_EVIDENCE),
    ];
  }
  return out;
}
