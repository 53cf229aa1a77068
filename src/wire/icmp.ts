/**
 * ICMP (RFC 792, RFC 1191 next-hop MTU) and ICMPv6 (RFC 4443) errors with the
 * packet they quote: the quoted IP header and the first bytes of its payload tell
 * which IKE exchange or ESP SA the error is about.
 */
import type { IcmpErrorKind, QuotedPacket } from '../evidence/packet-types.js';
import { hex, ipString, u16, u32 } from './addr.js';
import { decodeIp, newIpHeader } from './ip.js';
import { IKE_PORT, NAT_T_PORT } from './udp.js';

export interface IcmpDecoded {
  type: number;
  code: number;
  /** undefined for non-error messages (echo, neighbour discovery…) */
  kind?: IcmpErrorKind;
  mtu?: number;
  quoted?: QuotedPacket;
  /** echo request/reply id, for treating pings as a flow */
  echo?: boolean;
}

const V4_UNREACH: Record<number, IcmpErrorKind> = {
  0: 'net-unreachable', 1: 'host-unreachable', 2: 'protocol-unreachable', 3: 'port-unreachable', 4: 'frag-needed',
  6: 'net-unreachable', 7: 'host-unreachable', 9: 'admin-prohibited', 10: 'admin-prohibited', 13: 'admin-prohibited',
};
const V6_UNREACH: Record<number, IcmpErrorKind> = { 0: 'net-unreachable', 1: 'admin-prohibited', 3: 'host-unreachable', 4: 'port-unreachable', 5: 'admin-prohibited', 6: 'admin-prohibited' };

export function decodeIcmp(d: Uint8Array, off: number, end: number, v6: boolean): IcmpDecoded | undefined {
  const stop = Math.min(end, d.length);
  if (stop - off < 4) return undefined;
  const type = d[off];
  const code = d[off + 1];
  const out: IcmpDecoded = { type, code };
  if (!v6) {
    if (type === 0 || type === 8) out.echo = true;
    else if (type === 3) {
      out.kind = V4_UNREACH[code] ?? 'other-unreachable';
      // RFC 1191 §4: next-hop MTU in the low 16 bits of the second word
      if (code === 4 && stop - off >= 8) out.mtu = u16(d, off + 6);
    } else if (type === 11) out.kind = 'time-exceeded';
    else if (type === 12) out.kind = 'parameter-problem';
  } else {
    if (type === 128 || type === 129) out.echo = true;
    else if (type === 1) out.kind = V6_UNREACH[code] ?? 'other-unreachable';
    else if (type === 2) {
      out.kind = 'packet-too-big';
      if (stop - off >= 8) out.mtu = u32(d, off + 4);
    } else if (type === 3) out.kind = 'time-exceeded';
    else if (type === 4) out.kind = 'parameter-problem';
  }
  if (out.kind && stop - off > 8) out.quoted = decodeQuoted(d, off + 8, stop);
  return out;
}

const quotedIp = newIpHeader();

function decodeQuoted(d: Uint8Array, off: number, stop: number): QuotedPacket | undefined {
  // the quote is a prefix of the original datagram: decode it as a truncated capture
  const view = d.subarray(0, stop);
  const ip = decodeIp(view, off, quotedIp);
  if (!ip.ok) return undefined;
  const q: QuotedPacket = {
    ipVersion: ip.version as 4 | 6,
    src: ipString(view, ip.srcOff, ip.addrLen),
    dst: ipString(view, ip.dstOff, ip.addrLen),
    protocol: ip.protocol,
    totalLength: ip.totalLength,
    kind: 'other',
  };
  if (ip.version === 4) q.df = ip.df;
  const p = ip.payloadOff;
  const avail = stop - p;
  const nonFirst = ip.fragOffset > 0;
  switch (ip.protocol) {
    case 17:
      q.kind = 'udp';
      if (avail >= 4 && !nonFirst) {
        q.srcPort = u16(view, p);
        q.dstPort = u16(view, p + 2);
        classifyQuotedUdp(view, p, avail, q);
      }
      break;
    case 6:
      q.kind = 'tcp';
      if (avail >= 4 && !nonFirst) {
        q.srcPort = u16(view, p);
        q.dstPort = u16(view, p + 2);
      }
      break;
    case 50:
      q.kind = 'esp';
      if (avail >= 4 && !nonFirst) q.spi = u32(view, p);
      break;
    case 51:
      q.kind = 'ah';
      if (avail >= 8 && !nonFirst) q.spi = u32(view, p + 4);
      break;
    case 1:
    case 58:
      q.kind = 'icmp';
      break;
  }
  return q;
}

function classifyQuotedUdp(d: Uint8Array, p: number, avail: number, q: QuotedPacket): void {
  const sp = q.srcPort ?? 0;
  const dp = q.dstPort ?? 0;
  const udpLen = avail >= 6 ? u16(d, p + 4) : 0;
  if (sp === NAT_T_PORT || dp === NAT_T_PORT) {
    if (udpLen === 9) q.kind = 'nat-keepalive';
    else if (avail >= 12 && u32(d, p + 8) !== 0) {
      q.kind = 'esp-in-udp';
      q.spi = u32(d, p + 8);
    } else {
      // zero marker, or not enough quoted to tell: IKE is what 4500 carries besides ESP
      q.kind = avail >= 12 ? 'ike' : 'udp';
      if (avail >= 20) q.ikeSpiI = hex(d, p + 12, 8);
    }
  } else if (sp === IKE_PORT || dp === IKE_PORT) {
    q.kind = 'ike';
    if (avail >= 16) q.ikeSpiI = hex(d, p + 8, 8);
  }
}
