import type { Evidence, Severity } from '../evidence/types.js';
import type { Check, CheckResult, Finding, FindingInput } from './types.js';
import { fillTemplate } from './template.js';
import { maskSecrets } from '../report/secrets.js';

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
  return check.meta.requires.some((kind) => {
    const v = evidence[kind];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}

async function runOne(check: Check, evidence: Evidence): Promise<CheckResult> {
  const { meta } = check;
  const base = { check: meta.id, title: meta.title };
  if (!isApplicable(check, evidence)) return { ...base, status: 'not-applicable', findings: [] };
  const findings: Finding[] = [];
  try {
    await check.run({
      evidence,
      report: (input) => findings.push(toFinding(check, input)),
    });
  } catch (err) {
    return { ...base, status: 'error', findings, error: err instanceof Error ? err.message : String(err) };
  }
  const failed = findings.some((f) => f.severity !== 'info');
  return { ...base, status: failed ? 'fail' : 'pass', findings };
}

function toFinding(check: Check, input: FindingInput): Finding {
  const spec = check.meta.codes[input.code];
  if (!spec) throw new Error(`check ${check.meta.id} reported unregistered code ${input.code}`);
  if (input.evidence.length === 0) throw new Error(`check ${check.meta.id} reported ${input.code} without evidence`);
  const data = input.data ?? {};
  const severity: Severity = input.severity ?? spec.severity;
  return {
    code: input.code,
    check: check.meta.id,
    severity,
    message: maskSecrets(fillTemplate(spec.message, data)),
    hint: maskSecrets(fillTemplate(spec.hint, data)),
    evidence: input.evidence.slice(0, MAX_EVIDENCE_PER_FINDING).map((e) => ({
      ...e,
      excerpt: maskSecrets(e.excerpt.length > MAX_EXCERPT ? e.excerpt.slice(0, MAX_EXCERPT) + '…' : e.excerpt),
    })),
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
