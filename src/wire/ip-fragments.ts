/**
 * IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5) for UDP datagrams, so that
 * IKE messages split by IP (IKE_AUTH with certificates) can be decoded and the
 * evidence can say which were fragmented and whether every fragment arrived.
 *
 * Fragments that do not fit together are judged the way the Linux kernel judges them
 * (net/ipv4/inet_fragment.c inet_frag_queue_insert, ip_fragment.c ip_frag_queue,
 * ipv6/reassembly.c), since that is what the peer's kernel made of them:
 * - a fragment lying inside one run of fragments already held (a run: fragments that
 *   arrived each right after the previous one's end) is a duplicate: dropped, the datagram
 *   kept (different bytes are said in a diagnostic: the first copy is what counts);
 * - a fragment that partly overlaps another discards the whole datagram (RFC 5722 §4 for
 *   IPv6; Linux does the same for IPv4 since 4.19);
 * - a last fragment (MF=0) ending before bytes already held or disagreeing with an earlier
 *   last fragment, a fragment beyond the end a last fragment set, or a fragment of no
 *   bytes discards the whole datagram;
 * - a non-last IPv4 fragment whose length is not a multiple of 8 is clipped to one; a
 *   non-last IPv6 fragment of that kind is dropped (RFC 8200 §4.5: parameter problem).
 * A discarded datagram is forgotten: later fragments with its key start a new one, as in
 * the kernel (they may complete it, or be reported incomplete).
 *
 * Bounded: at most MAX_PENDING datagrams and MAX_BYTES buffered (Linux's
 * ipfrag_high_thresh is 4 MiB too); the oldest datagrams are given up to make room, and
 * `bounds()` says how often, so memory stays flat whatever arrives. A datagram is given
 * up after TIMEOUT seconds of capture time or TIMEOUT_FRAMES frames (clocks in captures
 * can be zero or jump backwards). Datagrams whose first fragment shows they are not
 * IKE/NAT-T stop being buffered. Per fragment the work is a binary search (and for a
 * duplicate a walk over the pieces it covers): never a pass over every fragment held.
 */
import { ipString } from './addr.js';
import type { IpHeader } from './ip.js';

export const MAX_PENDING = 256;
export const MAX_BYTES = 4 * 1024 * 1024;
const MAX_DATAGRAM = 65535 + 40;
const TIMEOUT = 30;
const TIMEOUT_FRAMES = 20000;
const MAX_FRAMES_LISTED = 16;

interface Piece {
  off: number;
  /** the end the fragment's header declares (data may be shorter: cut by the snap length) */
  end: number;
  data: Uint8Array;
}

/**
 * Linux's "frag run" (inet_fragment.c): fragments that arrived each at the end of the
 * one before. Only the run holding the highest fragment grows; a fragment inside one run
 * is a duplicate, one that touches a run otherwise overlaps.
 */
interface Run {
  start: number;
  end: number;
  pieces: Piece[];
}

export interface FragmentSet {
  key: string;
  version: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  id: number;
  /** sorted by offset, never overlapping */
  runs: Run[];
  /** the run holding the fragment that ends highest (Linux fragments_tail) */
  tail?: Run;
  /** byte count of the whole fragmentable part, known once the last fragment (MF=0) arrived */
  total?: number;
  /** the highest end any fragment declared so far (Linux q.len) */
  maxEnd: number;
  /** bytes of [0, total) the pieces cover */
  covered: number;
  /** pieces whose bytes the capture cut: the datagram cannot be rebuilt */
  shortPieces: number;
  bytes: number;
  fragments: number;
  frames: number[];
  lastFrame: number;
  firstFrame: number;
  firstTs: number;
  firstSeenAt: number;
  source: string;
  df: boolean;
  /** the first fragment said this is not worth keeping (not UDP 500/4500) */
  ignored: boolean;
  /** the fragments did not fit together: the datagram was thrown away (and said so) */
  discarded: boolean;
}

export interface Reassembled {
  set: FragmentSet;
  /** the reassembled fragmentable part (UDP header onward) */
  payload: Uint8Array;
}

export interface FragmentEvents {
  /** a datagram given up (timeout, cap or end of capture) with the fragments it had */
  incomplete(set: FragmentSet): void;
  /**
   * the fragments of a datagram did not fit together (`discarded`: the datagram was thrown
   * away) or one fragment was dropped (`discarded` false); `frame` is the fragment that showed it
   */
  malformed(set: FragmentSet, frame: number, problem: string, discarded: boolean): void;
}

/** What the bounds cost: datagrams given up early to make room. */
export interface ReassemblyBounds {
  /** datagrams given up before their time because MAX_PENDING or MAX_BYTES was reached */
  evicted: number;
  /** fragments those datagrams held when given up */
  evictedFragments: number;
  /** the most bytes ever held at once */
  peakBytes: number;
  /** the most datagrams ever pending at once */
  peakPending: number;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, FragmentSet>();
  private bytes = 0;
  private frameCounter = 0;
  private readonly bound: ReassemblyBounds = { evicted: 0, evictedFragments: 0, peakBytes: 0, peakPending: 0 };

