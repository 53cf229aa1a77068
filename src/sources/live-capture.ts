/**
 * `--live -i IFACE`: libpcap feeds the same packet collector as capture files, through
 * one of two readers (the report's live input says which, in its note):
 *   - native/pcap-reader (live/native-reader.ts), when built: libpcap read on a thread
 *     of its own into a bounded batch buffer, handed over one batch at a time and decoded
 *     in one loop per batch (live/batch-records.ts). The thread drains libpcap's ring
 *     whatever the JavaScript thread is doing (decoding, the interactive view's interim
 *     analyses, GC); if JavaScript falls a whole batch buffer behind, frames are dropped
 *     and counted (`readerDropped`), never queued without bound.
 *   - the optional `cap` addon otherwise: one JavaScript callback per frame, straight
 *     into the collector.
 * Frames go from the reader into the collector (and the optional pcap writer): memory
 * grows with flows and SAs, never with the capture's length. Without `-w`, a
 * bounded ring (live/frame-ring.ts) keeps the most recent raw frames so the UI can
 * still write the capture so far.
 *
 * Loss counters, each under its own name: `pcapReceived` / `pcapDropped` (libpcap's
 * own counters, what pcap_stats() would report: cap 0.2.1 does not bind pcap_stats(),
 * so they are read from the kernel's PACKET_STATISTICS of libpcap's socket by the
 * optional addon native/packet-stats, see live/packet-stats.ts; when that is not
 * possible `pcapStatsUnavailable` says why), `received` (frames libpcap handed to us),
 * `ifaceRxPackets` / `ifaceRxDrops` (what the interface received / the kernel dropped
 * on it during the capture, all traffic, any cause: a secondary proxy that does not
 * see loss in libpcap's ring, see live/iface-drops.ts), `notWritten` (frames lost to
 * -w after the file could not be written) and `ringEvicted` (frames pushed out of the
 * in-memory ring).
 *
 * ipsec-doctor never sends a packet: cap's send() is never called.
 */
