/**
 * One nft rule, as `nft list ruleset` prints it, into matches + verdict (nft(8)
 * "PAYLOAD EXPRESSION", "META EXPRESSIONS", "CONNTRACK EXPRESSIONS", "IPSEC EXPRESSIONS",
 * "STATEMENTS"). Shared by the text decoder and the JSON decoder (which renders each
 * rule to this syntax first). Expressions it does not model become `unknown` matches.
 */
import type { Cidr, Match, Rule, RuleAction, Table, Verdict } from '../../evidence/ruleset-types.js';
import { PORTED, icmpCode, icmpType, nftTcpFlags, parseCidr, parsePortRange, protoNumber } from './names.js';

const L4 = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', 'th']);
const IFACE_KEYS = new Set(['iif', 'iifname', 'oif', 'oifname']);
const STOP = new Set(['fib', 'accept', 'drop', 'reject', 'return', 'continue', 'jump', 'goto', 'queue', 'counter', 'log', 'limit', 'comment', 'meta', 'ip', 'ip6', 'ct', 'ipsec', 'rt',
  'icmp', 'icmpv6', 'iif', 'iifname', 'oif', 'oifname', 'mark', 'masquerade', 'snat', 'dnat', 'redirect', 'notrack', ...L4]);

interface Cursor {
  words: string[];
  i: number;
}

