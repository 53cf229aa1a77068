/**
 * Vendor dialects on the real corpus files (../shared/corpus/logs/{cisco-asa,fortigate,juniper-srx},
 * see MANIFEST.md): detected through the log source, the events the expected diagnosis
 * rests on are there, and the MANIFEST's traps (GRE, SSL-VPN, SNMP/SSH auth) yield nothing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLogFile } from '../../src/sources/log-file.js';
import type { LogEvent } from '../../src/evidence/log-events.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/logs', import.meta.url));
const present = existsSync(CORPUS);
if (!present) console.warn(`[corpus] ${CORPUS} not found: vendor corpus tests skipped (the corpus lives outside the repository)`);

async function load(sub: string) {
  const file = readdirSync(join(CORPUS, sub))[0];
  const r = await loadLogFile(join(CORPUS, sub, file));
  // a central log of several units is read host by host (issue 20 §4): their events together, in file order
  return { ...r, events: (r.hosts ?? [r]).flatMap((h) => h.events).sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0)) };
}
const lines = (events: LogEvent[], kind: string) => events.filter((e) => e.kind === kind).map((e) => e.at.line);

describe.skipIf(!present)('vendor dialects on the real corpus', () => {
  it('Cisco ASA: phase 2 proposal refusals, IKEv2 aborts, completions; not GRE, not User Requested', async () => {
    const r = await load('cisco-asa');
    expect(r.input).toMatchObject({ dialect: 'cisco-asa', lines: 25, unparsed: 0 });
    expect(lines(r.events, 'no-proposal-chosen')).toEqual([16, 17, 18, 19, 20]);
    expect(lines(r.events, 'negotiation-failed')).toEqual([7, 9, 11, 13]);
    expect(lines(r.events, 'child-established')).toEqual([2, 4, 14, 21, 24]);
    expect(lines(r.events, 'peer-retransmit')).toEqual([15]);
    // 106023 "Deny protocol 47" (GRE) and 113019 "Reason: User Requested" are not failures
    expect(r.events.filter((e) => e.at.line === 22)).toEqual([]);
    expect(r.events.filter((e) => e.at.line === 3).map((e) => e.kind)).toEqual(['sa-deleted']);
    expect(r.events.some((e) => e.kind === 'auth')).toBe(false);
  });

  it('FortiGate: phase 1 proposal error; progress is not an established tunnel; SSL-VPN ignored', async () => {
    const r = await load('fortigate');
    expect(r.input).toMatchObject({ dialect: 'fortigate', lines: 6, unparsed: 0 });
    expect(r.events.find((e) => e.kind === 'no-proposal-chosen')).toMatchObject({ at: { line: 1 }, data: { phase: 'ike' } });
    expect(r.events.some((e) => e.kind === 'ike-established' || e.kind === 'child-established')).toBe(false);
    expect(r.events.filter((e) => e.at.line === 4 || e.at.line === 5)).toEqual([]);
  });

  it('Juniper SRX: timeouts on two gateways, TS refusal, success; SNMP/SSH noise ignored', async () => {
    const r = await load('juniper-srx');
    expect(r.input.dialect).toBe('juniper-srx');
    expect(lines(r.events, 'give-up')).toEqual([3, 4, 5, 26]);
    expect(new Set(r.events.filter((e) => e.kind === 'give-up').map((e) => (e.data as { peer?: { address: string } }).peer?.address))).toEqual(new Set(['67.43.156.1', '198.1.124.8', undefined]));
    expect(lines(r.events, 'ts-unacceptable')).toEqual([7]);
    expect(lines(r.events, 'ike-established')).toEqual([6]);
    expect(lines(r.events, 'child-established')).toEqual([1, 2]);
    expect(r.events.filter((e) => [12, 15, 16, 17].includes(e.at.line ?? 0))).toEqual([]);
    expect(r.events.some((e) => e.kind === 'auth')).toBe(false);
    expect(r.diagnostics.filter((d) => d.decoder === 'juniper-srx').map((d) => d.at.line)).toEqual([26, 26]);
  });
});
