import v8 from 'node:v8';

/**
 * Garbage-collector settings for streaming a log (issue 21 §2), set once, before the first
 * line is read. V8 reads both flags at run time (at each collection, at each allocation
 * site's feedback), so setting them here takes effect from then on.
 *
 * - The heap may grow only HEAP_GROWING_PERCENT over the data that survived the last full
 *   collection. Streaming keeps the live heap flat, but the events that wait in the store's
 *   tail rings are promoted and then replaced, and with V8's own sizing the old generation
 *   grew to several times the live data: peak RSS followed the input size. Collecting
 *   often is cheap here because V8 marks concurrently, on a helper thread. (This module
 *   used to force full collections on the main thread every 16 MB instead: measured on
 *   1.1 GB of real charon lines, the same speed or slower, and 15 MB more peak RSS.)
 * - No allocation-site pretenuring. The store keeps every event of the first few thousand
 *   of each kind, so V8 learnt early that events survive and, in about one run in three,
 *   began to allocate every later event directly in the old generation, where nearly all
 *   of them die: 86 full collections instead of 30 and the run 40–50% slower (--trace-gc,
 *   the same file, the same build).
 */
const HEAP_GROWING_PERCENT = 20;

let tuned = false;

export function tuneHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  try {
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    v8.setFlagsFromString('--no-allocation-site-pretenuring');
  } catch {
    // an embedder that refuses flags keeps V8's defaults: slower and larger, not wrong
  }
}
