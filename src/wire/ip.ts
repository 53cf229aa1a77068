/**
 * IPv4 (RFC 791, options skipped by IHL) and IPv6 (RFC 8200, extension headers
 * hop-by-hop 0, routing 43, fragment 44, destination options 60) into a reused
 * struct: no allocation per packet. AH (51) and ESP (50) are upper layers here.
 */

export interface IpHeader {
  ok: boolean;
  /** when !ok: 'short' | 'bad-version' | 'bad-header-length' | 'bad-total-length' | 'ext-header' */
  reason: string;
  version: number;
  start: number;
  addrLen: 4 | 16;
  srcOff: number;
  dstOff: number;
  /** absolute offset of the upper-layer header */
  payloadOff: number;
  protocol: number;
  /** IP datagram length from the header (IPv6: 40 + payload length, extension headers included) */
  totalLength: number;
  /** absolute end of the datagram's bytes within the captured data */
  end: number;
  /** the captured data stops before totalLength */
  truncated: boolean;
  df: boolean;
  mf: boolean;
  /** fragment offset in bytes */
  fragOffset: number;
  fragId: number;
  fragmented: boolean;
  /** absolute offset of the fragmentable part (where fragment offsets count from) */
  fragPartOff: number;
}

export function newIpHeader(): IpHeader {
  return {
    ok: false, reason: '', version: 0, start: 0, addrLen: 4, srcOff: 0, dstOff: 0, payloadOff: 0, protocol: 0,
    totalLength: 0, end: 0, truncated: false, df: false, mf: false, fragOffset: 0, fragId: 0, fragmented: false, fragPartOff: 0,
  };
}

const MAX_EXT_HEADERS = 8;

/** Decodes the IP header at `start`; the captured bytes end at `end` (the array's end by default). */
export function decodeIp(d: Uint8Array, start: number, out: IpHeader, end = d.length): IpHeader {
  out.ok = false;
  out.reason = '';
  out.start = start;
  out.truncated = false;
  out.df = out.mf = out.fragmented = false;
  out.fragOffset = 0;
  out.fragId = 0;
  if (end < start + 1) return fail(out, 'short');
  const v = d[start] >> 4;
  out.version = v;
  if (v === 4) return ipv4(d, start, end, out);
  if (v === 6) return ipv6(d, start, end, out);
  return fail(out, 'bad-version');
}

function ipv4(d: Uint8Array, s: number, end: number, out: IpHeader): IpHeader {
  if (end < s + 20) return fail(out, 'short');
  const ihl = (d[s] & 0x0f) * 4;
  if (ihl < 20) return fail(out, 'bad-header-length');
  if (end < s + ihl) return fail(out, 'short');
  let total = (d[s + 2] << 8) | d[s + 3];
  // total length 0 appears with TSO/GSO captures on the sending host: trust the capture
  if (total === 0) total = end - s;
  if (total < ihl) return fail(out, 'bad-total-length');
  const flagsFrag = (d[s + 6] << 8) | d[s + 7];
  out.df = (flagsFrag & 0x4000) !== 0;
  out.mf = (flagsFrag & 0x2000) !== 0;
  out.fragOffset = (flagsFrag & 0x1fff) * 8;
  out.fragId = (d[s + 4] << 8) | d[s + 5];
  out.fragmented = out.mf || out.fragOffset > 0;
  out.addrLen = 4;
  out.srcOff = s + 12;
  out.dstOff = s + 16;
  out.protocol = d[s + 9];
  out.payloadOff = s + ihl;
  out.fragPartOff = s + ihl;
  out.totalLength = total;
  setEnd(s, total, end, out);
  out.ok = true;
  return out;
}

function ipv6(d: Uint8Array, s: number, end: number, out: IpHeader): IpHeader {
  if (end < s + 40) return fail(out, 'short');
  const payloadLen = (d[s + 4] << 8) | d[s + 5];
  // payload length 0 = jumbogram or TSO capture: trust the capture
  const total = payloadLen === 0 ? end - s : 40 + payloadLen;
  out.addrLen = 16;
  out.srcOff = s + 8;
  out.dstOff = s + 24;
  out.totalLength = total;
  // IPv6 routers never fragment: for PMTU purposes every IPv6 packet behaves as DF
  out.df = true;
  setEnd(s, total, end, out);
  let next = d[s + 6];
  let off = s + 40;
  out.fragPartOff = off;
  for (let i = 0; i < MAX_EXT_HEADERS; i++) {
    if (next === 0 || next === 43 || next === 60) {
      if (off + 8 > out.end) return fail(out, out.truncated ? 'short' : 'ext-header');
      const len = (d[off + 1] + 1) * 8;
      next = d[off];
      off += len;
      // hop-by-hop and routing headers are unfragmentable (RFC 8200 §4.5)
      if (next !== 60) out.fragPartOff = off;
      continue;
    }
    if (next === 44) {
      if (off + 8 > out.end) return fail(out, out.truncated ? 'short' : 'ext-header');
      out.fragPartOff = off + 8;
      const fo = (d[off + 2] << 8) | d[off + 3];
      out.fragOffset = fo & 0xfff8;
      out.mf = (fo & 1) !== 0;
      out.fragId = ((d[off + 4] << 24) >>> 0) + ((d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]);
      out.fragmented = true;
      next = d[off];
      off += 8;
      // a non-first fragment carries no further headers
      if (out.fragOffset > 0) break;
      continue;
    }
    break;
  }
  if (off > out.end) return fail(out, 'ext-header');
  out.protocol = next;
  out.payloadOff = off;
  out.ok = true;
  return out;
}

function setEnd(s: number, total: number, captured: number, out: IpHeader): void {
  if (s + total > captured) {
    out.end = captured;
    out.truncated = true;
  } else {
    out.end = s + total;
  }
}

function fail(out: IpHeader, reason: string): IpHeader {
  out.ok = false;
  out.reason = reason;
  return out;
}

export const IP_PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 50: 'esp', 51: 'ah', 58: 'icmpv6', 47: 'gre', 89: 'ospf', 132: 'sctp' };