import { frameCoverage } from '../evidence/coverage.js';
import type { Diagnostic, InputInfo } from '../evidence/types.js';
import { liveSource, type CapturedFrame, type PacketEvidence } from '../evidence/packet-types.js';
import { createPacketCollector } from '../wire/collector/packet-collector.js';
import { InputError, UsageError } from '../errors.js';
import { CAP_INSTALL_HINT, loadCap, firstLine, type CapHandle, type CapModule } from './live/cap-binding.js';
import { openError } from './live/open-errors.js';
import { linktypeFromCapName, wireLengthHint } from './live/link-types.js';
import { createPcapWriter, pcapTime, type PcapWriter } from './pcap-writer.js';
import { createFrameRing, ringLimits, writeRing, type FrameRing } from './live/frame-ring.js';
import { readIfaceRx } from './live/iface-drops.js';
import { describeUnavailable, PcapStatsUnavailable, watchPacketSocket, type PacketStatsReader } from './live/packet-stats.js';
import { dropWarning } from './live/drop-warning.js';
import { capNameOfDlt, describeReader, loadPcapReaderAddon, type LiveReaderKind, type NativeBatch, type NativeReader, type PcapReaderAddon } from './live/native-reader.js';
import { decodeBatch, type BatchRecord } from './live/batch-records.js';
import { copyFileSync, readdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

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
/**
 * libpcap's kernel ring: bounded; overflow shows up as kernel drops, not heap growth.
 * cap runs libpcap in immediate mode, i.e. TPACKET_V2, whose slots are sized for the
 * interface's largest frame (~2 KiB on Ethernet) whatever the packet: 4 MiB held about
 * 2,000 frames, 20 ms at 100,000 frames/s, less than a scheduling gap on a busy box or a
 * GC pause. 32 MiB holds ~16,000 (160 ms). Measured (bench/live.mjs, 2 cores under load):
 * kept 46% with 4 MiB, 94% with 64 MiB at the same rate. The pages count in RSS once used.
 */
const KERNEL_BUFFER_BYTES = 32 * 1024 * 1024;
const UPDATE_INTERVAL_MS = 250;
/**
 * The native reader's batch buffers: a fixed pool the thread fills one after the other
 * and JavaScript decodes in place (no copy, no allocation per batch). 4 × 16 MiB: at
 * 300,000 frames/s of the ESP-in-UDP benchmark mix (~560 bytes a frame with the record
 * header) about 0.35 s of traffic, at ~200 bytes a frame 1 s: a GC pause or an interim
 * analysis of the interactive view fits; a longer stall drops frames (readerDropped)
 * rather than growing memory. Pages are only resident once written.
 */
const NATIVE_POOL_BUFFERS = 4;
const NATIVE_POOL_BUFFER_BYTES = 16 * 1024 * 1024;
/**
 * libpcap's read timeout for the native reader (it runs libpcap as tcpdump -w does,
 * not in immediate mode: TPACKET_V3 blocks of many frames): a block that is not full
 * is handed over after this long, so a quiet link's frames reach the live view fast.
 */
const NATIVE_TIMEOUT_MS = 100;

export interface LiveCounters {
  /** frames libpcap handed to ipsec-doctor (not libpcap's ps_recv: that is pcapReceived) */
  received: number;
  /**
   * libpcap's ps_recv, as pcap_stats() reports it on Linux: the summed tp_packets of the
   * kernel's PACKET_STATISTICS on libpcap's own socket: frames that passed the capture
   * filter since the socket opened, INCLUDING those dropped (pcapDropped) and those still
   * in its ring at stop; on a loopback device each frame twice (outgoing and incoming
   * copy). Read every 250 ms and at stop (mid-capture values lag by up to that); the
   * native reader reads pcap_stats() itself, on its thread.
   * Absent when it cannot be read (pcapStatsUnavailable says why).
   */
  pcapReceived?: number;
  /** libpcap's ps_drop: summed tp_drops, frames that passed the filter but found libpcap's ring full (tcpdump's "dropped by kernel") */
  pcapDropped?: number;
  /**
   * native reader only: frames libpcap handed to the reader thread that found its batch
   * buffer full (JavaScript fell behind); lost like pcapDropped, counted apart
   */
  readerDropped?: number;
  /** TPACKET_V3 sockets only: tp_freeze_q_cnt (times the ring's block queue was frozen); cap's immediate mode uses TPACKET_V2, so normally absent */
  pcapFreezeQueue?: number;
  /** why pcapReceived/pcapDropped are absent: live/pcap-stats-reasons.ts (1 not Linux, 2 addon not built, 3 socket not found, 4 read failed) */
  pcapStatsUnavailable?: number;
  bytes: number;
  /** frames cut by the snap length */
  snaplenCut: number;
  /** with --write: records written to it */
  written?: number;
  seconds: number;
  /** secondary proxy: kernel receive drops (rx_dropped + rx_missed_errors) on the interface since the capture started, blind to libpcap's ring; absent when unreadable */
  ifaceRxDrops?: number;
  /** frames the interface received since the capture started, all traffic (before the BPF filter); absent when unreadable */
  ifaceRxPackets?: number;
  /** with --write: frames received after writing the file failed, so missing from it */
  notWritten?: number;
  /** without --write: frames held in the in-memory ring / pushed out of it */
  ringKept?: number;
  ringEvicted?: number;
  [collectorCounter: string]: number | undefined;
}

/** What `saveCapture` did: the ring written out, the --write file copied, or nothing (same file). */
export interface SavedCapture {
  kind: 'ring' | 'copied' | 'already-there';
  path: string;
  /** records in the file at `path` */
  frames: number;
  /** frames received so far */
  seen: number;
  /** live frame numbers of the first and last record (ring only) */
  firstFrame?: number;
  lastFrame?: number;
  /** the --write file, when there is one */
  writePath?: string;
  /** the ring's limits (ring only) */
  maxFrames?: number;
  maxBytes?: number;
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
  /**
   * for tests: the native batch reader (default: native/pcap-reader when built, see
   * live/native-reader.ts, unless `loadCap` is given), or a string saying why it is not
   * used (then `cap` is)
   */
  loadNativeReader?: () => PcapReaderAddon | string;
  /** called once, as soon as libpcap's drop counter leaves 0, with the warning to show (live/drop-warning.ts) */
  onDropsStart?: (warning: string, counters: LiveCounters) => void;
  /** for tests: libpcap's counters (default: its socket's PACKET_STATISTICS, live/packet-stats.ts) */
  watchPacketStats?: () => () => PacketStatsReader;
  /** called once the interface is open, so a UI can save the capture mid-way */
  onStart?: (capture: LiveCapture) => void;
  /**
   * the ring kept when --write is not given (default limits: live/frame-ring.ts
   * RING_MAX_*); false when nobody can ask for the capture (the non-interactive CLI)
   */
  ring?: { maxFrames: number; maxBytes: number } | false;
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
  /**
   * Writes the capture so far to `path` (works during and after the capture): the
   * ring's frames without --write; with --write, a copy of that file (or nothing
   * when `path` is that file). Throws InputError when the file cannot be written.
   */
  saveCapture(path: string): SavedCapture;
  /**
   * The evidence so far, the capture going on (the interactive UI re-runs the checks
   * on it); after the capture ended, its final result.
   */
  snapshot(): LiveCaptureResult;
}

/** Cap objects whose open() failed: kept alive on purpose (see openCap). */
const failedHandles: CapHandle[] = [];

/** One frame as either reader hands it over: the frame is data[offset, offset + caplen). */
type Deliver = (ts: number, caplen: number, origlen: number, data: Uint8Array, offset: number) => void;

/** What startLiveCapture needs of a reader, whichever it is. */
interface OpenedReader {
  kind: LiveReaderKind;
  /** the link type as cap names it (live/link-types.ts) */
  linkName: string;
  /** the report's words for the reader (InputInfo.note) */
  note: string;
  /** libpcap's ps_recv/ps_drop */
  pcapStats: PacketStatsReader;
  /** native reader: frames its batch buffer had no room for */
  readerDropped(): number | undefined;
  /** native reader: why its thread stopped reading before the capture ended */
  readError(): string | undefined;
  /** frames start flowing to `deliver` (and problems with a batch to `problem`) */
  start(deliver: Deliver, problem: (message: string) => void): void;
  /** stops reading; frames still held by the reader are delivered first; idempotent */
  close(): void;
}

/** Opens the interface (throwing InputError/UsageError if that fails) and starts capturing. */
export async function startLiveCapture(opts: LiveCaptureOptions): Promise<LiveCapture> {
  const snaplen = validSnaplen(opts.snaplen);
  if (opts.durationSec !== undefined && !(opts.durationSec > 0)) throw new UsageError(`--duration must be a positive number of seconds`);
  const filter = opts.filter ?? DEFAULT_LIVE_FILTER;
  // a caller that hands over its own `cap` module (tests replaying a file through it) chose that binding
  const nativeAddon = opts.loadNativeReader ? opts.loadNativeReader() : opts.loadCap ? 'cap binding given by the caller' : loadPcapReaderAddon();
  const reader: OpenedReader = typeof nativeAddon === 'string' ? await openCap(opts, filter, snaplen, nativeAddon) : openNative(nativeAddon, opts, filter, snaplen);
  const { linkName, pcapStats } = reader;
  const linktype = linktypeFromCapName(linkName);
  if (linktype === undefined) {
    reader.close();
    throw new InputError(`cannot decode the link layer of ${opts.iface} (${linkName})`, 'capture on another interface, or `-i any`');
  }
  let writer: PcapWriter | undefined;
  if (opts.write) {
    try {
      writer = createPcapWriter(opts.write, linktype, snaplen);
    } catch (err) {
      reader.close();
      throw err;
    }
  }

  const ring: FrameRing | undefined = opts.write || opts.ring === false ? undefined : createFrameRing(opts.ring?.maxFrames, opts.ring?.maxBytes);
  let writeFailure: string | undefined;

  const source = liveSource(opts.iface);
  const collector = createPacketCollector({ local: opts.local, peer: opts.peer });
  const started = Date.now();
  const rxAtStart = readIfaceRx(opts.iface);
  const c = { received: 0, bytes: 0, snaplenCut: 0, written: 0 };
  let ended: LiveCounters | undefined;
  const counters = (): LiveCounters => {
    if (ended) return ended;
    const out: LiveCounters = {
      ...collector.counters(),
      received: c.received,
      bytes: c.bytes,
      snaplenCut: c.snaplenCut,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    const rx = rxAtStart && readIfaceRx(opts.iface);
    // a counter that went backwards (interface re-created, 32-bit wrap) says nothing: leave it out
    if (rx && rx.packets >= rxAtStart!.packets) out.ifaceRxPackets = rx.packets - rxAtStart!.packets;
    if (rx && rx.drops >= rxAtStart!.drops) out.ifaceRxDrops = rx.drops - rxAtStart!.drops;
    const pcap = pcapStats.totals();
    if (pcap) {
      out.pcapReceived = pcap.received;
      out.pcapDropped = pcap.dropped;
      if (pcap.freezeQueue !== undefined) out.pcapFreezeQueue = pcap.freezeQueue;
    } else {
      out.pcapStatsUnavailable = pcapStats.unavailable()?.code;
    }
    const readerDropped = reader.readerDropped();
    if (readerDropped !== undefined) out.readerDropped = readerDropped;
    if (opts.write) {
      out.written = writer?.records ?? c.written;
      out.notWritten = c.received - out.written;
    }
    if (ring) {
      const r = ring.stats();
      out.ringKept = r.kept;
      out.ringEvicted = r.evicted;
    }
    return out;
  };

  // one frame object for the whole capture, as the file readers do: the collector keeps no reference to it
  const frame: CapturedFrame = { source, frame: 0, linktype, ts: 0, caplen: 0, origlen: 0, data: new Uint8Array(0), offset: 0 };
  const deliver: Deliver = (ts, caplen, origlen, data, offset) => {
    c.received++;
    c.bytes += origlen;
    if (caplen < origlen) c.snaplenCut++;
    frame.frame = c.received;
    frame.ts = ts;
    frame.caplen = caplen;
    frame.origlen = origlen;
    frame.data = data;
    frame.offset = offset;
    // addFrame is total (a decoder failure becomes a diagnostic for this frame); the ring is
    // guarded too: a throw here would be an uncaught exception that ends the capture
    collector.addFrame(frame);
    if (!ring && !writer) return;
    const bytes = data.subarray(offset, offset + caplen);
    try {
      ring?.push({ frame: c.received, ts, origlen, data: bytes });
    } catch (err) {
      collector.addDiagnostic({ at: { source, frame: c.received }, decoder: 'live-capture', message: `frame not kept in the in-memory ring: ${firstLine(err)}` });
    }
    try {
      writer?.write({ ts, origlen, data: bytes });
    } catch (err) {
      // a full disk must not end the diagnosis: stop writing, say so, keep capturing
      writeFailure = firstLine(err);
      collector.addDiagnostic({ at: { source, frame: c.received }, decoder: 'pcap-writer', message: `stopped writing ${opts.write}: ${writeFailure}` });
      const failed = writer!;
      writer = undefined;
      c.written = failed.records;
      try {
        failed.close();
      } catch {
        // the file is already broken; the diagnostic says so
      }
    }
  };
  reader.start(deliver, (message) => collector.addDiagnostic({ at: { source, frame: c.received }, decoder: 'live-capture', message }));

  // a capture file cannot say how long it listened after its last frame; a live capture can (esp-flows NO_ESP uses it)
  const inputInfo = (now: LiveCounters): InputInfo => ({
    kind: 'live', path: opts.iface, dialect: LINK_IN_WORDS[linkName] ?? linkName, packets: now.received, counters: { ...definedCounters(now), linktype, startedAt: started / 1000, endedAt: Date.now() / 1000 },
    coverage: frameCoverage(now.received, now),
    note: reader.note,
  });
  let result: LiveCaptureResult | undefined;
  const snapshot = (): LiveCaptureResult => result ?? { input: inputInfo(counters()), packets: collector.snapshot(), diagnostics: collector.diagnostics().slice() };

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
        // the last read must happen while libpcap's socket is still open (the native reader
        // reads it on its thread before closing); frames the reader still holds are delivered
        pcapStats.poll();
        reader.close();
        if (writer) {
          writer.close();
          c.written = writer.records;
          writer = undefined;
        }
        const final = counters();
        ended = final;
        opts.onUpdate?.(final);
        if (ring && final.ringEvicted) {
          const r = ring.stats();
          collector.addDiagnostic({
            at: { source, frame: r.firstFrame },
            decoder: 'live-capture',
            message: `the in-memory ring (${ringLimits(ring.maxFrames, ring.maxBytes)}) kept the last ${r.kept} of ${r.seen} frames (${r.firstFrame}–${r.lastFrame}); use -w FILE to keep every frame`,
          });
        }
        const pcap = pcapStats.totals();
        const unavailable = pcapStats.unavailable();
        if (final.readerDropped) {
          collector.addDiagnostic({
            at: { source },
            decoder: 'live-capture',
            message: `the capture reader dropped ${final.readerDropped} frames that libpcap had handed over (its batch buffer was full: the analysis fell behind the capture): the capture is incomplete (a narrower --filter or -w FILE and analysing the file afterwards avoid it)`,
          });
        }
        const readError = reader.readError();
        if (readError) {
          collector.addDiagnostic({ at: { source, frame: c.received }, decoder: 'live-capture', message: `libpcap stopped delivering frames on ${opts.iface} before the capture ended: ${readError}` });
        }
        if (pcap?.dropped) {
          collector.addDiagnostic({
            at: { source },
            decoder: 'live-capture',
            message: `libpcap dropped ${pcap.dropped} of ${pcap.received} frames that passed the capture filter (its socket's ring was full; kernel PACKET_STATISTICS, what pcap_stats() reports)${opts.iface === 'lo' ? '; on a loopback device libpcap counts each frame twice, outgoing and incoming copy' : ''}: the capture is incomplete (a narrower --filter leaves the ring to fewer frames)`,
          });
        } else if (unavailable) {
          collector.addDiagnostic({
            at: { source },
            decoder: 'live-capture',
            message: `libpcap's own received/dropped counters are not available: ${describeUnavailable(unavailable)}; the interface counters (/proc/net/dev) are a proxy that does not see loss in libpcap's ring`,
          });
        }
        const packets = collector.finish();
        result = { input: inputInfo(final), packets, diagnostics: collector.diagnostics() };
        resolve(result);
      } catch (err) {
        reject(err);
      }
    };
    if (opts.durationSec !== undefined) timers.push(setTimeout(finish, opts.durationSec * 1000));
    // PACKET_STATISTICS is read (and summed) at the update interval even without a UI:
    // each read resets the kernel's 32-bit counters, which keeps them far from wrapping
    let warned = false;
    const tick = setInterval(() => {
      pcapStats.poll();
      const now = counters();
      if (!warned && (now.pcapDropped || now.readerDropped)) {
        warned = true;
        opts.onDropsStart?.(dropWarning({ iface: opts.iface, dropped: now.pcapDropped ?? 0, readerDropped: now.readerDropped, received: now.pcapReceived, filter: opts.filter }), now);
      }
      opts.onUpdate?.(now);
    }, UPDATE_INTERVAL_MS);
    timers.push(tick);
    if (opts.signal?.aborted) queueMicrotask(finish);
    else opts.signal?.addEventListener('abort', finish, { once: true });
  });

  const saveCapture = (path: string): SavedCapture => {
    const seen = c.received;
    if (ring) {
      let frames: number;
      try {
        frames = writeRing(ring, path, linktype, snaplen);
      } catch (err) {
        throw err instanceof InputError ? err : new InputError(`cannot write ${path}: ${firstLine(err)}`);
      }
      const r = ring.stats();
      return { kind: 'ring', path, frames, seen, firstFrame: r.firstFrame, lastFrame: r.lastFrame, maxFrames: ring.maxFrames, maxBytes: ring.maxBytes };
    }
    if (!opts.write) throw new InputError('this capture keeps no frames to write', 'start it with -w FILE.pcap');
    const writePath = opts.write;
    const frames = writer?.records ?? c.written;
    if (writeFailure) throw new InputError(`writing ${writePath} failed during the capture (${writeFailure}); it holds the first ${frames} frames`);
    if (resolvePath(path) === resolvePath(writePath)) return { kind: 'already-there', path, frames, seen, writePath };
    try {
      // records still in the writer's staging buffer would be missing from the copy
      writer?.flush();
      copyFileSync(writePath, path);
    } catch (err) {
      throw new InputError(`cannot copy ${writePath} to ${path}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`);
    }
    return { kind: 'copied', path, frames, seen, writePath };
  };

  const capture: LiveCapture = { done, stop: () => finish(), counters, saveCapture, snapshot };
  opts.onStart?.(capture);
  return capture;
}

