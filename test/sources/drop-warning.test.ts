/**
 * The drop warning names where frames were lost: libpcap's ring (the kernel) or the
 * native reader's batch pool (the analysis fell behind), or both, with the same advice.
 */
import { describe, expect, it } from 'vitest';
import { dropWarning } from '../../src/sources/live/drop-warning.js';

describe('drop warning', () => {
  it('libpcap drops: the ring was full', () => {
    const w = dropWarning({ iface: 'eth0', dropped: 12, received: 1000 });
    expect(w).toMatch(/^libpcap is dropping frames on eth0: 12 of 1000 so far \(its ring was full; the capture is not keeping up\), so the analysis misses traffic\. /);
    expect(w).not.toContain('capture reader');
  });

  it('reader drops only: the batch pool was full, the analysis is not keeping up', () => {
    const w = dropWarning({ iface: 'eth0', dropped: 0, readerDropped: 7, received: 1000, filter: 'esp' });
    expect(w).toMatch(/^the capture reader is dropping frames on eth0: 7 of 1000 so far \(its batch buffer was full; the analysis is not keeping up\), so the analysis misses traffic\. Use a narrower --filter than the one given/);
    expect(w).not.toContain('libpcap is dropping');
  });

  it('both: each named with its count', () => {
    const w = dropWarning({ iface: 'eth0', dropped: 3, readerDropped: 5 });
    expect(w).toContain('libpcap is dropping frames on eth0: 3 so far (its ring was full; the capture is not keeping up), and the capture reader 5 more (the analysis is not keeping up), so the analysis misses traffic.');
    expect(w).toContain('tcpdump -i eth0 -w FILE.pcap');
  });
});
