/**
 * The packet checks on mutated real captures: whatever the decoder makes of flipped,
 * truncated or spliced bytes, no packet check throws (a throw would turn its result
 * into status 'error') and every finding still points at a frame. Inputs are the real
 * captures of test/fixtures/pcaps (PROVENANCE.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPacketCollector } from '../../src/wire/collector/packet-collector.js';
import { createPcapReader } from '../../src/wire/pcap.js';
import { analyse } from '../../src/run.js';
import espFlows from '../../checks/esp-flows.js';
import ikeFragmentation from '../../checks/ike-fragmentation.js';
import ikeReachability from '../../checks/ike-reachability.js';
import natTraversal from '../../checks/nat-traversal.js';
import pathMtu from '../../checks/path-mtu.js';
import proposalMismatch from '../../checks/proposal-mismatch.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pcaps');
const CAPTURES = [
  'ikev2-nat-auth-ipfrag-no-response.pcap', 'ikev1-natt-float-4500-keepalive-one-way-esp.pcap', 'ikev1-mm-no-proposal-notify-retransmit-esp.pcap',
  'ikev2-natt-cookie-invalid-ke-excerpt.pcap', 'pmtu-blackhole-veth-lab.pcap', 'ike-port-unreachable-lo-lab.pcap', 'icmp-frag-needed-mtu500-from-vpn-gw.pcap',
  'esp-replay-gap-spi0-ipfrag.pcap', 'lab-nat-udp4500-blocked-left.pcap',
].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(FIXTURES, n))) }));
const CHECKS = [espFlows, ikeFragmentation, ikeReachability, natTraversal, pathMtu, proposalMismatch];

async function runChecksOn(name: string, bytes: Uint8Array) {
  const collector = createPacketCollector({ local: [], peer: [] });
  const reader = createPcapReader(name, {
    frame: (f) => collector.addFrame(f),
    diagnostic: (message, frame) => collector.addDiagnostic({ at: { source: name, frame }, decoder: 'pcap', message }),
  });
  reader.push(bytes);
  reader.end();
  const packets = collector.finish();
  return analyse({ inputs: [], packets, diagnostics: collector.diagnostics(), options: { local: [], peer: [] } }, { checks: CHECKS });
}

describe('packet checks on mutated real captures', () => {
  it('never end in status error, and every finding cites a frame', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CAPTURES),
        // flips after the 24-byte file header, so the reader keeps going and the decoders get the damage
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }),
        fc.option(fc.nat(), { nil: undefined }),
        async ({ name, bytes }, flips, cut) => {
          const mutated = bytes.slice(0, cut === undefined ? bytes.length : 24 + (cut % Math.max(1, bytes.length - 24)));
          for (const [at, value] of flips) if (mutated.length > 24) mutated[24 + (at % (mutated.length - 24))] = value;
          const report = await runChecksOn(name, mutated);
          expect(report.results.filter((r) => r.status === 'error').map((r) => `${r.check}: ${r.error}`)).toEqual([]);
          for (const f of report.findings) {
            expect(f.evidence.length).toBeGreaterThan(0);
            for (const e of f.evidence) expect(e.frame).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
