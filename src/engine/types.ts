import type { Evidence, EvidenceKind, EvidenceRef, Severity } from '../evidence/types.js';
import type { LogEventKind } from '../evidence/log-events.js';

/**
 * Where in building a tunnel a finding sits, in the order things happen: the evidence
 * itself, the host, the path to the peer, the IKE SA, authentication, the Child SA, the
 * traffic through it, keeping it alive, and what state it is in. Within a severity,
 * findings are listed in this order, so that a cause comes before its symptoms
 * (IKE_PROPOSAL_MISMATCH before CHILD_PROPOSAL_MISMATCH, a firewall dropping IKE before
 * the retransmits it causes).
 */
export const STAGES = ['evidence', 'host', 'path', 'ike', 'auth', 'child', 'traffic', 'liveness', 'state'] as const;
export type Stage = (typeof STAGES)[number];

export interface CodeSpec {
  severity: Severity;
  /** overrides the check's stage for this code (config-diff compares IKE and Child SA settings alike) */
  stage?: Stage;
  /**
   * Info that says things work as they should and changes nothing for the reader (IKE
   * fragmentation announced by both peers): left out of the default text and Markdown
   * views (-v shows it; JSON keeps it). A check may decide per finding (FindingInput.routine).
   */
  routine?: boolean;
  /** one sentence; `{name}` placeholders are filled from the finding's data */
  message: string;
  /** what to change, on which side, with the config keyword */
  hint: string;
}

export interface CheckMeta {
  /** equals the file name in checks/ */
  id: string;
  title: string;
  /** where its findings sit in building a tunnel (STAGES): orders findings cause before symptom (every registered check declares one: test/conventions.test.ts) */
  stage?: Stage;
  /** what it looks at, citing the RFC section or vendor doc */
  description: string;
  /** the check runs when at least one of these evidence kinds is present */
  requires: EvidenceKind[];
  /**
   * 'ike': it judges IKE exchanges only, so a capture with no IKE message (nor an ICMP error
   * quoting one), ESP alone for instance, gives it nothing to judge (not applicable, never pass)
   */
  judges?: 'ike';
  /**
   * The log events that give it something to judge: a log holding none of them (one IPsec SA
   * delete pasted from a firewall's system log) is nothing to judge when it found nothing,
   * never a pass on the strength of other events. Unset: any IKE event.
   */
  reads?: LogEventKind[];
  codes: Record<string, CodeSpec>;
}

export interface FindingInput {
  code: string;
  data?: Record<string, unknown>;
  evidence: EvidenceRef[];
  /** only to lower or raise a code's registered severity for a stated reason in data */
  severity?: Severity;
  /** this finding is routine (CodeSpec.routine), or not, whatever the code's default */
  routine?: boolean;
}

export interface CheckContext {
  readonly evidence: Evidence;
  report(finding: FindingInput): void;
  /**
   * Says what the check looked at: `count` items of `what` ("IKE or ESP packets", "pairs of
   * configs"). A check that reported nothing and whose every statement counts 0 had
   * nothing to judge: it is not applicable ("nothing to judge: 0 IKE or ESP packets"),
   * never "pass". Checks that never call it are judged by their `requires` alone.
   */
  judged(what: string, count: number): void;
}

export interface Check {
  meta: CheckMeta;
  run(ctx: CheckContext): void | Promise<void>;
}

export interface Finding {
  code: string;
  check: string;
  severity: Severity;
  message: string;
  hint: string;
  evidence: EvidenceRef[];
  /**
   * How many evidence items the check gave for this finding; `evidence` keeps the first
   * ones and the last (run-checks.ts MAX_EVIDENCE_PER_FINDING), so a repeated refusal
   * reads "×1000, first … last …". Absent when every item is kept.
   */
  occurrences?: number;
  /** the code's stage (CodeSpec.stage or the check's): orders findings cause before symptom */
  stage?: Stage;
  /** info that changes nothing for the reader (CodeSpec.routine): hidden in the default text and Markdown views */
  routine?: true;
  data: Record<string, unknown>;
}

/**
 * pass: judged something and found nothing; fail: a warning or error finding; info: only
 * info findings (a check that reported anything is never "pass"); not-applicable: nothing
 * to judge (`reason` says why); error: the check threw.
 */
export type CheckStatus = 'pass' | 'fail' | 'info' | 'not-applicable' | 'error';

export interface CheckResult {
  check: string;
  title: string;
  status: CheckStatus;
  findings: Finding[];
  error?: string;
  /** not-applicable: why, in words ("nothing to judge: 0 IKE or ESP packets", "no daemon log or capture given") */
  reason?: string;
  /** pass/fail/info: what it looked at, when the check said ("214 IKE or ESP packets") */
  judged?: string;
  /** the check's stage (CheckMeta.stage); 'evidence': it judges the inputs, not the tunnel (capture-coverage) */
  stage?: Stage;
}
