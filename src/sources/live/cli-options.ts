/**
 * `--live -i IFACE [--filter BPF] [--duration SEC] [--snaplen BYTES] [-w FILE.pcap]`
 * from parsed argv to LiveCaptureOptions, with the usage errors a user can act on.
 */
import { UsageError } from '../../errors.js';
import type { LiveCaptureOptions } from '../live-capture.js';

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