export function decodeNftRuleWords(words: string[], at: { source: string; line: number }, text: string, table: Table, diag: (m: string) => void): Rule {
  const matches: Match[] = [];
  const action: RuleAction = {};
  let verdict: Verdict = { kind: 'none' };
  let target: string | undefined;
  const c: Cursor = { words, i: 0 };
  let guard = 0;
  while (c.i < words.length && guard++ < 10_000) {
    const w = words[c.i++];
    const start = c.i - 1;
    if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
      verdict = { kind: w };
      target = w;
    } else if (w === 'reject') {
      verdict = { kind: 'reject' };
      target = w;
      if (words[c.i] === 'with') c.i = Math.min(words.length, c.i + (words[c.i + 1] === 'tcp' ? 3 : 4));
    } else if (w === 'jump' || w === 'goto') {
      verdict = { kind: w, target: words[c.i++] ?? '' };
      target = w;
    } else if (w === 'queue' || w === 'masquerade' || w === 'snat' || w === 'dnat' || w === 'redirect') {
      verdict = { kind: 'accept' };
      target = w;
      if (w !== 'queue') {
        // `dnat to 10.0.0.5`, `dnat ip to 10.0.0.5:500`, `snat to 192.0.2.1` (nft(8) NAT STATEMENTS)
        const rest = words.slice(c.i, c.i + 3);
        const to = rest[0] === 'to' ? rest[1] : rest[1] === 'to' ? rest[2] : undefined;
        action.nat = { kind: w, ...(to ? { to } : {}) };
      }
      skipTo(c);
    } else if (w === 'counter' || w === 'limit' || w === 'notrack' || w === 'comment') {
      if (w === 'comment') c.i++;
      else skipTo(c);
    } else if (w === 'log') {
      action.log = true;
      skipTo(c);
    } else if (IFACE_KEYS.has(w)) {
      matches.push(iface(w, c));
    } else if (w === 'fib' && (words[c.i] === 'saddr' || words[c.i] === 'daddr')) {
      // `fib daddr type local`, `fib saddr . iif type != local`, `fib daddr type { local, broadcast }` (nft(8) FIB EXPRESSIONS)
      const dir = words[c.i++] === 'saddr' ? 'src' : 'dst';
      while (c.i < words.length && (words[c.i] === '.' || words[c.i] === 'iif' || words[c.i] === 'oif' || words[c.i] === 'mark')) c.i++;
      if (words[c.i] !== 'type') matches.push(unknownFrom(c, start));
      else {
        c.i++;
        const negate = words[c.i] === '!=';
        if (negate) c.i++;
        const types: string[] = [];
        if (words[c.i] === '{') {
          c.i++;
          while (c.i < words.length && words[c.i] !== '}') { const t = words[c.i++].replace(/,$/, ''); if (t) types.push(t.toUpperCase()); }
          c.i++;
        } else if (c.i < words.length) types.push(words[c.i++].toUpperCase());
        matches.push(types.length ? { kind: 'addrtype', dir, types, negate } : unknownFrom(c, start));
      }
    } else if (w === 'meta' || w === 'mark') {
      const key = w === 'mark' ? 'mark' : words[c.i++];
      if (IFACE_KEYS.has(key)) matches.push(iface(key, c));
      else if (key === 'l4proto' || key === 'protocol') protoMatch(c, matches, diag);
      else if (key === 'nfproto') {
        const v = words[c.i++];
        if (v === 'ipv4' || v === 'ipv6') matches.push({ kind: 'family', version: v === 'ipv4' ? 4 : 6 });
      } else if ((key === 'ipsec' || key === 'secpath') && (words[c.i] === 'exists' || words[c.i] === 'missing')) {
        matches.push({ kind: 'policy', dir: 'in', pol: words[c.i++] === 'exists' ? 'ipsec' : 'none' });
      } else if (key === 'mark') markExpr(c, matches, action);
      else matches.push(unknownFrom(c, start));
    } else if (w === 'ip' || w === 'ip6') {
      const field = words[c.i++];
      const version = w === 'ip' ? 4 : 6;
      matches.push({ kind: 'family', version });
      if (field === 'saddr' || field === 'daddr') matches.push(addrMatch(c, field === 'saddr' ? 'src' : 'dst', table, start));
      else if (field === 'protocol' || field === 'nexthdr') protoMatch(c, matches, diag);
      else matches.push(unknownFrom(c, start));
    } else if (L4.has(w)) {
      const field = words[c.i++];
      const proto = w === 'th' ? undefined : protoNumber(w);
      if (field === 'dport' || field === 'sport') {
        const { negate, values } = readValues(c);
        const ranges = values.map(parsePortRange);
        if (ranges.some((r) => !r) || !values.length) matches.push(unknownFrom(c, start));
        else {
          if (proto !== undefined) matches.push({ kind: 'proto', protos: [proto], negate: false });
          matches.push({ kind: 'port', dir: field === 'dport' ? 'dst' : 'src', ranges: ranges as Array<[number, number]>, negate, proto: proto !== undefined && PORTED.has(proto) ? proto : undefined });
        }
      } else if (w === 'tcp' && field === 'flags') {
        const parts: string[] = [];
        while (c.i < words.length && !STOP.has(words[c.i])) parts.push(words[c.i++]);
        matches.push({ kind: 'proto', protos: [6], negate: false }, { kind: 'tcp-flags', text: parts.join(' '), ...nftTcpFlags(parts) });
      } else if (w === 'tcp' && field === 'option' && words[c.i] === 'maxseg') {
        // `tcp option maxseg size set rt mtu` (MSS clamping to the route's MTU) or `… set 1360`
        const rest = words.slice(c.i, c.i + 5);
        if (rest[2] === 'set') action.clampMss = rest[3] === 'rt' ? 'pmtu' : Number(rest[3]) || 0;
        else matches.push(unknownFrom(c, start));
        c.i = Math.min(words.length, c.i + (rest[3] === 'rt' ? 5 : 4));
      } else matches.push(unknownFrom(c, start));
    } else if (w === 'icmp' || w === 'icmpv6') {
      const fam: 4 | 6 = w === 'icmp' ? 4 : 6;
      const field = words[c.i++];
      const { negate, values } = readValues(c);
      if (field === 'type') {
        const types = values.map((v) => icmpType(v, fam));
        if (types.some((t) => !t || t === 'any')) matches.push(unknownFrom(c, start));
        else matches.push({ kind: 'icmp', family: fam, types: types as Array<{ type: number; code?: number }>, negate });
      } else if (field === 'code') {
        const codes = values.map(icmpCode);
        const prev = matches.findLast((m) => m.kind === 'icmp' && m.family === fam && !m.negate && m.types.length === 1);
        if (prev && prev.kind === 'icmp' && codes.length === 1 && codes[0] !== undefined && !negate) prev.types = [{ type: prev.types[0].type, code: codes[0] }];
        else matches.push(unknownFrom(c, start));
      } else matches.push(unknownFrom(c, start));
    } else if (w === 'ct') {
      const key = words[c.i++];
      if (key === 'state') {
        const { negate, values } = readValues(c);
        matches.push({ kind: 'ctstate', states: values.map((v) => v.toLowerCase()), negate });
      } else if (key === 'status') {
        const { negate, values } = readValues(c);
        matches.push({ kind: 'ctstatus', statuses: values.map((v) => v.toLowerCase()), negate });
      } else matches.push(unknownFrom(c, start));
    } else if (w === 'ipsec' && (words[c.i] === 'in' || words[c.i] === 'out')) {
      // `ipsec in reqid 1`: the packet was decrypted by (in) / will be encrypted by (out) an SA with this reqid
      const dir = words[c.i++] as 'in' | 'out';
      const key = words[c.i++];
      const { values } = readValues(c);
      if (key === 'reqid' && /^\d+$/.test(values[0] ?? '')) matches.push({ kind: 'policy', dir, pol: 'ipsec', reqid: Number(values[0]) });
      else matches.push({ kind: 'policy', dir, pol: 'ipsec' }, unknownFrom(c, start));
    } else if (w === 'rt' && words[c.i] === 'ipsec') {
      // `rt ipsec exists`: the route lookup of an outgoing packet resolved to an xfrm bundle
      c.i++;
      matches.push({ kind: 'policy', dir: 'out', pol: words[c.i++] === 'missing' ? 'none' : 'ipsec' });
    } else {
      matches.push(unknownFrom(c, start));
    }
  }
  return { at, text, matches, verdict, action, target };
}

