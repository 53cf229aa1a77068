/**
 * Sequence-number accounting for one ESP/AH sender, bounded memory: a 256-bit
 * window below the highest number seen (like the receiver's anti-replay window,
 * RFC 4303 §3.4.3) tells a late arrival (fills a hole) from a duplicate.
 */
import type { SequenceGap } from '../../evidence/packet-types.js';

const WINDOW = 256;
const MAX_GAPS = 16;

export class SequenceTracker {
  packets = 0;
  first = 0;
  last = 0;
  min = 0;
  max = 0;
  missing = 0;
  duplicates = 0;
  outOfOrder = 0;
  stale = 0;
  gaps: SequenceGap[] = [];
  private readonly bits = new Uint32Array(WINDOW / 32);

  add(seq: number, frame: number): void {
    if (this.packets++ === 0) {
      this.first = this.last = this.min = this.max = seq;
      this.set(seq);
      return;
    }
    this.last = seq;
    if (seq > this.max) {
      const jump = seq - this.max;
      if (jump > 1) {
        this.missing += jump - 1;
        if (this.gaps.length < MAX_GAPS) this.gaps.push({ after: this.max, next: seq, frame });
      }
      if (jump >= WINDOW) this.bits.fill(0);
      else for (let s = this.max + 1; s < seq; s++) this.clear(s);
      this.max = seq;
      this.set(seq);
      return;
    }
    if (seq === this.max) {
      this.duplicates++;
      return;
    }
    if (this.max - seq >= WINDOW) {
      this.stale++;
      return;
    }
    if (this.has(seq)) {
      this.duplicates++;
      return;
    }
    this.set(seq);
    this.outOfOrder++;
    if (seq < this.min) {
      // extends the range backwards: the numbers in between were never counted
      this.missing += this.min - seq - 1;
      this.min = seq;
    } else {
      this.missing--;
    }
  }

  /** An independent copy of the accounting so far. */
  clone(): SequenceTracker {
    const c = new SequenceTracker();
    c.packets = this.packets;
    c.first = this.first;
    c.last = this.last;
    c.min = this.min;
    c.max = this.max;
    c.missing = this.missing;
    c.duplicates = this.duplicates;
    c.outOfOrder = this.outOfOrder;
    c.stale = this.stale;
    c.gaps = this.gaps.map((g) => ({ ...g }));
    c.bits.set(this.bits);
    return c;
  }

  private set(s: number): void {
    const i = s % WINDOW;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  private clear(s: number): void {
    const i = s % WINDOW;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
  }

  private has(s: number): boolean {
    const i = s % WINDOW;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }
}
