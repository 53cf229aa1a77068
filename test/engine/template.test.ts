/**
 * The template language of messages and hints (src/engine/template.ts): counts choose the
 * word, optional clauses come from data (so data holds values, not sentence fragments),
 * measured numbers are rounded for reading, literal config braces stay literal.
 */
import { describe, expect, it } from 'vitest';
import { describeTemplate, fillTemplate, formatNumber, placeholders } from '../../src/engine/template.js';

describe('fillTemplate', () => {
  it('chooses the singular or plural word from a number or a list', () => {
    const t = 'tried {tries} {tries|shared key|shared keys}';
    expect(fillTemplate(t, { tries: 1 })).toBe('tried 1 shared key');
    expect(fillTemplate(t, { tries: 2 })).toBe('tried 2 shared keys');
    expect(fillTemplate(t, { tries: 0 })).toBe('tried 0 shared keys');
    expect(fillTemplate('{spis|SPI|SPIs} {spis}', { spis: ['0x1'] })).toBe('SPI 0x1');
    expect(fillTemplate('{spis|SPI|SPIs} {spis}', { spis: ['0x1', '0x2'] })).toBe('SPIs 0x1, 0x2');
    expect(fillTemplate('{n} {n|was|were}', { n: '1' })).toBe('1 was');
  });

  it('renders an optional clause only when its value is there, with an otherwise branch', () => {
    const t = 'IKE fails{bothWays?, although IKE works both ways}.';
    expect(fillTemplate(t, { bothWays: true })).toBe('IKE fails, although IKE works both ways.');
    expect(fillTemplate(t, { bothWays: false })).toBe('IKE fails.');
    expect(fillTemplate(t, {})).toBe('IKE fails.');
    const nested = 'seen{peer? and {peer}\'s log says {count} {count|line|lines}|, by this log only}.';
    expect(fillTemplate(nested, { peer: '198.51.100.20', count: 1 })).toBe("seen and 198.51.100.20's log says 1 line.");
    expect(fillTemplate(nested, { peer: '' })).toBe('seen, by this log only.');
    expect(fillTemplate('{list?: {list}}', { list: [] })).toBe('');
  });

  it('compares a value with {name=word?…|…}', () => {
    const t = '{n=0?sent once|after {n} {n|retry|retries}}';
    expect(fillTemplate(t, { n: 0 })).toBe('sent once');
    expect(fillTemplate(t, { n: 1 })).toBe('after 1 retry');
    expect(fillTemplate(t, { n: 3 })).toBe('after 3 retries');
    expect(fillTemplate(t, {})).toBe('after (not in the evidence) retries');
    expect(fillTemplate('{side=initiator?we asked|they asked}', { side: 'initiator' })).toBe('we asked');
  });

  it('keeps literal braces of config snippets', () => {
    expect(fillTemplate('secrets { ike-x { id, secret } } for {id}', { id: 'a' })).toBe('secrets { ike-x { id, secret } } for a');
  });

  it('an empty string is a clause left out; a missing value says so', () => {
    expect(fillTemplate('seen{clause}.', { clause: '' })).toBe('seen.');
    expect(fillTemplate('seen{clause}.', {})).toBe('seen(not in the evidence).');
  });

  it('rounds measured numbers for reading and leaves whole numbers alone', () => {
    expect(fillTemplate('over {s} s', { s: 1.5022820234298706 })).toBe('over 1.5 s');
    expect(formatNumber(0.03456)).toBe('0.035');
    expect(formatNumber(4500)).toBe('4500');
    expect(formatNumber(12.96)).toBe('13');
  });

  it('an unclosed or one-form plural is a programming error, said at once', () => {
    expect(() => fillTemplate('{n|one}', { n: 1 })).toThrow(/two forms/);
    expect(() => fillTemplate('{n?clause', { n: 1 })).toThrow(/not closed/);
  });
});

describe('placeholders and describeTemplate', () => {
  it('names every placeholder, nested ones too', () => {
    expect(placeholders('{a} {n|x|y} {p? and {q}|{r}}')).toEqual(['a', 'n', 'p', 'q', 'r']);
  });
  it('describes a template for people', () => {
    expect(describeTemplate('tried {n} {n|key|keys}{p? for {p}}')).toBe('tried <n> keys[ for <p>]');
    expect(describeTemplate('sent {n=0?once|{n} times}{p? to {p}|}')).toBe('sent <n> times[ to <p>]');
  });
});
