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
  try {
    return await fs.readFile(path);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${describeFsError(err)}`);
  }
}
