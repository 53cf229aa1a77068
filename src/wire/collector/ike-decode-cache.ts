/**
 * Decode-once for IKE messages: retransmissions are byte-identical (RFC 7296 §2.1),
 * so one decode per (bytes, addressing, fragmentation) is shared by every copy, and
 * a malformed message is reported once with the count of its copies instead of once
 * per retransmission (a peer repeats an unanswered request for minutes).
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { CapturedFrame, IpFragmentation, PacketEndpoint } from '../../evidence/packet-types.js';
import { decodeIke, type IkeDecodeResult } from '../ike.js';
import { ikeExcerpt } from '../ike-excerpt.js';
import { sameBytes } from './frame-ref.js';
import { ipString } from '../addr.js';

const ENTRIES = 4096;

/** A decoded IKE message with its addressing, shared by byte-identical copies. */
export interface DecodedIke {
  r: IkeDecodeResult;
  srcEp: PacketEndpoint;
  dstEp: PacketEndpoint;
  excerpt: string;
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  cut: boolean;
  frag: number;
  /** a Buffer: a hit is confirmed by Buffer#compare on the frame's range, natively and without a view per probe */
  bytes: Buffer;
  /** the diagnostics of its problems, once reported; later byte-identical copies are counted into them */
  reported: Diagnostic[] | undefined;
  copies: number;
  lastCopyFrame: number;
}

export interface DecodeCacheHost {
  /** the frame being decoded */
  frame(): CapturedFrame;
  /** a diagnostic located at the current frame; returns it when it was kept */
  diag(decoder: string, message: string): Diagnostic | undefined;
}

export class IkeDecodeCache {
  private readonly entries = new Map<number, DecodedIke>();
  private readonly wireSrc = new Uint8Array(16);
  private readonly wireDst = new Uint8Array(16);
  private readonly repeated: DecodedIke[] = [];

  constructor(private readonly host: DecodeCacheHost) {}

  /**
   * The message at d[off, msgEnd) (`end`: the end of the UDP payload as captured), sent
   * src:srcPort → dst:dstPort (`len`: 4 or 16 address bytes); `cut`: the capture cut the datagram.
   */
  decode(
    d: Uint8Array, off: number, end: number, msgEnd: number, src: Uint8Array, dst: Uint8Array, len: number, srcPort: number, dstPort: number, cut: boolean,
    frag: IpFragmentation | undefined,
  ): DecodedIke {
    const fragBits = fragKey(frag);
    const key = cacheKey(d, off, msgEnd, src, dst, srcPort, dstPort, (cut ? 1 : 0) + fragBits);
    const hit = this.entries.get(key);
    if (hit && hit.srcPort === srcPort && hit.dstPort === dstPort && hit.cut === cut && hit.frag === fragBits && sameBytes(hit.src, src, 0, len) && sameBytes(hit.dst, dst, 0, len)
      && hit.bytes.length === msgEnd - off && hit.bytes.compare(d, off, msgEnd) === 0) return hit;
    this.wireSrc.set(src);
    this.wireDst.set(dst);
    let r: IkeDecodeResult;
    try {
      r = decodeIke(d, off, end, { src: this.wireSrc.subarray(0, len), dst: this.wireDst.subarray(0, len), srcPort, dstPort }, cut);
    } catch (err) {
      // the decoder is meant to be total; if it is not, this message is malformed, located at its frame, and skipped
      r = { problems: [`malformed packet: the IKE decoder failed (${err instanceof Error ? err.message : String(err)}); the message was skipped`] };
    }
    const srcEp = { address: ipString(src, 0, len as 4 | 16), port: srcPort };
    const dstEp = { address: ipString(dst, 0, len as 4 | 16), port: dstPort };
    const entry: DecodedIke = {
      r, srcEp, dstEp, excerpt: r.message ? ikeExcerpt(r.message, srcEp, dstEp, frag) : '', src: src.slice(0, len), dst: dst.slice(0, len), srcPort, dstPort, cut,
      frag: fragBits, bytes: Buffer.from(d.subarray(off, msgEnd)), reported: undefined, copies: 0, lastCopyFrame: 0,
    };
    if (this.entries.size >= ENTRIES) this.entries.clear();
    this.entries.set(key, entry);
    return entry;
  }

  /** The problems of a malformed message: reported at its first copy, counted at the others. */
  reportProblems(c: DecodedIke): void {
    if (!c.reported) {
      c.reported = [];
      for (const p of c.r.problems) {
        const dg = this.host.diag('ike', p);
        if (dg) c.reported.push(dg);
      }
      return;
    }
    if (c.copies++ === 0) this.repeated.push(c);
    c.lastCopyFrame = this.host.frame().frame;
  }

  /** End of capture: each reported diagnostic says how many byte-identical copies followed. */
  finish(): void {
    for (const c of this.repeated) {
      for (const dg of c.reported ?? []) dg.message += ` (also in ${c.copies} byte-identical cop${c.copies === 1 ? 'y' : 'ies'}, the last in frame ${c.lastCopyFrame})`;
    }
    this.repeated.length = 0;
  }
}

function fragKey(frag: IpFragmentation | undefined): number {
  return frag ? 2 + frag.fragments * 4 + (frag.complete ? 1 << 20 : 0) : 0;
}

/**
 * Key of the cache: a 30-bit FNV-style hash of the message's first bytes (header:
 * SPIs, exchange, message ID, length), its length and its addressing. A hit is
 * confirmed by comparing the whole message natively, so the key only has to be
 * cheap, not collision-free.
 */
function cacheKey(d: Uint8Array, off: number, end: number, src: Uint8Array, dst: Uint8Array, sp: number, dp: number, extra: number): number {
  let a = 0x811c9dc5 ^ (end - off);
  let b = 0x9747b28c ^ extra;
  // the 28-byte header (SPIs, exchange, flags, message ID, length) and the first payload header tell messages apart
  const stop = Math.min(end, off + 32);
  for (let i = off; i < stop; i++) {
    a = Math.imul(a ^ d[i], 0x01000193);
    b = Math.imul(b ^ d[i] ^ (a >>> 24), 0x01000193);
  }
  for (let i = 0; i < src.length; i++) a = Math.imul(a ^ src[i] ^ (dst[i] << 8), 0x01000193);
  b = Math.imul(b ^ sp ^ (dp << 16), 0x01000193);
  // 30 bits: a small integer key (a wider one is a heap number, allocated and hashed per lookup)
  return (a ^ Math.imul(b, 0x9e3779b1)) >>> 2;
}
