/**
 * Fill `{name}` placeholders from data; arrays are joined, missing values say so. An empty
 * string is a value a check set on purpose (an optional clause it leaves out), not a missing one.
 */
export function fillTemplate(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_, key: string) => formatValue(lookup(data, key)));
}

function lookup(data: Record<string, unknown>, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '(not in the evidence)';
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(', ') : '(none)';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Placeholder names a template uses, for the conventions test. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z0-9_.]+)\}/g)].map((m) => m[1]);
}
