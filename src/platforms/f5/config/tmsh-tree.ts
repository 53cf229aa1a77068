/**
 * tmsh's configuration syntax (`tmsh list …`, bigip.conf): brace-nested statements, one per
 * line, `key value` leaves and `name { … }` blocks; `{ }` is an empty block (an address or
 * port in a list). Comments start with `#`. Read into a tree with each statement's line.
 */

export interface TmshNode {
  /** the statement's words before `{` (or the whole leaf) */
  words: string[];
  line: number;
  text: string;
  /** set for a block, even an empty one */
  children?: TmshNode[];
}

const MAX_DEPTH = 64;

/** Words of a statement: quoted strings kept whole (without quotes), braces split off. */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([{}])|([^\s{}"]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] !== undefined ? m[1] : (m[2] ?? m[3]));
  return out;
}

export function parseTmsh(text: string): { roots: TmshNode[]; unbalanced?: number } {
  const roots: TmshNode[] = [];
  const stack: TmshNode[][] = [roots];
  const lines = text.split('\n');
  let unbalanced: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/[\u00a0\u202f]/g, ' ').replace(/\r$/, '');
    if (/^\s*#/.test(raw)) continue;
    const t = tokens(raw);
    let words: string[] = [];
    const flush = (block: boolean) => {
      const list = stack[stack.length - 1];
      if (!words.length && !block) return;
      const node: TmshNode = { words, line: i + 1, text: raw.trim(), ...(block ? { children: [] } : {}) };
      list.push(node);
      if (block) {
        if (stack.length < MAX_DEPTH) stack.push(node.children!);
        else unbalanced ??= i + 1;
      }
      words = [];
    };
    for (const w of t) {
      if (w === '{') flush(true);
      else if (w === '}') {
        flush(false);
        if (stack.length > 1) stack.pop();
        else unbalanced ??= i + 1;
      } else words.push(w);
    }
    flush(false);
  }
  if (stack.length > 1) unbalanced ??= lines.length;
  return { roots, ...(unbalanced !== undefined ? { unbalanced } : {}) };
}

/** The first leaf (or block) under `node` whose first word is `key`. */
export function child(node: TmshNode, key: string): TmshNode | undefined {
  return node.children?.find((c) => c.words[0] === key);
}

/** `key value` under node: the value word. */
export function leaf(node: TmshNode, key: string): { value: string; node: TmshNode } | undefined {
  const c = node.children?.find((x) => x.words[0] === key && x.words.length >= 2 && !x.children);
  return c ? { value: c.words.slice(1).join(' '), node: c } : undefined;
}

/** Names listed in a block (`addresses { 1.1.1.1/32 { } 2.2.2.2 { } }`, `profiles { fastL4 { } }`). */
export function names(node: TmshNode | undefined): TmshNode[] {
  return node?.children?.filter((c) => c.words.length >= 1) ?? [];
}
