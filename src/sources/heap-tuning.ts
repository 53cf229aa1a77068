import v8 from 'node:v8';

/**
 * Garbage-collector settings for streaming a log (issue 21 §2), set once, before the first
 * line is read. V8 reads these flags at run time (at each collection, at each allocation
 * site's feedback, each time the young generation grows), so setting them here takes effect
 * from then on.
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

/**
 * The young generation stops growing at this size (both semi-spaces together: 8 MiB each).
 * V8's default lets it grow to 2 × 16 MiB while a log streams (Node 20 and 22; 128 MiB on
 * Node 24), because the events waiting in the store's tail rings survive young collections:
 * 16 MiB more resident memory for the whole run. A young generation already larger when
 * the log starts stays as it is. Measured on 1.1 GB of real charon lines: peak RSS 137–144 MB instead of
 * 165–169 MB, about twice the young collections (683 instead of 364) and 45 full ones
 * instead of 31, i.e. 0.3–0.6 s more time collecting. `--max-semi-space-size` would do
 * this, but only on the command line; the growth factor V8 reads each time it grows.
 */
const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

let tuned = false;
let youngCapped = false;

export function tuneHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  setFlag(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlag('--no-allocation-site-pretenuring');
  capYoungGeneration();
}

/**
 * Stops the young generation's growth once it has reached YOUNG_GENERATION_CAP_BYTES;
 * asked once per chunk while a log streams (one heap-statistics call until then, nothing after).
 * V8 grows it by a factor (2) from a fraction of a MiB, so it reaches the cap exactly.
 */
export function capYoungGeneration(): void {
  if (youngCapped) return;
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (young && young.space_size < YOUNG_GENERATION_CAP_BYTES) return;
  youngCapped = true;
  setFlag('--semi-space-growth-factor=1');
}

function setFlag(flag: string): void {
  try {
    v8.setFlagsFromString(flag);
  } catch {
    // an embedder that refuses flags keeps V8's defaults: slower or larger, not wrong
  }
}
