/**
 * keepalived.conf as keepalived programs IPVS from it: `virtual_server` blocks (by
 * address and port, `fwmark N`, or `group NAME` of a `virtual_server_group`) with their
 * `real_server`s, and `lvs_timeouts` in `global_defs` (keepalived.conf(5), keepalived
 * 2.2.7 as Debian 12 ships it). Everything else (VRRP, checkers, scripts) is skipped.
 *
 * Defaults are keepalived's, where it fills in what is not written
 * (keepalived/check/check_data.c validate_check_config, checked with `keepalived
 * --config-test` 2.2.7): no `protocol` → UDP ("no protocol set - defaulting to UDP"), no
 * `lb_kind`/`lvs_method` → NAT, no scheduler → wlc (ipvswrapper.h IPVS_DEF_SCHED);
 * `persistence_timeout` without a value, `persistence_granularity` without a timeout, and
 * port 0 without persistence → 360 s (libipvs.h IPVS_SVC_PERSISTENT_TIMEOUT 6*60). A
 * real server's own `lvs_method` overrides the virtual server's. A group becomes one IPVS
 * service per entry (ipvswrapper.c), each with its own persistence templates.
 *
 * Comments start at `!` or `#` outside quotes (lib/parser.c decomment); `{` and `}` are
 * words of their own wherever they stand.
 */
import type { Diagnostic, EvidenceRef } from '../../evidence/types.js';
import type { IpvsFacts, IpvsForwarding, IpvsProtocol, IpvsRead, IpvsReader, IpvsRealServer, IpvsService, IpvsTimeouts, IpvsValue } from '../../evidence/ipvs-types.js';
import { numberOr, parseAddrPort, refAt, valueAt } from './common.js';
import { counted } from '../../evidence/plural.js';

const DECODER = 'keepalived-conf';
const DEFAULT_PERSISTENCE = 360;
const DEFAULT_SCHEDULER = 'wlc';
const MAX_DEPTH = 32;

interface Node {
  words: string[];
  at: EvidenceRef;
  children?: Node[];
}

const SNIFF = /^\s*(virtual_server(_group)?\s+\S+|real_server\s+\S+|(lb_kind|lvs_method)\s+(NAT|DR|TUN)\b|(lb_algo|lvs_sched)\s+\w+|persistence_timeout\b|lvs_timeouts\s|vrrp_instance\s|global_defs\b)/;

/** keepalived.conf lines; 0 unless a virtual_server is among them (a VRRP-only file holds no IPVS). */
export function sniffKeepalived(lines: readonly string[]): number {
  if (!lines.some((l) => /^\s*virtual_server\s+\S+/.test(l))) return 0;
  return lines.filter((l) => SNIFF.test(l)).length;
}

function uncomment(line: string): string {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quote = !quote;
    else if (c === '\\') i++;
    else if (!quote && (c === '!' || c === '#')) return line.slice(0, i);
  }
  return line;
}

/** The file as a tree of statements; a `{` opens the block of the statement before it. */
function parse(lines: string[], source: string, diagnostics: Diagnostic[]): { nodes: Node[]; unparsed: number } {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let unparsed = 0;
  let last: Node | undefined;
  lines.forEach((raw, i) => {
    const at = refAt(source, i + 1, raw);
    // a line is counted unparsed once, however many stray braces it holds
    let stray = false;
    const words = uncomment(raw).replace(/[{}]/g, ' $& ').trim().split(/\s+/).filter(Boolean);
    let statement: string[] = [];
    const flush = () => {
      if (!statement.length) return;
      last = { words: statement.map((w) => w.replace(/^"(.*)"$/, '$1')), at };
      stack[stack.length - 1].push(last);
      statement = [];
    };
    for (const w of words) {
      if (w === '{') {
        flush();
        if (!last || last.children || stack.length > MAX_DEPTH) {
          stray = true;
          diagnostics.push({ at: { source, line: i + 1 }, decoder: DECODER, message: "a '{' that opens no statement's block" });
          last = { words: [], at };
        }
        last.children = [];
        stack.push(last.children);
        last = undefined;
      } else if (w === '}') {
        flush();
        if (stack.length > 1) stack.pop();
        else {
          stray = true;
          diagnostics.push({ at: { source, line: i + 1 }, decoder: DECODER, message: "a '}' that closes no block" });
        }
        last = undefined;
      } else statement.push(w);
    }
    flush();
    if (stray) unparsed++;
  });
  if (stack.length > 1) diagnostics.push({ at: { source, line: lines.length }, decoder: DECODER, message: `${counted(stack.length - 1, 'block', 'blocks')} not closed at the end of the file` });
  return { nodes: root, unparsed };
}

