/**
 * Whatever order or mix of real daemon lines the log checks see, none of them
 * throws (a throw would turn the check's result into status 'error'), and every
 * finding points at evidence. Lines are real ones from the tests' corpus excerpts,
 * shuffled, duplicated, truncated and mixed across strongSwan and libreswan.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diagnoseLines } from '../helpers/diagnose-lines.js';
import { strongswanPskMismatchResponder } from './fixtures/strongswan-psk-mismatch-responder.js';

const REAL_LINES = [
  ...strongswanPskMismatchResponder,
  // libreswan/libreswan testing/pluto/* consoles (GPLv2+), see the per-check tests for each origin
  '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: processing IKE_AUTH response from 192.1.2.23:UDP/500 containing SK{IDr,AUTH,N(NO_PROPOSAL_CHOSEN)}',
  "\"westnet-eastnet-ipv4-psk-ikev2\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
  '"westnet-eastnet-ipv4-psk-ikev2" #2: IKE_AUTH response rejected Child SA with TS_UNACCEPTABLE',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: ESTABLISHED_IKE_SA: retransmission; will wait 1 second for response',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: liveness action - clearing connection kind CK_PERMANENT',
  '"west" #2: retransmitting IKE_SA_INIT request; will wait 0.5 seconds for response',
  '"west" #2: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
  '"x509" #1: STATE_MAIN_I3: 10 second timeout exceeded after 0 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message',
  '"westnet-eastnet-ipv4-psk-ikev2" #1: received unauthenticated INVALID_KE_PAYLOAD response to Key Exchange Method (DH) MODP1536; resending with suggested MODP2048',
  '"westnet-eastnet-ipv4-psk-ikev2" #2: no local proposal matches remote proposals 1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO',
  '"west-east" #2: CHILD SA failed: TEMPORARY_FAILURE',
  '| NAT-Traversal: Result using RFC 3947 (NAT-Traversal) sender port 500: peer behind NAT',
  // libreswan/libreswan testing/pluto/interop-ikev2-strongswan-* consoles, `strongswan up` output (GPLv2+)
  'parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]',
  "peer didn't accept key exchange method MODP_1536, it requested MODP_2048",
  'parsed IKE_AUTH response 1 [ EF(1/5) ]',
  'received fragment #5 of 5, reassembled fragmented IKE message (XXX bytes)',
  'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built',
  'local host is behind NAT, sending keep alives',
  'IKE_SA westnet-eastnet-ikev2[1] established between 192.1.2.45[west]...192.1.2.23[east]',
  'CHILD_SA westnet-eastnet-ikev2{1} established with SPIs SPISPI_i SPISPI_o and TS 192.0.1.0/24 === 192.0.2.0/24',
  'certificate status is not available',
  'Nov 22 21:30:04 15[IKE] <west-east|1> retransmit 1 of request with message ID 0',
  'Nov 22 21:32:44 10[IKE] <west-east|1> giving up after 5 retransmits',
];

const LOG_CHECKS = ['authentication', 'dead-peer-detection', 'ike-fragmentation', 'ike-reachability', 'log-perspective', 'nat-traversal', 'peer-identity', 'proposal-mismatch', 'sa-install', 'traffic-selectors', 'tunnel-state'];

const line = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...REAL_LINES) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REAL_LINES), fc.nat(200)).map(([l, n]) => l.slice(0, n)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }).map((s) => s.replace(/\n/g, ' ')) },
);

describe('log checks on shuffled and mutated real lines', () => {
  it('never throw and always attach evidence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
        // a file needs one recognisable line for dialect detection; the first real line guarantees it
        const report = await diagnoseLines({ name: 'mixed.log', lines: [REAL_LINES[0], ...lines] }, { only: LOG_CHECKS });
        for (const r of report.results) expect(r.error, `${r.check} threw`).toBeUndefined();
        for (const f of report.findings) expect(f.evidence.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});
