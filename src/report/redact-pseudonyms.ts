/**
 * Consistent placeholders for one run: the same original always gets the same
 * pseudonym, and a pseudonym never equals an original seen anywhere in the run
 * (the libreswan test networks already live in 192.0.2.0/24).
 *
 * IPv4 → the RFC 5737 documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24), then RFC 2544's 198.18.0.0/15 when those run out; IPv6 → the
 * RFC 3849 documentation prefix 2001:db8::/32. Names → RFC 2606 `.example`.
 */
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

  ipv4(addr: string): string {
    return this.get('ipv4', addr, ipv4Placeholder);
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