  constructor(private readonly events: FragmentEvents, private readonly keep: (firstFragmentPayload: Uint8Array, protocol: number) => boolean) {}

  /** Adds one fragment; returns the datagram when it completes. */
  add(d: Uint8Array, ip: IpHeader, source: string, frame: number, ts: number): Reassembled | undefined {
    this.frameCounter++;
    this.expire(ts);
    const key = `${ip.version}|${ipString(d, ip.srcOff, ip.addrLen)}|${ipString(d, ip.dstOff, ip.addrLen)}|${ip.protocol}|${ip.fragId}`;
    let set = this.pending.get(key);
    if (!set) {
      if (this.pending.size >= MAX_PENDING) this.evictOldest();
      set = {
        key, version: ip.version as 4 | 6, src: d.slice(ip.srcOff, ip.srcOff + ip.addrLen), dst: d.slice(ip.dstOff, ip.dstOff + ip.addrLen),
        protocol: ip.protocol, id: ip.fragId, runs: [], maxEnd: 0, covered: 0, shortPieces: 0, bytes: 0, fragments: 0, frames: [],
        lastFrame: frame, firstFrame: frame, firstTs: ts, firstSeenAt: this.frameCounter, source, df: ip.df, ignored: false, discarded: false,
      };
      this.pending.set(key, set);
      if (this.pending.size > this.bound.peakPending) this.bound.peakPending = this.pending.size;
    }
    set.fragments++;
    set.lastFrame = frame;
    if (set.frames.length < MAX_FRAMES_LISTED) set.frames.push(frame);
    const off = ip.fragOffset;
    let data = d.subarray(ip.fragPartOff, ip.end);
    // what the header says this fragment holds, whatever the capture kept of it
    let end = off + Math.max(0, ip.totalLength - (ip.fragPartOff - ip.start));
    if (off === 0 && !this.keep(data, ip.protocol)) {
      this.drop(set);
      set.ignored = true;
    }
    if (set.ignored) return undefined;

    if (!ip.mf) {
      // ip_frag_queue: "If we already have some bits beyond end or have different end, the segment is corrupted"
      if (end < set.maxEnd) return this.discard(set, frame, `the last fragment ends at byte ${end}, before bytes other fragments hold (up to ${set.maxEnd})`);
      if (set.total !== undefined && end !== set.total) return this.discard(set, frame, `two last fragments disagree on the datagram's end (${set.total} and ${end} bytes)`);
      set.total = end;
      set.maxEnd = end;
    } else {
      if ((end - off) % 8 !== 0) {
        if (set.version === 6) {
          this.events.malformed(set, frame, `a non-last fragment of ${end - off} bytes (not a multiple of 8) was dropped (RFC 8200 §4.5)`, false);
          return undefined;
        }
        end -= (end - off) % 8;
        if (data.length > end - off) data = data.subarray(0, end - off);
      }
      if (end > set.maxEnd) {
        if (set.total !== undefined) return this.discard(set, frame, `a fragment reaches byte ${end}, beyond the datagram's end (${set.total} bytes, set by its last fragment)`);
        set.maxEnd = end;
      }
    }
    if (end === off) return this.discard(set, frame, 'a fragment holds no bytes');
    if (end > MAX_DATAGRAM) return this.discard(set, frame, `a fragment reaches byte ${end}, beyond the largest IP datagram`);

    // a snaplen-cut fragment can never complete the datagram; only the first one's bytes are kept (they decode the IKE header)
    const short = ip.truncated || data.length < end - off;
    return this.place(set, frame, off, end, short && off !== 0 ? undefined : data, short);
  }

  /** End of capture: every datagram still pending is incomplete. */
  flush(): void {
    for (const set of [...this.pending.values()]) this.giveUp(set);
  }

  bounds(): ReassemblyBounds {
    return { ...this.bound };
  }

  /** Bytes and datagrams held right now (tests: memory stays within the bounds). */
  held(): { bytes: number; pending: number } {
    return { bytes: this.bytes, pending: this.pending.size };
  }