const KIND: Record<string, IpvsForwarding> = { NAT: 'masq', DR: 'route', TUN: 'tunnel' };
const PROTO: Record<string, IpvsProtocol> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp' };

export function readKeepalived(input: Iterable<string>, source: string): IpvsRead {
  const lines = [...input];
  const diagnostics: Diagnostic[] = [];
  const { nodes, unparsed } = parse(lines, source, diagnostics);
  const facts: IpvsFacts = { source, format: 'keepalived-conf', services: [], lines: lines.length, unparsed };
  const groups = new Map<string, Node>();
  for (const n of nodes) if (n.words[0] === 'virtual_server_group' && n.words[1] && n.children) groups.set(n.words[1], n);
  for (const n of nodes) {
    if (n.words[0] === 'include') diagnostics.push({ at: { source, line: n.at.line }, decoder: DECODER, message: `'${n.at.excerpt}' is not followed: pass the included file too` });
    if (n.words[0] === 'global_defs') for (const g of n.children ?? []) if (g.words[0] === 'lvs_timeouts') facts.timeouts = timeouts(g);
    if (n.words[0] !== 'virtual_server' || !n.children) continue;
    if (n.words[1] === 'group') {
      const g = groups.get(n.words[2] ?? '');
      if (!g) diagnostics.push({ at: { source, line: n.at.line }, decoder: DECODER, message: `virtual_server_group '${n.words[2] ?? ''}' is not defined in this file` });
      for (const entry of g?.children ?? []) {
        const s = identity(entry.words, entry.at, diagnostics);
        if (s) facts.services.push(build(s, n, diagnostics, n.words[2]));
      }
    } else {
      const s = identity(n.words.slice(1), n.at, diagnostics);
      if (s) facts.services.push(build(s, n, diagnostics));
    }
  }
  return { facts, diagnostics };
}

type Identity = Omit<IpvsService, 'realServers' | 'family'> & { family?: 4 | 6 };

/** `ADDR [PORT]` or `fwmark N [inet|inet6]` (a virtual_server line or a group entry). */
function identity(words: string[], at: EvidenceRef, diagnostics: Diagnostic[]): Identity | undefined {
  if (words[0] === 'fwmark') {
    const mark = numberOr(words[1]);
    if (mark !== undefined) return { at, fwmark: mark, ...(words[2] === 'inet6' ? { family: 6 as const } : words[2] === 'inet' ? { family: 4 as const } : {}) };
  } else if (words[0] && /^[0-9A-Fa-f.:/-]+$/.test(words[0]) && /[.:]/.test(words[0])) {
    const port = words[1] === undefined ? 0 : numberOr(words[1]);
    if (port !== undefined && port <= 65535) return { at, address: words[0], port, family: words[0].includes(':') ? 6 : 4 };
  }
  diagnostics.push({ at: { source: at.source, line: at.line }, decoder: DECODER, message: `cannot read the virtual server '${words.join(' ')}'` });
  return undefined;
}

