/**
 * PAN-OS configuration as `set` commands — `show config running` after
 * `set cli config-output-format set`, or commands as published in integration guides
 * (`set network ike gateway GW protocol version ikev2`) — read into records
 * (./records.ts): every word but the last is the path, the last word (or a `[ a b ]`
 * list) the value. Words may be double-quoted ("name with spaces"). A CLI prompt in front
 * (`admin@PA-VM# set …`) is dropped; `configure`, `commit`, `exit` and blank lines are
 * ignored. Pure and total: a line that cannot be read becomes a located diagnostic.
 */
import { DiagnosticSink } from '../../freeswan/config-common.js';
import { MASKED, isSecretLeaf, secretOf, normalisePath, panosExcerpt, type PanosRecord } from './records.js';

const PROMPT = /^\s*(?:[\w.@-]+(?:\([\w-]+\))?[#>]\s*)?/;
/** the top-level words of a firewall's or Panorama's configuration tree */
export const SET_ROOTS = /^(network|deviceconfig|mgt-config|shared|address|address-group|service|service-group|vsys|zone|rulebase|template|template-stack|device-group|tag|profiles|profile-group|application|application-group|schedule|external-list|import|devices|readonly|log-settings|reports|report-group|pdf-summary-report|email-scheduler|region|user-id-collector|global-protect|panorama|ocsp-responder|certificate|certificate-profile|ssl-tls-service-profile|ssl-decrypt|response-page|authentication-profile|authentication-sequence|server-profile|dynamic-user-group|policy|threats|setting)\b/;

/** Splits a command into words: double quotes group, `[ … ]` is one list word. */
export function tokenize(line: string): { words: Array<string | string[]>; error?: string } {
  const words: Array<string | string[]> = [];
  let list: string[] | undefined;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    let word: string;
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return { words, error: 'unterminated double quote' };
      word = line.slice(i + 1, end);
      i = end + 1;
    } else {
      const s = i;
      while (i < n && !/[\s"]/.test(line[i])) i++;
      word = line.slice(s, i);
    }
    if (word === '[' && !list) list = [];
    else if (word === ']' && list) {
      words.push(list);
      list = undefined;
    } else if (list) list.push(word);
    else words.push(word);
  }
  if (list) return { words, error: "a '[' list without its ']'" };
  return { words };
}

/** Reads `set` commands into records. */
export function readPanosSet(text: string, source: string, sink: DiagnosticSink): PanosRecord[] {
  const out: PanosRecord[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k].replace(/\r$/, '');
    const body = raw.replace(PROMPT, '');
    if (!body.trim() || /^\s*#/.test(body)) continue;
    const at = { source, line: k + 1 };
    const { words, error } = tokenize(body);
    const [verb, ...rest] = words;
    if (verb === undefined) continue;
    if (typeof verb === 'string' && /^(configure|commit|exit|quit|top|up|end|save|show|run)$/.test(verb)) continue;
    if (verb !== 'set') {
      // name the first word only when it is a plain keyword: a stray line may hold anything, a password included
      const word = typeof verb === 'string' && /^[a-z][a-z-]{0,30}$/i.test(verb) ? ` (starts with '${verb}')` : '';
      if (verb !== 'delete' && verb !== 'edit') sink.add(at, `not a set command${word}: not read`);
      continue;
    }
    if (error) {
      sink.add(at, `set command not read: ${error}`);
      continue;
    }
    if (rest.length < 2 || rest.slice(0, -1).some((w) => typeof w !== 'string')) {
      sink.add(at, 'set command without a path and a value');
      continue;
    }
    const last = rest[rest.length - 1];
    const { scope, rest: path } = normalisePath(rest.slice(0, -1) as string[]);
    const values = typeof last === 'string' ? [last] : last;
    const secret = isSecretLeaf(path);
    out.push({ path, values: secret ? values.map(() => MASKED) : values, at, excerpt: panosExcerpt(raw), scope, ...(secret ? { secret: secretOf(values) } : {}) });
  }
  return out;
}

/** Whether the text is PAN-OS `set` commands: its commands start at PAN-OS's top-level words (a FortiGate's indented `set` lines inside `config … end` do not). */
export function looksLikePanosSet(text: string): boolean {
  let set = 0;
  let other = 0;
  for (const line of text.split('\n', 2000)) {
    const body = line.replace(PROMPT, '');
    if (!body.trim() || /^\s*#/.test(body)) continue;
    if (/^\s*(config|edit|next|end)\b/.test(body)) return false;
    const m = /^set\s+(.*)$/.exec(body);
    if (m && SET_ROOTS.test(m[1])) set++;
    else if (!/^(configure|commit|exit|delete\s)/.test(body.trim())) other++;
  }
  return set > 0 && set >= other;
}
