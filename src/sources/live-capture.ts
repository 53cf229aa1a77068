/**
 * `--live -i IFACE`: libpcap (through the optional `cap` addon) feeds the same
 * packet collector as capture files. Frames go straight from the libpcap callback
 * into the collector (and the optional pcap writer): nothing is queued, so memory
 * grows with flows and SAs, never with the capture's length.
 *
 * ipsec-doctor never sends a packet: cap's send() is never called.
 */
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import type { PacketEvidence } from '../evidence/packet-types.js';
import { createPacketCollector } from '../evidence/packet-collector.js';
import { InputError, UsageError } from '../errors.js';
import { loadCap, firstLine, type CapHandle, type CapModule } from './live/cap-binding.js';
import { openError } from './live/open-errors.js';
import { linktypeFromCapName, wireLengthHint } from './live/link-types.js';
import { createPcapWriter, type PcapWriter } from './pcap-writer.js';

/**
 * IKE (500), NAT-T and ESP-in-UDP (4500), ESP/AH over IPv4 and IPv6, non-first IP
 * fragments (a fragmented IKE_AUTH's later fragments carry no UDP header, and
 * their loss is what IKE_FRAGMENTS_DROPPED is about), and ICMP/ICMPv6 errors:
 * destination unreachable (incl. frag-needed) and Packet Too Big.
 */
export const DEFAULT_LIVE_FILTER =
  'udp port 500 or udp port 4500 or ip proto 50 or ip proto 51 or ip6 proto 50 or ip6 proto 51 ' +
  'or (ip[6:2] & 0x1fff != 0) or ip6 proto 44 or icmp[0] = 3 or icmp6[0] = 1 or icmp6[0] = 2';

/** Enough for IKE headers and cleartext SA payloads, ESP headers and ICMP quotes. */
export const DEFAULT_SNAPLEN = 2048;
const MIN_SNAPLEN = 64;
const MAX_SNAPLEN = 65535;
/** libpcap's kernel ring: bounded; overflow shows up as kernel drops, not heap growth. */
const KERNEL_BUFFER_BYTES = 4 * 1024 * 1024;
const UPDATE_INTERVAL_MS = 250;

export interface LiveCounters {
  /** frames libpcap delivered to us */
  received: number;
  bytes: number;
  /** frames cut by the snap length */
  snaplenCut: number;
  /** records written to --write */
  written: number;
  seconds: number;
  [collectorCounter: string]: number;
}

export interface LiveCaptureOptions {
  iface: string;
  /** BPF expression; replaces DEFAULT_LIVE_FILTER */
  filter?: string;
  snaplen?: number;
  /** stop after this many seconds */
  durationSec?: number;
  /** keep what was captured as a classic pcap file */
  write?: string;
  local: string[];
  peer: string[];
  /** throttled progress for the interactive UI */
  onUpdate?: (counters: LiveCounters) => void;
  /** aborting stops the capture early and still yields the evidence so far (Ctrl-C) */
  signal?: AbortSignal;
  /** for tests: the libpcap binding */
  loadCap?: () => Promise<CapModule>;
}

export interface LiveCaptureResult {
  input: InputInfo;
  packets: PacketEvidence;
  diagnostics: Diagnostic[];
}

export interface LiveCapture {
  /** resolves when the duration elapsed, stop() was called or the signal aborted */
  readonly done: Promise<LiveCaptureResult>;
  stop(): void;
  counters(): LiveCounters;
}

