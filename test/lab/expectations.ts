/**
 * Runs ipsec-doctor on a lab result, one input combination at a time, and decides
 * which expectations can be asserted today. An expected code is asserted when a
 * registered check declares it AND requires the evidence kind that input yields
 * AND src/run.ts turns that input into evidence; otherwise it is listed as "not
 * evaluated" with the reason (packet and config checks land in parallel) — never
 * silently passed.
 */
import { buildEvidence, analyse, type RunOptions } from '../../src/run.js';
import type { EvidenceKind } from '../../src/evidence/types.js';
import type { Report } from '../../src/report/types.js';
import { allChecks } from '../../checks/index.js';
import type { LabResult } from './driver.js';
import type { CodeExpectation, InputKind, Scenario } from './scenario-types.js';

export const INPUT_KINDS: InputKind[] = ['responderLog', 'initiatorLog', 'bothLogs', 'leftPcap', 'middlePcap', 'leftInnerPcap', 'configs', 'middleRuleset', 'middleRulesetJson', 'bothTables', 'leftTableAndPcap'];

const EVIDENCE_OF: Record<InputKind, EvidenceKind> = {
  responderLog: 'logEvents',
  initiatorLog: 'logEvents',
  bothLogs: 'logEvents',
  leftPcap: 'packets',
  middlePcap: 'packets',
  leftInnerPcap: 'packets',
  configs: 'configs',
  middleRuleset: 'rulesets',
  middleRulesetJson: 'rulesets',
  bothTables: 'saTables',
  leftTableAndPcap: 'saTables',
};

type LabFiles = Pick<LabResult, 'logs' | 'pcaps' | 'configs' | 'rulesets' | 'listSas'>;

export function inputsFor(kind: InputKind, r: LabFiles): Pick<RunOptions, 'logs' | 'pcaps' | 'configs'> {
  const none = { logs: [], pcaps: [], configs: [] };
  switch (kind) {
    case 'responderLog':
      return { ...none, logs: [r.logs.right] };
    case 'initiatorLog':
      return { ...none, logs: [r.logs.left] };
    case 'bothLogs':
      return { ...none, logs: [r.logs.left, r.logs.right] };
    case 'leftPcap':
      return { ...none, pcaps: [r.pcaps.left] };
    case 'middlePcap':
      return { ...none, pcaps: [r.pcaps.middle] };
    case 'leftInnerPcap':
      return { ...none, pcaps: [r.pcaps.leftInner] };
    case 'configs':
      return { ...none, configs: [r.configs.left, r.configs.right] };
    // the middle box's ruleset with both peers' configs: they name the tunnel's two ends, so
    // the firewall check judges the box between them on its forward path
    case 'middleRuleset':
      return { ...none, configs: [r.rulesets.middleNft, r.configs.left, r.configs.right] };
    case 'middleRulesetJson':
      return { ...none, configs: [r.rulesets.middleNftJson, r.configs.left, r.configs.right] };
    // SA tables are sniffed by content whatever the flag: the lab passes them as logs, as a user pasting them would
    case 'bothTables':
      return { ...none, logs: [r.listSas.left, r.listSas.right] };
    case 'leftTableAndPcap':
      return { ...none, logs: [r.listSas.left], pcaps: [r.pcaps.left] };
  }
}

export interface Diagnosis {
  /** undefined when src/run.ts does not turn this input into evidence yet */
  report?: Report;
  unwiredReason?: string;
}

export async function diagnoseInput(kind: InputKind, r: LabFiles): Promise<Diagnosis> {
  const opts: RunOptions = { ...inputsFor(kind, r), host: false, local: [], peer: [] };
  const evidence = await buildEvidence(opts);
  const ek = EVIDENCE_OF[kind];
  if (evidence[ek] === undefined) return { unwiredReason: `src/run.ts does not build '${ek}' evidence from ${kind} yet` };
  return { report: await analyse(evidence) };
}

/** Codes a registered check can report from this evidence kind. */
export function codesCheckableFrom(ek: EvidenceKind): Set<string> {
  const codes = new Set<string>();
  for (const c of allChecks) if (c.meta.requires.includes(ek)) for (const code of Object.keys(c.meta.codes)) codes.add(code);
  return codes;
}

export function allRegisteredCodes(): Set<string> {
  return new Set(allChecks.flatMap((c) => Object.keys(c.meta.codes)));
}

export interface Verdict {
  /** expectations that were checked against the report */
  asserted: string[];
  /** expectations that failed */
  failures: string[];
  /** expectations that could not be checked, with why */
  notEvaluated: string[];
}

export function judge(scenario: Scenario, kind: InputKind, d: Diagnosis): Verdict {
  const exp: CodeExpectation = scenario.expect[kind] ?? {};
  const verdict: Verdict = { asserted: [], failures: [], notEvaluated: [] };
  const wanted = [...(exp.codes ?? []).map((c) => ({ code: c, present: true })), ...(exp.absent ?? []).map((c) => ({ code: c, present: false }))];
  if (!d.report) {
    for (const w of wanted) verdict.notEvaluated.push(`${scenario.name}/${kind}: ${w.present ? '' : 'no '}${w.code} — ${d.unwiredReason}`);
    return verdict;
  }
  const ek = EVIDENCE_OF[kind];
  const checkable = codesCheckableFrom(ek);
  const registered = allRegisteredCodes();
  const found = new Set(d.report.findings.map((f) => f.code));
  for (const w of wanted) {
    const label = `${scenario.name}/${kind}: ${w.present ? '' : 'no '}${w.code}`;
    if (!checkable.has(w.code)) {
      verdict.notEvaluated.push(`${label} — ${registered.has(w.code) ? `no check reporting ${w.code} requires '${ek}' yet` : `no registered check declares ${w.code} yet`}`);
      continue;
    }
    verdict.asserted.push(label);
    if (found.has(w.code) !== w.present) verdict.failures.push(`${label} (reported: ${[...found].sort().join(', ') || 'nothing'})`);
  }
  return verdict;
}
