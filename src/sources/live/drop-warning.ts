/**
 * The warning a live capture gives as soon as libpcap starts dropping frames (issue 21
 * §1): its socket's ring was full because the capture did not read fast enough, so the
 * analysis misses frames from then on. Said once, at once, with what helps: fewer frames
 * through the filter (the cost is per frame), less copied per frame, or a capture by
 * tcpdump to a file that ipsec-doctor reads afterwards (file reading is many times faster
 * than the per-frame live path).
 */
export interface DropWarningInput {
  iface: string;
  dropped: number;
  /** native reader: frames its batch buffer had no room for (the analysis fell behind) */
  readerDropped?: number;
  /** libpcap's ps_recv: frames that passed the filter, the dropped ones included */
  received?: number;
  /** the filter in use, when the user gave one */
  filter?: string;
}

export function dropWarning({ iface, dropped, readerDropped, received, filter }: DropWarningInput): string {
  const share = received ? ` of ${received}` : '';
  const narrower = filter ? 'a narrower --filter than the one given' : "a narrower --filter (e.g. only the peer: --filter 'host PEER and (udp port 500 or udp port 4500 or esp)')";
  const where = !dropped && readerDropped
    ? `the capture reader is dropping frames on ${iface}: ${readerDropped}${share} so far (its batch buffer was full; the analysis is not keeping up)`
    : `libpcap is dropping frames on ${iface}: ${dropped}${share} so far (its ring was full; the capture is not keeping up)${readerDropped ? `, and the capture reader ${readerDropped} more (the analysis is not keeping up)` : ''}`;
  return (
    `${where}, so the analysis misses traffic. ` +
    `Use ${narrower}, a smaller --snaplen (e.g. --snaplen 256), or capture with \`tcpdump -i ${iface} -w FILE.pcap\` and analyse the file afterwards (ipsec-doctor --pcap FILE.pcap)`
  );
}

/** The live view's short form, under its counters (the count is on the line above; fits 80 columns). */
export function dropWarningShort(): string {
  return '⚠ dropping frames: use a narrower --filter, --snaplen, or tcpdump -w + --pcap';
}
