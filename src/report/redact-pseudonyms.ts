/**
 * Consistent placeholders for one run: the same original always gets the same
 * pseudonym, and a pseudonym never equals an original seen anywhere in the run
 * (the libreswan test networks already live in 192.0.2.0/24).
 *
 * IPv4 → the RFC 5737 documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24), then RFC 2544's 198.18.0.0/15 when those run out; IPv6 → the
 * RFC 3849 documentation prefix 2001:db8::/32. Names → RFC 2606 `.example`.
 *
 * Private IPv4 (RFC 1918, RFC 6598 shared space) — the tunnels' inside networks, whose
 * traffic selectors only make sense together — stays in its block and keeps its prefix
 * relations: two addresses that share their first k bits share the first k bits of their
 * placeholders (the construction of Crypto-PAn: each bit flipped by a keyed function of
 * the bits before it), so 10.1.0.0/16 still contains the placeholder of 10.1.5.0/24 and
 * a host stays inside its subnet. The key is random per process: one run's reports and
 * its --redact-map agree, another run's placeholders differ.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { TokenKind } from './redact-tokens.js';

export type MappingCategory = 'ipv4' | 'ipv6' | TokenKind | 'path';

export type RedactionMapping = Record<MappingCategory, Record<string, string>>;

const IPV4_POOLS: Array<[string, number]> = [['192.0.2.', 254], ['198.51.100.', 254], ['203.0.113.', 254]];

export class Pseudonyms {
  private readonly forward = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly counters = new Map<string, number>();
  readonly mapping: RedactionMapping = { ipv4: {}, ipv6: {}, identity: {}, host: {}, conn: {}, spi: {}, path: {} };

  /** originals that placeholders must never collide with */
  constructor(private readonly originals: ReadonlySet<string>) {}

  get(category: MappingCategory, original: string, make: (n: number) => string, counter: string = category): string {
    const key = `${category}\u0000${category === 'spi' || category === 'ipv6' ? original.toLowerCase() : original}`;
    const known = this.forward.get(key);
    if (known) return known;
    let value: string;
    do {
      const n = (this.counters.get(counter) ?? 0) + 1;
      this.counters.set(counter, n);
      value = make(n);
    } while (this.taken.has(value) || this.originals.has(value) || this.originals.has(value.toLowerCase()));
    this.taken.add(value);
    this.forward.set(key, value);
    this.mapping[category][value] = original;
    return value;
  }

  /** `prefixLen`: the address is a network written ADDR/LEN (its placeholder has no host bits). */
  ipv4(addr: string, prefixLen?: number): string {
    const n = ipv4Number(addr);
    const fixed = privateBlockLength(n);
    if (fixed === undefined) return this.get('ipv4', addr, ipv4Placeholder);
    const len = prefixLen !== undefined && prefixLen >= 0 && prefixLen <= 32 ? prefixLen : 32;
    const key = `ipv4\u0000${addr}/${len}`;
    const known = this.forward.get(key);
    if (known) return known;
    const value = ipv4String(mask(this.privateV4().map(n, fixed), len));
    this.forward.set(key, value);
    this.taken.add(value);
    this.mapping.ipv4[value] = addr;
    return value;
  }

  private prefixMap: PrefixPreserving | undefined;

  /**
   * The keyed map, re-keyed while a placeholder would read wrong: equal to an original
   * (its own included: it would look like a leak), or a host's placeholder equal to the
   * placeholder of a network written ADDR/LEN that holds it (one string, two originals).
   */
  private privateV4(): PrefixPreserving {
    if (this.prefixMap) return this.prefixMap;
    const parsed = [...this.originals].map((o) => /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(o)).filter((m) => m !== null);
    const hosts = parsed.filter((m) => !m[2]).map((m) => ipv4Number(m[1])).filter((n) => privateBlockLength(n) !== undefined);
    const nets = parsed.filter((m) => m[2] && Number(m[2]) <= 32).map((m) => ({ n: ipv4Number(m[1]), len: Number(m[2]) })).filter((x) => privateBlockLength(x.n) !== undefined);
    for (let attempt = 0; ; attempt++) {
      const map = new PrefixPreserving(attempt === 0 ? processKey() : randomBytes(32));
      const mapped = (n: number) => map.map(n, privateBlockLength(n)!);
      const hostOf = new Map(hosts.map((h) => [mapped(h), h]));
      const clash =
        [...hostOf].some(([m, n]) => [32, 24, 16, 8].some((len) => len > privateBlockLength(n)! && this.originals.has(ipv4String(mask(m, len))))) ||
        nets.some((x) => {
          const placeholder = mask(mapped(x.n), x.len);
          const host = hostOf.get(placeholder);
          return (x.len > privateBlockLength(x.n)! && this.originals.has(ipv4String(placeholder))) || (host !== undefined && host !== x.n);
        });
      if (!clash || attempt >= 32) return (this.prefixMap = map);
    }
  }

  ipv6(addr: string): string {
    return this.get('ipv6', normaliseV6(addr), (n) => `2001:db8::${n.toString(16)}`);
  }

  /** Keeps the hex width and the form (0x…, …_i) so the text still reads like the daemon's. */
  spi(hex: string): string {
    const width = hex.length;
    return this.get('spi', hex, (n) => `d0c${n.toString(16).padStart(width - 3, '0')}`.slice(-width));
  }

  identity(id: string): string {
    return this.get('identity', id, (n) => identityPlaceholder(id, n));
  }

  host(name: string): string {
    return this.get('host', name.toLowerCase(), (n) => `host-${n}.example`);
  }

  conn(name: string): string {
    return this.get('conn', name, (n) => `conn-${n}`);
  }

  path(p: string, kind: string): string {
    const ext = /\.(?:[A-Za-z0-9]{1,8})(?:\.gz)?$/.exec(p)?.[0] ?? '';
    return this.get('path', p, (n) => `${kind}-${n}${ext}`, `path ${kind}`);
  }
}

