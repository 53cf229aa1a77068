/**
 * Recognises what a file is from its first bytes, so that a capture passed as a log
 * (or the reverse) gets a clear message and a hint instead of garbage findings.
 */
export type SniffedKind = 'pcap' | 'pcapng' | 'gzip' | 'text' | 'binary' | 'empty';

export function sniffKind(head: Buffer): SniffedKind {
  if (head.length === 0) return 'empty';
  if (head.length >= 4) {
    const le = head.readUInt32LE(0);
    if (le === 0xa1b2c3d4 || le === 0xd4c3b2a1 || le === 0xa1b23c4d || le === 0x4d3cb2a1) return 'pcap';
    if (le === 0x0a0d0d0a) return 'pcapng';
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return looksBinary(head) ? 'binary' : 'text';
}

/**
 * Binary is decided by proportion, as grep and file(1) look at content rather than at one
 * byte: a syslog left with NUL padding by an unclean shutdown, or one damaged line, is
 * still a text log (log-file.ts reads it and names the lines). Units are the sampled
 * bytes, except that a run of NULs (padding, a copytruncate hole) counts once; non-text
 * units are NUL runs, C0 controls other than tab, newlines, form feed, carriage return and
 * ESC (colour in journalctl output), DEL, and bytes that are not valid UTF-8. A sample
 * with no text at all is binary.
 */
const BINARY_SHARE = 0.3;
const SAMPLE_BYTES = 64 * 1024;

export function binaryShare(head: Uint8Array): { units: number; nonText: number; text: number } {
  const n = Math.min(head.length, SAMPLE_BYTES);
  let units = 0;
  let nonText = 0;
  let text = 0;
  for (let i = 0; i < n; ) {
    const b = head[i];
    if (b === 0) {
      while (i < n && head[i] === 0) i++;
      units++;
      nonText++;
      continue;
    }
    if (b < 0x80) {
      units++;
      if ((b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) || b === 0x7f) nonText++;
      else text++;
      i++;
      continue;
    }
    // a UTF-8 sequence: its lead byte says how many continuation bytes follow
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      if (i + k >= n) break; // cut by the sample's end: not held against it
      if ((head[i + k] & 0xc0) !== 0x80) ok = false;
    }
    units++;
    if (ok) {
      text++;
      i += 1 + Math.min(need, n - i - 1);
    } else {
      nonText++;
      i++;
    }
  }
  return { units, nonText, text };
}

function looksBinary(head: Buffer): boolean {
  const s = binaryShare(head);
  return s.text === 0 || s.nonText > s.units * BINARY_SHARE;
}

/** For a log input: undefined when it is text, else what it is and what to do. */
export function sniffBinary(head: Buffer): { what: string; hint: string } | undefined {
  switch (sniffKind(head)) {
    case 'pcap':
    case 'pcapng':
      return { what: 'it is a packet capture', hint: 'pass captures with --pcap FILE' };
    case 'binary':
      return { what: 'it holds binary data', hint: 'pass the IKE daemon log as text (charon.log, journalctl output, pluto.log); .gz files are read as they are' };
    default:
      return undefined;
  }
}
