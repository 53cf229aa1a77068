/**
 * The public log corpus (../shared/corpus/logs, see its MANIFEST.md): for every file,
 * the failure classes a correct diagnosis must report and must not report, mapped to
 * our codes as the MANIFEST's table says. Skips, saying so, when the corpus is absent
 * (a user's clone does not have it); CI runs it with `npm run test:corpus`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/run.js';
import type { Report } from '../../src/report/types.js';
import { logDialects } from '../../src/platforms/index.js';

const CORPUS = resolve(process.env.IPSEC_DOCTOR_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));
const LOGS = join(CORPUS, 'logs');
const present = existsSync(join(LOGS, 'MANIFEST.md'));
if (!present) console.warn(`[corpus] skipping the log corpus tests: ${LOGS}/MANIFEST.md not found (set IPSEC_DOCTOR_CORPUS to the corpus directory)`);

/** MANIFEST class IDs → our codes (any one of them satisfies the class). */
const CLASS: Record<string, string[]> = {
  SUCCESS: ['TUNNEL_ESTABLISHED'],
  IKE_PROPOSAL_MISMATCH: ['IKE_PROPOSAL_MISMATCH'],
  CHILD_PROPOSAL_MISMATCH: ['CHILD_PROPOSAL_MISMATCH'],
  DH_GROUP_RENEGOTIATED: ['DH_GROUP_RENEGOTIATED'],
  NO_MATCHING_CONNECTION: ['NO_MATCHING_CONNECTION', 'PEER_ID_MISMATCH'],
  AUTH_FAILED: ['AUTH_FAILED'],
  PEER_ID_MISMATCH: ['PEER_ID_MISMATCH'],
  TS_MISMATCH: ['TS_MISMATCH'],
  PEER_NOT_RESPONDING: ['IKE_NO_RESPONSE'],
  DPD_TIMEOUT: ['DPD_TIMEOUT'],
  NAT_T: ['NAT_DETECTED'],
  IKE_FRAGMENTATION: ['IKE_FRAGMENTATION_USED', 'IKE_FRAGMENTS_DROPPED'],
  SA_INSTALL_FAILURE: ['SA_INSTALL_FAILED'],
  CERT_STATUS_UNAVAILABLE: ['CERT_STATUS_UNAVAILABLE'],
};
/** "must not: any failure class" = no error-severity finding at all. */
const NO_ERRORS = 'ANY_FAILURE';

interface Case {
  file: string;
  must: string[];
  mustNot?: string[];
  /** extra assertions on the report */
  also?: (r: Report) => void;
  /** vendor dialect that must recognise the file; the case is skipped until one does */
  vendor?: string;
}

