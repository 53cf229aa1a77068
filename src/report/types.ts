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
  summary: { errors: number; warnings: number; info: number };
  /** optional renderable views (ladder of the IKE conversation, live counters) */
  views?: Record<string, unknown>;
}
