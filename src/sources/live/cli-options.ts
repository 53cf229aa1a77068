/**
 * `--live -i IFACE [--filter BPF] [--duration SEC] [--snaplen BYTES] [-w FILE.pcap]`
 * from parsed argv to LiveCaptureOptions, with the usage errors a user can act on.
 */
import { UsageError } from '../../errors.js';
import type { LiveCaptureOptions, SavedCapture } from '../live-capture.js';
import { ringLimits } from './frame-ring.js';

export interface LiveArgs {
  live?: boolean;
  interface?: string;
  filter?: string;
  duration?: string;
  snaplen?: string;
  write?: string;
}

export type LiveRunOptions = Omit<LiveCaptureOptions, 'local' | 'peer'>;

export function liveOptionsFromArgs(args: LiveArgs, captureFiles: number, signal?: AbortSignal): LiveRunOptions | undefined {
  if (!args.live) {
    const stray = (['interface', 'filter', 'duration', 'snaplen', 'write'] as const).filter((k) => args[k] !== undefined);
    if (stray.length) throw new UsageError(`--${stray[0]} only applies to live capture`, 'add --live (e.g. --live -i eth0)');
    return undefined;
  }
  if (!args.interface) throw new UsageError('--live needs an interface', 'e.g. --live -i eth0, or -i any for all interfaces');
  if (captureFiles) throw new UsageError('--live cannot be combined with capture files in one run', 'run the capture files and the live capture separately');
  return {
    iface: args.interface,
    filter: args.filter,
    durationSec: numberArg('--duration', args.duration),
    snaplen: numberArg('--snaplen', args.snaplen),
    write: args.write,
    signal,
  };
}

function numberArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, not '${value}'`);
  return n;
}

/** The status line after the `w` key: where the capture is and how much of it. */
export function describeSavedCapture(s: SavedCapture): string {
  if (s.kind === 'already-there') return `the capture is already being written to ${s.writePath} (-w): ${s.frames} of ${s.seen} frames so far`;
  if (s.kind === 'copied') return `copied the -w capture ${s.writePath} to ${s.path}: ${s.frames} of ${s.seen} frames`;
  if (s.frames === s.seen) return `wrote all ${s.frames} frames seen to ${s.path}`;
  // kept vs seen and the path first: the status line cuts what does not fit
  return `wrote the last ${s.frames} of ${s.seen} frames (${s.firstFrame}–${s.lastFrame}) to ${s.path}; the in-memory ring keeps ${ringLimits(s.maxFrames ?? 0, s.maxBytes ?? 0)}, -w keeps all`;
}
