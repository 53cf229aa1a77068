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

/**
 * The rules of a body's first word, found without cutting the word out of the body (a string
 * per decoded line, millions on a big log): the word's characters are hashed where they are,
 * and the candidates of that hash compared in place.
 */
export function ruleLookup(table: ReadonlyMap<string, BodyRule[]>): (body: string) => BodyRule[] | undefined {
  const byHash = new Map<number, { word: string; rules: BodyRule[] }[]>();
  for (const [word, rules] of table) {
    const h = wordHash(word, word.length);
    const list = byHash.get(h);
    if (list) list.push({ word, rules });
    else byHash.set(h, [{ word, rules }]);
  }
  return (body) => {
    let end = body.indexOf(' ');
    if (end === -1) end = body.length;
    const list = byHash.get(wordHash(body, end));
    if (list) {
      for (let i = 0; i < list.length; i++) if (list[i].word.length === end && body.startsWith(list[i].word)) return list[i].rules;
    }
    return undefined;
  };
}

/** FNV-1a over the first `end` UTF-16 units of `text`. */
function wordHash(text: string, end: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
