/**
 * Names netfilter tools print for protocols, ICMP types and hook priorities, shared by
 * the iptables-save and nft decoders. Numbers from IANA protocol-numbers and
 * icmp-parameters; priority names from nft(8) "CHAIN PRIORITIES".
 */
import type { Cidr } from '../../evidence/ruleset-types.js';

export const PROTO = { icmp: 1, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, sctp: 132, dccp: 33, udplite: 136 } as const;

const PROTO_NAMES: Record<string, number> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, dccp: 33, udplite: 136, 'udp-lite': 136,
  ipip: 4, ipencap: 4, ipv6: 41, ospf: 89, vrrp: 112, l2tp: 115, comp: 108, ipcomp: 108,
};

export { PORTED } from '../../evidence/ruleset-types.js';

export function protoNumber(name: string): number | undefined {
  if (/^\d{1,3}$/.test(name)) {
    const n = Number(name);
    return n <= 255 ? n : undefined;
  }
  return PROTO_NAMES[name.toLowerCase()];
}

const ICMP4: Record<string, { type: number; code?: number }> = {
  'echo-reply': { type: 0 }, 'destination-unreachable': { type: 3 }, 'fragmentation-needed': { type: 3, code: 4 }, 'frag-needed': { type: 3, code: 4 },
  'network-unreachable': { type: 3, code: 0 }, 'host-unreachable': { type: 3, code: 1 }, 'protocol-unreachable': { type: 3, code: 2 }, 'port-unreachable': { type: 3, code: 3 },
  'source-quench': { type: 4 }, redirect: { type: 5 }, 'echo-request': { type: 8 }, 'router-advertisement': { type: 9 }, 'router-solicitation': { type: 10 },
  'time-exceeded': { type: 11 }, 'parameter-problem': { type: 12 }, 'timestamp-request': { type: 13 }, 'timestamp-reply': { type: 14 },
};
const ICMP6: Record<string, { type: number; code?: number }> = {
  'destination-unreachable': { type: 1 }, 'packet-too-big': { type: 2 }, 'time-exceeded': { type: 3 }, 'parameter-problem': { type: 4 },
  'echo-request': { type: 128 }, 'echo-reply': { type: 129 }, 'router-solicitation': { type: 133 }, 'router-advertisement': { type: 134 },
  'neighbour-solicitation': { type: 135 }, 'neighbor-solicitation': { type: 135 }, 'nd-neighbor-solicit': { type: 135 }, 'neighbour-advertisement': { type: 136 },
  'neighbor-advertisement': { type: 136 }, 'nd-neighbor-advert': { type: 136 }, 'nd-router-solicit': { type: 133 }, 'nd-router-advert': { type: 134 },
  'mld-listener-query': { type: 130 }, 'mld-listener-report': { type: 131 }, 'mld-listener-done': { type: 132 }, 'nd-redirect': { type: 137 },
};
const ICMP4_CODES: Record<string, number> = { 'net-unreachable': 0, 'host-unreachable': 1, 'prot-unreachable': 2, 'port-unreachable': 3, 'frag-needed': 4, 'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13 };

/** `3/4`, `8`, `fragmentation-needed`, `packet-too-big`; undefined type for `any`. */
export function icmpType(text: string, family: 4 | 6): { type: number; code?: number } | 'any' | undefined {
  if (text === 'any') return 'any';
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
  if (m) return { type: Number(m[1]), code: m[2] === undefined ? undefined : Number(m[2]) };
  return (family === 4 ? ICMP4 : ICMP6)[text.toLowerCase()];
}

export function icmpCode(text: string): number | undefined {
  if (/^\d{1,3}$/.test(text)) return Number(text);
  return ICMP4_CODES[text.toLowerCase()];
}

/** nft(8) standard priority names, usable with `+ N`/`- N`. */
const PRIORITY: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100, out: 100, br_filter: -200 };

