import type { Evidence, EvidenceKind, EvidenceRef, Severity } from '../evidence/types.js';

export interface CodeSpec {
  severity: Severity;
  /** one sentence; `{name}` placeholders are filled from the finding's data */
  message: string;
  /** what to change, on which side, with the config keyword */
  hint: string;
}

export interface CheckMeta {
  /** equals the file name in checks/ */
  id: string;
  title: string;
  /** what it looks at, citing the RFC section or vendor doc */
  description: string;
  /** the check runs when at least one of these evidence kinds is present */
  requires: EvidenceKind[];
  codes: Record<string, CodeSpec>;
}

export interface FindingInput {
  code: string;
  data?: Record<string, unknown>;
  evidence: EvidenceRef[];
  /** only to lower or raise a code's registered severity for a stated reason in data */
  severity?: Severity;
}

export interface CheckContext {
  readonly evidence: Evidence;
  report(finding: FindingInput): void;
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
  data: Record<string, unknown>;
}

export type CheckStatus = 'pass' | 'fail' | 'not-applicable' | 'error';

export interface CheckResult {
  check: string;
  title: string;
  status: CheckStatus;
  findings: Finding[];
  error?: string;
}
