/**
 * The default action of a box's firewall context, learned from its own log. A BIG-IP listing does
 * not say whether the box runs in ADC mode (a packet no rule matched is accepted) or firewall mode
 * (dropped or rejected: F5 "Default Traffic Processing"), so its ruleset leaves that default rule
 * undecided. An AFM event of the `(Default)` rule of a Virtual Server context with action Reject
 * or Drop (the seed's `"Virtual Server","/Common/VS-FWD",…,"(Default)","Reject","Policy"`) is the
 * box applying that default: in ADC mode it would have accepted. The logged action settles it,
 * with the log line as the rule's evidence.
 */
import type { Evidence } from '../../types.js';
import type { Rule, Ruleset } from '../../ruleset-types.js';
import { derived } from '../memo.js';
import { decisions, ruleText, type Decision } from './passthrough.js';

/** The rulesets as given, with a middle box's undecided default action settled by a logged (Default) refusal. */
export const rulesetsAsLogged = derived((evidence: Evidence): Ruleset[] => {
  const all = evidence.rulesets ?? [];
  const logged = decisions(evidence).find((d) => d.data.defaultRule && d.data.verdict !== 'accept' && d.data.contextType === 'Virtual Server');
  if (!logged) return all;
  return all.map((rs) => (rs.middleBox ? { ...rs, tables: rs.tables.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => settle(r, logged)) })) })) } : rs));
});

function settle(rule: Rule, d: Decision): Rule {
  if (rule.target !== '(Default)' || !rule.matches.some((m) => m.kind === 'unknown')) return rule;
  const verdict = d.data.verdict === 'reject' ? 'reject' : 'drop';
  return { ...rule, at: d.at, text: `the context's default action, ${verdict}, as the box logged it (${ruleText(d)}: firewall mode, not ADC mode)`, matches: [], verdict: { kind: verdict } };
}
