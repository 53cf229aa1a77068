import { promises as fs } from 'node:fs';
import { InputError } from '../errors.js';
import { describeFsError } from './open-input.js';

/**
 * Reads a whole, small input file (config, ruleset) with a size cap, turning every
 * failure into a one-line InputError (exit 2). Logs and captures stream instead.
 */
export async function readCappedFile(path: string, maxBytes: number, hints: { directory: string; tooLarge: string; tooLargeHint?: string }): Promise<Buffer> {
  let st;
  try {
    st = await fs.stat(path);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  if (st.isDirectory()) throw new InputError(`${path} is a directory`, hints.directory);
  if (st.size > maxBytes) throw new InputError(`${path} is ${st.size} bytes: ${hints.tooLarge}`, hints.tooLargeHint);
  let fh;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  // read up to the cap, not to the end: a pipe or a device (`-c <(iptables-save)`, /dev/zero) has no size to check first
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new InputError(`${path} is more than ${maxBytes} bytes: ${hints.tooLarge}`, hints.tooLargeHint);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${path}: ${describeFsError(err)}`);
  } finally {
    await fh.close();
  }
}