const CASES: Case[] = [
  { file: 'libreswan/ikev2-psk-established-initiator.log', must: ['SUCCESS'], mustNot: [NO_ERRORS] },
  { file: 'libreswan/ikev1-esp-proposal-mismatch-initiator.log', must: ['CHILD_PROPOSAL_MISMATCH'], mustNot: ['IKE_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
  { file: 'libreswan/ikev1-esp-proposal-mismatch-responder.log', must: ['CHILD_PROPOSAL_MISMATCH'] },
  { file: 'libreswan/ikev1-aggressive-ike-dh-mismatch-initiator.log', must: ['IKE_PROPOSAL_MISMATCH'], mustNot: ['AUTH_FAILED'] },
  { file: 'libreswan/ikev2-child-esp-proposal-mismatch-initiator.log', must: ['CHILD_PROPOSAL_MISMATCH'], mustNot: ['IKE_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
  {
    file: 'libreswan/ikev2-child-esp-proposal-mismatch-responder.log', must: ['CHILD_PROPOSAL_MISMATCH'],
    also: (r) => expect(JSON.stringify(r.findings.find((f) => f.code === 'CHILD_PROPOSAL_MISMATCH')?.data.received)).toContain('AES_CBC_128'),
  },
  {
    file: 'libreswan/responder-has-no-connection-ikev1-ikev2.log', must: ['NO_MATCHING_CONNECTION'],
    // RFC 7296: NO_PROPOSAL_CHOSEN in IKE_SA_INIT may also be "no connection"; the tool must say both
    also: (r) => expect(r.findings.some((f) => f.code === 'NO_MATCHING_CONNECTION' && /no connection/.test(f.message))).toBe(true),
  },
  { file: 'libreswan/ikev2-invalid-ke-dh-retry-success.log', must: ['SUCCESS', 'DH_GROUP_RENEGOTIATED'], mustNot: [NO_ERRORS] },
  {
    file: 'libreswan/ikev2-psk-missing-on-responder-auth-failed.log', must: ['AUTH_FAILED'], mustNot: ['IKE_PROPOSAL_MISMATCH'],
    also: (r) => {
      const f = r.findings.find((x) => x.code === 'AUTH_FAILED')!;
      expect(f.data.side).toBe('initiator');
      expect((f.data.causes as string[]).join(' ')).toMatch(/pre-shared key differs.*no pre-shared key.*identity/);
    },
  },
  {
    file: 'libreswan/ikev2-peer-id-mismatch-x509.log', must: ['PEER_ID_MISMATCH'],
    also: (r) => expect(r.findings.filter((f) => f.code === 'AUTH_FAILED' && f.data.method === 'pre-shared key')).toEqual([]),
  },
  { file: 'libreswan/ikev1-peer-id-mismatch-x509.log', must: ['PEER_ID_MISMATCH'] },
  { file: 'libreswan/ikev2-ts-unacceptable-initiator.log', must: ['TS_MISMATCH'], mustNot: ['AUTH_FAILED'] },
  {
    file: 'libreswan/ikev2-no-response-udp-blocked.log', must: ['PEER_NOT_RESPONDING'],
    mustNot: ['IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH', 'AUTH_FAILED', 'PEER_ID_MISMATCH', 'TS_MISMATCH'],
    also: (r) => expect(r.findings.find((f) => f.code === 'IKE_NO_RESPONSE')?.data).toMatchObject({ retransmits: 5, peer: '192.1.2.23:500' }),
  },
  { file: 'libreswan/ikev1-dpd-timeout-hold.log', must: ['DPD_TIMEOUT', 'SUCCESS'] },
  { file: 'libreswan/ikev2-liveness-timeout-clear.log', must: ['DPD_TIMEOUT'] },
  { file: 'libreswan/ikev1-nat-t-initiator-behind-nat.log', must: ['SUCCESS', 'NAT_T'] },
  { file: 'libreswan/ikev1-nat-t-responder.log', must: ['NAT_T'], mustNot: [NO_ERRORS] },
  { file: 'libreswan/ikev2-fragmented-ike-auth-success.log', must: ['SUCCESS', 'IKE_FRAGMENTATION'] },
  { file: 'libreswan/ikev1-fragmentation-success.log', must: ['SUCCESS', 'IKE_FRAGMENTATION'] },
  {
    file: 'libreswan/ikev1-oversized-ike-no-fragmentation-timeout.log', must: ['PEER_NOT_RESPONDING', 'IKE_FRAGMENTATION'],
    also: (r) => {
      expect(r.findings.map((f) => f.code)).toContain('IKE_FRAGMENTS_DROPPED');
      // pluto's "10 second timeout exceeded after 0 retransmits"
      expect(r.findings.find((f) => f.code === 'IKE_NO_RESPONSE')?.message).toMatch(/to the Main Mode authentication exchange \(phase 1, messages 5–6\), sent once and unanswered for 10 s\.$/);
    },
  },
  { file: 'libreswan/ikev2-child-sa-kernel-install-failure.log', must: ['SA_INSTALL_FAILURE'], mustNot: ['CHILD_PROPOSAL_MISMATCH', 'TS_MISMATCH'] },

  { file: 'strongswan/ikev2-psk-established-initiator-stroke.log', must: ['SUCCESS'], mustNot: ['NAT_T', NO_ERRORS] },
  { file: 'strongswan/ikev2-invalid-ke-retry-success-stroke.log', must: ['SUCCESS', 'DH_GROUP_RENEGOTIATED'], mustNot: [NO_ERRORS] },
  { file: 'strongswan/ikev2-initiator-behind-nat-stroke.log', must: ['SUCCESS', 'NAT_T'] },
  { file: 'strongswan/ikev2-child-no-proposal-mode-mismatch-stroke.log', must: ['CHILD_PROPOSAL_MISMATCH'], mustNot: ['IKE_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
  {
    file: 'strongswan/ikev2-fragmented-response-ocsp-fallback-stroke.log', must: ['SUCCESS', 'IKE_FRAGMENTATION', 'CERT_STATUS_UNAVAILABLE'], mustNot: ['AUTH_FAILED'],
    also: (r) => expect(r.findings.find((f) => f.code === 'CERT_STATUS_UNAVAILABLE')?.severity).toBe('warning'),
  },

  {
    file: 'juniper-srx/kmd-syslog-ike-timeout-ts-mismatch-mixed.log', vendor: 'juniper-srx', must: ['PEER_NOT_RESPONDING', 'TS_MISMATCH', 'SUCCESS'], mustNot: ['AUTH_FAILED'],
    // kmd's "IKE negotiation failed with error: Timed out" counts no retransmissions: the finding must not claim a number;
    // it names the phase (the IKE SA's setup), not the exchange: the causes of the first and the auth exchange, an error
    also: (r) => {
      const silent = r.findings.find((f) => f.code === 'IKE_NO_RESPONSE' && f.data.peer === '67.43.156.1:500')!;
      expect(silent.data).toMatchObject({ counted: false, stage: 'setup' });
      expect(silent.data.retransmits).toBeUndefined();
      expect(silent.message).toBe('No response from 67.43.156.1:500 to phase 1 (Main or Aggressive Mode) until the daemon gave up (its log does not count the retransmissions).');
      expect(silent.severity).toBe('error');
      const causes = silent.data.causes as string[];
      expect(causes[0]).toMatch(/^UDP 500\/4500 blocked/);
      expect(causes.some((c) => /Main Mode 5 message \(certificates\) dropped as IP fragments/.test(c))).toBe(true);
    },
  },
  { file: 'fortigate/event-log-ipsec-phase1-proposal-error-excerpt.log', vendor: 'fortigate', must: ['IKE_PROPOSAL_MISMATCH'], mustNot: ['SUCCESS'] },
  { file: 'cisco-asa/syslog-ike-ipsec-events-excerpt.log', vendor: 'cisco-asa', must: ['CHILD_PROPOSAL_MISMATCH', 'NO_MATCHING_CONNECTION', 'SUCCESS'], mustNot: ['AUTH_FAILED'] },
];

function codesFor(cls: string): string[] {
  const codes = CLASS[cls];
  if (!codes) throw new Error(`unknown MANIFEST class ${cls}`);
  return codes;
}

describe.skipIf(!present)('log corpus (MANIFEST.md expectations)', () => {
  for (const c of CASES) {
    it(`${c.file}: must ${c.must.join(', ')}${c.mustNot?.length ? `; must not ${c.mustNot.join(', ')}` : ''}`, async (ctx) => {
      if (c.vendor && !logDialects.some((d) => d.id === c.vendor)) {
        ctx.skip(`no ${c.vendor} log dialect is registered yet (src/platforms/index.ts)`);
        return;
      }
      const report = await diagnose({ logs: [join(LOGS, c.file)], pcaps: [], configs: [], host: false, local: [], peer: [] });
      if (c.vendor) expect(report.inputs[0]?.dialect).toBe(c.vendor);
      const codes = new Set(report.findings.map((f) => f.code));
      const summary = report.findings.map((f) => `${f.severity} ${f.code}: ${f.message}`).join('\n');
      for (const cls of c.must) expect(codesFor(cls).some((code) => codes.has(code)), `${cls} (${codesFor(cls).join('|')}) missing; got:\n${summary}`).toBe(true);
      for (const cls of c.mustNot ?? []) {
        if (cls === NO_ERRORS) expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code), `no failure expected; got:\n${summary}`).toEqual([]);
        else expect(codesFor(cls).filter((code) => codes.has(code)), `${cls} must not be reported; got:\n${summary}`).toEqual([]);
      }
      for (const f of report.findings) {
        expect(f.evidence.length).toBeGreaterThan(0);
        for (const e of f.evidence) expect(e.line, `${f.code} evidence has a line number`).toBeGreaterThan(0);
      }
      c.also?.(report);
    });
  }
});
