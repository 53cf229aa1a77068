import { formatNumber } from '../evidence/plural.js';

export { counted, formatNumber } from '../evidence/plural.js';

/**
 * Message and hint templates: prose for people, filled from a finding's data (which holds
 * values, never sentence fragments). Forms:
 *
 *   {name}                  the value; arrays are joined, numbers rounded for reading, a missing
 *                           value says so ("(not in the evidence)"); '' is a value a check left
 *                           out on purpose and renders empty
 *   {name|one|other}        the word for the count `name` holds (a number, or an array's length):
 *                           "{tries} {tries|shared key|shared keys}" → "1 shared key", "2 shared keys"
 *   {name?clause}           the clause (itself a template) when `name` is present — not missing,
 *                           '', false or an empty list; nothing otherwise
 *   {name?clause|otherwise} the clause when present, else `otherwise`
 *   {name=word?clause|otherwise}  the clause when `name` is exactly `word` (a number compares as
 *                           written: {retransmits=0?sent once|…}), else `otherwise`
 *
 * A `{` not followed by a name and one of `}`, `|`, `?` is literal text (config snippets such as
 * `secrets { ike-x { … } }` stay as they are); inside a clause a literal `|` or `}` ends it.
 */
export function fillTemplate(template: string, data: Record<string, unknown>): string {
  return render(parse(template), data);
}

type Node = string | { name: string; kind: 'value' } | { name: string; kind: 'plural'; one: Node[]; other: Node[] } | { name: string; kind: 'when'; equals?: string; then: Node[]; otherwise: Node[] };

const OPEN = /\{([A-Za-z0-9_.]+)(?:=([^{}|?]*)(?=\?))?([}|?])/y;

function parse(template: string): Node[] {
  const state = { s: template, i: 0 };
  return parseSequence(state, false);
}

/** Reads nodes until the end, or (inside a placeholder) until an unnested `|` or `}`. */
function parseSequence(st: { s: string; i: number }, nested: boolean): Node[] {
  const out: Node[] = [];
  let text = '';
  while (st.i < st.s.length) {
    const ch = st.s[st.i];
    if (nested && (ch === '|' || ch === '}')) break;
    OPEN.lastIndex = st.i;
    const m = ch === '{' ? OPEN.exec(st.s) : null;
    if (!m) {
      text += ch;
      st.i++;
      continue;
    }
    if (text) out.push(text), (text = '');
    st.i += m[0].length;
    const name = m[1];
    const op = m[3];
    if (op === '}') {
      out.push({ name, kind: 'value' });
    } else if (op === '|') {
      const one = parseSequence(st, true);
      if (st.s[st.i] !== '|') throw new Error(`template: {${name}|…} needs two forms, singular|plural`);
      st.i++;
      const other = parseSequence(st, true);
      expectClose(st, name);
      out.push({ name, kind: 'plural', one, other });
    } else {
      const then = parseSequence(st, true);
      let otherwise: Node[] = [];
      if (st.s[st.i] === '|') {
        st.i++;
        otherwise = parseSequence(st, true);
      }
      expectClose(st, name);
      out.push({ name, kind: 'when', equals: m[2], then, otherwise });
    }
  }
  if (text) out.push(text);
  return out;
}

function expectClose(st: { s: string; i: number }, name: string): void {
  if (st.s[st.i] !== '}') throw new Error(`template: {${name}… is not closed`);
  st.i++;
}

function render(nodes: Node[], data: Record<string, unknown>): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') out += n;
    else if (n.kind === 'value') out += formatValue(lookup(data, n.name));
    else if (n.kind === 'plural') out += render(countOf(lookup(data, n.name)) === 1 ? n.one : n.other, data);
    else {
      const v = lookup(data, n.name);
      const holds = n.equals === undefined ? isPresent(v) : v !== undefined && v !== null && String(v) === n.equals;
      out += render(holds ? n.then : n.otherwise, data);
    }
  }
  return out;
}

function lookup(data: Record<string, unknown>, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function countOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return false;
  return !(Array.isArray(v) && v.length === 0);
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '(not in the evidence)';
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(', ') : '(none)';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}


/** Placeholder names a template uses (in every form, nested ones too), for the conventions test. */
export function placeholders(template: string): string[] {
  const names: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (typeof n === 'string') continue;
      names.push(n.name);
      if (n.kind === 'plural') walk([...n.one, ...n.other]);
      if (n.kind === 'when') walk([...n.then, ...n.otherwise]);
    }
  };
  walk(parse(template));
  return names;
}

/**
 * A template as a description (`ipsec-doctor checks ID`): values as <name>, a count's word in its
 * plural, an optional clause in square brackets, and of a choice ({x?A|B}) the general case B
 * only — every branch at once does not read.
 */
export function describeTemplate(template: string): string {
  const show = (nodes: Node[]): string =>
    nodes
      .map((n) => (typeof n === 'string' ? n : n.kind === 'value' ? `<${n.name}>` : n.kind === 'plural' ? show(n.other) : n.otherwise.length ? show(n.otherwise) : `[${show(n.then)}]`))
      .join('');
  return show(parse(template));
}

