/**
 * strongSwan swanctl.conf: the settings syntax of libstrongswan
 * (src/libstrongswan/settings/settings_lexer.l + settings_parser.y) read into a
 * tree, then `connections {}` interpreted with the defaults swanctl really applies
 * (src/swanctl/swanctl.opt). `secrets {}` is read by ./secrets.ts from the same tree.
 *
 * Syntax handled as the lexer does: `name { … }` sections (the `{` may be on the
 * next line), `name : ref1, ref2 { … }` templates (references are dotted paths from
 * the root), `key = value` where the value runs to the end of the line, `#` or `}`
 * and parts are joined by one space, `"quoted"` values that may span lines with
 * `\n`, `\t`, `\"` escapes, `include pattern` anywhere (spliced at that point).
 * Pure and total: anything else becomes a located Diagnostic.
 */
import type { Diagnostic, Location } from '../../evidence/types.js';
import type { AuthRound, ChildConfig, ConfigFacts, ConnectionConfig, EndConfig, IkeVersion, Setting } from '../../evidence/config-types.js';
import { DiagnosticSink, MAX_INCLUDE_DEPTH, configExcerpt, implicit, isSecretKey, maskInline, parseDuration, splitList, type IncludeResolver } from '../freeswan/config-common.js';
import { secretsFromSwanctl } from '../freeswan/ipsec-secrets.js';
import { SecretDigest } from '../../evidence/secret-digest.js';
import { counted } from '../../evidence/plural.js';

export interface SettingsValue {
  value: string;
  at: Location;
  excerpt: string;
  /** for a secret (masked in `value`): its keyed digest, to compare with the peer's */
  digest?: SecretDigest;
}

export interface SettingsSection {
  name: string;
  refs: string[];
  at: Location;
  excerpt: string;
  values: Map<string, SettingsValue>;
  sections: Map<string, SettingsSection>;
}

const MAX_DEPTH = 32;
const MAX_NAME = 256;
const MAX_VALUE = 64 * 1024;

function newSection(name: string, at: Location, excerpt: string): SettingsSection {
  return { name, refs: [], at, excerpt, values: new Map(), sections: new Map() };
}

/** Parse settings text into a tree. Includes are spliced in place through `resolve`. */
export function parseSettings(text: string, source: string, resolve?: IncludeResolver, sink = new DiagnosticSink('swanctl-conf')): { root: SettingsSection; files: string[]; diagnostics: Diagnostic[] } {
  const root = newSection('', { source, line: 1 }, '');
  const files = [source];
  parseInto(text, source, [root], resolve, sink, files, 0);
  return { root, files, diagnostics: sink.list };
}

