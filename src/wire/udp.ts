/**
 * UDP (RFC 768) and the IKE / NAT-T demultiplexing of RFC 3948 §2: on port 4500 a
 * one-byte 0xFF payload is a NAT-keepalive, four zero bytes (the non-ESP marker)
 * precede an IKE header, anything else is ESP whose first four bytes are the
 * non-zero SPI. On port 500 the payload is IKE.
 */

export type UdpKind = 'ike' | 'esp-in-udp' | 'nat-keepalive' | 'other' | 'short';

export interface UdpInfo {
  kind: UdpKind;
  srcPort: number;
  dstPort: number;
  /** UDP length field */
  length: number;
  /** absolute offsets of the payload as captured */
  payloadOff: number;
  payloadEnd: number;
  /** payload bytes on the wire (from the length field, or the IP length when the field is bogus) */
  wirePayload: number;
  /** where the IKE header / ESP header starts */
  innerOff: number;
  nonEspMarker: boolean;
  /** the UDP length field disagrees with the IP datagram */
  badLength: boolean;
}

export function newUdpInfo(): UdpInfo {
  return { kind: 'short', srcPort: 0, dstPort: 0, length: 0, payloadOff: 0, payloadEnd: 0, wirePayload: 0, innerOff: 0, nonEspMarker: false, badLength: false };
}

export const IKE_PORT = 500;
export const NAT_T_PORT = 4500;

/**
 * @param end absolute end of the captured IP datagram
 * @param ipPayloadLength bytes of UDP on the wire according to the IP header
 */
export function decodeUdp(d: Uint8Array, off: number, end: number, ipPayloadLength: number, out: UdpInfo): UdpInfo {
  out.nonEspMarker = false;
  out.badLength = false;
  const stop = Math.min(end, d.length);
  if (stop - off < 8) {
    out.kind = 'short';
    return out;
  }
  out.srcPort = (d[off] << 8) | d[off + 1];
  out.dstPort = (d[off + 2] << 8) | d[off + 3];
  out.length = (d[off + 4] << 8) | d[off + 5];
  let wireLen = out.length;
  // a length field below the header or above the IP datagram is bogus (tcpdump isakmp-rfc3948-oobr.pcap): trust IP
  if (wireLen < 8 || wireLen > ipPayloadLength) {
    out.badLength = true;
    wireLen = ipPayloadLength;
  }
  out.payloadOff = off + 8;
  out.payloadEnd = Math.min(stop, off + Math.max(8, wireLen));
  out.wirePayload = Math.max(0, wireLen - 8);
  out.innerOff = out.payloadOff;
  const captured = out.payloadEnd - out.payloadOff;
  if (out.srcPort === NAT_T_PORT || out.dstPort === NAT_T_PORT) {
    if (out.wirePayload === 1 && captured >= 1 && d[out.payloadOff] === 0xff) {
      out.kind = 'nat-keepalive';
    } else if (captured >= 4 && d[out.payloadOff] === 0 && d[out.payloadOff + 1] === 0 && d[out.payloadOff + 2] === 0 && d[out.payloadOff + 3] === 0) {
      out.kind = 'ike';
      out.nonEspMarker = true;
      out.innerOff = out.payloadOff + 4;
    } else if (captured >= 4) {
      out.kind = 'esp-in-udp';
    } else {
      out.kind = 'other';
    }
    return out;
  }
  out.kind = out.srcPort === IKE_PORT || out.dstPort === IKE_PORT ? 'ike' : 'other';
  return out;
}