function build(id: Identity, block: Node, diagnostics: Diagnostic[], group?: string): IpvsService {
  const s: IpvsService = { ...id, family: id.family ?? 4, realServers: [], ...(group ? { group } : {}) };
  let forwarding: IpvsValue<IpvsForwarding> = valueAt('masq', block.at, true);
  let protocol: IpvsValue<IpvsProtocol> | undefined;
  let granularity = false;
  const servers: Node[] = [];
  for (const k of block.children ?? []) {
    const [key, arg] = k.words;
    if (key === 'lb_algo' || key === 'lvs_sched') s.scheduler = valueAt(arg ?? '', k.at);
    else if ((key === 'lb_kind' || key === 'lvs_method') && KIND[arg ?? '']) forwarding = valueAt(KIND[arg], k.at);
    else if (key === 'persistence_timeout') s.persistence = arg === undefined ? valueAt(DEFAULT_PERSISTENCE, k.at, true) : valueAt(Number(numberOr(arg) ?? 0), k.at);
    else if (key === 'persistence_granularity') (s.netmask = arg), (granularity = true);
    else if (key === 'protocol' && PROTO[(arg ?? '').toLowerCase()]) protocol = valueAt(PROTO[arg.toLowerCase()], k.at);
    else if (key === 'ops') s.onePacket = k.at;
    else if (key === 'ip_family' && (arg === 'inet' || arg === 'inet6') && s.fwmark !== undefined) s.family = arg === 'inet6' ? 6 : 4;
    else if (key === 'real_server') servers.push(k);
  }
  if (s.fwmark === undefined) s.protocol = protocol?.value ?? 'udp';
  if (s.persistence?.value === 0) delete s.persistence;
  if (!s.persistence && (granularity || (s.fwmark === undefined && s.port === 0))) s.persistence = valueAt(DEFAULT_PERSISTENCE, block.at, true);
  s.scheduler ??= valueAt(DEFAULT_SCHEDULER, block.at, true);
  if (s.onePacket && s.fwmark === undefined && s.protocol !== 'udp') delete s.onePacket; // "one packet scheduling requires UDP - resetting"
  for (const r of servers) {
    const rs = realServer(r, forwarding, diagnostics);
    if (rs) s.realServers.push(rs);
  }
  return s;
}

function realServer(n: Node, inherited: IpvsValue<IpvsForwarding>, diagnostics: Diagnostic[]): IpvsRealServer | undefined {
  const ap = parseAddrPort(n.words[1] ?? '');
  const port = n.words[2] === undefined ? 0 : numberOr(n.words[2]);
  if (!ap || ap.port !== 0 || port === undefined) {
    diagnostics.push({ at: { source: n.at.source, line: n.at.line }, decoder: DECODER, message: `cannot read the real server '${n.words.slice(1).join(' ')}'` });
    return undefined;
  }
  let forwarding = inherited;
  let weight: number | undefined;
  for (const k of n.children ?? []) {
    if (k.words[0] === 'lvs_method' && KIND[k.words[1] ?? '']) forwarding = valueAt(KIND[k.words[1]], k.at);
    else if (k.words[0] === 'weight') weight = numberOr(k.words[1]);
  }
  return { address: ap.address, port, forwarding, ...(weight !== undefined ? { weight } : {}), at: n.at };
}

/** `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]` (keepalived.conf(5)); 0 or absent = unchanged. */
function timeouts(n: Node): IpvsTimeouts {
  const t: IpvsTimeouts = {};
  const w = n.words;
  for (let i = 1; i < w.length - 1; i++) {
    const v = numberOr(w[i + 1]);
    if (!v) continue;
    if (w[i] === 'tcp') t.tcp = valueAt(v, n.at);
    else if (w[i] === 'tcpfin') t.tcpFin = valueAt(v, n.at);
    else if (w[i] === 'udp') t.udp = valueAt(v, n.at);
  }
  return t;
}

export const keepalivedReader: IpvsReader = { format: 'keepalived-conf', name: 'keepalived.conf (virtual_server)', sniff: sniffKeepalived, read: readKeepalived };
