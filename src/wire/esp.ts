/**
 * ESP (RFC 4303 §2: SPI, sequence number, then ciphertext) and AH (RFC 4302 §2:
 * next header, payload length in 32-bit words minus 2, SPI, sequence). Into a
 * reused struct; the payload is never looked at.
 */

export interface SpiSeq {
  /** 'ok' both fields, 'spi-only' header cut after the SPI, 'short' fewer than 4 bytes */
  status: 'ok' | 'spi-only' | 'short';
  spi: number;
  seq: number;
  /** AH: protocol of what follows (50 = ESP inside AH) */
  next: number;
  /** AH: absolute offset of what follows */
  nextOff: number;
}

export function newSpiSeq(): SpiSeq {
  return { status: 'short', spi: 0, seq: 0, next: 0, nextOff: 0 };
}

export function decodeEsp(d: Uint8Array, off: number, end: number, out: SpiSeq): SpiSeq {
  out.next = 0;
  out.nextOff = 0;
  const avail = Math.min(end, d.length) - off;
  if (avail < 4) {
    out.status = 'short';
    return out;
  }
  out.spi = ((d[off] << 24) >>> 0) + ((d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]);
  if (avail < 8) {
    out.status = 'spi-only';
    return out;
  }
  out.seq = ((d[off + 4] << 24) >>> 0) + ((d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]);
  out.status = 'ok';
  return out;
}

export function decodeAh(d: Uint8Array, off: number, end: number, out: SpiSeq): SpiSeq {
  const stop = Math.min(end, d.length);
  if (stop - off < 8) {
    out.status = 'short';
    out.next = 0;
    out.nextOff = 0;
    return out;
  }
  out.next = d[off];
  // RFC 4302 §2.2: length of AH in 32-bit words, minus 2
  out.nextOff = off + (d[off + 1] + 2) * 4;
  out.spi = ((d[off + 4] << 24) >>> 0) + ((d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]);
  if (stop - off < 12) {
    out.status = 'spi-only';
    return out;
  }
  out.seq = ((d[off + 8] << 24) >>> 0) + ((d[off + 9] << 16) | (d[off + 10] << 8) | d[off + 11]);
  out.status = 'ok';
  return out;
}
