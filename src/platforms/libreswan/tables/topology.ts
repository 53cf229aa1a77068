/**
 * The topology of an `ipsec status` connection line:
 *   `10.0.1.0/24===192.0.2.45[@west]...192.0.2.23[@east]===10.0.2.0/24; erouted; …`
 * Local end first, whatever the config calls left (format_connection prints sr->this,
 * then sr->that). Each end (connections.c jam_end, 4.10):
 *   local:  [CLIENT===]HOST[:PORT][<HOSTNAME>][[ID][,FLAGS]][---NEXTHOP]
 *   remote: [NEXTHOP---]HOST[:PORT][<HOSTNAME>][[ID][,FLAGS]][===CLIENT]
 * 3.x prints `HOST<HOST>`; an IPv6 host with a port is `[ADDR]:PORT`; FLAGS are
 * `MS`, `+MC`, `+CAT`, `+XS`, `+XC` and `+S=C`/`+S?C`/`+S-C` (jam_end_id).
 */
import { isAddress } from './designation.js';

export interface TopologyEnd {
  /** the client selector as printed, when printed */
  client?: string;
  /** host as printed: an address, `%any`, `%opportunisticgroup`, … */
  host?: string;
  port?: number;
  id?: string;
}

export interface Topology {
  local: TopologyEnd;
  remote: TopologyEnd;
}

const FLAGS = /^(?:MS)?(?:\+(?:MC|CAT|XS|XC|S=C|S\?C|S-C|UNKNOWN))*$/;

/** The topology part (before the first `; `) of a connection line, or undefined if it has no `...`. */
export function parseTopology(text: string): Topology | undefined {
  const dots = indexAtTop(text, '...', 0);
  if (dots < 0) return undefined;
  const local = parseEnd(text.slice(0, dots), 'local');
  const remote = parseEnd(text.slice(dots + 3), 'remote');
  if (local === undefined || remote === undefined) return undefined;
  return { local, remote };
}

function parseEnd(text: string, side: 'local' | 'remote'): TopologyEnd | undefined {
  let rest = text;
  let client: string | undefined;
  const eq = indexAtTop(rest, '===', 0);
  if (eq >= 0) {
    client = side === 'local' ? rest.slice(0, eq) : rest.slice(eq + 3);
    rest = side === 'local' ? rest.slice(eq + 3) : rest.slice(0, eq);
  }
  const hop = indexAtTop(rest, '---', 0);
  if (hop >= 0) rest = side === 'local' ? rest.slice(0, hop) : rest.slice(hop + 3);
  const host = readHost(rest);
  if (host === undefined) return undefined;
  const end: TopologyEnd = { host: host.host };
  if (client !== undefined && client !== '') end.client = client;
  if (host.port !== undefined) end.port = host.port;
  const id = readId(rest.slice(host.end));
  if (id !== undefined) end.id = id;
  return end;
}

function readHost(s: string): { host: string; port?: number; end: number } | undefined {
  const wrapped = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})/.exec(s);
  if (wrapped !== null) return { host: wrapped[1], port: Number(wrapped[2]), end: wrapped[0].length };
  let end = 0;
  while (end < s.length && s[end] !== '<' && s[end] !== '[') end++;
  // 3.x: HOST<HOST>, 4.x: HOST<HOSTNAME> when the config named the host
  let next = end;
  if (s[next] === '<') {
    const close = s.indexOf('>', next);
    next = close < 0 ? s.length : close + 1;
  }
  const printed = s.slice(0, end);
  if (printed === '') return undefined;
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(printed);
  if (v4port !== null) return { host: v4port[1], port: Number(v4port[2]), end: next };
  return { host: printed, end: next };
}

/** `[@east]`, `[@road,+MC+S=C]`, `[C=CA, …, E=x@y,MS+XS+S=C]`, `[MS+S=C]` (flags only) */
function readId(s: string): string | undefined {
  if (!s.startsWith('[') || !s.endsWith(']')) return undefined;
  const inner = s.slice(1, -1);
  if (FLAGS.test(inner)) return undefined;
  const comma = inner.lastIndexOf(',');
  if (comma >= 0 && FLAGS.test(inner.slice(comma + 1))) return inner.slice(0, comma) || undefined;
  return inner || undefined;
}

/** index of `needle` outside `[...]` and `<...>`, or -1 */
function indexAtTop(s: string, needle: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '<') depth++;
    else if ((c === ']' || c === '>') && depth > 0) depth--;
    else if (depth === 0 && s.startsWith(needle, i)) return i;
  }
  return -1;
}

/**
 * The traffic selector an end stands for. jam_end_client prints no client when it is
 * the host address itself (host-to-host), so then the host is the selector.
 */
export function selectorOf(end: TopologyEnd): string | undefined {
  if (end.client !== undefined) return end.client;
  if (end.host === undefined || !isAddress(end.host)) return undefined;
  return end.host.includes(':') ? `${end.host}/128` : `${end.host}/32`;
}
