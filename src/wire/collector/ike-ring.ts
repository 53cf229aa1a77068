/**
 * The latest messages of one long-lived IKE SA (ike-keeper.ts keeps its tail): a ring
 * of fixed size whose slots live in a few contiguous typed arrays of the SA — header
 * values, frame position, addressing and the message bytes. In the steady state every
 * message overwrites the oldest slot; with one object (plus byte buffers and a frame
 * reference) per slot, scattered over the heap, each eviction missed the CPU cache
 * about a dozen times, which cost more than the rest of the message's handling
 * (bench/pcap.mjs: 18 % of a cold run on the 1M-packet capture with ~150 long SAs).
 */
import type { FrameRef, IkeTransport, IpFragmentation, PacketEndpoint } from '../../evidence/packet-types.js';
import type { DecodedIke } from './ike-decode-cache.js';
import type { IkeDecoded } from '../ike.js';

/** Int32 words per slot: one 64-byte cache line */
const W = 16;
const STATE = 0;
const EXCHANGE = 1;
const FLAGS = 2;
const SEQ = 3;
const FRAME = 4;
const SOURCE = 5;
const IP_VERSION = 6;
const TRANSPORT = 7;
const NON_ESP_MARKER = 8;
const IP_LENGTH = 9;
const SRC_PORT = 10;
const DST_PORT = 11;
const ADDR_LEN = 12;
const BYTE_LEN = 13;
const CUT = 14;

/** slot states: raw bytes still to be decoded, or a shared decode (ike-decode-cache.ts) */
const RAW = 1;
const DECODED = 2;

/**
 * Message bytes kept inline per slot: room for 256 bytes at first, doubled for the whole
 * ring when a longer message comes, up to 2 KiB; a longer one gets a buffer of its own
 * (reused). A buffer per slot for every message over 256 bytes cost two cache misses
 * per message (the array element, the buffer object) before the copy: on the 1M-packet
 * bench capture, where a third of the encrypted steady state is longer, ~7 % of the decode.
 */
const INLINE_FIRST = 256;
const INLINE_MAX = 2048;
const ADDR = 32;

const TRANSPORTS: readonly IkeTransport[] = ['udp500', 'udp4500', 'udp-other'];

/** Where a slot's message was seen and how it travelled: what the keeper writes with every message. */
export interface SlotInfo {
  exchange: number;
  flags: number;
  seq: number;
  frame: number;
  ts: number;
  /** index into the keeper's table of source names */
  source: number;
  ipVersion: 4 | 6;
  transport: IkeTransport;
  nonEspMarker: boolean;
  ipLength: number;
  frag: IpFragmentation | undefined;
}

export class SaRing {
  /** slots in use (≤ size) */
  count = 0;
  /** the slot the next message overwrites once the ring is full (the oldest) */
  next = 0;
  private readonly meta: Int32Array;
  private readonly ts: Float64Array;
  private bytes: Uint8Array;
  /** bytes of room per slot in `bytes` */
  private inline = INLINE_FIRST;
  private readonly addr: Uint8Array;
  private readonly big: (Uint8Array | undefined)[];
  private readonly frag: (IpFragmentation | undefined)[];
  private readonly decoded: (DecodedIke | undefined)[];

  constructor(readonly size: number) {
    this.meta = new Int32Array(size * W);
    this.ts = new Float64Array(size);
    this.bytes = new Uint8Array(size * INLINE_FIRST);
    this.addr = new Uint8Array(size * ADDR);
    // dense from the start: holes would make these dictionary-mode arrays
    this.big = new Array<Uint8Array | undefined>(size).fill(undefined);
    this.frag = new Array<IpFragmentation | undefined>(size).fill(undefined);
    this.decoded = new Array<DecodedIke | undefined>(size).fill(undefined);
  }

  /** The slot a new message goes to: the next free one, else the oldest (whose values the caller has read with the getters first). */
  claim(): number {
    if (this.count < this.size) return this.count++;
    const i = this.next;
    this.next = i + 1 === this.size ? 0 : i + 1;
    return i;
  }

  get full(): boolean {
    return this.count >= this.size;
  }

  /** The slot claim() would overwrite next. */
  get oldest(): number {
    return this.next;
  }

  exchange(i: number): number {
    return this.meta[i * W + EXCHANGE];
  }

  flags(i: number): number {
    return this.meta[i * W + FLAGS];
  }

  seq(i: number): number {
    return this.meta[i * W + SEQ];
  }

  /** Copies slot i's frame position into `ref` (no allocation: the gap's `last` is updated in place). */
  frameInto(i: number, ref: FrameRef, sources: readonly string[]): FrameRef {
    ref.source = sources[this.meta[i * W + SOURCE]];
    ref.frame = this.meta[i * W + FRAME];
    ref.ts = this.ts[i];
    return ref;
  }