function parseInto(text: string, source: string, stack: SettingsSection[], resolve: IncludeResolver | undefined, sink: DiagnosticSink, files: string[], depth: number): void {
  const baseDepth = stack.length;
  const lines = text.split('\n');
  let i = 0;
  let line = 1;
  const n = text.length;
  const lineText = (no: number) => lines[no - 1] ?? '';
  const at = (no: number): Location => ({ source, line: no });

  const skipBlank = (newlines: boolean) => {
    while (i < n) {
      const c = text[i];
      if (c === '#') {
        while (i < n && text[i] !== '\n') i++;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '\n' && newlines) {
        i++;
        line++;
      } else break;
    }
  };
  const skipLine = () => {
    while (i < n && text[i] !== '\n') i++;
  };
  const readName = (dots: boolean): string => {
    const start = i;
    while (i < n && i - start < MAX_NAME && !/[#{}:,="\r\n\t ]/.test(text[i]) && (dots || text[i] !== '.')) i++;
    return text.slice(start, i);
  };
  // a quoted string; returns undefined when unterminated (the lexer's STRING_ERROR)
  const readString = (): string | undefined => {
    i++; // opening quote
    let out = '';
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\' && i + 1 < n) {
        const e = text[i + 1];
        if (e === '\n') line++;
        else if (e === '\r' && text[i + 2] === '\n') {
          i++;
          line++;
        } else out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c !== '\r' && out.length < MAX_VALUE) out += c;
      i++;
    }
    return undefined;
  };

  while (i < n) {
    skipBlank(true);
    if (i >= n) break;
    const c = text[i];
    const startLine = line;
    const cur = stack[stack.length - 1];
    if (c === '}') {
      i++;
      if (stack.length <= baseDepth) sink.add(at(startLine), "unexpected '}' (no section open)");
      else stack.pop();
      continue;
    }
    if (c === '{' || c === '=' || c === ':' || c === ',' || c === '.' || c === '"') {
      sink.add(at(startLine), `unexpected '${c}': expected a name`);
      i++;
      skipLine();
      continue;
    }
    // include: "include" + blank + something that is not "=" (settings_lexer.l)
    const inc = /^include[\t ]+(?!=)/.exec(text.slice(i, i + 64));
    if (inc) {
      i += inc[0].length;
      let pattern = '';
      if (text[i] === '"') pattern = readString() ?? '';
      else {
        const s = i;
        while (i < n && !/[#}\n\t ]/.test(text[i])) i++;
        pattern = text.slice(s, i).replace(/\r$/, '');
      }
      spliceInclude(pattern, source, startLine, stack, resolve, sink, files, depth);
      continue;
    }
    const name = readName(false);
    if (!name) {
      sink.add(at(startLine), `unexpected character '${c}'`);
      i++;
      skipLine();
      continue;
    }
    skipBlank(true);
    const next = text[i];
    if (next === '=') {
      i++;
      const parts: string[] = [];
      let bad = false;
      for (;;) {
        while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
        if (i >= n || text[i] === '\n' || text[i] === '#' || text[i] === '}') break;
        if (text[i] === '"') {
          const s = readString();
          if (s === undefined) {
            sink.add(at(startLine), `unterminated string in value of '${name}'`);
            bad = true;
            break;
          }
          parts.push(s);
        } else {
          const s = i;
          while (i < n && !/[#}"\r\n\t ]/.test(text[i])) i++;
          parts.push(text.slice(s, i));
        }
      }
      if (bad) continue;
      const secret = isSecretKey(name);
      const value = secret ? '<secret masked>' : maskInline(parts.join(' '));
      cur.values.set(name, { value, at: at(startLine), excerpt: configExcerpt(lineText(startLine), name), ...(secret ? { digest: SecretDigest.of(parts.join(' ')) } : {}) });
      continue;
    }
    if (next === '{' || next === ':') {
      const refs: string[] = [];
      if (next === ':') {
        i++;
        for (;;) {
          skipBlank(true);
          const r = readName(true);
          if (r) refs.push(r);
          skipBlank(true);
          if (text[i] === ',') {
            i++;
            continue;
          }
          break;
        }
        if (text[i] !== '{') {
          sink.add(at(startLine), `section '${name}': expected '{' after its references`);
          skipLine();
          continue;
        }
      }
      i++;
      if (stack.length >= MAX_DEPTH) {
        sink.add(at(startLine), `sections nested deeper than ${MAX_DEPTH}: '${name}' ignored`);
        skipSection();
        continue;
      }
      let sec = cur.sections.get(name);
      if (!sec) {
        sec = newSection(name, at(startLine), configExcerpt(lineText(startLine)));
        cur.sections.set(name, sec);
      }
      sec.refs.push(...refs);
      stack.push(sec);
      continue;
    }
    sink.add(at(startLine), `'${name}' is neither a setting (name = value) nor a section (name { … })`);
    skipLine();
  }
  if (stack.length > baseDepth) {
    sink.add({ source, line }, `${counted(stack.length - baseDepth, 'section', 'sections')} not closed at the end of the file ('${stack[stack.length - 1].name}' opened on line ${stack[stack.length - 1].at.line})`);
    stack.length = baseDepth;
  }

  function skipSection(): void {
    let level = 1;
    while (i < n && level > 0) {
      const ch = text[i];
      if (ch === '\n') line++;
      else if (ch === '{') level++;
      else if (ch === '}') level--;
      i++;
    }
  }
}

function spliceInclude(pattern: string, source: string, lineNo: number, stack: SettingsSection[], resolve: IncludeResolver | undefined, sink: DiagnosticSink, files: string[], depth: number): void {
  const at = { source, line: lineNo };
  if (!pattern) return sink.add(at, 'include without a file name');
  if (!resolve) return sink.add(at, `include ${pattern} not followed (no file access)`);
  if (depth >= MAX_INCLUDE_DEPTH) return sink.add(at, `include ${pattern} not followed: more than ${MAX_INCLUDE_DEPTH} levels deep (include loop?)`);
  const r = resolve(pattern, source);
  if (r.error) sink.add(at, `include ${pattern}: ${r.error}`);
  for (const f of r.files) {
    if (!files.includes(f.path)) files.push(f.path);
    parseInto(f.text, f.path, [...stack], resolve, sink, files, depth + 1);
  }
}

/** Follow `name : ref` templates: the section's own values win over its references' (settings.c). */
export function resolveRefs(root: SettingsSection, sec: SettingsSection, seen: Set<SettingsSection> = new Set()): SettingsSection {
  if (sec.refs.length === 0 || seen.has(sec) || seen.size > 16) return sec;
  seen.add(sec);
  let out = newSection(sec.name, sec.at, sec.excerpt);
  for (const ref of sec.refs) {
    const target = lookupPath(root, ref);
    if (target) out = merge(resolveRefs(root, target, seen), out);
  }
  return merge(out, { ...sec, refs: [] });
}

/** `over` on top of `base`, subsections merged recursively (settings.c: a reference's subsections are inherited too). */
function merge(base: SettingsSection, over: SettingsSection): SettingsSection {
  const out = newSection(over.name, over.at, over.excerpt);
  for (const [k, v] of base.values) out.values.set(k, v);
  for (const [k, v] of over.values) out.values.set(k, v);
  for (const [k, s] of base.sections) out.sections.set(k, s);
  for (const [k, s] of over.sections) {
    const b = out.sections.get(k);
    out.sections.set(k, b ? merge(b, s) : s);
  }
  return out;
}

function lookupPath(root: SettingsSection, path: string): SettingsSection | undefined {
  let cur: SettingsSection | undefined = root;
  for (const part of path.split('.')) cur = cur?.sections.get(part);
  return cur;
}

// ---------------------------------------------------------------------------
// interpretation: connections { … } with swanctl's defaults

export function decodeSwanctlConf(text: string, source: string, resolve?: IncludeResolver): { facts: ConfigFacts; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink('swanctl-conf');
  const { root, files } = parseSettings(text, source, resolve, sink);
  const connections: ConnectionConfig[] = [];
  const conns = root.sections.get('connections');
  if (conns) for (const sec of conns.sections.values()) connections.push(toConnection(resolveRefs(root, sec), root, sink));
  const secretsSec = root.sections.get('secrets');
  const secrets = secretsSec ? secretsFromSwanctl(secretsSec) : [];
  const referenced = new Set<string>();
  const collect = (sec: SettingsSection): void => {
    for (const r of sec.refs) referenced.add(r.split('.')[0]);
    for (const child of sec.sections.values()) collect(child);
  };
  collect(root);
  for (const key of root.sections.keys()) {
    // a top-level section used only as a template (`conn : base-conn { … }`) is fine
    if (!['connections', 'secrets', 'authorities', 'pools'].includes(key) && !referenced.has(key)) sink.add(root.sections.get(key)!.at, `unknown top-level section '${key}' (swanctl reads connections, secrets, authorities, pools)`);
  }
  return { facts: { source, type: 'swanctl', dialect: 'strongswan', files, connections, secrets }, diagnostics: sink.list };
}

function val(sec: SettingsSection, key: string): Setting<string> | undefined {
  const v = sec.values.get(key);
  return v && { value: v.value, at: v.at, excerpt: v.excerpt, key };
}

function str(sec: SettingsSection, key: string, dflt: string): Setting<string> {
  return val(sec, key) ?? implicit(dflt, sec.at, sec.excerpt, key);
}

function list(sec: SettingsSection, key: string, dflt: string[]): Setting<string[]> {
  const v = val(sec, key);
  return v ? { ...v, value: splitList(v.value) } : implicit(dflt, sec.at, sec.excerpt, key);
}

function bool(sec: SettingsSection, key: string, dflt: boolean, sink: DiagnosticSink): Setting<boolean> {
  const v = val(sec, key);
  if (!v) return implicit(dflt, sec.at, sec.excerpt, key);
  const t = v.value.toLowerCase();
  if (['yes', 'true', 'enabled', '1'].includes(t)) return { ...v, value: true };
  if (['no', 'false', 'disabled', '0'].includes(t)) return { ...v, value: false };
  sink.add(v.at, `${key} = ${v.value}: not yes/no; swanctl would reject it`);
  return { ...v, value: dflt };
}

function duration(sec: SettingsSection, key: string, dflt: number, sink: DiagnosticSink): Setting<number> {
  const v = val(sec, key);
  if (!v) return implicit(dflt, sec.at, sec.excerpt, key);
  const d = parseDuration(v.value);
  if (d === undefined) {
    sink.add(v.at, `${key} = ${v.value}: not a duration (e.g. 30s, 5m, 1h)`);
    return { ...v, value: dflt };
  }
  return { ...v, value: d };
}

function toConnection(sec: SettingsSection, root: SettingsSection, sink: DiagnosticSink): ConnectionConfig {
  const v = val(sec, 'version');
  let ikeVersion: Setting<IkeVersion> = implicit<IkeVersion>(0, sec.at, sec.excerpt, 'version');
  if (v) {
    if (v.value === '0' || v.value === '1' || v.value === '2') ikeVersion = { ...v, value: Number(v.value) as IkeVersion };
    else sink.add(v.at, `version = ${v.value}: swanctl accepts 0, 1 or 2`);
  }
  const rekey = duration(sec, 'rekey_time', 4 * 3600, sink);
  const reauth = duration(sec, 'reauth_time', 0, sink);
  const over = val(sec, 'over_time');
  // swanctl.opt: over_time defaults to 10% of rekey_time/reauth_time (the larger one in use)
  const base = Math.max(rekey.value, reauth.value);
  const overTime = over ? duration(sec, 'over_time', base * 0.1, sink) : implicit(base * 0.1, sec.at, sec.excerpt, 'over_time');
  const keyingtries = duration(sec, 'keyingtries', 1, sink);
  const keys: Record<string, Setting<string>> = {};
  for (const k of sec.values.keys()) keys[k] = val(sec, k)!;
  const props = list(sec, 'proposals', ['default']);
  return {
    name: sec.name,
    at: sec.at,
    excerpt: sec.excerpt,
    symmetric: false,
    ikeVersion,
    local: toEnd(sec, 'local', root),
    remote: toEnd(sec, 'remote', root),
    proposals: props,
    dpd: { delay: duration(sec, 'dpd_delay', 0, sink), timeout: duration(sec, 'dpd_timeout', 0, sink) },
    encap: mapSetting(bool(sec, 'encap', false, sink), (forced) => (forced ? 'yes' : 'auto')),
    fragmentation: str(sec, 'fragmentation', 'yes'),
    keyingtries: { ...keyingtries, value: Math.round(keyingtries.value) },
    mobike: bool(sec, 'mobike', true, sink),
    aggressive: bool(sec, 'aggressive', false, sink),
    ikeRekeyTime: rekey,
    reauthTime: reauth,
    ikeLifeTime: { ...overTime, value: base + overTime.value },
    children: [...(sec.sections.get('children')?.sections.values() ?? [])].map((c) => toChild(resolveRefs(root, c), sink)),
    keys,
  };
}

function mapSetting<T, U>(s: Setting<T>, f: (v: T) => U): Setting<U> {
  return { ...s, value: f(s.value) };
}

function toEnd(sec: SettingsSection, which: 'local' | 'remote', root: SettingsSection): EndConfig {
  const rounds: AuthRound[] = [];
  const names = [...sec.sections.keys()].filter((k) => k === which || k.startsWith(`${which}-`));
  // swanctl.opt: rounds are ordered by their suffix; `local` without suffix first
  names.sort((a, b) => (a === which ? -1 : b === which ? 1 : a.localeCompare(b, 'en', { numeric: true })));
  for (const name of names) {
    const r = resolveRefs(root, sec.sections.get(name)!);
    const id = val(r, 'id');
    const certs = val(r, 'certs') ?? val(r, 'cert');
    const pubkeys = val(r, 'pubkeys');
    rounds.push({
      name,
      auth: str(r, 'auth', 'pubkey'),
      id,
      certs: certs && { ...certs, value: splitList(certs.value) },
      pubkeys: pubkeys && { ...pubkeys, value: splitList(pubkeys.value) },
    });
  }
  return { addrs: list(sec, `${which}_addrs`, ['%any']), rounds };
}

function toChild(sec: SettingsSection, sink: DiagnosticSink): ChildConfig {
  const rekeyGiven = val(sec, 'rekey_time');
  const lifeGiven = val(sec, 'life_time');
  // swanctl.opt: rekey_time = 1h or life_time - 10%; life_time = rekey_time + 10%
  let rekeyTime = duration(sec, 'rekey_time', 3600, sink);
  let lifeTime = duration(sec, 'life_time', Math.round(rekeyTime.value * 1.1), sink);
  if (!rekeyGiven && lifeGiven) rekeyTime = implicit(Math.round(lifeTime.value * 0.9), sec.at, sec.excerpt, 'rekey_time');
  if (rekeyGiven && !lifeGiven) lifeTime = implicit(Math.round(rekeyTime.value * 1.1), sec.at, sec.excerpt, 'life_time');
  const ah = val(sec, 'ah_proposals');
  return {
    name: sec.name,
    at: sec.at,
    excerpt: sec.excerpt,
    localTs: list(sec, 'local_ts', ['dynamic']),
    remoteTs: list(sec, 'remote_ts', ['dynamic']),
    // with ah_proposals set and no esp_proposals, swanctl negotiates AH only
    espProposals: ah && !val(sec, 'esp_proposals') ? implicit([], sec.at, sec.excerpt, 'esp_proposals') : list(sec, 'esp_proposals', ['default']),
    ahProposals: ah && { ...ah, value: splitList(ah.value) },
    mode: str(sec, 'mode', 'tunnel'),
    startAction: str(sec, 'start_action', 'none'),
    closeAction: str(sec, 'close_action', 'none'),
    dpdAction: str(sec, 'dpd_action', 'clear'),
    rekeyTime,
    lifeTime,
    updown: val(sec, 'updown'),
  };
}