/** Opens the interface (throwing InputError/UsageError if that fails) and starts capturing. */
export async function startLiveCapture(opts: LiveCaptureOptions): Promise<LiveCapture> {
  const snaplen = validSnaplen(opts.snaplen);
  if (opts.durationSec !== undefined && !(opts.durationSec > 0)) throw new UsageError(`--duration must be a positive number of seconds`);
  const filter = opts.filter ?? DEFAULT_LIVE_FILTER;
  const cap = await (opts.loadCap ?? loadCap)();
  assertDeviceExists(cap, opts.iface);

  // one Cap per open: cap 0.2 aborts the process if close() follows a failed open()
  const handle: CapHandle = new cap.Cap();
  const buffer = Buffer.alloc(snaplen);
  let linkName: string;
  try {
    linkName = handle.open(opts.iface, filter, KERNEL_BUFFER_BYTES, buffer);
  } catch (err) {
    throw openError(firstLine(err), opts.iface, filter);
  }
  const linktype = linktypeFromCapName(linkName);
  if (linktype === undefined) {
    handle.close();
    throw new InputError(`cannot decode the link layer of ${opts.iface} (${linkName})`, 'capture on another interface, or `-i any`');
  }
  let writer: PcapWriter | undefined;
  if (opts.write) {
    try {
      writer = createPcapWriter(opts.write, linktype, snaplen);
    } catch (err) {
      handle.close();
      throw err;
    }
  }

  const source = `live:${opts.iface}`;
  const collector = createPacketCollector({ local: opts.local, peer: opts.peer });
  const started = Date.now();
  const c = { received: 0, bytes: 0, snaplenCut: 0, written: 0 };
  const counters = (): LiveCounters => ({
    ...collector.counters(),
    received: c.received,
    bytes: c.bytes,
    snaplenCut: c.snaplenCut,
    written: writer?.records ?? c.written,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });

  handle.on('packet', (nbytes: number, truncated: boolean) => {
    // cap does not hand over libpcap's timestamp; in immediate mode arrival time is within milliseconds of it
    const ts = (performance.timeOrigin + performance.now()) / 1000;
    const caplen = Math.min(nbytes, snaplen);
    // a view, not a copy: the collector and the writer consume it before cap reuses `buffer`
    const data = buffer.subarray(0, caplen);
    const origlen = truncated ? wireLengthHint(linktype, data, caplen) : caplen;
    c.received++;
    c.bytes += origlen;
    if (truncated) c.snaplenCut++;
    collector.addFrame({ source, frame: c.received, linktype, ts, caplen, origlen, data });
    try {
      writer?.write({ ts, origlen, data });
    } catch (err) {
      // a full disk must not end the diagnosis: stop writing, say so, keep capturing
      collector.addDiagnostic({ at: { source, frame: c.received }, decoder: 'pcap-writer', message: `stopped writing ${opts.write}: ${firstLine(err)}` });
      const failed = writer!;
      writer = undefined;
      c.written = failed.records;
      try {
        failed.close();
      } catch {
        // the file is already broken; the diagnostic says so
      }
    }
  });

  let finish!: () => void;
  const done = new Promise<LiveCaptureResult>((resolve, reject) => {
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    finish = () => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearInterval(t);
      opts.signal?.removeEventListener('abort', finish);
      try {
        handle.close();
        writer?.close();
        const final = counters();
        opts.onUpdate?.(final);
        const packets = collector.finish();
        resolve({
          // a capture file cannot say how long it listened after its last frame; a live capture can (esp-flows NO_ESP uses it)
          input: { kind: 'live', path: opts.iface, dialect: linkName, packets: c.received, counters: { ...final, linktype, startedAt: started / 1000, endedAt: Date.now() / 1000 } },
          packets,
          diagnostics: collector.diagnostics(),
        });
      } catch (err) {
        reject(err);
      }
    };
    if (opts.durationSec !== undefined) timers.push(setTimeout(finish, opts.durationSec * 1000));
    if (opts.onUpdate) {
      const tick = setInterval(() => opts.onUpdate?.(counters()), UPDATE_INTERVAL_MS);
      timers.push(tick);
    }
    if (opts.signal?.aborted) queueMicrotask(finish);
    else opts.signal?.addEventListener('abort', finish, { once: true });
  });

  return { done, stop: () => finish(), counters };
}

/** Captures until the duration elapses or the signal aborts; the common case for the CLI. */
export async function captureLive(opts: LiveCaptureOptions): Promise<LiveCaptureResult> {
  return (await startLiveCapture(opts)).done;
}

function validSnaplen(snaplen: number | undefined): number {
  if (snaplen === undefined) return DEFAULT_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < MIN_SNAPLEN || snaplen > MAX_SNAPLEN) {
    throw new UsageError(`--snaplen must be an integer between ${MIN_SNAPLEN} and ${MAX_SNAPLEN}`);
  }
  return snaplen;
}

function assertDeviceExists(cap: CapModule, iface: string): void {
  let names: string[];
  try {
    names = cap.Cap.deviceList().map((d) => d.name);
  } catch {
    return; // let open() report it
  }
  if (!names.includes(iface)) {
    throw new InputError(`no capture interface named '${iface}'`, `available: ${names.slice(0, 12).join(', ')}`);
  }
}
