/**
 * Hand-made IP fragments for the reassembly tests: raw-IP frames (LINKTYPE_RAW 101)
 * carrying pieces of one UDP datagram, IPv4 (RFC 791 header fields) or IPv6 (RFC 8200
 * fragment header), with whatever offsets, lengths and MF flags a test asks for —
 * consistent or not.
 */
import type { CapturedFrame } from '../../src/evidence/packet-types.js';

export const SRC4 = [192, 0, 2, 1];
export const DST4 = [198, 51, 100, 2];
export const SRC6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const DST6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

export interface FragmentSpec {
  /** fragment offset in bytes (a multiple of 8) */
  off: number;
  /** the bytes this fragment carries */
  bytes: Uint8Array;
  mf: boolean;
}

/** One IP packet holding `f` as a fragment of the datagram with identification `id`. */
export function fragmentPacket(version: 4 | 6, id: number, f: FragmentSpec, protocol = 17): Uint8Array {
  if (version === 4) {
    const p = new Uint8Array(20 + f.bytes.length);
    p[0] = 0x45;
    const total = p.length;
    p[2] = total >> 8;
    p[3] = total & 0xff;
    p[4] = (id >> 8) & 0xff;
    p[5] = id & 0xff;
    const word = (f.mf ? 0x2000 : 0) | ((f.off / 8) & 0x1fff);
    p[6] = word >> 8;
    p[7] = word & 0xff;
    p[8] = 64;
    p[9] = protocol;
    p.set(SRC4, 12);
    p.set(DST4, 16);
    p.set(f.bytes, 20);
    return p;
  }
  const p = new Uint8Array(48 + f.bytes.length);
  p[0] = 0x60;
  const payload = 8 + f.bytes.length;
  p[4] = payload >> 8;
  p[5] = payload & 0xff;
  p[6] = 44;
  p[7] = 64;
  p.set(SRC6, 8);
  p.set(DST6, 24);
  p[40] = protocol;
  const word = (f.off & 0xfff8) | (f.mf ? 1 : 0);
  p[42] = word >> 8;
  p[43] = word & 0xff;
  p[44] = (id >>> 24) & 0xff;
  p[45] = (id >>> 16) & 0xff;
  p[46] = (id >>> 8) & 0xff;
  p[47] = id & 0xff;
  p.set(f.bytes, 48);
  return p;
}

/** An unfragmented IPv4 UDP packet. */
export function udpPacket4(udp: Uint8Array, id = 1): Uint8Array {
  return fragmentPacket(4, id, { off: 0, bytes: udp, mf: false });
}

export function rawFrame(data: Uint8Array, frame: number, source = 'crafted.pcap', ts = 1_700_000_000 + frame / 1000): CapturedFrame {
  return { source, frame, linktype: 101, ts, caplen: data.length, origlen: data.length, data, offset: 0 };
}

/**
 * A UDP 500 datagram holding an IKEv2 IKE_SA_INIT request with one Nonce payload that
 * fills it up to `length` bytes (UDP header included; at least 8 + 28 + 4).
 */
export function ikeDatagram(length: number, spiSeed = 1): Uint8Array {
  const d = new Uint8Array(length);
  d[0] = 500 >> 8;
  d[1] = 500 & 0xff;
  d[2] = 500 >> 8;
  d[3] = 500 & 0xff;
  d[4] = length >> 8;
  d[5] = length & 0xff;
  const ike = 8;
  for (let i = 0; i < 8; i++) d[ike + i] = (spiSeed * 37 + i * 11 + 1) & 0xff;
  d[ike + 16] = 40; // first payload: Nonce
  d[ike + 17] = 0x20; // IKEv2
  d[ike + 18] = 34; // IKE_SA_INIT
  d[ike + 19] = 0x08; // initiator
  const ikeLength = length - 8;
  d[ike + 24] = (ikeLength >>> 24) & 0xff;
  d[ike + 25] = (ikeLength >>> 16) & 0xff;
  d[ike + 26] = (ikeLength >>> 8) & 0xff;
  d[ike + 27] = ikeLength & 0xff;
  const nonceLength = ikeLength - 28;
  d[ike + 28] = 0; // no next payload
  d[ike + 30] = nonceLength >> 8;
  d[ike + 31] = nonceLength & 0xff;
  for (let i = ike + 32; i < length; i++) d[i] = (i * 7) & 0xff;
  return d;
}

/** A classic pcap file (LINKTYPE_RAW) holding these packets. */
export function pcapFile(packets: Uint8Array[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20);
  const records = packets.map((p, i) => {
    const r = Buffer.alloc(16 + p.length);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(0, 4);
    r.writeUInt32LE(p.length, 8);
    r.writeUInt32LE(p.length, 12);
    r.set(p, 16);
    return r;
  });
  return Buffer.concat([header, ...records]);
}
