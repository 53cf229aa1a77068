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

function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control > n * 0.1;
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