/** RFC 1918 and RFC 6598 (shared address space) blocks: [network, prefix length]. */
const PRIVATE_V4: ReadonlyArray<[number, number]> = [[0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10]];

/** The prefix length of the private block `n` lies in, if any: the bits its placeholder keeps. */
function privateBlockLength(n: number): number | undefined {
  return PRIVATE_V4.find(([net, len]) => n >>> (32 - len) === net >>> (32 - len))?.[1];
}

let key: Buffer | undefined;
/** One random key per process: every report of a run, and its mapping file, use the same placeholders. */
function processKey(): Buffer {
  return (key ??= randomBytes(32));
}

/**
 * Prefix-preserving permutation of IPv4 addresses below a fixed prefix: bit i of the
 * result is bit i of the input flipped by a keyed pseudo-random function of the input's
 * bits 0..i-1 (Xu, Fan, Ammar, Moon: Crypto-PAn, 2002). Bits above `fixed` stay.
 */
class PrefixPreserving {
  private readonly flips = new Map<string, number>();
  constructor(private readonly key: Buffer) {}

  map(addr: number, fixed: number): number {
    let out = addr;
    for (let i = fixed; i < 32; i++) {
      const prefix = i === 0 ? 0 : addr >>> (32 - i);
      if (this.flip(i, prefix)) out ^= 1 << (31 - i);
    }
    return out >>> 0;
  }

  private flip(i: number, prefix: number): number {
    const k = `${i}/${prefix}`;
    let f = this.flips.get(k);
    if (f === undefined) {
      f = createHmac('sha256', this.key).update(k).digest()[0] & 1;
      this.flips.set(k, f);
    }
    return f;
  }
}

function ipv4Number(addr: string): number {
  return addr.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
}

function ipv4String(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The network part of `n` for a prefix of `len` bits (host bits zero). */
function mask(n: number, len: number): number {
  return len === 0 ? 0 : (n & (0xffffffff << (32 - len))) >>> 0;
}

function ipv4Placeholder(n: number): string {
  let i = n - 1;
  for (const [prefix, size] of IPV4_POOLS) {
    if (i < size) return `${prefix}${i + 1}`;
    i -= size;
  }
  // 198.18.0.0/15 (RFC 2544) is never routed either: 131 070 more hosts
  return `198.${18 + Math.floor(i / 65536) % 2}.${Math.floor(i / 256) % 256}.${(i % 254) + 1}`;
}

/** Keeps the identity's type visible (FQDN @name, user@FQDN, DN) so the hint still makes sense. */
function identityPlaceholder(id: string, n: number): string {
  if (/^@/.test(id)) return `@id-${n}.example`;
  if (/^[^@\s]+@[^@\s]+$/.test(id)) return `user-${n}@example.com`;
  if (/^(?:C|ST|L|O|OU|CN|E|DC)=/.test(id) && id.includes(',')) return `CN=id-${n}.example`;
  return `id-${n}`;
}

/** One spelling per IPv6 address (zero-compressed, lower case) so 2001:DB8:0::1 and 2001:db8::1 match. */
export function normaliseV6(addr: string): string {
  try {
    return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
  } catch {
    return addr.toLowerCase();
  }
}
