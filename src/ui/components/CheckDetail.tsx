import { DetailPane, type DetailRow } from './DetailPane.js';
import type { CheckRow } from '../model.js';
import { wrapText } from '../wrap.js';
import { SEVERITY_SYMBOL, STATUS_SYMBOL, STATUS_WORD, type Theme } from '../theme.js';


/**
 * What a check judged, or why it did not: the engine's own words when it gave them
 * (CheckResult.judged / reason), else what the check reads and that the inputs held none
 * of it. Never "pass" in words for a check that had nothing to judge.
 */
export function checkDetailRows(r: CheckRow, width: number, theme: Theme): DetailRow[] {
  const rows: DetailRow[] = [];
  const w = Math.max(10, width);
  rows.push({ text: `${STATUS_SYMBOL[r.status]} ${STATUS_WORD[r.status]}  ${r.id} — ${r.title}`, color: theme.status[r.status], bold: true });
  rows.push({ text: '' });
  const add = (s: string, indent = '', color?: string) => {
    for (const line of wrapText(s, w - indent.length)) rows.push({ text: indent + line, color });
  };
  switch (r.status) {
    case 'not-applicable':
      add(`Not applicable: ${r.reason ?? (r.needs ? `it reads ${r.needs}, and the inputs hold none` : 'the inputs hold nothing it reads')}.`);
      break;
    case 'pass':
      add(r.judged ? `Judged ${r.judged}: nothing to report.` : 'Judged the inputs: nothing to report.');
      break;
    case 'error':
      add(`The check failed, so it judged nothing: ${r.error ?? 'no reason given'}.`, '', theme.status.error);
      break;
    case 'pending':
      add('Waiting to run.');
      break;
    case 'running':
      add('Running now.');
      break;
    default:
      add(`${r.judged ? `Judged ${r.judged}` : 'Judged the inputs'}: ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}.`);
      for (const f of r.findings) {
        rows.push({ text: `${SEVERITY_SYMBOL[f.severity]} ${f.code}`, color: theme.severity[f.severity], bold: true });
        add(f.message, '  ');
      }
  }
  if (r.description) {
    rows.push({ text: '' });
    rows.push({ text: 'What it looks at', bold: true });
    add(r.description, '  ');
  }
  if (r.needs) {
    rows.push({ text: '' });
    add(`Reads ${r.needs}.`, '', theme.muted);
  }
  return rows;
}

export function CheckDetail({ row, height, width, scroll, theme }: { row: CheckRow | undefined; height: number; width: number; scroll: number; theme: Theme }) {
  return <DetailPane rows={row ? checkDetailRows(row, width, theme) : undefined} empty="no check selected" height={height} width={width} scroll={scroll} theme={theme} />;
}
