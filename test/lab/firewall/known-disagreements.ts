/**
 * Where ipsec-doctor's evaluator and the kernel disagree today, each with the issue-17
 * item it is and what goes wrong (which rule, which field). The agreement test fails on
 * a disagreement missing here and on a listed probe that now agrees: fixing the
 * evaluator means deleting its lines.
 *
 * None remain. The last ones were fixed in the evaluator and readers: `-m addrtype
 * --dst-type LOCAL` / `fib daddr type local` (ufw) is decided from the packet's path;
 * `nft -j` writes `--tcp-flags ALL NONE` as {"op": "!"}, which the JSON reader now keeps;
 * and where nft lists an iptables-nft rule as an `xt` expression without its options, the
 * evaluator reports the verdict as undecided (a warning that names the rule and asks for
 * iptables-save) instead of walking past it as if it did not match — counted apart, never
 * as agreement.
 */
import type { ProbeDef } from './probes.js';
import type { View } from './agreement.js';

export interface KnownDisagreement {
  /** ruleset id (rulesets.ts) */
  ruleset: string;
  views: View[];
  family: 4 | 6;
  /** probe names (probes.ts), whitespace-insensitive */
  probes: string[];
  /** the issue-17 item */
  item: string;
  /** one line: which rule, which field */
  why: string;
}

export const KNOWN_DISAGREEMENTS: KnownDisagreement[] = [];

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

export function knownFor(ruleset: string, view: View, probe: ProbeDef): KnownDisagreement | undefined {
  return KNOWN_DISAGREEMENTS.find((k) => k.ruleset === ruleset && k.views.includes(view) && k.family === probe.family && k.probes.some((p) => norm(p) === norm(probe.name)));
}

/** listed (ruleset, view, family, probe) that did not disagree in this run: `found` holds "ruleset|view|family|probe" of every disagreement */
export function staleEntries(ruleset: string, found: Set<string>): string[] {
  const out: string[] = [];
  for (const k of KNOWN_DISAGREEMENTS.filter((x) => x.ruleset === ruleset)) {
    for (const view of k.views) for (const p of k.probes) if (!found.has(`${ruleset}|${view}|${k.family}|${norm(p)}`)) out.push(`[${view}] v${k.family} ${p} (${k.item})`);
  }
  return out;
}
