/**
 * Reads IKE daemon configuration files (swanctl.conf, ipsec.conf for strongSwan or
 * libreswan, ipsec.secrets) with a size cap, detects their type from the content,
 * and follows `include` relative to the including file (glob patterns, sorted like
 * the daemons' glob(3), depth-limited). Decoding itself is pure: this module only
 * supplies the bytes.
 */
import { coverageOf } from '../evidence/coverage.js';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { ConfigDialect, ConfigFacts } from '../evidence/config-types.js';
import { InputError, UsageError } from '../errors.js';
import { describeFsError } from './open-input.js';
import { readCappedFile } from './read-capped.js';
import { MAX_RULESET_BYTES } from './ruleset-file.js';
import { sniffKind } from './sniff.js';
import type { IncludeResolver, IncludedFile } from '../platforms/freeswan/config-common.js';
import { configReaders } from '../platforms/index.js';
import type { ConfigReader } from '../platforms/types.js';
import type { SaTable } from '../evidence/sa-table-types.js';
import { detectTable, readTable } from './sa-table-file.js';
import { textLines } from './whole-input.js';
import type { IpvsFacts } from '../evidence/ipvs-types.js';
import { detectIpvs, linesOf, readIpvs } from './ipvs-file.js';
import { detectRulesetType } from './ruleset-file.js';
import { generatedFirewallConfig } from './generated-firewall.js';

/** Real configs are a few KiB; this keeps a mistaken multi-GB argument from being read. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_INCLUDED_FILES = 256;

export const CONFIG_TYPES: readonly string[] = configReaders.flatMap((r) => r.types);

/** A file given by path, or one already read (its path for the report). */
export interface ReadInput {
  path: string;
  text: string;
}

export interface ConfigLoadResult {
  inputs: InputInfo[];
  configs: ConfigFacts[];
  diagnostics: Diagnostic[];
  /**
   * --config files that are firewall rulesets (iptables-save, nft), with the text already
   * read: left for the ruleset loader, which must not read them again (`-c <(iptables-save)`
   * is a pipe that can be read once)
   */
  skipped: ReadInput[];
  /** SA tables pasted as a config (`swanctl --list-sas`, `ip xfrm state`, …), read by their platform's reader */
  tables: SaTable[];
  /** IPVS directors' services (`ipvsadm -S -n`, `ipvsadm -L -n`, keepalived.conf), read by the lvs platform's readers */
  ipvs: IpvsFacts[];
}

export async function loadConfigs(paths: string[], forcedType?: string): Promise<ConfigLoadResult> {
  if (forcedType !== undefined && !CONFIG_TYPES.includes(forcedType)) {
    throw new UsageError(`unknown config type '${forcedType}'`, `one of: ${CONFIG_TYPES.join(', ')}, iptables-save, ip6tables-save, nft, nft-json`);
  }
  const out: ConfigLoadResult = { inputs: [], configs: [], diagnostics: [], skipped: [], tables: [], ipvs: [] };
  for (const path of paths) {
    // read once, up to the ruleset cap: --config also takes rulesets, which can be larger than any IKE config
    const bytes = await readCappedFile(path, MAX_RULESET_BYTES, {
      directory: 'pass the file itself: /etc/swanctl/swanctl.conf, /etc/ipsec.conf',
      tooLarge: 'too large for a config or ruleset',
      tooLargeHint: 'is it the right file?',
    });
    const kind = sniffKind(bytes.subarray(0, 8192));
    if (kind === 'binary' || kind === 'pcap' || kind === 'pcapng' || kind === 'gzip') {
      throw new InputError(`${path} is not a text configuration file`, 'pass swanctl.conf, ipsec.conf or ipsec.secrets with --config');
    }
    const text = bytes.toString('utf8');
    const detected = forcedType ? fromForced(forcedType) : (detectConfigType(text) ?? detectByFileName(path, text));
    const generated = detected ? undefined : generatedFirewallConfig(text);
    if (generated) throw new InputError(`${path} is ${generated.what}: ipsec-doctor judges the ruleset the kernel runs, not a front-end's configuration`, generated.instead);
    if (!detected && (looksLikeRuleset(text) || detectRulesetType(text))) {
      out.skipped.push({ path, text });
      continue;
    }
    const table = detected ? undefined : detectTable(text.split('\n', 400));
    if (table) {
      const t = readTable(table.reader, textLines(text), path);
      out.inputs.push(t.input);
      out.diagnostics.push(...t.diagnostics);
      out.tables.push(t.table);
      continue;
    }
    // a load-balancing director's services: no IKE config reader claimed the file, an IPVS reader does
    const ipvs = detected ? undefined : detectIpvs(text.split('\n', 400));
    if (ipvs) {
      const v = readIpvs(ipvs.reader, linesOf(text), path);
      out.inputs.push(v.input);
      out.diagnostics.push(...v.diagnostics);
      out.ipvs.push(v.facts);
      continue;
    }
    if (bytes.length > MAX_CONFIG_BYTES) throw new InputError(`${path} is ${bytes.length} bytes: larger than any IKE config (cap ${MAX_CONFIG_BYTES})`, 'is it the right file?');
    if (!detected) {
      throw new InputError(
        `${path}: not recognised as swanctl.conf, ipsec.conf, ipsec.secrets or a firewall ruleset`,
        `force the type with --config-type (${CONFIG_TYPES.join(', ')}; rulesets: iptables-save, ip6tables-save, nft, nft-json)`,
      );
    }
    const resolver = makeResolver(out.diagnostics);
    const type = detected.reader.name;
    let r: ReturnType<ConfigReader['decode']>;
    try {
      r = detected.reader.decode(text, path, resolver, forcedType);
    } catch (err) {
      // readers are meant to be total; one that is not loses this file, located, never the whole report
      out.diagnostics.push({ at: { source: path }, decoder: type, message: `decoder error: ${err instanceof Error ? err.message : String(err)}; this ${type} file was not analysed` });
      const lines = text.split('\n').length;
      out.inputs.push({ kind: 'config', path, dialect: type, lines, unparsed: lines, coverage: coverageOf('line', settingLines(text), settingLines(text)) });
      continue;
    }
    out.configs.push(r.facts);
    out.diagnostics.push(...r.diagnostics);
    out.inputs.push({
      kind: 'config',
      path,
      // ipsec.conf and ipsec.secrets are read for several daemons: say whose; a platform's own format names it already
      dialect: type.startsWith('ipsec.') ? `${type} (${r.facts.dialect})` : type,
      lines: text.split('\n').length,
      unparsed: r.diagnostics.length,
      counters: { connections: r.facts.connections.length, secrets: r.facts.secrets.length, files: r.facts.files.length },
      // a reader's diagnostic names one line it could not read: the other setting lines were read
      coverage: coverageOf('line', settingLines(text), r.diagnostics.filter((d) => d.at.line !== undefined && d.at.source === path).length),
    });
  }
  return out;
}

