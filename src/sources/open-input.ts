import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { InputError } from '../errors.js';

export interface OpenedInput {
  /** decompressed byte stream */
  stream: Readable;
  /** the first bytes of the decompressed content, for sniffing */
  head: Buffer;
  gzip: boolean;
  /** a regular file (not stdin, a FIFO or a device): it can be opened and read again from the start */
  regularFile: boolean;
  /** the file's path when it is a regular uncompressed file (inputChunks reads it itself) */
  path?: string;
  /** stop reading and release the file (for callers that only needed the head) */
  close(): void;
}

/** Chunk size of inputChunks' own reads: its buffers are reused, so their size costs no garbage. */
const REUSED_CHUNK_BYTES = 1024 * 1024;
const GUNZIP_CHUNK_BYTES = REUSED_CHUNK_BYTES;
const HEAD_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a file (or `-` for stdin) as a byte stream, transparently gunzipping when
 * the content starts with the gzip magic (whatever its name). Reads only a small
 * head for sniffing; the rest streams.
 */
export async function openInput(path: string): Promise<OpenedInput> {
  const held = heldForReading.get(path);
  if (held) {
    heldForReading.delete(path);
    return held;
  }
  let raw: Readable;
  let regularFile = false;
  if (path === '-') {
    raw = process.stdin;
  } else {
    let st;
    try {
      st = await fs.stat(path);
    } catch (err) {
      throw new InputError(`cannot read ${path}: ${describeFsError(err)}`);
    }
    if (st.isDirectory()) throw new InputError(`${path} is a directory, not a file`);
    regularFile = st.isFile();
    // 256 KiB reads: with the default 64 KiB a 1 GB log is 16,000 round trips to the thread pool,
    // and on a busy machine the decoder waited on them (a tenth of the run was idle); 1 MiB
    // chunks cost no less CPU but ~10 MB more peak RSS (chunks outlive young-generation GCs)
    raw = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
    // surface open errors (EACCES) as InputError rather than an unhandled stream error
    await new Promise<void>((resolve, reject) => {
      raw.once('open', () => resolve());
      raw.once('error', (err) => reject(new InputError(`cannot read ${path}: ${describeFsError(err)}`)));
    });
  }
  const { head: rawHead, rest } = await peek(raw, 2);
  const gzip = rawHead.length >= 2 && rawHead[0] === GZIP_MAGIC[0] && rawHead[1] === GZIP_MAGIC[1];
  let stream: Readable = rest;
  if (gzip) {
    // Output in chunks of the line reader's size (zlib gives 16 KiB by default). zlib inflates one
    // chunk on the thread pool per turn of the event loop, so a chunk this size is inflated while
    // the lines of the one before are read: with 256 KiB, three of the four inflates per MiB ran
    // while the reader waited, and a .gz took gzip's whole time longer than the plain file.
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    rest.on('error', (e) => gunzip.destroy(e));
    stream = rest.pipe(gunzip);
  }
  const peeked = await peek(stream, HEAD_BYTES).catch((err: unknown) => {
    throw new InputError(`cannot decompress ${path}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const close = () => {
    peeked.rest.destroy();
    if (raw !== process.stdin) raw.destroy();
  };
  return { stream: peeked.rest, head: peeked.head, gzip, regularFile, path: regularFile && !gzip ? path : undefined, close };
}


/**
 * The whole input's (decompressed) bytes, chunk by chunk; each chunk is valid only until the
 * next one is asked for. A regular uncompressed file is read again from its start into two
 * reused buffers (as pcap-file.ts readPlainFile does for captures): a stream allocates a buffer
 * per chunk, and chunks waiting in its queue outlive young-generation collections, are promoted
 * and keep their memory until a full GC (issue 21 §2: RSS followed the input size). Other inputs
 * (stdin, FIFOs, gzip) are read from the stream and gathered into one reused buffer (coalesced).
 */
export async function* inputChunks(opened: OpenedInput): AsyncGenerator<Buffer> {
  if (opened.path === undefined) {
    yield* coalesced(opened.stream as AsyncIterable<Buffer>);
    return;
  }
  opened.close();
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(opened.path, 'r');
  } catch (err) {
    throw new InputError(`cannot read ${opened.path}: ${describeFsError(err)}`);
  }
  // two buffers: the next chunk is read while the consumer works on the one just given
  const bufs = [Buffer.allocUnsafe(REUSED_CHUNK_BYTES), Buffer.allocUnsafe(REUSED_CHUNK_BYTES)];
  let which = 0;
  let pending: Promise<{ bytesRead: number }> | undefined = fh.read(bufs[0], 0, REUSED_CHUNK_BYTES, null);
  try {
    for (;;) {
      const { bytesRead } = await pending!;
      pending = undefined;
      if (bytesRead === 0) return;
      const chunk = bufs[which].subarray(0, bytesRead);
      which ^= 1;
      // one read in flight at a time, so `null` (the file position) stays sequential
      pending = fh.read(bufs[which], 0, REUSED_CHUNK_BYTES, null);
      yield chunk;
    }
  } finally {
    // a consumer that stops early leaves a read in flight: let it land before closing
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

/**
 * A stream's chunks (stdin's 64 KiB, gunzip's) gathered into reused 1 MiB buffers: the line
 * reader's cost per chunk (a batch, its line bounds, the line cut at the chunk's end) was as
 * much again as reading the lines of the chunk. The incoming chunk is copied and let go at once.
 */
async function* coalesced(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // one buffer is enough: this generator runs again only when the consumer asks for the next chunk
  const buf = Buffer.allocUnsafe(REUSED_CHUNK_BYTES);
  let fill = 0;
  try {
    for await (const chunk of stream) {
      // a chunk as big as ours (gunzip's, GUNZIP_CHUNK_BYTES) is handed on as it is: no copy, and
      // no second MiB held while it is read
      if (fill === 0 && chunk.length >= REUSED_CHUNK_BYTES) {
        yield chunk;
        continue;
      }
      let from = 0;
      while (from < chunk.length) {
        const n = Math.min(chunk.length - from, REUSED_CHUNK_BYTES - fill);
        chunk.copy(buf, fill, from, from + n);
        fill += n;
        from += n;
        if (fill === REUSED_CHUNK_BYTES) {
          // a new view each time: readers may key caches on the buffer they were given
          yield buf.subarray(0, fill);
          fill = 0;
        }
      }
    }
  } catch (err) {
    // a stream that fails part way (a cut .gz): what it gave before the failure is still read
    if (fill > 0) yield buf.subarray(0, fill);
    throw err;
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Reads up to n bytes from the front of a stream and returns them plus a stream that replays them. */
async function peek(src: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= n) finish();
    };
    const onEnd = () => finish();
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      src.off('data', onData);
      src.off('end', onEnd);
      src.off('error', onError);
    };
    const finish = () => {
      cleanup();
      src.pause();
      resolve();
    };
    src.on('data', onData);
    src.once('end', onEnd);
    src.once('error', onError);
  });
  const buffered = Buffer.concat(chunks);
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  out.write(buffered);
  if (src.readableEnded) {
    out.end();
  } else {
    src.on('error', (e) => out.destroy(e));
    src.pipe(out);
    src.resume();
  }
  return { head: buffered.subarray(0, n), rest: out };
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Inputs that sniffHead() opened and that cannot be opened a second time from the
 * start: stdin, a FIFO (`<(tcpdump -w - …)`, /dev/fd/3), a device. The next
 * openInput() of the same path takes the open stream over, its sniffed head included.
 */
const heldForReading = new Map<string, OpenedInput>();

/**
 * The first (decompressed) bytes of a file, for sniffing what it is. A regular file is
 * closed again (the loader re-opens it); stdin and FIFOs stay open for the loader.
 */
export async function sniffHead(path: string): Promise<Buffer> {
  const opened = await openInput(path);
  if (opened.regularFile) opened.close();
  else heldForReading.set(path, opened);
  return opened.head;
}
