/**
 * The optional batch capture reader (native/pcap-reader): libpcap read on a thread of
 * its own, handed to JavaScript one batch per hand-off (live/batch-records.ts).
 *
 * Why not `cap` alone (issue 21 §1, measured on the 2-core benchmark machine): cap calls
 * into JavaScript once per frame, about 4.5 µs of CPU per frame with an empty handler,
 * and the capture's own decoding adds ~1.5 µs; on the one JavaScript thread that left
 * libpcap's ring to overflow from ~20,000 frames/s on (tcpdump: ~50,000/s). The native
 * reader's thread drains the ring whatever JavaScript is doing (decoding, the
 * interactive view's interim analyses, GC), and JavaScript pays one call per batch.
 *
 * When the addon is not built (no compiler or libpcap-dev at install; never an install
 * failure) live capture uses `cap`, and the report's live input says which reader ran.
 * IPSEC_DOCTOR_LIVE_READER=cap forces `cap` (the benchmark compares both).
 */
import { requireNativeAddon } from './native-addon.js';

/** One batch lent to JavaScript: the first `bytes` bytes of pool[slot], `count` records. */
export interface NativeBatch {
  slot: number;
  bytes: number;
  count: number;
}

/** The reader's counters; psRecv/psDrop are libpcap's pcap_stats(), read by this call while the capture runs, the final read after stop(). */
export interface NativeReaderStats {
  psRecv?: number;
  psDrop?: number;
  psIfdrop?: number;
  /** frames the reader took from libpcap but had no room for: JavaScript fell behind by a whole batch buffer */
  queueDropped: number;
  queueDroppedBytes: number;
  /** frames handed to JavaScript so far */
  delivered: number;
  /** frames waiting for the next hand-off */
  queued: number;
  queuedBytes: number;
  /** the pool's size: the most the reader ever holds */
  queueBytes: number;
  /** pcap_stats() failed: its message */
  statsError?: string;
  /** pcap_dispatch() failed (interface gone, …): its message; the thread has ended */
  readError?: string;
}

export interface NativeReader {
  /** after stop(): the batches JavaScript has not had yet, in order (their pool slots are free again at once) */
  take(): NativeBatch[];
  /** ends the thread (pcap_breakloop + join), closes libpcap; idempotent */
  stop(): void;
  stats(): NativeReaderStats;
}

export interface NativeOpenOptions {
  device: string;
  filter: string;
  snaplen: number;
  bufferSize: number;
  /**
   * the batch buffers (2–64, each at least 16 + snaplen bytes): the thread writes into
   * them directly and lends each to onBatch for the call only; when all are full,
   * frames are dropped (readerDropped). The pool is all the memory the reader holds.
   */
  pool: Buffer[];
  /** libpcap's read timeout: how long a partly filled TPACKET_V3 block may wait before it is handed over */
  timeoutMs: number;
  /** called on the main thread per batch: pool[slot] is lent until it returns (copy what you keep) */
  onBatch: (slot: number, bytes: number, count: number) => void;
}

export interface PcapReaderAddon {
  open(o: NativeOpenOptions): { reader: NativeReader; dlt: number; dltName: string };
  libVersion(): string;
}

/** Which reader a live capture used, and why when it is not the native one. */
export type LiveReaderKind = 'native' | 'cap';

let addonCache: PcapReaderAddon | string | undefined;

/** The built addon, or why it cannot be used (never throws). */
export function loadPcapReaderAddon(env: NodeJS.ProcessEnv = process.env): PcapReaderAddon | string {
  if (env.IPSEC_DOCTOR_LIVE_READER === 'cap') return 'IPSEC_DOCTOR_LIVE_READER=cap';
  if (addonCache !== undefined) return addonCache;
  if (process.platform !== 'linux') return (addonCache = `not built on ${process.platform}`);
  const r = requireNativeAddon('pcap-reader', 'pcap_reader.node');
  if ('missing' in r) return (addonCache = 'native/pcap-reader not built');
  if ('error' in r) return (addonCache = `native/pcap-reader does not load: ${r.error}`);
  const mod = r.module as Partial<PcapReaderAddon>;
  addonCache = typeof mod.open === 'function' && typeof mod.libVersion === 'function' ? (mod as PcapReaderAddon) : 'native/pcap-reader loaded without open()';
  return addonCache;
}

/**
 * libpcap's DLT_ value → the link-type name `cap` reports (live/link-types.ts speaks
 * those names). DLT_RAW is 12 on Linux (14 on some BSDs); both are LINKTYPE_RAW.
 */
const CAP_NAME_BY_DLT: Record<number, string> = { 0: 'NULL', 1: 'ETHERNET', 12: 'RAW', 14: 'RAW', 113: 'LINKTYPE_LINUX_SLL', 127: 'IEEE802_11_RADIO' };

export function capNameOfDlt(dlt: number, dltName: string): string {
  return CAP_NAME_BY_DLT[dlt] ?? `Unknown linktype ${dltName || dlt}`;
}

/** The report's words for the reader (InputInfo.note of a live input), short: the text header shows it. */
export function describeReader(kind: LiveReaderKind, why?: string, libVersion?: string): string {
  if (kind === 'native') {
    const version = libVersion && /libpcap version ([\w.+-]+)/.exec(libVersion)?.[1];
    return `native reader (libpcap${version ? ` ${version}` : ''} on its own thread)`;
  }
  return `cap reader (one call per frame${why ? `; ${why}` : ''})`;
}
