/**
 * The libreswan decoder on every real pluto log of the shared corpus
 * (../shared/corpus/logs/libreswan, see its MANIFEST.md): the events each
 * file's expected diagnosis rests on are decoded, with their lines, and nothing
 * a "must not report" class would rest on is invented. Skips when the corpus is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libreswanDialect } from '../../src/platforms/libreswan/log.js';
import { loadLogFile } from '../../src/sources/log-file.js';
import type { LogEvent, LogEventKind } from '../../src/evidence/log-events.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/logs', import.meta.url));
const present = existsSync(CORPUS);
if (!present) console.warn(`[corpus] ${CORPUS} not found: libreswan corpus tests skipped (the corpus lives outside the repository)`);

function decodeFile(path: string): LogEvent[] {
  const d = libreswanDialect.createDecoder(path);
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l, i) => d.decode(l, i + 1) ?? []);
}

const FAILURES: LogEventKind[] = ['no-proposal-chosen', 'id-mismatch', 'ts-unacceptable', 'give-up', 'dpd', 'sa-install-failed', 'child-failed', 'invalid-ke', 'no-config'];

type Expect = (events: LogEvent[]) => void;
const has = (events: LogEvent[], kind: LogEventKind, data: Record<string, unknown> = {}) => {
  const hit = events.find((e) => e.kind === kind && Object.entries(data).every(([k, v]) => JSON.stringify((e.data as Record<string, unknown>)[k]) === JSON.stringify(v)));
  expect(hit, `${kind} ${JSON.stringify(data)}`).toBeDefined();
  return hit!;
};
const none = (events: LogEvent[], kind: LogEventKind, data: Record<string, unknown> = {}) => {
  const hit = events.find((e) => e.kind === kind && Object.entries(data).every(([k, v]) => JSON.stringify((e.data as Record<string, unknown>)[k]) === JSON.stringify(v)));
  expect(hit, `unexpected ${kind} ${JSON.stringify(data)} at line ${hit?.at.line}`).toBeUndefined();
};

const EXPECTED: Record<string, Expect> = {
  'ikev2-psk-established-initiator.log': (ev) => {
    expect(has(ev, 'ike-established', { ikeVersion: 2, remoteId: '@east' }).at.line).toBe(39);
    expect(has(ev, 'child-established', { local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] }).at.line).toBe(40);
    for (const k of FAILURES) none(ev, k);
    none(ev, 'auth', { ok: false });
  },
  'ikev1-esp-proposal-mismatch-initiator.log': (ev) => {
    has(ev, 'ike-established', { ikeVersion: 1 });
    expect(has(ev, 'no-proposal-chosen', { phase: 'child', direction: 'received' }).at.line).toBe(39);
    none(ev, 'no-proposal-chosen', { phase: 'ike' });
    none(ev, 'auth', { ok: false });
  },
  'ikev1-esp-proposal-mismatch-responder.log': (ev) => {
    expect(has(ev, 'no-proposal-chosen', { phase: 'child', direction: 'sent' }).at.line).toBe(19);
    expect(has(ev, 'no-proposal-chosen', { phase: 'child', direction: 'local' }).at.line).toBe(21);
    none(ev, 'no-proposal-chosen', { phase: 'ike' });
  },
  'ikev1-aggressive-ike-dh-mismatch-initiator.log': (ev) => {
    expect(has(ev, 'no-proposal-chosen', { phase: 'ike', direction: 'received', exchange: 'AGGRESSIVE' }).at.line).toBe(24);
    none(ev, 'auth', { ok: false });
  },
  'ikev2-child-esp-proposal-mismatch-initiator.log': (ev) => {
    has(ev, 'ike-established');
    expect(has(ev, 'no-proposal-chosen', { phase: 'child', direction: 'received', exchange: 'IKE_AUTH' }).at.line).toBe(25);
    none(ev, 'no-proposal-chosen', { phase: 'ike' });
    none(ev, 'auth', { ok: false });
  },
  'ikev2-child-esp-proposal-mismatch-responder.log': (ev) => {
    has(ev, 'proposals', { phase: 'child', source: 'received', proposals: ['ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO'] });
    has(ev, 'no-proposal-chosen', { phase: 'child', direction: 'local' });
  },
  'responder-has-no-connection-ikev1-ikev2.log': (ev) => {
    expect(has(ev, 'no-proposal-chosen', { phase: 'ike', direction: 'received', exchange: 'IKE_SA_INIT' }).at.line).toBe(32);
    none(ev, 'ike-established');
  },
  'ikev2-invalid-ke-dh-retry-success.log': (ev) => {
    expect(has(ev, 'invalid-ke', { offered: 'MODP1536', requested: 'MODP2048' }).at.line).toBe(36);
    has(ev, 'ike-established');
    has(ev, 'child-established');
    none(ev, 'no-proposal-chosen');
  },
  'ikev2-psk-missing-on-responder-auth-failed.log': (ev) => {
    expect(has(ev, 'auth', { ok: false, direction: 'received', reason: 'AUTHENTICATION_FAILED' }).at.line).toBe(42);
    none(ev, 'no-proposal-chosen');
    none(ev, 'ike-established');
  },
  'ikev2-peer-id-mismatch-x509.log': (ev) => {
    const m = has(ev, 'id-mismatch') as LogEvent<'id-mismatch'>;
    expect(m.at.line).toBe(35);
    expect(m.data.expected).toContain('CN=NOTeast.testing.libreswan.org');
    expect(m.data.received).toContain('CN=east.testing.libreswan.org');
    has(ev, 'ike-fragment', { reassembled: true });
    none(ev, 'auth', { ok: false });
  },
  'ikev1-peer-id-mismatch-x509.log': (ev) => {
    expect(ev.filter((e) => e.kind === 'id-mismatch').map((e) => e.at.line)).toEqual([31]);
    expect(has(ev, 'notify', { direction: 'sent', name: 'INVALID_ID_INFORMATION' }).at.line).toBe(32);
    expect(has(ev, 'give-up', { state: 'STATE_MAIN_I3' }).at.line).toBe(33);
  },
  'ikev2-ts-unacceptable-initiator.log': (ev) => {
    has(ev, 'ike-established');
    expect(has(ev, 'ts-unacceptable', { direction: 'received', exchange: 'IKE_AUTH' }).at.line).toBe(69);
    none(ev, 'auth', { ok: false });
    none(ev, 'no-proposal-chosen');
  },
  'ikev2-no-response-udp-blocked.log': (ev) => {
    const gu = ev.filter((e) => e.kind === 'give-up');
    expect(gu.map((e) => e.at.line)).toEqual([38, 60]);
    expect(gu[0].data).toMatchObject({ retransmits: 5, exchange: 'IKE_SA_INIT', peer: { address: '192.1.2.23', port: 500 } });
    expect(ev.filter((e) => e.kind === 'retransmit')).toHaveLength(5);
    for (const k of ['no-proposal-chosen', 'auth', 'id-mismatch', 'ts-unacceptable'] as const) none(ev, k);
  },
  'ikev1-dpd-timeout-hold.log': (ev) => {
    const dpd = has(ev, 'dpd', { mechanism: 'dpd', outcome: 'timeout', action: 'hold' });
    expect(dpd.at.line).toBe(34);
    expect(ev.some((e) => e.kind === 'child-established' && (e.at.line ?? 0) > (dpd.at.line ?? Infinity))).toBe(true);
  },
  'ikev2-liveness-timeout-clear.log': (ev) => {
    expect(has(ev, 'retransmit', { state: 'ESTABLISHED_IKE_SA' }).at.line).toBe(17);
    expect(has(ev, 'dpd', { mechanism: 'liveness', action: 'clear' }).at.line).toBe(20);
  },
  'ikev1-nat-t-initiator-behind-nat.log': (ev) => {
    expect(has(ev, 'nat', { localBehindNat: true }).at.line).toBe(66);
    has(ev, 'child-established', { encap: true });
    has(ev, 'nat-t-float', { to: { address: '192.1.2.23', port: 4500 } });
  },
  'ikev1-nat-t-responder.log': (ev) => {
    expect(has(ev, 'nat', { remoteBehindNat: true, localBehindNat: false }).at.line).toBe(30);
    for (const k of FAILURES) none(ev, k);
  },
  'ikev2-fragmented-ike-auth-success.log': (ev) => {
    expect(has(ev, 'ike-fragment', { reassembled: true }).at.line).toBe(50);
    expect(ev.filter((e) => e.kind === 'ike-fragment' && (e.data as { total?: number }).total === 5)).toHaveLength(5);
    has(ev, 'child-established');
  },
  'ikev1-fragmentation-success.log': (ev) => {
    expect(ev.filter((e) => e.kind === 'ike-fragment' && (e.data as { direction: string }).direction === 'sent')).toHaveLength(10);
    has(ev, 'fragmentation-support', { direction: 'received', supported: true });
    has(ev, 'child-established');
  },
  'ikev1-oversized-ike-no-fragmentation-timeout.log': (ev) => {
    const gu = has(ev, 'give-up', { state: 'STATE_MAIN_I3', retransmits: 0 }) as LogEvent<'give-up'>;
    expect(gu.data.detail).toMatch(/^Possible authentication failure/);
    none(ev, 'ike-fragment');
    none(ev, 'ike-established');
  },
  'ikev2-child-sa-kernel-install-failure.log': (ev) => {
    expect(has(ev, 'sa-install-failed', { what: 'child-sa' }).at.line).toBe(47);
    has(ev, 'child-failed', { reason: 'TEMPORARY_FAILURE' });
    none(ev, 'no-proposal-chosen');
    none(ev, 'ts-unacceptable');
  },
};

describe.skipIf(!present)('libreswan decoder on the real corpus', () => {
  const dir = join(CORPUS, 'libreswan');
  const files = present ? readdirSync(dir).filter((f) => f.endsWith('.log')) : [];

  it('has an expectation for every corpus file', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s', (file) => {
    const events = decodeFile(join(dir, file));
    EXPECTED[file](events);
    // the ip xfrm dumps in these consoles hold (sanitised) keys: never part of an event
    for (const e of events) expect(e.excerpt).not.toMatch(/0xENC|0xHASHKEY|AUTHKEY/);
  });

  it.each(files)('auto-detects %s as libreswan through the log source', async (file) => {
    const r = await loadLogFile(join(dir, file));
    expect(r.input.dialect).toMatch(/^libreswan/);
    expect(r.diagnostics.filter((d) => d.decoder === 'libreswan')).toEqual([]);
  });

  it('claims no line of the strongSwan and vendor files', () => {
    for (const sub of ['strongswan', 'cisco-asa', 'fortigate', 'juniper-srx']) {
      for (const f of readdirSync(join(CORPUS, sub))) {
        const lines = readFileSync(join(CORPUS, sub, f), 'utf8').split('\n');
        expect(libreswanDialect.sniff(lines), `${sub}/${f}`).toBe(0);
        const d = libreswanDialect.createDecoder(f);
        const claimed = lines.map((l, i) => [i + 1, d.decode(l, i + 1)] as const).filter(([, r]) => r !== undefined);
        expect(claimed, `${sub}/${f}`).toEqual([]);
      }
    }
  });
});
