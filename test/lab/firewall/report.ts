/** Tables of the agreement lab: one per ruleset, then the figures per view and overall. */
import { VIEWS, agrees, type ProbeResult, type RulesetRun, type View } from './agreement.js';
import { KNOWN_DISAGREEMENTS, knownFor, type KnownDisagreement } from './known-disagreements.js';

export interface Disagreement {
  ruleset: string;
  view: View;
  result: ProbeResult;
  known?: KnownDisagreement;
}

export function disagreementsOf(run: RulesetRun): Disagreement[] {
  const out: Disagreement[] = [];
  for (const result of run.results) {
    for (const view of run.views) {
      if (agrees(result, view) !== false) continue;
      out.push({ ruleset: run.def.id, view, result, known: knownFor(run.def.id, view, result.probe) });
    }
  }
  return out;
}

/** agreed: the evaluator's verdict is the kernel's; undecided: it said it could not read the deciding rule (never counted as agreed) */
export function tally(runs: RulesetRun[], view?: View): { agreed: number; undecided: number; probes: number } {
  let agreed = 0;
  let undecided = 0;
  let probes = 0;
  for (const run of runs) {
    for (const r of run.results) {
      for (const v of view ? [view] : run.views) {
        const a = agrees(r, v);
        if (a === undefined) continue;
        probes++;
        if (a === true) agreed++;
        else if (a === 'undecided') undecided++;
      }
    }
  }
  return { agreed, undecided, probes };
}

const kernelText = (r: ProbeResult) => (r.kernel === 'not run' ? 'n/a' : r.kernel + (r.late ? '*' : ''));
const evalText = (r: ProbeResult, v: View) => {
  const e = r.evaluator[v];
  // '?': it passed over rules it could not decide on the way
  return e ? (e.verdict === 'accept' ? 'arrived' : 'dropped') + (e.undecided.length ? '?' : '') : '';
};
const pct = (t: { agreed: number; undecided: number; probes: number }) =>
  `${t.agreed}/${t.probes}${t.probes ? ` (${((100 * t.agreed) / t.probes).toFixed(1)}%)` : ''}${t.undecided ? ` + ${t.undecided} undecided` : ''}`;

export function formatRun(run: RulesetRun): string {
  const lines: string[] = [];
  lines.push(`== ${run.def.id}: ${run.def.title}`);
  lines.push(`   from: ${run.def.origin}; ${(run.ms / 1000).toFixed(1)} s`);
  if (run.error) lines.push(`   ERROR: ${run.error}`);
  if (!run.results.length) return lines.join('\n');
  const name = Math.max(...run.results.map((r) => r.probe.name.length)) + 2;
  const head = ['fam', 'probe'.padEnd(name), 'kernel  ', ...run.views.map((v) => `${v}`.padEnd(14)), 'agree'];
  lines.push(`   ${head.join(' ')}`);
  for (const r of run.results) {
    const verdicts = run.views.map((v) => evalText(r, v).padEnd(Math.max(14, v.length)));
    const a = run.views.map((v) => agrees(r, v));
    const mark = a.every((x) => x === undefined) ? '-' : a.some((x) => x === false) ? 'NO' : a.some((x) => x === 'undecided') ? 'open' : 'yes';
    lines.push(`   v${r.probe.family}  ${r.probe.name.padEnd(name)} ${kernelText(r).padEnd(8)} ${verdicts.join(' ')} ${mark}${r.note && r.kernel === 'not run' ? `  (${r.note})` : ''}`);
  }
  const figures = run.views.map((v) => `${v} ${pct(tally([run], v))}`);
  lines.push(`   agreement: ${figures.join(', ')}; all views ${pct(tally([run]))}`);
  if (run.results.some((r) => r.late)) lines.push('   * arrived after its wait (seen by the final sweep)');
  if (run.results.some((r) => Object.values(r.evaluator).some((e) => e?.undecided.length))) lines.push('   ? the evaluator passed over rules it could not decide');
  const found = disagreementsOf(run);
  // known ones once per list entry and view; a new one in full, with the rules the evaluator could not decide
  const known = new Map<string, Disagreement[]>();
  for (const d of found.filter((x) => x.known)) {
    const key = `${KNOWN_DISAGREEMENTS.indexOf(d.known!)}|${d.view}`;
    known.set(key, [...(known.get(key) ?? []), d]);
  }
  for (const ds of known.values()) {
    const k = ds[0].known!;
    lines.push(`   ✗ known [${ds[0].view}] v${k.family}, ${ds.length} probe(s) — issue 17 ${k.item}: ${k.why}`);
    lines.push(`       ${ds.map((d) => d.result.probe.name.replace(/\s+/g, ' ')).join('; ')}`);
  }
  for (const d of found.filter((x) => !x.known)) {
    const e = d.result.evaluator[d.view]!;
    lines.push(`   ✗ NEW [${d.view}] v${d.result.probe.family} ${d.result.probe.name.replace(/\s+/g, ' ')}: kernel ${d.result.kernel}, evaluator ${e.verdict} by ${e.by}`);
    if (e.undecided.length) lines.push(`       passed over, undecided: ${e.undecided.slice(0, 3).join(' | ')}${e.undecided.length > 3 ? ` (+${e.undecided.length - 3})` : ''}`);
  }
  for (const v of run.views) if (run.diagnostics[v]?.length) lines.push(`   ${v} decoder diagnostics: ${run.diagnostics[v]!.slice(0, 5).join(' | ')}${run.diagnostics[v]!.length > 5 ? ' …' : ''}`);
  return lines.join('\n');
}

/**
 * The dump that holds every option of the ruleset's rules: iptables-save for rules iptables
 * (legacy or -nft) wrote, whose nft listing shows `xt` matches without their options; the nft
 * listing for rules nft wrote itself (no iptables view then).
 */
export function completeView(run: RulesetRun): View {
  return run.views.includes('iptables-save') ? 'iptables-save' : 'nft';
}

export function formatSummary(runs: RulesetRun[]): string {
  const lines = ['== agreement with the kernel (probes agreed / probes)'];
  const w = Math.max(...runs.map((r) => r.def.id.length)) + 2;
  lines.push(`   ${'ruleset'.padEnd(w)} ${VIEWS.map((v) => v.padEnd(18)).join(' ')}`);
  for (const run of runs) {
    const per = VIEWS.map((v) => (run.views.includes(v) ? pct(tally([run], v)) : '-').padEnd(18));
    lines.push(`   ${run.def.id.padEnd(w)} ${per.join(' ')} ${run.error ? 'ERROR' : ''}`);
  }
  lines.push(`   ${'per view'.padEnd(w)} ${VIEWS.map((v) => pct(tally(runs, v)).padEnd(18)).join(' ')}`);
  lines.push(`   overall: ${pct(tally(runs))}`);
  const complete = runs.map((r) => tally([r], completeView(r))).reduce((a, t) => ({ agreed: a.agreed + t.agreed, undecided: a.undecided + t.undecided, probes: a.probes + t.probes }), { agreed: 0, undecided: 0, probes: 0 });
  lines.push(`   each ruleset in the dump that holds all its rule options (iptables-save for rules iptables wrote, nft for nft's own): ${pct(complete)}`);
  lines.push('   undecided: the evaluator reported that it could not read a rule that would decide (nft listings of iptables-nft rules show `xt` matches without their options); the firewall check then gives a warning naming the rule and asking for `iptables-save`');
  return lines.join('\n');
}