function iface(key: string, c: Cursor): Match {
  const { negate, values } = readValues(c);
  return { kind: 'iface', dir: key.startsWith('i') ? 'in' : 'out', names: values, negate };
}

function protoMatch(c: Cursor, matches: Match[], diag: (m: string) => void): void {
  const { negate, values } = readValues(c);
  const protos = values.map(protoNumber);
  if (protos.some((p) => p === undefined)) {
    diag(`unknown protocol in '${values.join(', ')}'`);
    matches.push({ kind: 'unknown', text: `protocol ${values.join(',')}` });
  } else matches.push({ kind: 'proto', protos: protos as number[], negate });
}

function addrMatch(c: Cursor, dir: 'src' | 'dst', table: Table, start: number): Match {
  const { negate, values } = readValues(c);
  const cidrs: Cidr[] = [];
  for (const v of values) {
    const set = v.startsWith('@') ? table.sets[v.slice(1)] : undefined;
    for (const item of set ?? [v]) {
      const cidr = parseCidr(item);
      if (!cidr) return unknownFrom(c, start);
      cidrs.push(cidr);
    }
  }
  return cidrs.length ? { kind: 'addr', dir, cidrs, negate } : unknownFrom(c, start);
}

/** `meta mark 0x42`, `meta mark & 0xff == 0x42`, `meta mark set 0x42` */
function markExpr(c: Cursor, matches: Match[], action: RuleAction): void {
  const w = c.words;
  if (w[c.i] === 'set') {
    c.i++;
    const v = Number(w[c.i++]);
    if (Number.isFinite(v)) action.setMark = { value: v >>> 0, mask: 0xffffffff };
    return;
  }
  let mask = 0xffffffff;
  if (w[c.i] === 'and' || w[c.i] === '&') {
    mask = Number(w[c.i + 1]) >>> 0;
    c.i += 2;
  }
  const { negate, values } = readValues(c);
  const v = Number(values[0]);
  matches.push(Number.isFinite(v) && values.length === 1 ? { kind: 'mark', value: v >>> 0, mask, negate } : { kind: 'unknown', text: `meta mark ${values.join(',')}` });
}

/** A value or an anonymous set, with an optional `!=`/`==` operator: `500`, `!= 10.0.0.0/8`, `{ 500, 4500 }`, `established,related`. */
function readValues(c: Cursor): { negate: boolean; values: string[] } {
  let negate = false;
  if (c.words[c.i] === '!=' || c.words[c.i] === '==') negate = c.words[c.i++] === '!=';
  const first = c.words[c.i];
  if (first === undefined) return { negate, values: [] };
  if (first === '{' || first.startsWith('{')) {
    const parts: string[] = [];
    while (c.i < c.words.length) {
      const w = c.words[c.i++];
      parts.push(w);
      if (w.endsWith('}')) break;
    }
    return { negate, values: parts.join(' ').replace(/[{}]/g, ' ').split(/[,\s]+/).filter(Boolean) };
  }
  c.i++;
  return { negate, values: first.split(',').filter(Boolean) };
}

function skipTo(c: Cursor): void {
  while (c.i < c.words.length && !STOP.has(c.words[c.i])) c.i++;
}

function unknownFrom(c: Cursor, start: number): Match {
  while (c.i < c.words.length && !STOP.has(c.words[c.i])) c.i++;
  return { kind: 'unknown', text: c.words.slice(start, c.i).join(' ') };
}
