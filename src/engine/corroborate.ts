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
 * Capture findings with a key (e.g. peer and stage; several keys: any may match) that a
 * log finding has too are folded into it; the others are returned as they are, after
 * the log findings.
 */
export function corroborate(fromLog: FindingInput[], fromCapture: FindingInput[], keyOf: (f: FindingInput) => string | string[] | undefined): FindingInput[] {
  const keys = (f: FindingInput): string[] => {
    const k = keyOf(f);
    return k === undefined ? [] : Array.isArray(k) ? k : [k];
  };
  const byKey = new Map<string, FindingInput>();
  for (const f of fromLog) for (const k of keys(f)) if (!byKey.has(k)) byKey.set(k, f);
  const out = [...fromLog];
  for (const c of fromCapture) {
    const log = keys(c).map((k) => byKey.get(k)).find((f) => f !== undefined);
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

/**
 * The peer addresses a NAT_DETECTED names: the capture's IKE SA pairs (`A ⇄ B`), or the
 * address the log's IKE moved to (`198.51.100.20:4500`; a bare "UDP port 4500" names none).
 */
export function natPeers(f: FindingInput): string[] | undefined {
  if (Array.isArray(f.data?.peers)) return (f.data.peers as string[]).flatMap((p) => p.split(' ⇄ '));
  const to = String(f.data?.floatedTo ?? '');
  return /^\[?[0-9a-f.:]+\]?:\d+$/i.test(to) ? [to.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')] : undefined;
}
