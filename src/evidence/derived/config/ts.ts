/**
 * Traffic selectors as configured (swanctl local_ts/remote_ts, ipsec.conf
 * leftsubnet(s)/rightsubnet(s)) turned into address ranges, and the comparison of
 * one side's local selectors with the other side's remote ones (RFC 7296 §2.9:
 * the responder may narrow to a subset; with no overlap it answers TS_UNACCEPTABLE;
 * IKEv1 Quick Mode IDs have no narrowing).
 */

export interface TsRange {
  v6: boolean;
  start: bigint;
  end: bigint;
  /** `[tcp/80]`-style restriction as written, when present */
  protoPort?: string;
  raw: string;
}

export type TsRelation = 'equal' | 'subset' | 'superset' | 'overlap' | 'disjoint' | 'unknown';

function ipToBigint(ip: string): { v6: boolean; n: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, n: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!/^[0-9a-f:]+$/i.test(ip) || !ip.includes(':')) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return { v6: true, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** One selector; `dynamic` resolves to the end's own address when that is a literal IP. */
export function parseTs(raw: string, endAddrs: readonly string[]): TsRange[] | undefined {
  const m = /^([^[\]]+?)\s*(?:\[([^\]]*)\])?$/.exec(raw.trim());
  if (!m) return undefined;
  const body = m[1];
  const protoPort = m[2] || undefined;
  if (/^%?dynamic$/i.test(body)) {
    const out: TsRange[] = [];
    for (const a of endAddrs) {
      // `dynamic` is the end's address in use; only a literal address tells which one
      if (a.startsWith('%')) return undefined;
      const r = parseTs(a, []);
      if (!r) return undefined;
      out.push(...r.map((x) => ({ ...x, protoPort, raw })));
    }
    return out.length ? out : undefined;
  }
  if (/^%any6?$/i.test(body)) {
    const v6 = body.endsWith('6');
    return [{ v6, start: 0n, end: v6 ? (1n << 128n) - 1n : (1n << 32n) - 1n, protoPort, raw }];
  }
  const range = /^([^-/]+)-([^-/]+)$/.exec(body);
  if (range) {
    const a = ipToBigint(range[1]);
    const b = ipToBigint(range[2]);
    if (!a || !b || a.v6 !== b.v6 || a.n > b.n) return undefined;
    return [{ v6: a.v6, start: a.n, end: b.n, protoPort, raw }];
  }
  const cidr = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(body);
  if (!cidr) return undefined;
  const ip = ipToBigint(cidr[1]);
  if (!ip) return undefined;
  const bits = ip.v6 ? 128 : 32;
  const len = cidr[2] === undefined ? bits : Number(cidr[2]);
  if (len > bits) return undefined;
  const host = (1n << BigInt(bits - len)) - 1n;
  return [{ v6: ip.v6, start: ip.n & ~host, end: (ip.n & ~host) | host, protoPort, raw }];
}

export function parseTsList(list: readonly string[], endAddrs: readonly string[]): TsRange[] | undefined {
  const out: TsRange[] = [];
  for (const raw of list) {
    const r = parseTs(raw, endAddrs);
    if (!r) return undefined;
    out.push(...r);
  }
  return out;
}

function covered(r: TsRange, by: readonly TsRange[]): boolean {
  // a range is covered when the union of the other side's ranges of its family spans it
  const pieces = by.filter((b) => b.v6 === r.v6 && b.end >= r.start && b.start <= r.end).sort((a, b) => (a.start < b.start ? -1 : 1));
  let cursor = r.start;
  for (const p of pieces) {
    if (p.start > cursor) return false;
    if (p.end >= cursor) cursor = p.end + 1n;
    if (cursor > r.end) return true;
  }
  return cursor > r.end;
}

function intersects(a: readonly TsRange[], b: readonly TsRange[]): boolean {
  return a.some((x) => b.some((y) => x.v6 === y.v6 && x.start <= y.end && y.start <= x.end));
}

/** How selector set `a` relates to `b` (addresses only; ports compared by the caller). */
export function relateTs(a: readonly TsRange[] | undefined, b: readonly TsRange[] | undefined): TsRelation {
  if (!a || !b || a.length === 0 || b.length === 0) return 'unknown';
  const aInB = a.every((r) => covered(r, b));
  const bInA = b.every((r) => covered(r, a));
  if (aInB && bInA) return 'equal';
  if (aInB) return 'subset';
  if (bInA) return 'superset';
  return intersects(a, b) ? 'overlap' : 'disjoint';
}

/** The `[proto/port]` parts differ between the two lists. */
export function protoPortsDiffer(a: readonly TsRange[], b: readonly TsRange[]): boolean {
  const set = (l: readonly TsRange[]) => [...new Set(l.map((r) => (r.protoPort ?? '').toLowerCase()))].sort().join(',');
  return set(a) !== set(b);
}
