/**
 * Firewall rulesets given with `--config FILE` (type sniffed from the content, or
 * forced with `--config-type iptables-save|ip6tables-save|nft|nft-json`). The IKE
 * config loader (config-file.ts) refuses rulesets; run.ts routes them here first.
 */
import { coverageOf } from '../evidence/coverage.js';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { Ruleset } from '../evidence/ruleset-types.js';
import { InputError, UsageError } from '../errors.js';
import { readCappedFile } from './read-capped.js';
import type { ReadInput } from './config-file.js';
import type { RulesetDecodeResult } from '../platforms/netfilter/iptables-save.js';
import { rulesetReaders } from '../platforms/index.js';

export const RULESET_TYPES: readonly string[] = rulesetReaders.map((r) => r.type);
/** rulesets of real gateways are well under this; a bigger file is not a ruleset */
export const MAX_RULESET_BYTES = 32 * 1024 * 1024;

export interface RulesetLoadResult {
  inputs: InputInfo[];
  rulesets: Ruleset[];
  diagnostics: Diagnostic[];
}

/** The first ruleset reader in registry order that claims the text. */
export function detectRulesetType(text: string): string | undefined {
  return rulesetReaders.find((r) => {
    try {
      return r.detect(text);
    } catch {
      return false; // a reader that cannot tell does not claim the text
    }
  })?.type;
}

export function decodeRuleset(text: string, source: string, type: string): RulesetDecodeResult {
  return rulesetReaders.find((r) => r.type === type)!.decode(text, source);
}

export async function loadRulesets(paths: ReadonlyArray<string | ReadInput>, forcedType?: string): Promise<RulesetLoadResult> {
  const out: RulesetLoadResult = { inputs: [], rulesets: [], diagnostics: [] };
  if (forcedType !== undefined && !RULESET_TYPES.includes(forcedType)) {
    throw new UsageError(`unknown ruleset type '${forcedType}'`, `one of: ${RULESET_TYPES.join(', ')}`);
  }
  const forced = forcedType;
  for (const input of paths) {
    const path = typeof input === 'string' ? input : input.path;
    const text =
      typeof input !== 'string'
        ? input.text
        : (
            await readCappedFile(path, MAX_RULESET_BYTES, {
              directory: 'pass a file: iptables-save > rules.v4, nft list ruleset > ruleset.nft',
              tooLarge: 'too large for a config or ruleset',
            })
          ).toString('utf8');
    const type = forced ?? detectRulesetType(text);
    if (!type) {
      throw new InputError(`${path}: looks like a firewall ruleset but is not iptables-save, ip6tables-save, \`nft list ruleset\` or \`nft -j list ruleset\` output`, `force the type with --config-type (${RULESET_TYPES.join(', ')})`);
    }
    let r: RulesetDecodeResult;
    try {
      r = decodeRuleset(text, path, type);
    } catch (err) {
      // readers are meant to be total; one that is not loses this ruleset, located, never the whole report
      out.diagnostics.push({ at: { source: path }, decoder: type, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ruleset was not analysed` });
      const lines = text.split('\n').length;
      out.inputs.push({ kind: 'ruleset', path, dialect: type, lines, unparsed: lines, coverage: coverageOf('line', lines, lines) });
      continue;
    }
    out.rulesets.push(r.ruleset);
    out.diagnostics.push(...r.diagnostics);
    const rules = r.ruleset.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
    // each diagnostic is a rule the evaluator could not read
    out.inputs.push({ kind: 'ruleset', path, dialect: type, lines: text.split('\n').length, unparsed: r.diagnostics.length, counters: { tables: r.ruleset.tables.length, rules }, coverage: coverageOf('rule', rules + r.diagnostics.length, r.diagnostics.length) });
  }
  return out;
}

