/** Hard-wraps text to a width so a pane can count its rows (Ink would wrap, but then scrolling cannot). */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/(\s+)/)) {
      if (word === '') continue;
      if ((line + word).length <= w) {
        line += word;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      let rest = word.trimStart();
      // at least one character per row, whatever the indent: a row that takes nothing would never end
      const room = Math.max(1, w - indent.length);
      while (rest.length > room) {
        out.push(indent + rest.slice(0, room));
        rest = rest.slice(room);
      }
      line = indent + rest;
    }
    out.push(line.trimEnd());
  }
  return out;
}

/**
 * Joins whole parts with `sep` within `width` columns: when they do not all fit, the parts
 * with the highest `keep` go first; a part is never cut. Order on screen stays as given.
 */
export function fitParts(parts: Array<{ text: string; keep: number }>, sep: string, width: number): string {
  const kept = [...parts];
  const len = (ps: typeof parts) => [...ps.map((p) => p.text).join(sep)].length;
  while (kept.length && len(kept) > width) {
    const drop = kept.reduce((a, b) => (b.keep > a.keep ? b : a));
    kept.splice(kept.indexOf(drop), 1);
  }
  return kept.map((p) => p.text).join(sep);
}
