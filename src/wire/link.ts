/**
 * Link layers down to the network header. Returns the offset of the IP header
 * and its version, or a reason number; no allocation per frame.
 * Link types: https://www.tcpdump.org/linktypes.html
 */

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const LINKTYPE_NAMES: Record<number, string> = {
  0: 'null',
  1: 'ethernet',
  12: 'raw',
  14: 'raw',
  101: 'raw',
  108: 'loop',
  113: 'linux-sll',
  228: 'ipv4',
  229: 'ipv6',
  276: 'linux-sll2',
};

export interface LinkResult {
  /** offset of the IP header, -1 when the frame does not carry IP */
  offset: number;
  /** 4 or 6 when offset ≥ 0 */
  ipVersion: number;
  /** why not: 'unsupported-linktype' | 'not-ip' | 'short' */
  reason: string;
  /** EtherType or protocol for non-IP frames (ARP 0x0806, …) */
  etherType: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
// 802.1Q, 802.1ad (QinQ S-tag) and the pre-standard 0x9100 S-tag
const isVlanTpid = (type: number): boolean => type === 0x8100 || type === 0x88a8 || type === 0x9100;
const MAX_VLAN_TAGS = 4;

/** Decodes the frame d[start, end) (the whole array by default); offsets in the result are absolute. */
export function decodeLink(linktype: number, d: Uint8Array, out: LinkResult, start = 0, end = d.length): LinkResult {
  out.offset = -1;
  out.ipVersion = 0;
  out.reason = '';
  out.etherType = 0;
  switch (linktype) {
    case LINKTYPE.ETHERNET:
      return ethernet(d, start, end, out);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
      return rawIp(d, start, end, out);
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return rawIp(d, start, end, out);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return loopback(d, start, end, out);
    case LINKTYPE.LINUX_SLL:
      // 16-byte cooked header, protocol (EtherType) at 14
      if (end - start < 16) return short(out);
      return byEtherType((d[start + 14] << 8) | d[start + 15], d, start + 16, end, out);
    case LINKTYPE.LINUX_SLL2:
      // 20-byte SLL2 header, protocol first
      if (end - start < 20) return short(out);
      return byEtherType((d[start] << 8) | d[start + 1], d, start + 20, end, out);
    default:
      out.reason = 'unsupported-linktype';
      return out;
  }
}

function ethernet(d: Uint8Array, start: number, end: number, out: LinkResult): LinkResult {
  if (end - start < 14) return short(out);
  let off = start + 12;
  let type = (d[off] << 8) | d[off + 1];
  let tags = 0;
  while (isVlanTpid(type) && tags < MAX_VLAN_TAGS) {
    off += 4;
    tags++;
    if (end < off + 2) return short(out);
    type = (d[off] << 8) | d[off + 1];
  }
  return byEtherType(type, d, off + 2, end, out);
}

function byEtherType(type: number, d: Uint8Array, off: number, end: number, out: LinkResult): LinkResult {
  out.etherType = type;
  if (type === ETH_IPV4 || type === ETH_IPV6) return rawIp(d, off, end, out);
  out.reason = 'not-ip';
  return out;
}

function rawIp(d: Uint8Array, off: number, end: number, out: LinkResult): LinkResult {
  if (end <= off) return short(out);
  const v = d[off] >> 4;
  if (v !== 4 && v !== 6) {
    out.reason = 'not-ip';
    return out;
  }
  out.offset = off;
  out.ipVersion = v;
  return out;
}

// BSD AF values for IPv6 differ per OS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS, 10 Linux)
const AF_INET6 = new Set([10, 24, 28, 30]);

function loopback(d: Uint8Array, s: number, end: number, out: LinkResult): LinkResult {
  if (end - s < 4) return short(out);
  // the AF is in the capturing host's byte order (DLT_NULL) or network order (DLT_LOOP): accept both
  const le = d[s] | (d[s + 1] << 8) | (d[s + 2] << 16) | (d[s + 3] << 24);
  const be = (d[s] << 24) | (d[s + 1] << 16) | (d[s + 2] << 8) | d[s + 3];
  const af = le >= 0 && le < 256 ? le : be;
  out.etherType = af;
  if (af === 2 || AF_INET6.has(af)) return rawIp(d, s + 4, end, out);
  out.reason = 'not-ip';
  return out;
}

function short(out: LinkResult): LinkResult {
  out.reason = 'short';
  return out;
}

export function newLinkResult(): LinkResult {
  return { offset: -1, ipVersion: 0, reason: '', etherType: 0 };
}
