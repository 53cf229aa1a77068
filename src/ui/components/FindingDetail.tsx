import { DetailPane, type DetailRow } from './DetailPane.js';
import type { Finding } from '../../engine/types.js';
import { formatLocation, severityReason } from '../../reporters/text.js';
import { wrapText } from '../wrap.js';
import { SEVERITY_SYMBOL, type Theme } from '../theme.js';

interface Props {
  finding: Finding | undefined;
  height: number;
  width: number;
  scroll: number;
  theme: Theme;
}


/** Rows of the detail pane: message, the fix, then each evidence line with file:line or capture#frame. */
export function detailRows(f: Finding, width: number, theme: Theme): DetailRow[] {
  const rows: DetailRow[] = [];
  rows.push({ text: `${SEVERITY_SYMBOL[f.severity]} ${f.code}  [${f.check}]`, color: theme.severity[f.severity], bold: true });
  for (const line of wrapText(f.message, width)) rows.push({ text: line });
  const why = severityReason(f);
  if (why) for (const line of wrapText(`why ${f.severity}: ${why}`, width)) rows.push({ text: line, dim: theme.color ? true : undefined });
  rows.push({ text: '' });
  rows.push({ text: 'Fix', color: theme.ok, bold: true });
  for (const line of wrapText(f.hint, width - 2)) rows.push({ text: `  ${line}` });
  rows.push({ text: '' });
  rows.push({ text: `Evidence (${f.evidence.length})`, bold: true });
  for (const e of f.evidence) {
    rows.push({ text: formatLocation(e), color: theme.accent });
    for (const line of wrapText(e.excerpt, width - 2)) rows.push({ text: `  ${line}`, dim: !theme.color ? false : undefined });
  }
  return rows;
}

export function FindingDetail({ finding, height, width, scroll, theme }: Props) {
  return <DetailPane rows={finding ? detailRows(finding, width, theme) : undefined} empty="select a finding" height={height} width={width} scroll={scroll} theme={theme} />;
}
