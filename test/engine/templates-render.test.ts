/**
 * Every registered message and hint template renders as prose a person reads (issue 15 §3):
 * with representative data — each placeholder given a value, every count once singular and
 * once plural — and with the real data of every bundled sample's findings. Fails on an
 * unfilled placeholder, a doubled word, an unbalanced bracket or quote, "(s)", an internal
 * name in the prose, or data that holds sentence fragments instead of values.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allChecks } from '../../checks/index.js';
import { fillTemplate, placeholders } from '../../src/engine/template.js';
import { diagnose } from '../../src/run.js';
import { recordedRunnerFromFiles } from '../../src/sources/host/runner.js';
import type { Finding } from '../../src/engine/types.js';

/** Plural nouns that follow a count: after 1 each is wrong, and a placeholder before one in a template is a count. */
const COUNT_NOUNS = 'packets|frames|lines|duplicates|transmissions|retransmits|retransmissions|requests|responses|messages|events|peers|hosts|rules|fragments|tunnels|SAs|times|connections|proposals|tries|keys|drops';

/** What is wrong with a rendered sentence, or undefined. */
export function proseProblem(text: string): string | undefined {
  const unfilled = /\{[A-Za-z0-9_.]+(?:=[^?{}|]*)?[}|?]/.exec(text);
  if (unfilled) return `unfilled placeholder ${unfilled[0]}`;
  if (/\(s\)/.test(text)) return '"(s)" instead of a singular or plural';
  const doubled = /(?<![\w.-])([A-Za-z]{2,})\s+\1(?![\w-])/i.exec(text.replace(/`[^`]*`/g, '``'));
  if (doubled) return `doubled word "${doubled[0]}"`;
  const repeated = /(?<![\w.:/-])([A-Za-z][\w.:/-]* [\w.:/-]+), \1(?![\w.:/-])/.exec(text);
  if (repeated) return `a list item repeated "${repeated[0]}"`;
  for (const [open, close] of [['(', ')'], ['[', ']']]) {
    let depth = 0;
    for (const ch of text.replace(/`[^`]*`/g, '``')) {
      if (ch === open) depth++;
      if (ch === close && --depth < 0) return `unbalanced ${open}${close}`;
    }
    if (depth !== 0) return `unbalanced ${open}${close}`;
  }
  if ((text.match(/`/g) ?? []).length % 2) return 'unbalanced `';
  if ((text.replace(/`[^`]*`/g, '').match(/"/g) ?? []).length % 2) return 'unbalanced "';
  // a single quote that opens (after a space or bracket, before a non-space) and never closes
  const opens = (text.match(/(?:^|[\s([])'(?=\S)/g) ?? []).length;
  const closes = (text.match(/\S'(?=$|[\s.,;:)\]!?])/g) ?? []).length;
  if (opens > closes) return "unbalanced '";
  const internal = /\b(?:STATE_[A-Z0-9_]+|[A-Z_]+_[IR]\d?\b|stage: \w+|not printed in this log|\(needs: )/.exec(text.replace(/`[^`]*`/g, '``'));
  if (internal) return `internal name "${internal[0]}"`;
  // a count of one with a plural noun ("1 duplicates", "1 packets"): the count needs {n|one|other}
  const oneMany = new RegExp(`(?<![\\d.,:/-])\\b1 (?:${COUNT_NOUNS})\\b`).exec(text.replace(/`[^`]*`/g, '``'));
  if (oneMany) return `"${oneMany[0]}": one with a plural noun`;
  return undefined;
}

/** Placeholders counted with {name|one|other}, or written before a plural noun: they hold numbers (or lists). */
function countNames(template: string): string[] {
  const counted = [...template.matchAll(/\{([A-Za-z0-9_.]+)\|/g)].map((m) => m[1]);
  // "{n} packets" written without a singular: a count too, so that it is rendered as 1 once
  const bare = [...template.matchAll(new RegExp(`\\{([A-Za-z0-9_.]+)\\} (?:${COUNT_NOUNS})\\b`, 'g'))].map((m) => m[1]);
  return [...counted, ...bare];
}

/** The words a placeholder is compared with ({name=word?…}): each is tried as the value. */
function comparisons(template: string): Array<[string, string]> {
  return [...template.matchAll(/\{([A-Za-z0-9_.]+)=([^?{}|]*)\?/g)].map((m) => [m[1], m[2]]);
}

function representative(names: string[], counts: Set<string>, count: number, override?: [string, string]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  // dotted names first: {x?…{x.y}…} needs x to be an object that holds y
  for (const name of [...names].sort((a, b) => b.split('.').length - a.split('.').length)) {
    const parts = name.split('.');
    let cur = data;
    for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    const leaf = parts[parts.length - 1];
    if (leaf === 'length' || (cur[leaf] !== undefined && typeof cur[leaf] === 'object')) continue;
    // distinct words, so that a doubled word can only come from the template itself
    cur[leaf] = override?.[0] === name ? override[1] : counts.has(name) ? count : `v${names.indexOf(name)}x`;
  }
  return data;
}

describe('every registered template renders as prose', () => {
  for (const check of allChecks) {
    for (const [code, spec] of Object.entries(check.meta.codes)) {
      it(`${check.meta.id} ${code}`, () => {
        for (const template of [spec.message, spec.hint]) {
          const names = [...new Set(placeholders(template))];
          const counts = new Set(countNames(template));
          for (const override of [undefined, ...comparisons(template)]) {
            for (const n of [1, 2]) {
              const text = fillTemplate(template, representative(names, counts, n, override));
              expect(proseProblem(text), text).toBeUndefined();
            }
          }
        }
      });
    }
  }
});

// ---- the real findings of every bundled sample

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

async function sampleFindings(): Promise<Array<{ sample: string; finding: Finding }>> {
  const out: Array<{ sample: string; finding: Finding }> = [];
  for (const name of readdirSync(SAMPLES).sort()) {
    const dir = join(SAMPLES, name);
    if (!statSync(dir).isDirectory()) continue;
    const logs: string[] = [];
    const pcaps: string[] = [];
    const configs: string[] = [];
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (!statSync(p).isFile() || f === 'README.md' || f === 'expected.json') continue;
      if (/\.(pcap|pcapng|cap)$/i.test(f)) pcaps.push(p);
      else if (/\.(conf|secrets)$/i.test(f) || f === 'ipsec.secrets') configs.push(p);
      else if (/\.log(\.gz)?$/i.test(f) || (/\.(list-sas|xfrm-state|xfrm-policy|trafficstatus|status|statusall|show-vpn)$/i.test(f) && statSync(p).size > 0)) logs.push(p);
    }
    const hostDir = join(dir, 'host');
    const hostRunner = existsSync(hostDir) ? recordedRunnerFromFiles(Object.fromEntries(readdirSync(hostDir).map((f) => [f, readFileSync(join(hostDir, f), 'utf8')]))) : undefined;
    const report = await diagnose({ logs, pcaps, configs, host: Boolean(hostRunner), hostRunner, local: [], peer: [] });
    for (const finding of report.findings) out.push({ sample: name, finding: finding as Finding });
  }
  return out;
}

/** A string in data that is a piece of a sentence ("and 198.51.100.20's log says…", " although …"). */
function fragment(v: string): boolean {
  return /^\s|\s$/.test(v) || /^(?:and|but|although|or|with|which|so|then|,|;)\b/.test(v) || /^[,;]/.test(v);
}

function fragments(data: unknown, path = ''): string[] {
  if (typeof data === 'string') return fragment(data) ? [`${path}: ${JSON.stringify(data)}`] : [];
  if (Array.isArray(data)) return data.flatMap((x, i) => fragments(x, `${path}[${i}]`));
  if (data && typeof data === 'object') return Object.entries(data).flatMap(([k, x]) => fragments(x, path ? `${path}.${k}` : k));
  return [];
}

describe('every message and hint starts as a sentence', () => {
  // after "fix:" in text, as a Markdown/HTML paragraph and in the view, a hint reads as a sentence of its own
  it('a capital letter, a number, a placeholder, a quote or code', () => {
    const bad = allChecks.flatMap((c) => Object.entries(c.meta.codes).flatMap(([code, m]) => (['message', 'hint'] as const).filter((k) => /^[a-z]/.test(m[k])).map((k) => `${c.meta.id} ${code} ${k}: ${m[k].slice(0, 40)}`)));
    expect(bad).toEqual([]);
  });
});

describe('the findings of every bundled sample', async () => {
  const all = await sampleFindings();
  it('there are findings', () => expect(all.length).toBeGreaterThan(100));
  it('read as prose: no placeholder, "(s)", doubled word, unbalanced bracket or quote, internal name', () => {
    const problems = all.flatMap(({ sample, finding }) =>
      [finding.message, finding.hint].map((t) => [t, proseProblem(t)] as const).filter(([, p]) => p).map(([t, p]) => `${sample} ${finding.code}: ${p}\n    ${t}`),
    );
    expect([...new Set(problems)]).toEqual([]);
  });
  it('data holds values, not sentence fragments', () => {
    const problems = all.flatMap(({ sample, finding }) => fragments(finding.data).map((f) => `${sample} ${finding.code} ${f}`));
    expect([...new Set(problems)]).toEqual([]);
  });
});
