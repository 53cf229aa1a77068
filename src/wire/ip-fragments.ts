/**
 * IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5) for UDP datagrams, so that
 * IKE messages split by IP (IKE_AUTH with certificates) can be decoded and the
 * evidence can say which were fragmented and whether every fragment arrived.
 *
 * Bounded: at most MAX_PENDING datagrams and MAX_BYTES buffered; a datagram is
 * given up after TIMEOUT seconds of capture time or TIMEOUT_FRAMES frames (clocks
 * in captures can be zero or jump backwards). Datagrams whose first fragment shows
 * they are not IKE/NAT-T stop being buffered.
 */
import { ipString } from './addr.js';
import type { IpHeader } from './ip.js';

const MAX_PENDING = 256;
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_DATAGRAM = 65535 + 40;
const TIMEOUT = 30;
const TIMEOUT_FRAMES = 20000;
const MAX_FRAMES_LISTED = 16;

interface Piece {
  off: number;
  data: Uint8Array;
}

export interface FragmentSet {
  key: string;
  version: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  id: number;
  pieces: Piece[];
  /** byte count of the whole fragmentable part, known once the last fragment (MF=0) arrived */
  total?: number;
  bytes: number;
  fragments: number;
  frames: number[];
  firstFrame: number;
  firstTs: number;
  firstSeenAt: number;
  source: string;
  df: boolean;
  /** the first fragment said this is not worth keeping (not UDP 500/4500) */
  ignored: boolean;
}

export interface Reassembled {
  set: FragmentSet;
  /** the reassembled fragmentable part (UDP header onward) */
  payload: Uint8Array;
}

export interface FragmentEvents {
  /** a datagram given up (timeout, cap or end of capture) with the fragments it had */
  incomplete(set: FragmentSet): void;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, FragmentSet>();
  private bytes = 0;
  private frameCounter = 0;

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
        protocol: ip.protocol, id: ip.fragId, pieces: [], bytes: 0, fragments: 0, frames: [], firstFrame: frame, firstTs: ts,
        firstSeenAt: this.frameCounter, source, df: ip.df, ignored: false,
      };
      this.pending.set(key, set);
    }
    set.fragments++;
    if (set.frames.length < MAX_FRAMES_LISTED) set.frames.push(frame);
    const data = d.subarray(ip.fragPartOff, ip.end);
    if (!ip.mf) set.total = ip.fragOffset + (ip.totalLength - (ip.fragPartOff - ip.start));
    if (ip.fragOffset === 0 && !this.keep(data, ip.protocol)) {
      this.drop(set);
      set.ignored = true;
    }
    if (set.ignored) return undefined;
    if (ip.truncated || ip.fragOffset + data.length > MAX_DATAGRAM || this.bytes + data.length > MAX_BYTES) {
      // a snaplen-cut fragment can never complete the datagram; keep its place so the set is reported incomplete
      if (ip.fragOffset === 0 && data.length) this.store(set, ip.fragOffset, data);
      return undefined;
    }
    this.store(set, ip.fragOffset, data);
    return this.tryComplete(set);
  }

  /** End of capture: every datagram still pending is incomplete. */
  flush(): void {
    for (const set of [...this.pending.values()]) this.giveUp(set);
  }

  private store(set: FragmentSet, off: number, data: Uint8Array): void {
    if (set.pieces.some((p) => p.off === off && p.data.length === data.length)) return;
    set.pieces.push({ off, data: data.slice() });
    set.bytes += data.length;
    this.bytes += data.length;
  }

  private tryComplete(set: FragmentSet): Reassembled | undefined {
    if (set.total === undefined) return undefined;
    const pieces = [...set.pieces].sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const p of pieces) {
      if (p.off > covered) return undefined;
      covered = Math.max(covered, p.off + p.data.length);
    }
    if (covered < set.total) return undefined;
    const payload = new Uint8Array(set.total);
    for (const p of pieces) payload.set(p.data.subarray(0, Math.max(0, Math.min(p.data.length, set.total - p.off))), p.off);
    this.release(set);
    return { set, payload };
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
    if (!first.done) this.giveUp(first.value);
  }

  private giveUp(set: FragmentSet): void {
    // report before releasing: the first fragment's bytes are still needed to decode the IKE header
    if (!set.ignored) this.events.incomplete(set);
    this.release(set);
  }

  private drop(set: FragmentSet): void {
    this.bytes -= set.bytes;
    set.bytes = 0;
    set.pieces = [];
  }

  private release(set: FragmentSet): void {
    this.drop(set);
    this.pending.delete(set.key);
  }
}
