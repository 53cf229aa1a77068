/**
 * Loads the optional `cap` addon (libpcap binding) on demand. It is an
 * optionalDependency: a user without libpcap headers still gets every file-based
 * feature, and `--live` says exactly what to install.
 */
import type { EventEmitter } from 'node:events';
import { InputError } from '../../errors.js';

export interface CapDevice {
  name: string;
  description?: string;
  addresses?: { addr: string }[];
}

/** The part of cap's `Cap` instance we use (cap 0.2.x, lib/Cap.js + src/binding.cc). */
export interface CapHandle extends EventEmitter {
  /** returns the link type name: ETHERNET, NULL, LINKTYPE_LINUX_SLL, RAW, IEEE802_11_RADIO, or "Unknown linktype N" */
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
}

export interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

export const CAP_INSTALL_HINT = 'install libpcap and rebuild the optional addon: apt-get install libpcap-dev && npm rebuild cap';

export async function loadCap(): Promise<CapModule> {
  // a variable specifier keeps TypeScript from requiring cap's (absent) type declarations
  const specifier = 'cap';
  let mod: { default?: CapModule } & Partial<CapModule>;
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new InputError(`live capture needs the optional 'cap' addon, which could not be loaded (${firstLine(err)})`, CAP_INSTALL_HINT);
  }
  const cap = (mod.default ?? mod) as Partial<CapModule>;
  if (typeof cap.Cap !== 'function') throw new InputError("the 'cap' module loaded but has no Cap class", CAP_INSTALL_HINT);
  return cap as CapModule;
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
