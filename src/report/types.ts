import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { CheckResult, Finding } from '../engine/types.js';

export const REPORT_SCHEMA = 'ipsec-doctor.report/1';

/** The public, JSON-safe contract every reporter and the UI render (docs/report-schema.md). */
export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: string; version: string };
  inputs: InputInfo[];
  results: CheckResult[];
  findings: Finding[];
  diagnostics: Diagnostic[];
  /**
   * Counts over every finding and check, whatever --min-severity shows: `checks.judged` is
   * the checks that judged something of the tunnel (pass, fail or info; capture-coverage,
   * which judges the inputs themselves, is not counted), `checks.notApplicable` those with
   * nothing to judge, `checks.failedToRun` those that threw. No check judged anything: the
   * verdict is "nothing to judge" (exit 2), never a green tick.
   */
  summary: { errors: number; warnings: number; info: number; checks?: { judged: number; notApplicable: number; failedToRun: number } };
  /** optional renderable views (ladder of the IKE conversation, live counters) */
  views?: Record<string, unknown>;
}
