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