  /**
   * Puts [off, end) into the datagram (`data` undefined: a cut fragment whose place is
   * only counted; `short`: the capture cut its bytes), or drops it as a duplicate, or
   * discards the datagram on an overlap: inet_frag_queue_insert().
   */
  private place(set: FragmentSet, frame: number, off: number, end: number, data: Uint8Array | undefined, short: boolean): Reassembled | undefined {
    const runs = set.runs;
    const tail = set.tail;
    let appendTo: Run | undefined;
    let at = runs.length;
    if (tail && tail.end < end) {
      // the common case: beyond everything held
      if (off < tail.end) return this.discard(set, frame, 'overlapping fragments of one datagram');
      if (off === tail.end) appendTo = tail;
    } else if (tail) {
      // the first run that ends after `off`: runs before it lie wholly before the fragment
      let lo = 0;
      let hi = runs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (runs[mid].end <= off) lo = mid + 1;
        else hi = mid;
      }
      const r = runs[lo];
      if (r && r.start < end) {
        if (off < r.start || end > r.end) return this.discard(set, frame, 'overlapping fragments of one datagram');
        if (data && !sameBytesInRun(r, off, data)) this.events.malformed(set, frame, 'a repeated fragment with different bytes was ignored (the first copy is kept, as Linux does)', false);
        return undefined;
      }
      at = lo;
    }
    const n = data ? data.length : 0;
    if (n) this.makeRoom(n, set);
    const piece: Piece = { off, end, data: data ? data.slice() : new Uint8Array(0) };
    if (appendTo) {
      appendTo.pieces.push(piece);
      appendTo.end = end;
    } else {
      const run: Run = { start: off, end, pieces: [piece] };
      runs.splice(at, 0, run);
      if (!tail || tail.end < end) set.tail = run;
    }
    if (short) set.shortPieces++;
    set.covered += end - off;
    set.bytes += n;
    this.bytes += n;
    if (this.bytes > this.bound.peakBytes) this.bound.peakBytes = this.bytes;
    return this.tryComplete(set);
  }

  private tryComplete(set: FragmentSet): Reassembled | undefined {
    // pieces never overlap and all lie within [0, total): covering `total` bytes is covering all of it
    if (set.total === undefined || set.covered !== set.total || set.shortPieces) return undefined;
    const payload = new Uint8Array(set.total);
    for (const r of set.runs) for (const p of r.pieces) payload.set(p.data.subarray(0, Math.max(0, Math.min(p.data.length, set.total - p.off))), p.off);
    this.release(set);
    return { set, payload };
  }

  /** inet_frag_kill(): the datagram is gone; a later fragment with its key starts a new one, as in the kernel. */
  private discard(set: FragmentSet, frame: number, problem: string): undefined {
    set.discarded = true;
    this.events.malformed(set, frame, problem, true);
    this.release(set);
    return undefined;
  }

  /** Gives up the oldest datagrams until `n` more bytes fit (never `keep` itself). */
  private makeRoom(n: number, keep: FragmentSet): void {
    for (const set of this.pending.values()) {
      if (this.bytes + n <= MAX_BYTES) return;
      if (set === keep) continue;
      if (set.bytes) this.evict(set);
    }
  }

  private expire(ts: number): void {
    for (const set of this.pending.values()) {
      const oldByFrames = this.frameCounter - set.firstSeenAt > TIMEOUT_FRAMES;
      const oldByTime = ts - set.firstTs > TIMEOUT;
      if (oldByFrames || oldByTime) this.giveUp(set);
      else break; // Map keeps insertion order: the rest are younger
    }
  }

  private evictOldest(): void {
    const first = this.pending.values().next();
    if (!first.done) this.evict(first.value);
  }

  private evict(set: FragmentSet): void {
    if (!set.ignored && !set.discarded) {
      this.bound.evicted++;
      this.bound.evictedFragments += set.fragments;
    }
    this.giveUp(set);
  }

  private giveUp(set: FragmentSet): void {
    // report before releasing: the first fragment's bytes are still needed to decode the IKE header
    if (!set.ignored && !set.discarded) this.events.incomplete(set);
    this.release(set);
  }

  private drop(set: FragmentSet): void {
    this.bytes -= set.bytes;
    set.bytes = 0;
    set.runs = [];
    set.tail = undefined;
    set.covered = 0;
    set.shortPieces = 0;
  }

  private release(set: FragmentSet): void {
    this.drop(set);
    this.pending.delete(set.key);
  }
}

/** Whether the bytes a fragment inside run `r` shares with the pieces there are the same (only bytes both have are compared). */
function sameBytesInRun(r: Run, off: number, data: Uint8Array): boolean {
  const pieces = r.pieces;
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid].end <= off) lo = mid + 1;
    else hi = mid;
  }
  const end = off + data.length;
  for (let i = lo; i < pieces.length && pieces[i].off < end; i++) {
    const p = pieces[i];
    const from = Math.max(p.off, off);
    const to = Math.min(p.off + p.data.length, end);
    for (let b = from; b < to; b++) if (p.data[b - p.off] !== data[b - off]) return false;
  }
  return true;
}

/** The first fragment's bytes (UDP header onward), when the datagram holds them. */
export function firstFragmentBytes(set: FragmentSet): Uint8Array | undefined {
  const p = set.runs[0]?.pieces[0];
  return p && p.off === 0 ? p.data : undefined;
}

/** "frames 12–14" / "frame 12" for a diagnostic. */
export function framesText(set: FragmentSet): string {
  const first = set.frames[0] ?? set.firstFrame;
  const last = set.lastFrame;
  return first === last ? `frame ${first}` : `frames ${first}–${last}`;
}

/** "192.0.2.1 → 198.51.100.2 (IP ID 4660)" for a diagnostic. */
export function datagramText(set: FragmentSet): string {
  return `${ipString(set.src, 0, set.src.length as 4 | 16)} → ${ipString(set.dst, 0, set.dst.length as 4 | 16)} (IP ID ${set.id})`;
}
