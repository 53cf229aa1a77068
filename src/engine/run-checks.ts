import type { Evidence, EvidenceKind, Severity } from '../evidence/types.js';
import { isFirewallDecision, type LogEventKind } from '../evidence/log-events.js';
import type { Check, CheckResult, Finding, FindingInput } from './types.js';
import { fillTemplate } from './template.js';
import { maskSecrets } from '../report/secrets.js';
import { ipsecFrames, relevantIcmp } from '../evidence/coverage.js';

const MAX_EVIDENCE_PER_FINDING = 20;
const MAX_EXCERPT = 400;

export interface RunChecksOptions {
  /** called after each check, for progress in the UI */
  onResult?: (result: CheckResult) => void;
  /** only these check ids */
  only?: string[];
}

/**
 * Runs every check whose `requires` is satisfied. A check that throws becomes
 * status 'error' and the others still run (Lighthouse's audit runner).
 */
export async function runChecks(checks: readonly Check[], evidence: Evidence, opts: RunChecksOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (opts.only && !opts.only.includes(check.meta.id)) continue;
    const result = await runOne(check, evidence);
    results.push(result);
    opts.onResult?.(result);
    // yield to the event loop between checks: during a live capture the interim analyses
    // run beside libpcap's poll callbacks, and a long synchronous run would let its buffer overflow
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return results;
}

export function isApplicable(check: Check, evidence: Evidence): boolean {
  return check.meta.requires.some((kind) => given(evidence, kind));
}

/** What each evidence kind is, in words, for "needs …" and "nothing to judge: …". */
const KIND_WORDS: Record<EvidenceKind, { needs: string; none: string }> = {
  logEvents: { needs: 'a daemon log', none: '0 IKE events in the logs' },
  packets: { needs: 'a capture', none: '0 IKE, ESP or AH packets captured' },
  configs: { needs: 'a config', none: '0 configs read' },
  rulesets: { needs: 'a firewall ruleset', none: '0 rulesets read' },
  host: { needs: '--host', none: 'no host probe' },
  saTables: { needs: 'an SA table', none: '0 SA tables read' },
  ipvs: { needs: 'an LVS director\'s services', none: '0 virtual services read' },
};

const NO_IKE_PACKETS = '0 IKE messages captured';

function noneWords(kind: EvidenceKind, evidence: Evidence, ikeOnly: boolean, reads?: readonly LogEventKind[]): string {
  if (kind === 'packets' && ikeOnly) return NO_IKE_PACKETS;
  if (kind === 'logEvents' && reads) {
    const ike = evidence.logEvents?.filter((e) => !isFirewallDecision(e)).length ?? 0;
    // the same words for every such check, so that the text report lists them on one line (meta.reads says which kinds)
    if (ike > 0) return `0 IKE events about this in the logs (${ike} about other things)`;
  }
  return KIND_WORDS[kind].none;
}

/** Given at all (an empty list counts as not given: a log with no IKE event is no log evidence). */
function given(evidence: Evidence, kind: EvidenceKind): boolean {
  const v = evidence[kind];
  return Array.isArray(v) ? v.length > 0 : v !== undefined;
}

/**
 * Given but holding nothing to judge. A log counts by its IKE events (those the check reads, when
 * it says), not the firewall decisions some boxes log beside them. A capture counts by its IPsec (IKE, ESP, AH, NAT-T
 * keepalives, ICMP errors about them): a live capture of 0 packets, or one of other traffic
 * only, gives the IKE and ESP checks nothing; a check that judges other traffic too
 * (path-mtu, capture-coverage) says what it judged with ctx.judged.
 */
function emptyKind(evidence: Evidence, kind: EvidenceKind, ikeOnly = false, reads?: readonly LogEventKind[]): boolean {
  // a log of a middle box's firewall decisions (F5 AFM) holds no IKE event for the log checks to judge;
  // a check that names the events it reads (meta.reads) is given the log only by those
  if (kind === 'logEvents') return !evidence.logEvents?.some((e) => (reads ? reads.includes(e.kind) : !isFirewallDecision(e)));
  if (kind === 'packets' && ikeOnly) {
    const p = evidence.packets;
    return !p || (p.ikeMessages.length === 0 && !p.ikeNotKept?.length && !p.icmpErrors.some((e) => e.quoted?.kind === 'ike'));
  }
  if (kind === 'packets') {
    const p = evidence.packets;
    return !p || (ipsecFrames(p.counters) === 0 && !p.icmpErrors.some(relevantIcmp));
  }
  return !given(evidence, kind);
}