  /** An encrypted steady-state message kept as raw bytes, decoded only if it is still in the ring at the end. */
  writeRaw(i: number, info: SlotInfo, d: Uint8Array, off: number, end: number, src: Uint8Array, dst: Uint8Array, addrLen: number, srcPort: number, dstPort: number, cut: boolean): void {
    this.writeInfo(i, info, RAW);
    const n = end - off;
    const m = this.meta;
    const o = i * W;
    m[o + BYTE_LEN] = n;
    m[o + ADDR_LEN] = addrLen;
    m[o + SRC_PORT] = srcPort;
    m[o + DST_PORT] = dstPort;
    m[o + CUT] = cut ? 1 : 0;
    if (n > this.inline && n <= INLINE_MAX) this.widen(n);
    if (n <= this.inline) this.bytes.set(d.subarray(off, end), i * this.inline);
    else {
      let b = this.big[i];
      if (!b || b.length < n) this.big[i] = b = new Uint8Array(n);
      b.set(d.subarray(off, end));
    }
    const a = i * ADDR;
    for (let k = 0; k < addrLen; k++) {
      this.addr[a + k] = src[k];
      this.addr[a + 16 + k] = dst[k];
    }
    this.decoded[i] = undefined;
  }

  /** More room per slot for an `n`-byte message: the next power of two; each slot's bytes move to their new place. */
  private widen(n: number): void {
    let room = this.inline;
    while (room < n) room *= 2;
    const bytes = new Uint8Array(this.size * room);
    for (let k = 0; k < this.count; k++) bytes.set(this.bytes.subarray(k * this.inline, (k + 1) * this.inline), k * room);
    this.bytes = bytes;
    this.inline = room;
  }

  /** A message decoded on arrival (cleartext, or before the SA reached its steady state). */
  writeDecoded(i: number, info: SlotInfo, c: DecodedIke): void {
    this.writeInfo(i, info, DECODED);
    this.decoded[i] = c;
  }

  private writeInfo(i: number, info: SlotInfo, state: number): void {
    const m = this.meta;
    const o = i * W;
    m[o + STATE] = state;
    m[o + EXCHANGE] = info.exchange;
    m[o + FLAGS] = info.flags;
    m[o + SEQ] = info.seq;
    m[o + FRAME] = info.frame;
    m[o + SOURCE] = info.source;
    m[o + IP_VERSION] = info.ipVersion;
    m[o + TRANSPORT] = info.transport === 'udp500' ? 0 : info.transport === 'udp4500' ? 1 : 2;
    m[o + NON_ESP_MARKER] = info.nonEspMarker ? 1 : 0;
    m[o + IP_LENGTH] = info.ipLength;
    this.ts[i] = info.ts;
    this.frag[i] = info.frag;
  }

  /**
   * Slot i's decode: the one made on arrival, else the raw bytes decoded now through
   * `decode` and remembered (live snapshots ask again and again).
   */
  private decodedAt(i: number, decode: RawDecoder): DecodedIke {
    const o = i * W;
    let c = this.decoded[i];
    if (this.meta[o + STATE] === DECODED && c) return c;
    const n = this.meta[o + BYTE_LEN];
    const len = this.meta[o + ADDR_LEN];
    const bytes = n <= this.inline ? this.bytes.subarray(i * this.inline, i * this.inline + n) : this.big[i]!.subarray(0, n);
    const a = i * ADDR;
    c = decode(bytes, this.addr.subarray(a, a + len), this.addr.subarray(a + 16, a + 16 + len), len, this.meta[o + SRC_PORT], this.meta[o + DST_PORT], this.meta[o + CUT] === 1, this.frag[i]);
    this.decoded[i] = c;
    this.meta[o + STATE] = DECODED;
    return c;
  }

  /** Slot i as a kept message (decoding raw bytes now, once). */
  kept(i: number, sources: readonly string[], decode: RawDecoder): KeptIke {
    const c = this.decodedAt(i, decode);
    const m = this.meta;
    const o = i * W;
    return {
      // opaqueAfterHeader() admitted only raw messages that decode without a problem; decoded ones were checked on arrival
      seq: m[o + SEQ], m: c.r.message!, frag: this.frag[i], src: c.srcEp, dst: c.dstEp, ipVersion: m[o + IP_VERSION] as 4 | 6,
      transport: TRANSPORTS[m[o + TRANSPORT]], nonEspMarker: m[o + NON_ESP_MARKER] === 1, excerpt: c.excerpt, ipLength: m[o + IP_LENGTH],
      at: { source: sources[m[o + SOURCE]], frame: m[o + FRAME], ts: this.ts[i] },
    };
  }
}

/** Decodes a raw slot's message (ike-decode-cache.ts), given its bytes and wire addressing. */
export type RawDecoder = (bytes: Uint8Array, src: Uint8Array, dst: Uint8Array, addrLen: number, srcPort: number, dstPort: number, cut: boolean, frag: IpFragmentation | undefined) => DecodedIke;

/** A kept IKE message before it becomes an IkeMessage (ike-keeper.ts): the head's, or a ring slot's at the end. */
export interface KeptIke {
  /** arrival order among all decoded IKE messages */
  seq: number;
  m: IkeDecoded;
  frag: IpFragmentation | undefined;
  src: PacketEndpoint;
  dst: PacketEndpoint;
  ipVersion: 4 | 6;
  transport: IkeTransport;
  nonEspMarker: boolean;
  excerpt: string;
  ipLength: number;
  at: FrameRef;
}
