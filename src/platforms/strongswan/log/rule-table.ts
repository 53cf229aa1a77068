/**
 * Body rules are looked up by the body's first word, so a line costs one Map
 * lookup and at most a few anchored regexes — never a scan through every pattern.
 */
import type { LineContext } from './context.js';

/** Returns true when it recognised the body (and emitted its events, possibly none). */
export type BodyRule = (body: string, c: LineContext) => boolean;

export type RuleTable = Record<string, BodyRule[]>;

export function mergeRuleTables(...tables: RuleTable[]): Map<string, BodyRule[]> {
  const merged = new Map<string, BodyRule[]>();
  for (const t of tables) {
    for (const [word, rules] of Object.entries(t)) {
      const list = merged.get(word);
      if (list) list.push(...rules);
      else merged.set(word, [...rules]);
    }
  }
  return merged;
}

export function firstWord(body: string): string {
  const sp = body.indexOf(' ');
  return sp === -1 ? body : body.slice(0, sp);
}