function notApplicableReason(check: Check, evidence: Evidence): string {
  const kinds = check.meta.requires;
  // a log was given but none of its lines is an IKE event: say that, not "needs a daemon log"
  if (kinds.includes('logEvents') && evidence.logEvents !== undefined) return `nothing to judge: ${KIND_WORDS.logEvents.none}`;
  return `needs ${orList(kinds.map((k) => KIND_WORDS[k].needs))}`;
}

async function runOne(check: Check, evidence: Evidence): Promise<CheckResult> {
  const { meta } = check;
  const base = { check: meta.id, title: meta.title, ...(meta.stage ? { stage: meta.stage } : {}) };
  if (!isApplicable(check, evidence)) return { ...base, status: 'not-applicable', findings: [], reason: notApplicableReason(check, evidence) };
  const findings: Finding[] = [];
  const judged: Array<{ what: string; count: number }> = [];
  try {
    await check.run({
      evidence,
      report: (input) => findings.push(toFinding(check, input)),
      judged: (what, count) => void judged.push({ what, count }),
    });
  } catch (err) {
    return { ...base, status: 'error', findings, error: err instanceof Error ? err.message : String(err) };
  }
  return { ...base, ...statusOf(check, evidence, findings, judged), findings };
}

/**
 * The engine, not each check, decides the status from what the check reported and what
 * it said it judged: any finding → fail (warning or error) or info, never pass; no finding
 * and nothing judged → not applicable with the reason; else pass.
 */
function statusOf(check: Check, evidence: Evidence, findings: Finding[], judged: Array<{ what: string; count: number }>): Pick<CheckResult, 'status' | 'reason' | 'judged'> {
  const said = judged.length ? judged.map((j) => `${j.count} ${j.what}`).join(', ') : undefined;
  if (findings.some((f) => f.severity !== 'info')) return { status: 'fail', ...(said ? { judged: said } : {}) };
  if (findings.length) return { status: 'info', ...(said ? { judged: said } : {}) };
  if (judged.length) {
    return judged.some((j) => j.count > 0) ? { status: 'pass', judged: said } : { status: 'not-applicable', reason: `nothing to judge: ${said}` };
  }
  // the check did not say what it judged: its evidence kinds, present but empty, had nothing in them
  const present = check.meta.requires.filter((k) => evidence[k] !== undefined);
  const { judges, reads } = check.meta;
  if (present.length && present.every((k) => emptyKind(evidence, k, judges === 'ike', reads))) {
    return { status: 'not-applicable', reason: `nothing to judge: ${present.map((k) => noneWords(k, evidence, judges === 'ike', reads)).join(', ')}` };
  }
  return { status: 'pass' };
}

function orList(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`;
}

function toFinding(check: Check, input: FindingInput): Finding {
  const spec = check.meta.codes[input.code];
  if (!spec) throw new Error(`check ${check.meta.id} reported unregistered code ${input.code}`);
  if (input.evidence.length === 0) throw new Error(`check ${check.meta.id} reported ${input.code} without evidence`);
  const data = input.data ?? {};
  const severity: Severity = input.severity ?? spec.severity;
  const all = input.evidence;
  // the first ones and the last: a refusal repeated 1000 times reads "×1000, first … last …"
  const kept = all.length > MAX_EVIDENCE_PER_FINDING ? [...all.slice(0, MAX_EVIDENCE_PER_FINDING - 1), all[all.length - 1]] : all;
  return {
    code: input.code,
    check: check.meta.id,
    severity,
    message: maskSecrets(fillTemplate(spec.message, data)),
    hint: maskSecrets(fillTemplate(spec.hint, data)),
    evidence: kept.map((e) => ({
      ...e,
      excerpt: maskSecrets(e.excerpt.length > MAX_EXCERPT ? e.excerpt.slice(0, MAX_EXCERPT) + '…' : e.excerpt),
    })),
    ...(all.length > kept.length ? { occurrences: all.length } : {}),
    stage: spec.stage ?? check.meta.stage,
    // only info can be routine: a warning or error always changes something
    ...(severity === 'info' && (input.routine ?? spec.routine) ? { routine: true as const } : {}),
    data: jsonSafe(data) as Record<string, unknown>,
  };
}

/** Findings cross process boundaries as JSON: drop functions, bigint → string, Maps → objects. */
export function jsonSafe(v: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x, depth + 1) ?? null);
  if (v instanceof Map) return jsonSafe(Object.fromEntries(v), depth);
  if (v instanceof Set) return jsonSafe([...v], depth);
  if (v instanceof Uint8Array) return `[${v.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const s = jsonSafe(x, depth + 1);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
