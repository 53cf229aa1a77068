/**
 * Issue 16 §3: --redact replaces its tokens in one scan with a trie lookup per position
 * instead of one regular expression of every token (quadratic: 512 KiB of ipsec.conf took
 * 52 s). The scan must replace exactly what that expression replaced — the longest token
 * at each position, whole words only, left to right — which this checks against the
 * expression itself on random token sets and texts (tokens that are prefixes of one
 * another, that start or end with punctuation, that touch). Timing is bench/redact.mjs's.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenTrie } from '../../src/reporters/redact.js';
import type { TokenKind } from '../../src/report/redact-tokens.js';

/** The expression the scan replaced, as it was: longest token first, not glued to a word character on either side. */
function byRegExp(text: string, tokens: Map<string, TokenKind>): string {
  const literal = [...tokens.keys()].sort((a, b) => b.length - a.length);
  if (!literal.length) return text;
  const re = new RegExp(literal.map((t) => `(?<![A-Za-z0-9_])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`).join('|'), 'g');
  return text.replace(re, (m) => `<${tokens.get(m)}:${m}>`);
}

const alphabet = fc.constantFrom('a', 'b', 'A', '1', '_', '.', '@', '-', ' ', '=', ',', "'", '[', ']', 'é');
const word = fc.array(alphabet, { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
const kind = fc.constantFrom<TokenKind>('identity', 'host', 'conn', 'spi');

describe('--redact token scan', () => {
  it('replaces exactly what the regular expression of all tokens replaced (fast-check)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(word, kind), { maxLength: 12, selector: ([t]) => t }), fc.array(fc.oneof(word, alphabet), { maxLength: 30 }), (pairs, parts) => {
        const tokens = new Map(pairs.filter(([t]) => t.trim().length >= 2));
        // texts made of the tokens themselves and of the characters around them
        const text = parts.map((p, i) => (i % 3 === 0 && pairs.length ? pairs[i % pairs.length][0] : p)).join('');
        const scan = new TokenTrie(tokens).replace(text, (m, k) => `<${k}:${m}>`);
        expect(scan).toBe(byRegExp(text, tokens));
      }),
      { numRuns: 3000 },
    );
  });

  it('a DN is replaced whole before the CN inside it; a token glued to a word is left alone', () => {
    const tokens = new Map<string, TokenKind>([['C=CH, O=strongSwan, CN=moon', 'identity'], ['moon', 'host'], ['site', 'conn']]);
    const trie = new TokenTrie(tokens);
    expect(trie.replace("subject 'C=CH, O=strongSwan, CN=moon' moon site1 site", (m, k) => `<${k}>`)).toBe("subject '<identity>' <host> site1 <conn>");
  });
});