export function nftPriority(text: string): number | undefined {
  const m = /^\s*(-?\d+|[a-z_]+)\s*(?:([+-])\s*(\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  const base = /^-?\d+$/.test(m[1]) ? Number(m[1]) : PRIORITY[m[1]];
  if (base === undefined) return undefined;
  return m[2] ? base + (m[2] === '+' ? 1 : -1) * Number(m[3]) : base;
}

/** `10.0.0.0/8`, `198.51.100.7`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`; undefined when not an address. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len] = text.split('/', 2);
  const version = /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) ? 4 : /^[0-9a-f:.]+$/i.test(addr) && addr.includes(':') ? 6 : undefined;
  if (!version) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (len !== undefined) {
    if (/^\d{1,3}$/.test(len)) prefix = Number(len);
    else if (version === 4 && /^\d{1,3}(\.\d{1,3}){3}$/.test(len)) prefix = maskBits(len);
    else return undefined;
    if (prefix < 0 || prefix > max) return undefined;
  }
  return { version, addr, prefix };
}

function maskBits(mask: string): number {
  const n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  let bits = 0;
  for (let i = 31; i >= 0 && Math.floor(n / 2 ** i) % 2 === 1; i--) bits++;
  return bits;
}

/** A port or range: `500`, `500:600` (iptables), `500-600` (nft); service names nft prints for well-known ports. */
export function parsePortRange(text: string): [number, number] | undefined {
  const named: Record<string, number> = { isakmp: 500, 'ipsec-nat-t': 4500, ssh: 22, domain: 53, http: 80, https: 443 };
  const m = /^(\d{1,5})(?:[:-](\d{1,5}))?$/.exec(text);
  if (m) {
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return lo <= 65535 && hi <= 65535 ? [lo, hi] : undefined;
  }
  const n = named[text.toLowerCase()];
  return n === undefined ? undefined : [n, n];
}

/** Shell-like split used by both tools' output: double quotes group, backslash escapes inside them. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** A ruleset line quoted in a diagnostic, short enough for one line of the report. */
export function clipForDiagnostic(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** TCP header flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR), by the names iptables and nft print. */
const TCP_FLAG_BITS: Record<string, number> = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, ecn: 0x40, cwr: 0x80 };

/**
 * A list of TCP flags as both tools write it: `SYN,RST` / `syn|rst` / `(syn|rst)`; iptables'
 * `ALL` is its six classic flags (libxt_tcp.c: FIN SYN RST PSH ACK URG), `NONE` is 0.
 */
export function tcpFlagBits(list: string): number | undefined {
  const words = list.replace(/[()]/g, '').split(/[,|]/).map((w) => w.trim().toLowerCase()).filter(Boolean);
  if (!words.length) return undefined;
  let bits = 0;
  for (const w of words) {
    if (w === 'all') bits |= 0x3f;
    else if (w === 'none') continue;
    else if (TCP_FLAG_BITS[w] !== undefined) bits |= TCP_FLAG_BITS[w];
    else return undefined;
  }
  return bits;
}

/**
 * nft's `tcp flags …` after the keyword, as listed (`syn / syn,rst`, `& (syn|rst) == syn`,
 * `== syn`, `!= syn / syn,ack`, bare `syn` = any of them set): mask and comparison, or
 * undefined for a form not modelled (a set `{ … }`).
 */
export function nftTcpFlags(parts: string[]): { mask: number; comp: number; any?: boolean; negate?: boolean } | undefined {
  let words = parts.join(' ').trim();
  let negate = false;
  if (/^!=\s*/.test(words)) { negate = true; words = words.replace(/^!=\s*/, ''); }
  if (words.includes('{')) return undefined;
  let m = /^&\s*(\S+)\s*(==|!=)\s*(\S+)$/.exec(words);
  if (m) {
    const mask = tcpFlagBits(m[1]); const comp = tcpFlagBits(m[3]);
    return mask === undefined || comp === undefined ? undefined : { mask, comp, negate: negate !== (m[2] === '!=') };
  }
  m = /^(\S+)\s*\/\s*(\S+)$/.exec(words);
  if (m) {
    const comp = tcpFlagBits(m[1]); const mask = tcpFlagBits(m[2]);
    return mask === undefined || comp === undefined ? undefined : { mask, comp, negate };
  }
  // `tcp flags ! fin,syn,rst,psh,ack,urg`: none of them set (iptables' `--tcp-flags ALL NONE` as nft lists it)
  m = /^!\s*(\S+)$/.exec(words);
  if (m) {
    const mask = tcpFlagBits(m[1]);
    return mask === undefined ? undefined : { mask, comp: 0, negate };
  }
  m = /^==\s*(\S+)$/.exec(words);
  if (m) {
    const comp = tcpFlagBits(m[1]);
    return comp === undefined ? undefined : { mask: 0xff, comp, negate };
  }
  const comp = tcpFlagBits(words);
  return comp === undefined ? undefined : { mask: comp, comp, any: true, negate };
}

