/**
 * Messages and hints mark commands, config keys and values as code spans with
 * backticks (`leftid`, `iptables -t filter -I INPUT 6 … -j ACCEPT`), as the text
 * reporter prints them. Markdown and HTML keep them as code: this splits a string
 * into text and code the way CommonMark reads it (§6.1 "Code spans": a run of n
 * backticks opens, the next run of exactly n closes; a run with no partner is a
 * literal backtick; a line ending inside is a space; one space stripped from both
 * ends when both are spaces and the content is not only spaces).
 */

export interface Segment {
  code: boolean;
  text: string;
}

export function splitCodeSpans(s: string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '`') {
      text += s[i++];
      continue;
    }
    const run = runLength(s, i);
    const close = findClosing(s, i + run, run);
    if (close < 0) {
      // no closing run of the same length: the backticks are literal text
      text += s.slice(i, i + run);
      i += run;
      continue;
    }
    if (text) out.push({ code: false, text });
    text = '';
    out.push({ code: true, text: normalise(s.slice(i + run, close)) });
    i = close + run;
  }
  if (text) out.push({ code: false, text });
  return out;
}

function runLength(s: string, at: number): number {
  let n = 0;
  while (s[at + n] === '`') n++;
  return n;
}

function findClosing(s: string, from: number, run: number): number {
  let i = from;
  while (i < s.length) {
    if (s[i] !== '`') {
      i++;
      continue;
    }
    const n = runLength(s, i);
    if (n === run) return i;
    i += n;
  }
  return -1;
}

function normalise(code: string): string {
  const flat = code.replace(/\r?\n/g, ' ');
  return flat.length >= 2 && flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() ? flat.slice(1, -1) : flat;
}

/**
 * `code` as a Markdown code span that reads back as exactly `code`: the fence is the
 * shortest run of backticks that does not occur in the code (so nothing inside can
 * close it), padded with a space when the code starts or ends with a backtick (or has
 * a space at both ends, which CommonMark would otherwise strip).
 */
export function markdownCodeSpan(code: string): string {
  const runs = new Set([...code.matchAll(/`+/g)].map((m) => m[0].length));
  let n = 1;
  while (runs.has(n)) n++;
  const fence = '`'.repeat(n);
  const pad = code.startsWith('`') || code.endsWith('`') || (code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${code}${pad}${fence}`;
}
