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
      while (rest.length > w - indent.length) {
        out.push(indent + rest.slice(0, w - indent.length));
        rest = rest.slice(w - indent.length);
      }
      line = indent + rest;
    }
    out.push(line.trimEnd());
  }
  return out;
}
