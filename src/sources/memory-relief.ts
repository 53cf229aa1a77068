import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Streaming keeps the *live* heap flat (a few tens of MB whatever the input size),
 * but V8 collects the old generation lazily: on a multi-GB input the garbage of
 * decoded lines piles up before a full GC runs, and peak RSS follows the input
 * size instead of the live data. A full collection every RELIEF_BYTES of input
 * (a few ms with a small live heap) keeps the peak flat. `--expose-gc` set at run
 * time exposes `gc` only to contexts created afterwards, hence the vm context.
 */
const RELIEF_BYTES = 16 * 1024 * 1024;

let gcFn: (() => void) | null | undefined;

function fullGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** Counts bytes read and runs a full GC every RELIEF_BYTES. */
export function memoryRelief(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < RELIEF_BYTES) return;
    since = 0;
    fullGc()?.();
  };
}
