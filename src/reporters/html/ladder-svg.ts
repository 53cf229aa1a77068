/**
 * The ladder as inline SVG: the two peers as vertical lifelines, each IKE
 * message an arrow between them in order, retransmissions dashed, error notifies
 * in red at the arrow that carried them, milestones as marks in the middle.
 */
import type { Ladder, LadderStep } from '../../evidence/derived/ladder/lane.js';
import { formatLocation } from '../text.js';
import { stepTime } from '../ladder-text.js';
import { escapeHtml } from './escape.js';

const WIDTH = 960;
const LEFT = 170;
const RIGHT = WIDTH - 170;
const TOP = 56;
const ROW = 34;
const MAX_LABEL_CHARS = 78;
/** Same colours as the stylesheet's .msg/.retx/.bad/.good strokes (styles.ts). */
export const ARROW_COLOURS = { msg: '#1f4e8c', retx: '#b8860b', bad: '#c0392b', good: '#2e7d32' } as const;

export function ladderSvg(lane: Ladder, index = 0): string {
  const rows = lane.steps.length + (lane.omitted ? 1 : 0);
  const espTop = TOP + rows * ROW + 16;
  const height = espTop + lane.esp.length * 20 + 24;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="ladder" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="IKE message ladder for ${escapeHtml(lane.perspective)}">`);
  parts.push(`<defs>${Object.entries(ARROW_COLOURS).map(([cls, colour]) => `<marker id="l${index}-arrow-${cls}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`).join('')}</defs>`);
  parts.push(`<text x="${LEFT}" y="22" class="peer" text-anchor="middle">${escapeHtml(lane.local)}</text>`);
  parts.push(`<text x="${RIGHT}" y="22" class="peer" text-anchor="middle">${escapeHtml(lane.remote)}</text>`);
  parts.push(`<line x1="${LEFT}" y1="32" x2="${LEFT}" y2="${espTop - 8}" class="lifeline"/>`);
  parts.push(`<line x1="${RIGHT}" y1="32" x2="${RIGHT}" y2="${espTop - 8}" class="lifeline"/>`);
  lane.steps.forEach((s, i) => parts.push(stepSvg(s, TOP + i * ROW, index)));
  if (lane.omitted) parts.push(`<text x="${WIDTH / 2}" y="${TOP + lane.steps.length * ROW}" text-anchor="middle" class="note">… ${lane.omitted} more steps not shown</text>`);
  lane.esp.forEach((c, i) => {
    const from = c.dir === 'out' ? lane.local : lane.remote;
    const to = c.dir === 'out' ? lane.remote : lane.local;
    parts.push(`<text x="16" y="${espTop + i * 20}" class="esp">ESP SPI ${escapeHtml(c.spi)} ${escapeHtml(from)} → ${escapeHtml(to)}: ${c.packets} packets${c.bytes !== undefined ? `, ${c.bytes} bytes` : ''}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function stepSvg(s: LadderStep, y: number, index: number): string {
  const cls = s.errors?.length || s.kind === 'failure' ? 'bad' : s.kind === 'retransmit' ? 'retx' : s.kind === 'milestone' ? 'good' : 'msg';
  const time = stepTime(s);
  const where = escapeHtml(formatLocation(s.at));
  const timeText = time ? `<text x="8" y="${y + 4}" class="time">${escapeHtml(time)}</text>` : '';
  // the label is clipped to fit the drawing: the whole of it is the tooltip
  const title = `<title>${where}: ${escapeHtml(s.label)}${s.errors?.length ? ` — ${escapeHtml(s.errors.join(', '))}` : ''}</title>`;
  if (s.dir === 'note') {
    const label = clip((s.kind === 'failure' ? '✖ ' : '● ') + s.label);
    return `<g class="step ${cls}">${title}${timeText}<text x="${(LEFT + RIGHT) / 2}" y="${y + 4}" text-anchor="middle" class="label">${escapeHtml(label)}</text></g>`;
  }
  const [x1, x2] = s.dir === 'out' ? [LEFT, RIGHT] : [RIGHT, LEFT];
  const label = clip(s.label + (s.errors?.length ? `  ⚠ ${s.errors.join(', ')}` : '') + (s.retransmit?.sinceFirst !== undefined ? `  (+${s.retransmit.sinceFirst} s)` : ''));
  return `<g class="step ${cls}">${title}${timeText}<line x1="${x1}" y1="${y + 10}" x2="${x2}" y2="${y + 10}" marker-end="url(#l${index}-arrow-${cls})"${s.kind === 'retransmit' ? ' stroke-dasharray="6 4"' : ''}/><text x="${(LEFT + RIGHT) / 2}" y="${y + 4}" text-anchor="middle" class="label">${escapeHtml(label)}</text></g>`;
}

function clip(s: string): string {
  return s.length > MAX_LABEL_CHARS ? s.slice(0, MAX_LABEL_CHARS - 1) + '…' : s;
}
