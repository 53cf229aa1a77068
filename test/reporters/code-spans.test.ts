import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { markdownCodeSpan, splitCodeSpans } from '../../src/reporters/code-spans.js';

describe('code spans (CommonMark 6.1)', () => {
  it('splits text and code the way CommonMark reads backticks', () => {
    expect(splitCodeSpans('set `leftid` and `rightid`.')).toEqual([
      { code: false, text: 'set ' },
      { code: true, text: 'leftid' },
      { code: false, text: ' and ' },
      { code: true, text: 'rightid' },
      { code: false, text: '.' },
    ]);
    // a run closes only at a run of the same length
    expect(splitCodeSpans('``a`b`` c')).toEqual([{ code: true, text: 'a`b' }, { code: false, text: ' c' }]);
    // no partner: literal
    expect(splitCodeSpans("it's ` alone")).toEqual([{ code: false, text: "it's ` alone" }]);
    expect(splitCodeSpans('``x` y')).toEqual([{ code: false, text: '``x` y' }]);
    // one space stripped from both ends when both are spaces
    expect(splitCodeSpans('`` `a` ``')).toEqual([{ code: true, text: '`a`' }]);
    expect(splitCodeSpans('`  `')).toEqual([{ code: true, text: '  ' }]);
  });

  it('a code span written by markdownCodeSpan reads back as the same code, whatever it holds', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ` ]{1,12}$/), (code) => {
        const segs = splitCodeSpans(`x ${markdownCodeSpan(code)} y`);
        const codes = segs.filter((s) => s.code);
        expect(codes).toEqual([{ code: true, text: code }]);
      }),
      { numRuns: 500 },
    );
  });
});
