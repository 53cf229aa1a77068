/**
 * Inline stylesheet: the report is one file with no external assets. Works printed and in dark mode.
 * Evidence wraps at spaces like any text and breaks inside a token (an SPI, a long path)
 * only when the token alone would overflow the line (`overflow-wrap: anywhere`), never
 * mid-word where a space was near (`word-break: break-all` split "5 pa|ckets"). Inline
 * code uses `break-word`, which does the same without shrinking table columns to one
 * character (it leaves the min-content width alone, CSS Text 3 §5.5).
 */
export const STYLES = `
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #ffffff; --muted: #666; --card: #f5f6f8; --line: #d0d4da;
  --error: #c0392b; --warning: #b8860b; --info: #1f6fb2; --ok: #2e7d32; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6e6; --bg: #16181c; --muted: #9aa0a6; --card: #22252b; --line: #3a3f47; } }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.verdict { font-size: 18px; font-weight: 600; padding: 10px 14px; border-radius: 6px; background: var(--card); border-left: 6px solid var(--ok); }
.verdict.error { border-left-color: var(--error); } .verdict.warning { border-left-color: var(--warning); }
.verdict.incomplete, .verdict.unjudged { border-left-color: var(--warning); }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
.sev { font-weight: 700; text-transform: uppercase; font-size: 12px; } .sev.error { color: var(--error); } .sev.warning { color: var(--warning); } .sev.info { color: var(--info); }
.finding { background: var(--card); border-radius: 6px; padding: 12px 16px; margin: 12px 0; border-left: 6px solid var(--info); }
.finding.error { border-left-color: var(--error); } .finding.warning { border-left-color: var(--warning); }
.finding h3 { margin: 0 0 6px; font-size: 16px; } .hint { margin: 8px 0; } .hint b { color: var(--ok); }
pre, .evidence { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.evidence .ev { padding-left: 2em; text-indent: -2em; }
.loc { color: var(--muted); } .muted { color: var(--muted); }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; overflow-wrap: break-word; }
p code, td code { background: var(--bg); border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; }
.status-pass { color: var(--ok); } .status-fail { color: var(--error); } .status-error { color: #8e44ad; } .status-not-applicable { color: var(--muted); }
svg.ladder { max-width: 100%; height: auto; background: var(--card); border-radius: 6px; }
svg.ladder text { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--fg); }
svg.ladder .peer { font-weight: 700; font-size: 13px; } svg.ladder .time { fill: var(--muted); }
svg.ladder .lifeline { stroke: var(--muted); stroke-width: 2; }
svg.ladder .step line { stroke-width: 2; } svg.ladder .msg line { stroke: #1f4e8c; } svg.ladder .retx line { stroke: #b8860b; }
svg.ladder .bad line { stroke: #c0392b; } svg.ladder .bad text.label { fill: var(--error); font-weight: 700; } svg.ladder .good text.label { fill: var(--ok); }
svg.ladder .esp { fill: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;