/** The `cap` reader: libpcap in immediate mode, one JavaScript callback per frame. */
async function openCap(opts: LiveCaptureOptions, filter: string, snaplen: number, whyNotNative: string): Promise<OpenedReader> {
  let cap: CapModule;
  try {
    cap = await (opts.loadCap ?? loadCap)();
  } catch (err) {
    // neither reader: say why the native one is not there either
    if (err instanceof InputError) throw new InputError(`${err.message}; the native reader is not used either (${whyNotNative})`, `${err.hint ?? CAP_INSTALL_HINT}; or build the native reader: node native/build.mjs`);
    throw err;
  }
  assertDeviceExists(cap, opts.iface);
  // one Cap per open: cap 0.2 aborts the process if close() follows a failed open()
  const handle: CapHandle = new cap.Cap();
  const buffer = Buffer.alloc(snaplen);
  // one plain view for every frame: the collector would otherwise convert the Buffer per frame
  const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let linkName: string;
  // libpcap's socket is the packet socket that appears during open()
  const findPacketSocket = (opts.watchPacketStats ?? watchPacketSocket)();
  try {
    linkName = handle.open(opts.iface, filter, KERNEL_BUFFER_BYTES, buffer);
  } catch (err) {
    // cap 0.2.1 keeps the pcap_t of a failed pcap_activate(); its destructor then calls
    // uv_poll_stop() on a poll handle never initialised and aborts the process whenever
    // the GC happens to finalise the object. Never let it be collected.
    failedHandles.push(handle);
    throw openError(firstLine(err), opts.iface, filter);
  }
  const linktype = linktypeFromCapName(linkName);
  let closed = false;
  return {
    kind: 'cap',
    linkName,
    note: describeReader('cap', whyNotNative),
    pcapStats: findPacketSocket(),
    readerDropped: () => undefined,
    readError: () => undefined,
    start(deliver) {
      handle.on('packet', (nbytes: number, truncated: boolean) => {
        // cap does not hand over libpcap's timestamp; in immediate mode arrival time is within milliseconds of it.
        // Kept to the microsecond a pcap record holds (and computed as the file reader does), so the
        // analysis of the --write file sees the very same times as the live one
        const { sec, usec } = pcapTime((performance.timeOrigin + performance.now()) / 1000);
        const caplen = Math.min(nbytes, snaplen);
        // cap does not pass libpcap's original length either: recovered from the IP header when cut
        deliver(sec + usec / 1e6, caplen, truncated && linktype !== undefined ? wireLengthHint(linktype, view, caplen) : caplen, view, 0);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      handle.close();
    },
  };
}

/** The native batch reader (live/native-reader.ts): libpcap on its own thread, one batch per hand-off. */
function openNative(addon: PcapReaderAddon, opts: LiveCaptureOptions, filter: string, snaplen: number): OpenedReader {
  // zero-filled by the kernel on first touch: nothing is resident until the thread writes
  const pool = Array.from({ length: NATIVE_POOL_BUFFERS }, () => Buffer.alloc(NATIVE_POOL_BUFFER_BYTES));
  const views = pool.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  let onBatch: ((b: NativeBatch) => void) | undefined;
  let opened: ReturnType<PcapReaderAddon['open']>;
  try {
    opened = addon.open({
      device: opts.iface, filter, snaplen, bufferSize: KERNEL_BUFFER_BYTES, pool, timeoutMs: NATIVE_TIMEOUT_MS,
      // batches come through the event loop, so none before start(); one that did would be counted lost, not kept
      onBatch: (slot, bytes, count) => onBatch?.({ slot, bytes, count }),
    });
  } catch (err) {
    const message = firstLine(err);
    if (/no such device/i.test(message)) throw new InputError(`no capture interface named '${opts.iface}'`, `available: ${interfaceNames().slice(0, 12).join(', ')}`);
    throw openError(message, opts.iface, filter);
  }
  const native: NativeReader = opened.reader;
  let reads = 0;
  let closed = false;
  const pcapStats: PacketStatsReader = {
    poll() {},
    totals() {
      const s = native.stats();
      if (s.psRecv === undefined) return undefined;
      reads++;
      return { received: s.psRecv, dropped: s.psDrop ?? 0, reads };
    },
    unavailable() {
      const s = native.stats();
      if (s.psRecv !== undefined) return undefined;
      // before the thread's first read (≤ 100 ms after the start), or pcap_stats() failed
      return s.statsError ? { code: PcapStatsUnavailable.ReadFailed, detail: `pcap_stats(): ${s.statsError}` } : undefined;
    },
  };
  return {
    kind: 'native',
    linkName: capNameOfDlt(opened.dlt, opened.dltName),
    note: describeReader('native', undefined, addon.libVersion()),
    pcapStats,
    readerDropped: () => native.stats().queueDropped,
    readError: () => native.stats().readError,
    start(deliver, problem) {
      // the whole batch is decoded in one loop: one call from the reader thread, one view, one record object
      const record = (data: Uint8Array) => (r: BatchRecord) => deliver(r.tsSec + r.tsUsec / 1e6, r.caplen, r.len < r.caplen ? r.caplen : r.len, data, r.offset);
      const decoders = views.map((v) => record(v));
      onBatch = (b) => {
        const view = views[b.slot];
        if (!view || !b.count || b.bytes > view.byteLength) return;
        // the view is lent for this call only: deliver() copies what outlives it (ring, writer); the collector keeps nothing
        const r = decodeBatch(view.subarray(0, b.bytes), b.count, decoders[b.slot]);
        if (r.problem) problem(`the capture reader handed over a malformed batch (${r.problem}); the rest of that batch was skipped`);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      native.stop();
      // what the thread read before it stopped
      for (const b of native.take()) onBatch?.(b);
    },
  };
}

/** Interface names for "no such interface" (cap lists them itself; the native reader does not). */
function interfaceNames(): string[] {
  try {
    return [...readdirSync('/sys/class/net'), 'any'];
  } catch {
    return ['any'];
  }
}

/** Captures until the duration elapses or the signal aborts; the common case for the CLI. */
export async function captureLive(opts: LiveCaptureOptions): Promise<LiveCaptureResult> {
  return (await startLiveCapture(opts)).done;
}

/** The counters that have a value: an unreadable one is left out, never reported as 0. */
export function definedCounters(c: LiveCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) if (typeof v === 'number') out[k] = v;
  return out;
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

/** libpcap's link-type names (pcap_datalink_val_to_name) as the report says them; the number stays in counters.linktype. */
const LINK_IN_WORDS: Record<string, string> = {
  ETHERNET: 'Ethernet',
  LINKTYPE_LINUX_SLL: 'Linux cooked capture',
  LINUX_SLL: 'Linux cooked capture',
  LINUX_SLL2: 'Linux cooked capture v2',
  RAW: 'raw IP',
  NULL: 'BSD loopback',
  IEEE802_11_RADIO: '802.11 with radiotap',
};
