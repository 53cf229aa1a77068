/**
 * Wrapping for the text report on a terminal: at the terminal's width, at spaces only, with
 * a hanging indent, so no word is ever split (`pee|rs`). A word longer than the line stays
 * whole on its own line (a path, an SPI list). Colour escapes take no columns.
 */

// SGR sequences chalk writes: they take no column
const SGR = /\x1b\[[0-9;]*m/g;

export function visibleWidth(s: string): number {
  return [...s.replace(SGR, '')].length;
}

/**
 * `line` broken into lines of at most `width` columns (words permitting). The first line
 * keeps its own leading spaces; the continuation lines start with `hang` spaces (default:
 * the first line's indent plus 2). Without a width (not a terminal), the line as it is.
 */
export function wrapLine(line: string, width: number | undefined, hang?: number): string {
  if (!width || visibleWidth(line) <= width) return line;
  const indent = line.length - line.trimStart().length;
  const pad = ' '.repeat(Math.min(hang ?? indent + 2, Math.max(0, Math.floor(width / 2))));
  const words = line.slice(indent).split(' ');
  const out: string[] = [];
  let cur = line.slice(0, indent);
  let curWidth = indent;
  let empty = true;
  for (const word of words) {
    const w = visibleWidth(word);
    if (!empty && curWidth + 1 + w > width) {
      out.push(cur);
      cur = pad + word;
      curWidth = pad.length + w;
      continue;
    }
    cur += (empty ? '' : ' ') + word;
    curWidth += (empty ? 0 : 1) + w;
    empty = false;
  }
  out.push(cur);
  return out.join('\n');
}

/** Every line of `text` wrapped (lines already holding newlines are wrapped one by one). */
export function wrapText(text: string, width: number | undefined, hang?: number): string {
  if (!width) return text;
  return text.split('\n').map((l) => wrapLine(l, width, hang)).join('\n');
}
