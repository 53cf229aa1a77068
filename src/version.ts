import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'ipsec-doctor';

/** Read from package.json at run time so the report and --version never drift from it. */
export const TOOL_VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && pkg.version) return pkg.version;
    } catch {
      // try the next candidate: src/ (tests) vs dist/src/ (built)
    }
  }
  return '0.0.0';
})();