/** iptables-save / ip6tables-save, `nft list ruleset` (text or -j JSON): the ruleset loader's, not ours. */
export function looksLikeRuleset(text: string): boolean {
  return /^\*(filter|nat|mangle|raw|security)\s*$|^table\s+(inet|ip6?|arp|bridge|netdev)\s+\S+\s*\{|^\s*\{\s*"nftables"\s*:/m.test(text);
}

/** What a config file is, from its content (the name is often just `ipsec.conf` copied anywhere): the first reader in registry order that claims it. */
export function detectConfigType(text: string): { reader: ConfigReader; type: string; dialect?: ConfigDialect } | undefined {
  const noComments = text.replace(/^\s*#.*$/gm, '');
  for (const reader of configReaders) {
    let d: ReturnType<ConfigReader['detect']>;
    try {
      d = reader.detect(noComments, text);
    } catch {
      continue; // a reader that cannot tell does not claim the file
    }
    if (d) return { reader, type: reader.types[0], dialect: d.dialect };
  }
  return undefined;
}

/**
 * Distributions ship /etc/swanctl/swanctl.conf and /etc/ipsec.conf as little more than
 * `include conf.d/*.conf`: nothing in the content says which syntax it is, the name does.
 * Only used when every setting line is an include, so a stray file is never misread.
 */
function detectByFileName(path: string, text: string): { reader: ConfigReader } | undefined {
  const settings = text.split('\n').filter((l) => !/^\s*(#.*)?$/.test(l));
  if (!settings.length || !settings.every((l) => /^\s*include\s+\S+/.test(l))) return undefined;
  const name = path.split('/').pop() ?? '';
  const type = /swanctl\.conf$/.test(name) ? 'swanctl' : /ipsec\.conf$/.test(name) ? 'ipsec.conf' : /ipsec\.secrets$/.test(name) ? 'ipsec.secrets' : undefined;
  return type ? fromForced(type) : undefined;
}

function fromForced(forced: string): { reader: ConfigReader } {
  return { reader: configReaders.find((r) => r.types.includes(forced))! };
}

/**
 * include patterns are relative to the including file's directory (strongSwan
 * settings_parser.c, libreswan/strongSwan starter). Unmatched globs are not an
 * error for the daemons (conf.d may be empty); a missing plain file is.
 */
function makeResolver(diagnostics: Diagnostic[]): IncludeResolver {
  let budget = MAX_INCLUDED_FILES;
  return (pattern, from) => {
    const abs = isAbsolute(pattern) ? pattern : resolvePath(dirname(from), pattern);
    const isGlob = /[*?[]/.test(abs);
    const paths = isGlob ? expandGlob(abs) : [abs];
    const files: IncludedFile[] = [];
    const errors: string[] = [];
    for (const p of paths) {
      if (budget <= 0) {
        errors.push(`more than ${MAX_INCLUDED_FILES} included files; the rest were not read`);
        break;
      }
      try {
        const st = statSync(p);
        if (st.isDirectory()) continue;
        if (st.size > MAX_CONFIG_BYTES) {
          errors.push(`${p} larger than ${MAX_CONFIG_BYTES} bytes; not read`);
          continue;
        }
        files.push({ path: p, text: readFileSync(p, 'utf8') });
        budget--;
      } catch (err) {
        if (!isGlob) errors.push(`cannot read ${p}: ${describeFsError(err)}`);
        else diagnostics.push({ at: { source: from }, decoder: 'config-file', message: `cannot read ${p}: ${describeFsError(err)}` });
      }
    }
    return { files, error: errors.length ? errors.join('; ') : undefined };
  };
}

/** A minimal glob(3): `*`, `?`, `[…]` within path segments, results sorted. */
function expandGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]];
  for (const part of parts.slice(1)) {
    if (!part) continue;
    const next: string[] = [];
    if (!/[*?[]/.test(part)) {
      for (const b of bases) next.push(join(b, part));
    } else {
      const re = globToRegExp(part);
      for (const b of bases) {
        let names: string[] = [];
        try {
          names = readdirSync(b);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (re.test(n) && !n.startsWith('.')) next.push(join(b, n));
      }
    }
    bases = next.slice(0, MAX_INCLUDED_FILES * 4);
  }
  return bases;
}

function globToRegExp(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = part.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${part.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Lines that hold a setting: not blank, not a comment (what a config's coverage counts). */
function settingLines(text: string): number {
  let n = 0;
  for (const l of text.split('\n')) if (!/^\s*(?:#.*)?$/.test(l)) n++;
  return n;
}
