/**
 * The most recent raw frames of a live capture started without `-w`, so that the
 * interactive `w` key can still write "the capture so far" for a ticket. Bounded by
 * count and by captured bytes (whichever is hit first evicts the oldest frames), so
 * memory stays flat however long the capture runs: with the defaults at most
 * 20,000 frames and 32 MiB of frame data (plus a small per-frame overhead).
 */
import { createPcapWriter, type PcapRecord } from '../pcap-writer.js';

export const RING_MAX_FRAMES = 20_000;
export const RING_MAX_BYTES = 32 * 1024 * 1024;

export interface RingFrame extends PcapRecord {
  /** the frame's number in the live capture (1-based), as findings cite it */
  frame: number;
}

export interface FrameRingStats {
  /** frames offered to the ring (every frame received) */
  seen: number;
  /** frames currently held */
  kept: number;
  /** frames pushed out (oldest first) or too big to hold at all */
  evicted: number;
  /** captured bytes currently held */
  bytes: number;
  /** live frame numbers of the oldest and newest frame held (0 when empty) */
  firstFrame: number;
  lastFrame: number;
}

export interface FrameRing {
  /** copies `data`: the caller (libpcap's callback) reuses its buffer */
  push(frame: RingFrame): void;
  /** oldest first */
  frames(): IterableIterator<RingFrame>;
  stats(): FrameRingStats;
  readonly maxFrames: number;
  readonly maxBytes: number;
}

export function createFrameRing(maxFrames = RING_MAX_FRAMES, maxBytes = RING_MAX_BYTES): FrameRing {
  // a circular array: slots are reused, so eviction is O(1) and never shifts the array
  const slots: (RingFrame | undefined)[] = [];
  let head = 0; // index of the oldest frame
  let kept = 0;
  let bytes = 0;
  let seen = 0;
  let evicted = 0;

  const evictOldest = () => {
    const old = slots[head]!;
    slots[head] = undefined;
    head = (head + 1) % maxFrames;
    kept--;
    bytes -= old.data.length;
    evicted++;
  };

  function* frames(): IterableIterator<RingFrame> {
    for (let i = 0; i < kept; i++) yield slots[(head + i) % maxFrames]!;
  }

  return {
    maxFrames,
    maxBytes,
    push(f) {
      seen++;
      if (f.data.length > maxBytes) {
        evicted++;
        return;
      }
      while (kept > 0 && (kept >= maxFrames || bytes + f.data.length > maxBytes)) evictOldest();
      const slot = (head + kept) % maxFrames;
      slots[slot] = { frame: f.frame, ts: f.ts, origlen: f.origlen, data: Buffer.from(f.data) };
      kept++;
      bytes += f.data.length;
    },
    frames,
    stats() {
      const first = kept ? slots[head]!.frame : 0;
      const last = kept ? slots[(head + kept - 1) % maxFrames]!.frame : 0;
      return { seen, kept, evicted, bytes, firstFrame: first, lastFrame: last };
    },
  };
}

/** Writes the held frames, oldest first, as a classic pcap file; returns how many. */
export function writeRing(ring: FrameRing, path: string, linktype: number, snaplen: number): number {
  const writer = createPcapWriter(path, linktype, snaplen);
  try {
    for (const f of ring.frames()) writer.write(f);
  } finally {
    writer.close();
  }
  return writer.records;
}

/** "at most 20000 frames / 32 MiB", for the UI and the report's diagnostics. */
export function ringLimits(maxFrames: number, maxBytes: number): string {
  const size = maxBytes % 1048576 === 0 ? `${maxBytes / 1048576} MiB` : `${maxBytes} bytes`;
  return `at most ${maxFrames} frames / ${size}`;
}
