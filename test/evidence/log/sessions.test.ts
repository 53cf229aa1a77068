import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logFiles } from '../../../src/evidence/derived/log/sessions.js';
import { retransmitChains, stageOf } from '../../../src/evidence/derived/log/retransmits.js';
import { logExchanges } from '../../../src/evidence/derived/log/exchanges.js';
import { strongswanPskMismatchResponder } from '../../checks/fixtures/strongswan-psk-mismatch-responder.js';

async function evidenceOf(files: Record<string, readonly string[]>) {
  const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-sessions-'));
  try {
    const logs = Object.entries(files).map(([name, lines]) => {
      const p = join(dir, name);
      writeFileSync(p, lines.join('\n') + '\n');
      return p;
    });
    return await buildEvidence({ logs, pcaps: [], configs: [], host: false, local: [], peer: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// libreswan/libreswan testing/pluto/ikev2-tcp-00-enable-tcp-no/west.console.txt (GPLv2+)
const libreswanNoResponse = [
  '"west" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
  '"west" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
  '"west" #1: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
  '"west" #2: initiating IKEv2 connection to 192.1.2.23 using UDP',
  '"west" #2: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
  '"west" #2: retransmitting IKE_SA_INIT request; will wait 0.5 seconds for response',
  '"west" #2: retransmitting IKE_SA_INIT request; will wait 1 second for response',
  '"west" #2: IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
];

describe('log sessions', () => {
  it('groups events per file and SA and infers the role per SA and per file', async () => {
    const ev = await evidenceOf({ 'east.log': strongswanPskMismatchResponder, 'west.log': libreswanNoResponse });
    const files = logFiles(ev);
    expect(files.map((f) => [f.source.split('/').pop(), f.role])).toEqual([['east.log', 'responder'], ['west.log', 'initiator']]);
    const west = files[1];
    expect(west.sessions.map((s) => [s.sa, s.role, s.conn])).toEqual([['#1', 'initiator', 'west'], ['#2', 'initiator', 'west']]);
    // charon names the SA <1> before the peer config is known and <west-east|1> after: one session
    const sa1 = files[0].sessions.find((s) => s.key === 'sa:1')!;
    expect(sa1).toMatchObject({ role: 'responder', conn: 'west-east' });
    expect(sa1.events.map((e) => e.at.line)).toEqual(expect.arrayContaining([2, 3, 8, 9, 11, 12]));
    expect(logFiles(ev)).toBe(files); // memoised
  });

  it('builds retransmit chains with count, waits, peer and stage', async () => {
    const ev = await evidenceOf({ 'west.log': libreswanNoResponse });
    const chains = retransmitChains(ev);
    expect(chains).toHaveLength(2);
    expect(chains[1]).toMatchObject({ count: 5, waits: [0.5, 1], answered: false, afterEstablished: false, peer: { address: '192.1.2.23', port: 500 } });
    expect(chains[1].retransmits.map((r) => r.at.line)).toEqual([6, 7]);
    expect(chains[1].giveUp?.at.line).toBe(8);
    expect(stageOf(chains[1])).toBe('first');
  });

  it('pairs requests and responses into exchanges', async () => {
    const ev = await evidenceOf({ 'east.log': strongswanPskMismatchResponder });
    const xs = logExchanges(ev).map((x) => [x.exchange, x.msgid, x.initiatedHere, x.request?.at.line, x.response?.at.line, x.responseNotifies]);
    expect(xs).toEqual([
      ['IKE_SA_INIT', 0, false, 2, 5, expect.arrayContaining(['NAT_DETECTION_SOURCE_IP'])],
      ['IKE_AUTH', 1, false, 8, 12, ['AUTHENTICATION_FAILED']],
    ]);
  });
});
