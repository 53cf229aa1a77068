import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { strongswanDialect } from '../../../src/platforms/strongswan/log.js';
import { eventsOf, type LogEvent, type LogEventKind } from '../../../src/evidence/log-events.js';
import { loadLogFile } from '../../../src/sources/log-file.js';
import { MAX_EXCERPT_CHARS } from '../../../src/platforms/log-dialect.js';

// Fixtures: real charon 5.9.8 logs produced for these tests and verbatim stroke consoles
// from libreswan's interop tests; provenance in log-fixtures/README.md.
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'log-fixtures');
const LAB = join(FIXTURES, 'lab');
const CORPUS = join(FIXTURES, 'corpus');

interface Decoded {
  events: LogEvent[];
  /** 1-based numbers of the lines the decoder did not claim */
  unparsed: number[];
  lines: string[];
  diagnostics: string[];
}

function decodeLines(lines: string[], source = 'test.log'): Decoded {
  const d = strongswanDialect.createDecoder(source);
  const events: LogEvent[] = [];
  const unparsed: number[] = [];
  lines.forEach((line, i) => {
    const r = d.decode(line, i + 1);
    if (r === undefined) unparsed.push(i + 1);
    else events.push(...r);
  });
  return { events, unparsed, lines, diagnostics: (d.diagnostics?.() ?? []).map((x) => x.message) };
}

function decodeFixture(path: string): Decoded {
  const text = readFileSync(path, 'utf8');
  return decodeLines(text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n'), path);
}

/** 1-based number of the first line containing `needle` (the fixture is the ground truth). */
function lineOf(d: Decoded, needle: string, from = 1): number {
  const i = d.lines.findIndex((l, idx) => idx + 1 >= from && l.includes(needle));
  if (i === -1) throw new Error(`fixture has no line with ${needle}`);
  return i + 1;
}

function only<K extends LogEventKind>(d: Decoded, kind: K) {
  return eventsOf(d.events, kind);
}

function one(lines: string[]): LogEvent[] {
  const d = decodeLines(lines);
  expect(d.unparsed).toEqual([]);
  return d.events;
}

describe('real charon 5.9.8 file logs (lab fixtures)', () => {
  it('PSK mismatch, responder: MAC mismatch with both identities, conn and unique id, AUTH_FAILED sent', () => {
    const d = decodeFixture(join(LAB, 'psk-mismatch-responder.log'));
    const respond = only(d, 'respond');
    expect(respond).toHaveLength(1);
    expect(respond[0]).toMatchObject({ sa: '1', data: { peer: '192.0.2.1', ikeVersion: 2 }, at: { line: lineOf(d, 'is initiating an IKE_SA') } });
    expect(respond[0].conn).toBeUndefined(); // "<1>": no peer config selected yet

    expect(only(d, 'peer-config-lookup')[0].data).toEqual({ local: '192.0.2.2', localId: 'b.example.org', remote: '192.0.2.1', remoteId: 'a.example.org' });
    const auth = only(d, 'auth');
    expect(auth.map((a) => [a.at.line, a.data.ok, a.data.direction, a.data.method])).toEqual([
      [lineOf(d, 'but MAC mismatched'), false, 'local', 'psk'],
      [lineOf(d, 'generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]'), false, 'sent', undefined],
    ]);
    expect(auth[0]).toMatchObject({ conn: 'gw', sa: '1', impl: 'strongswan', time: 'Nov 22 22:24:24' });
    expect(auth[0].data.reason).toBe("tried 1 shared key for 'b.example.org' - 'a.example.org', but MAC mismatched");
    expect(auth[0].data.id).toBe('a.example.org');
    expect(auth[0].excerpt).toContain('but MAC mismatched');
    expect(only(d, 'ike-established')).toEqual([]);
  });

  it('PSK mismatch, initiator: only the received AUTHENTICATION_FAILED notify', () => {
    const d = decodeFixture(join(LAB, 'psk-mismatch-initiator.log'));
    const auth = only(d, 'auth');
    expect(auth).toHaveLength(1);
    expect(auth[0]).toMatchObject({ conn: 'gw', sa: '1', at: { line: lineOf(d, 'received AUTHENTICATION_FAILED notify error') }, data: { ok: false, direction: 'received' } });
    const parsed = only(d, 'message').find((m) => m.data.direction === 'received' && m.data.exchange === 'IKE_AUTH');
    expect(parsed?.data).toMatchObject({ role: 'response', msgid: 1, payloads: ['N(AUTH_FAILED)'], notifies: ['AUTHENTICATION_FAILED'] });
    expect(only(d, 'initiate')[0].data).toEqual({ peer: '192.0.2.2', ikeVersion: 2, mode: 'ikev2' });
  });

  it('IKE proposal mismatch: both proposal lists (phase ike) and NO_PROPOSAL_CHOSEN decided, sent and received in IKE_SA_INIT', () => {
    const r = decodeFixture(join(LAB, 'ike-proposal-mismatch-responder.log'));
    expect(only(r, 'proposals').map((p) => [p.data.source, p.data.phase, p.data.proposals])).toEqual([
      ['received', 'ike', ['IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024']],
      ['configured', 'ike', ['IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048']],
    ]);
    expect(only(r, 'no-proposal-chosen').map((e) => [e.at.line, e.data.direction, e.data.phase, e.data.exchange])).toEqual([
      [lineOf(r, 'received proposals unacceptable'), 'local', 'ike', 'IKE_SA_INIT'],
      [lineOf(r, 'generating IKE_SA_INIT response 0 [ N(NO_PROP) ]'), 'sent', 'ike', 'IKE_SA_INIT'],
    ]);
    const i = decodeFixture(join(LAB, 'ike-proposal-mismatch-initiator.log'));
    const npc = only(i, 'no-proposal-chosen');
    expect(npc).toHaveLength(1);
    expect(npc[0]).toMatchObject({ at: { line: lineOf(i, 'received NO_PROPOSAL_CHOSEN notify error') }, data: { direction: 'received', phase: 'ike', exchange: 'IKE_SA_INIT' } });
  });

  it('ESP proposal mismatch: phase child on both sides, IKE SA up, CHILD SA failed', () => {
    const r = decodeFixture(join(LAB, 'esp-proposal-mismatch-responder.log'));
    const child = only(r, 'proposals').filter((p) => p.data.phase === 'child');
    expect(child.map((p) => [p.data.source, p.data.proposals[0]])).toEqual([
      ['received', 'ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ'],
      ['configured', 'ESP:AES_GCM_16_256/NO_EXT_SEQ'],
    ]);
    expect(only(r, 'no-proposal-chosen').map((e) => [e.data.direction, e.data.phase, e.data.exchange])).toEqual([
      ['local', 'child', 'IKE_AUTH'],
      ['sent', 'child', 'IKE_AUTH'],
    ]);
    expect(only(r, 'ike-established')[0].data).toEqual({ ikeVersion: 2, local: '192.0.2.2', localId: 'b.example.org', remote: '192.0.2.1', remoteId: 'a.example.org' });
    expect(only(r, 'child-failed')).toHaveLength(1);

    const i = decodeFixture(join(LAB, 'esp-proposal-mismatch-initiator.log'));
    expect(only(i, 'no-proposal-chosen').map((e) => [e.data.direction, e.data.phase, e.data.exchange])).toEqual([['received', 'child', 'IKE_AUTH']]);
    expect(only(i, 'child-failed')[0].at.line).toBe(lineOf(i, 'failed to establish CHILD_SA, keeping IKE_SA'));
    expect(only(i, 'child-established')).toEqual([]);
  });

  it('peer ID mismatch, responder: the lookup IDs and "no matching peer config found"', () => {
    const d = decodeFixture(join(LAB, 'peer-id-mismatch-responder.log'));
    const noConfig = only(d, 'no-config');
    expect(noConfig).toHaveLength(1);
    expect(noConfig[0]).toMatchObject({ sa: '1', at: { line: lineOf(d, 'no matching peer config found') }, data: { scope: 'peer', local: '192.0.2.2', remote: '192.0.2.1' } });
    expect(only(d, 'peer-config-lookup')[0].data.remoteId).toBe('a.example.org');
    expect(only(d, 'auth').map((a) => a.data)).toEqual([{ ok: false, direction: 'sent' }]);
  });

  it('traffic selectors: responder prints both sets, initiator gets TS_UNACCEPTABLE', () => {
    const r = decodeFixture(join(LAB, 'ts-unacceptable-responder.log'));
    expect(only(r, 'ts-unacceptable').map((e) => [e.at.line, e.data])).toEqual([
      [lineOf(r, 'traffic selectors 10.2.0.0/24 === 10.1.0.0/24 unacceptable'), { direction: 'local', local: ['10.2.0.0/24'], remote: ['10.1.0.0/24'], exchange: 'IKE_AUTH' }],
      [lineOf(r, 'N(TS_UNACCEPT)'), { direction: 'sent', exchange: 'IKE_AUTH' }],
    ]);
    const i = decodeFixture(join(LAB, 'ts-unacceptable-initiator.log'));
    expect(only(i, 'ts-unacceptable').map((e) => e.data)).toEqual([{ direction: 'received', exchange: 'IKE_AUTH' }]);
    expect(only(i, 'ike-established')).toHaveLength(1);
  });

  it('untrusted CA: initiator fails the responder\'s certificate and says so in an INFORMATIONAL; fragments both ways', () => {
    const i = decodeFixture(join(LAB, 'cert-untrusted-ca-initiator.log'));
    expect(only(i, 'auth').map((a) => [a.at.line, a.data])).toEqual([
      [lineOf(i, "no trusted RSA public key found for 'b.example.org'"), { ok: false, method: 'cert', direction: 'local', reason: "no trusted RSA public key found for 'b.example.org'", id: 'b.example.org' }],
      [lineOf(i, 'generating INFORMATIONAL request 2 [ N(AUTH_FAILED) ]'), { ok: false, direction: 'sent' }],
    ]);
    expect(only(i, 'identity')[0].data).toEqual({ direction: 'sent', id: 'a.example.org' });
    expect(only(i, 'ike-fragment').map((e) => [e.data.direction, e.data.number, e.data.total, e.data.reassembled])).toEqual([
      ['sent', 1, 2, undefined],
      ['sent', 2, 2, undefined],
      ['received', 1, 2, undefined],
      ['received', 2, 2, true],
    ]);
    const r = decodeFixture(join(LAB, 'cert-untrusted-ca-responder.log'));
    // the responder had verified the initiator and established before the INFORMATIONAL arrived
    expect(only(r, 'auth').map((a) => [a.data.ok, a.data.direction, a.data.method])).toEqual([
      [true, 'local', 'cert'],
      [false, 'received', undefined],
    ]);
    expect(only(r, 'auth')[1].at.line).toBe(lineOf(r, 'parsed INFORMATIONAL request 2 [ N(AUTH_FAILED) ]'));
    expect(only(r, 'ike-established')).toHaveLength(1);
  });

  it('narrowed selectors the initiator kernel refuses: sa-install-failed (SPD)', () => {
    const d = decodeFixture(join(LAB, 'ts-narrowed-spd-install-failure-initiator.log'));
    expect(only(d, 'sa-install-failed').map((e) => [e.at.line, e.data.what])).toEqual([[lineOf(d, 'unable to install IPsec policies (SPD) in kernel'), 'SPD']]);
  });

  it('no response: retransmits of message 0 (IKE_SA_INIT) to port 500 with growing times, then give-up', () => {
    const d = decodeFixture(join(LAB, 'no-response-initiator.log'));
    const rt = only(d, 'retransmit');
    expect(rt.map((e) => e.data)).toEqual([1, 2, 3].map((count) => ({ count, msgid: 0, exchange: 'IKE_SA_INIT', peer: { address: '192.0.2.99', port: 500 } })));
    const times = rt.map((e) => e.t ?? NaN);
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
    const giveUp = only(d, 'give-up');
    expect(giveUp.map((e) => e.data)).toEqual([
      { retransmits: 3, exchange: 'IKE_SA_INIT', peer: { address: '192.0.2.99', port: 500 } },
      { detail: 'establishing IKE_SA failed, peer not responding', peer: { address: '192.0.2.99', port: 500 } },
    ]);
  });

  it('DPD timeout: request, retransmits of the INFORMATIONAL on 4500, timeout, dpd_action=restart, new IKE_SA named by the body', () => {
    const d = decodeFixture(join(LAB, 'dpd-timeout-restart-initiator.log'));
    const dpd = only(d, 'dpd');
    expect(dpd.map((e) => [e.at.line, e.sa, e.data])).toEqual([
      [lineOf(d, 'sending DPD request'), '1', { mechanism: 'liveness', outcome: 'request' }],
      [lineOf(d, 'giving up after 3 retransmits'), '1', { mechanism: 'liveness', outcome: 'timeout', peer: '192.0.2.2' }],
    ]);
    expect(only(d, 'dpd-action').map((e) => [e.at.line, e.sa, e.data])).toEqual([[lineOf(d, 'restarting CHILD_SA net'), '1', { action: 'restart', child: 'net', peer: '192.0.2.2' }]]);
    const dpdRetransmits = only(d, 'retransmit').filter((e) => e.sa === '1');
    expect(dpdRetransmits.map((e) => e.data)).toEqual([1, 2, 3].map((count) => ({ count, msgid: 3, exchange: 'INFORMATIONAL', peer: { address: '192.0.2.2', port: 4500 } })));
    // charon logs the replacement SA's first lines under the old <gw|1>; the body names gw[2]
    const restart = only(d, 'initiate')[1];
    expect(restart).toMatchObject({ conn: 'gw', sa: '2', at: { line: lineOf(d, 'initiating IKE_SA gw[2]') } });
    expect(only(d, 'retransmit').filter((e) => e.sa === '2').map((e) => e.data.exchange)).toEqual(['IKE_SA_INIT', 'IKE_SA_INIT', 'IKE_SA_INIT']);
  });

  it('INVALID_KE then success: the groups on both sides and a second IKE_SA on the responder', () => {
    const i = decodeFixture(join(LAB, 'invalid-ke-initiator.log'));
    expect(only(i, 'invalid-ke').map((e) => e.data)).toEqual([{ direction: 'received', offered: 'MODP_1536', requested: 'MODP_2048' }]);
    expect(only(i, 'ike-established')).toHaveLength(1);
    expect(only(i, 'child-established')[0].data).toMatchObject({ name: 'net', local: ['10.1.0.0/24'], remote: ['10.2.0.0/24'] });
    const r = decodeFixture(join(LAB, 'invalid-ke-responder.log'));
    expect(only(r, 'invalid-ke').map((e) => [e.sa, e.data])).toEqual([['1', { direction: 'sent', offered: 'MODP_1536', requested: 'MODP_2048' }]]);
    expect(only(r, 'respond').map((e) => e.sa)).toEqual(['1', '2']);
    expect(only(r, 'ike-established')[0].sa).toBe('2');
  });

  it('ISO time_format with milliseconds: time as printed, t in epoch seconds with the fraction', () => {
    const d = decodeFixture(join(LAB, 'established-iso-time-initiator.log'));
    const init = only(d, 'initiate')[0];
    expect(init.time).toMatch(/^2026-11-22T22:25:\d\d\.\d{3}$/);
    expect(init.t).toBeCloseTo(Date.parse(init.time + 'Z') / 1000, 3);
    const ts = d.events.map((e) => e.t ?? NaN);
    for (let k = 1; k < ts.length; k++) expect(ts[k]).toBeGreaterThanOrEqual(ts[k - 1]);
  });

  it('IKEv1: Main Mode, undecryptable MM5 on PSK mismatch, Quick Mode NO_PROPOSAL_CHOSEN and INVALID_ID_INFORMATION', () => {
    const psk = decodeFixture(join(LAB, 'ikev1-psk-mismatch-responder.log'));
    expect(only(psk, 'respond')[0].data).toEqual({ peer: '192.0.2.1', ikeVersion: 1, mode: 'main' });
    const failures = only(psk, 'auth');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((a) => !a.data.ok && /decrypt/.test(a.data.reason ?? ''))).toBe(true);

    const ei = decodeFixture(join(LAB, 'ikev1-esp-proposal-mismatch-initiator.log'));
    expect(only(ei, 'ike-established')[0].data.ikeVersion).toBe(1);
    expect(only(ei, 'no-proposal-chosen').map((e) => [e.data.direction, e.data.phase])).toEqual([['received', 'child']]);
    const er = decodeFixture(join(LAB, 'ikev1-esp-proposal-mismatch-responder.log'));
    expect(only(er, 'no-proposal-chosen')[0].data).toMatchObject({ direction: 'sent', phase: 'child', exchange: 'QUICK_MODE' });

    const ti = decodeFixture(join(LAB, 'ikev1-ts-mismatch-initiator.log'));
    expect(only(ti, 'ts-unacceptable').map((e) => e.data.direction)).toEqual(['received']);
    expect(only(ti, 'notify').map((e) => e.data.name)).toEqual(['INVALID_ID_INFORMATION']);
    const tr = decodeFixture(join(LAB, 'ikev1-ts-mismatch-responder.log'));
    expect(only(tr, 'ts-unacceptable')[0].data).toEqual({ direction: 'local', local: ['10.2.0.0/24'], remote: ['10.1.0.0/24'], exchange: 'QUICK_MODE' });
  });

  it('swanctl --initiate output: [GRP] lines decode, swanctl plugin warnings are not ours', () => {
    const d = decodeFixture(join(LAB, 'swanctl-initiate-psk-mismatch.txt'));
    expect(d.lines[d.unparsed[0] - 1]).toMatch(/^plugin 'test-vectors': failed to load/);
    for (const n of d.unparsed) expect(d.lines[n - 1]).toMatch(/^(plugin '|opening directory )/);
    expect(only(d, 'negotiation-failed').map((e) => e.data.reason)).toEqual(["establishing CHILD_SA 'net' failed"]);
    expect(only(d, 'initiate')[0]).toMatchObject({ conn: 'gw', sa: '1', data: { peer: '192.0.2.2' } });
    expect(only(d, 'auth')[0].data).toMatchObject({ ok: false, direction: 'received' });
  });

  it('debug level 4: key dumps are recognised as charon lines but never become events or excerpts', () => {
    const d = decodeFixture(join(LAB, 'debug-level4-keys-initiator.log'));
    expect(d.unparsed).toEqual([]);
    const dumpLines = new Set<number>();
    d.lines.forEach((l, i) => {
      if (/ => \d+ bytes @ |> +\d+: [0-9A-F]{2} /.test(l)) dumpLines.add(i + 1);
    });
    expect(dumpLines.size).toBeGreaterThan(50);
    for (const e of d.events) expect(dumpLines.has(e.at.line ?? 0)).toBe(false);
    const secretHex = d.lines[lineOf(d, 'Sk_ei secret =>')].split(': ')[1].slice(0, 20);
    expect(JSON.stringify(d.events)).not.toContain(secretHex);
    expect(only(d, 'child-established')).toHaveLength(1);
  });

  it('every line of every lab log is recognised, without diagnostics, every event fully located', () => {
    for (const name of readdirSync(LAB).filter((f) => f.endsWith('.log'))) {
      const d = decodeFixture(join(LAB, name));
      expect({ name, unparsed: d.unparsed }).toEqual({ name, unparsed: [] });
      expect(d.diagnostics).toEqual([]);
      for (const e of d.events) {
        expect(e.at.source).toBe(join(LAB, name));
        expect(e.excerpt).toBe(d.lines[(e.at.line ?? 0) - 1].trim());
        expect(typeof e.t).toBe('number');
      }
    }
  });
});

describe('stroke consoles (strongswan up) from libreswan interop tests', () => {
  it('healthy IKEv2 PSK initiator: bare bodies decode with conn/sa from the IKE_SA they name; prompts are not ours', () => {
    const d = decodeFixture(join(CORPUS, 'ikev2-psk-established-initiator-stroke.log'));
    expect(d.events.every((e) => e.conn === 'westnet-eastnet-ikev2' && e.sa === '1')).toBe(true);
    expect(only(d, 'initiate')[0].at.line).toBe(30);
    expect(only(d, 'ike-established')[0]).toMatchObject({ at: { line: 43 }, data: { ikeVersion: 2, local: '192.1.2.45', localId: 'west', remote: '192.1.2.23', remoteId: 'east' } });
    expect(only(d, 'child-established')[0]).toMatchObject({ at: { line: 47 }, data: { name: 'westnet-eastnet-ikev2', spis: ['SPISPI', 'SPISPI'], local: ['192.0.1.0/24'], remote: ['192.0.2.0/24'] } });
    expect(only(d, 'auth')[0].data).toEqual({ ok: true, method: 'psk', direction: 'local', id: 'east' });
    expect(only(d, 'identity')[0].data).toEqual({ direction: 'sent', id: 'west' });
    // sanitised "(XXX bytes)" leaves bytes unknown rather than wrong
    expect(only(d, 'packet')[0].data).toEqual({ direction: 'sent', local: { address: '192.1.2.45', port: 500 }, remote: { address: '192.1.2.23', port: 500 } });
    // RFC 7296 §2.23 / MOBIKE: IKE_AUTH moves to 4500 without any NAT
    expect(only(d, 'nat-t-float').map((e) => e.at.line)).toEqual([39]);
    expect(only(d, 'nat')).toEqual([]);
    const claimed = new Set(Array.from({ length: d.lines.length }, (_, i) => i + 1).filter((n) => !d.unparsed.includes(n)));
    expect([...claimed].sort((a, b) => a - b)).toEqual(Array.from({ length: 48 - 30 + 1 }, (_, i) => 30 + i));
  });

  it('child NO_PROPOSAL_CHOSEN in IKE_AUTH: phase child, IKE SA established, stroke failure line', () => {
    const d = decodeFixture(join(CORPUS, 'ikev2-child-no-proposal-mode-mismatch-stroke.log'));
    const msg = only(d, 'message').find((m) => m.at.line === 30);
    expect(msg?.data).toMatchObject({ direction: 'received', exchange: 'IKE_AUTH', notifies: ['NO_PROPOSAL_CHOSEN'], peer: { address: '192.1.2.23', port: 4500 } });
    expect(only(d, 'no-proposal-chosen').map((e) => [e.at.line, e.data])).toEqual([[35, { direction: 'received', phase: 'child', exchange: 'IKE_AUTH' }]]);
    expect(only(d, 'child-failed').map((e) => e.at.line)).toEqual([36]);
    expect(only(d, 'ike-established').map((e) => e.at.line)).toEqual([32]);
    expect(only(d, 'negotiation-failed')[0].at.line).toBe(37);
  });

  it('fragmented IKE_AUTH response and OCSP/CRL fallback: fragments, reassembly, certificate status with subject', () => {
    const d = decodeFixture(join(CORPUS, 'ikev2-fragmented-response-ocsp-fallback-stroke.log'));
    expect(only(d, 'ike-fragment').map((e) => [e.at.line, e.data])).toEqual([
      [56, { direction: 'received', number: 1, total: 5 }],
      [59, { direction: 'received', number: 2, total: 5 }],
      [62, { direction: 'received', number: 3, total: 5 }],
      [65, { direction: 'received', number: 4, total: 5 }],
      [68, { direction: 'received', number: 5, total: 5, reassembled: true }],
    ]);
    const status = only(d, 'cert-status');
    expect(status.map((e) => e.at.line)).toEqual([76, 77, 79, 80]);
    expect(status.every((e) => !e.data.ok && e.data.subject?.includes('CN=east.testing.libreswan.org'))).toBe(true);
    expect(only(d, 'auth').map((a) => [a.data.ok, a.data.method])).toEqual([[true, 'cert']]);
    expect(only(d, 'fragmentation-support').map((e) => e.data.direction)).toEqual(['sent', 'received']);
    expect(only(d, 'ike-established')[0].data.remoteId).toBe('C=CA, ST=Ontario, L=Toronto, O=Libreswan, OU=Test Department, CN=east.testing.libreswan.org, E=user-east@testing.libreswan.org');
  });
});

describe('every output channel charon writes to', () => {
  // body: psk_authenticator.c:190, seen verbatim in lab/psk-mismatch-responder.log line 122
  const BODY = "tried 1 shared key for 'b.example.org' - 'a.example.org', but MAC mismatched";
  const cases: [string, string, Partial<LogEvent>][] = [
    ['file logger, default time_format', `Nov 22 22:24:24 11[IKE] <gw|1> ${BODY}`, { conn: 'gw', sa: '1', time: 'Nov 22 22:24:24' }],
    ['file logger, day < 10 (%e pads)', `Jun  2 14:29:47 13[IKE] <PEER|7> ${BODY}`, { conn: 'PEER', sa: '7', time: 'Jun  2 14:29:47' }],
    ['file logger, time_add_ms', `Nov 22 22:24:24.123 11[IKE] <gw|1> ${BODY}`, { time: 'Nov 22 22:24:24.123' }],
    ['file logger, ISO time_format', `2026-11-22T22:24:24.597 11[IKE] <gw|1> ${BODY}`, { time: '2026-11-22T22:24:24.597', t: Date.UTC(2026, 10, 22, 22, 24, 24, 597) / 1000 }],
    ['file logger, no time_format', `11[IKE] <gw|1> ${BODY}`, { conn: 'gw', sa: '1', time: undefined }],
    ['log_level = yes', `Nov 22 22:24:24 11[IKE1] <gw|1> ${BODY}`, { conn: 'gw', sa: '1' }],
    ['more than 99 threads', `Nov 22 22:24:24 123[IKE] <gw|1> ${BODY}`, { sa: '1' }],
    ['ike_name = no', `Nov 22 22:24:24 11[IKE] ${BODY}`, { conn: undefined, sa: undefined }],
    ['syslog with pid', `Jun 23 07:36:33 vyos charon[2440]: 01[IKE] <peer-x|3> ${BODY}`, { conn: 'peer-x', sa: '3', time: 'Jun 23 07:36:33' }],
    ['syslog without pid (pfSense)', `charon: 09[IKE] <con2000|11> ${BODY}`, { conn: 'con2000', sa: '11', time: undefined }],
    ['syslog, charon started by ipsec start', `Jul 23 12:33:47 ip-10-10-10-225 ipsec[1233]: 15[IKE] <gw|1> ${BODY}`, { sa: '1', time: 'Jul 23 12:33:47' }],
    ['rsyslog RFC 5424', `<30>1 2026-11-22T22:24:24.597+01:00 gw charon 2440 - - 11[IKE] <gw|1> ${BODY}`, { sa: '1', t: Date.UTC(2026, 10, 22, 21, 24, 24, 597) / 1000 }],
    ['journald, charon-systemd (no thread, SA in journal fields)', `Jun 23 08:07:26 vyos charon-systemd[2440]: ${BODY}`, { conn: undefined, sa: undefined, time: 'Jun 23 08:07:26' }],
    ['journalctl -o short-iso', `2026-11-22T22:24:24+0100 gw charon-systemd[2440]: ${BODY}`, { t: Date.UTC(2026, 10, 22, 21, 24, 24) / 1000 }],
    ['journalctl -o short-monotonic', `[ 1234.567890] gw charon-systemd[2440]: ${BODY}`, { time: '[ 1234.567890]', t: 1234.56789 }],
    ['epoch time_format (%s)', `1795386264 11[IKE] <gw|1> ${BODY}`, { time: '1795386264', t: 1795386264 }],
    ['syslog template with a time we cannot read: kept as printed, without the host', `2026/11/22-22:24:24 gw charon[2440]: 11[IKE] <gw|1> ${BODY}`, { time: '2026/11/22-22:24:24', t: undefined }],
    ['journalctl -o short-precise', `Nov 22 22:24:24.123456 gw charon-systemd[2440]: ${BODY}`, { time: 'Nov 22 22:24:24.123456' }],
    ['swanctl --log', `11[IKE] <gw|1> ${BODY}`, { sa: '1' }],
    ['swanctl --log (no SA)', `11[IKE] ${BODY}`, {}],
    ['swanctl --initiate', `[IKE] ${BODY}`, {}],
    ['file logger JSON (file_logger.c json = yes)', JSON.stringify({ time: 'Nov 22 22:24:24', thread: 11, group: 'IKE', level: 1, 'ikesa-uniqueid': '1', 'ikesa-name': 'gw', msg: BODY }), { conn: 'gw', sa: '1', time: 'Nov 22 22:24:24' }],
    ['stroke ipsec up (bare body)', BODY, {}],
    ['CRLF line ending', `Nov 22 22:24:24 11[IKE] <gw|1> ${BODY}\r`, { sa: '1' }],
  ];
  it.each(cases)('%s', (_name, line, expected) => {
    const events = one([line]);
    expect(events).toHaveLength(1);
    expect(events[0].kind).toBe('auth');
    expect(events[0].data).toMatchObject({ ok: false, method: 'psk', direction: 'local', id: 'a.example.org' });
    for (const [k, v] of Object.entries(expected)) expect(events[0][k as keyof LogEvent]).toEqual(v);
  });

  it('learns the conn name of a unique id and applies it to later "<N>"-only lines', () => {
    const events = one([
      'Nov 22 22:24:24 11[CFG] <gw|1> selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ',
      'Nov 22 22:24:25 11[IKE] <1> remote host is behind NAT',
    ]);
    expect(events[1]).toMatchObject({ kind: 'nat', conn: 'gw', sa: '1' });
  });

  it('keeps packets per SA: a retransmit names the peer of its own SA, not the last packet in the file', () => {
    const events = one([
      'Nov 22 10:00:00 09[NET] <site-a|1> sending packet: from 192.0.2.1[500] to 198.51.100.1[500] (464 bytes)',
      'Nov 22 10:00:00 10[NET] <site-b|2> sending packet: from 192.0.2.1[4500] to 203.0.113.9[4500] (80 bytes)',
      'Nov 22 10:00:04 11[IKE] <site-a|1> retransmit 1 of request with message ID 0',
    ]);
    expect(events[2]).toMatchObject({ kind: 'retransmit', conn: 'site-a', sa: '1', data: { count: 1, msgid: 0, peer: { address: '198.51.100.1', port: 500 } } });
  });

  it('syslog stamps have no year: t stays monotonic across New Year', () => {
    const events = one([
      'Dec 31 23:59:58 gw charon[1]: 09[IKE] <gw|1> sending DPD request',
      'Jan  1 00:00:02 gw charon[1]: 09[IKE] <gw|1> retransmit 1 of request with message ID 7',
    ]);
    expect((events[1].t ?? 0) - (events[0].t ?? 0)).toBe(4);
  });
});

describe('format strings not in the lab logs (strongswan/strongswan @ 3b902ea, and older wordings)', () => {
  const P = 'Nov 22 10:00:00 09[IKE] <gw|5> ';
  it.each([
    // ≤5.9 ike_init.c:1043 / child_create.c
    [`${P}peer didn't accept DH group MODP_1024, it requested MODP_2048`, 'invalid-ke', { direction: 'received', offered: 'MODP_1024', requested: 'MODP_2048' }],
    // 6.x ike_init.c:1341
    [`${P}peer didn't accept key exchange method ECP_256, it requested CURVE_25519`, 'invalid-ke', { direction: 'received', offered: 'ECP_256', requested: 'CURVE_25519' }],
    [`${P}key exchange method ECP_256 unacceptable, requesting CURVE_25519`, 'invalid-ke', { direction: 'sent', offered: 'ECP_256', requested: 'CURVE_25519' }],
    // ≤5.6 child_create.c
    [`${P}traffic selectors 10.2.0.0/24 10.3.0.0/24 === 10.1.0.0/24[tcp/80] inacceptable`, 'ts-unacceptable', { direction: 'local', local: ['10.2.0.0/24', '10.3.0.0/24'], remote: ['10.1.0.0/24[tcp/80]'] }],
    [`${P}no acceptable traffic selectors found`, 'ts-unacceptable', { direction: 'local' }],
    [`${P}received TS_UNACCEPTABLE notify, no CHILD_SA built`, 'ts-unacceptable', { direction: 'received' }],
    [`${P}peer selected invalid traffic selectors: 10.9.0.0/24 for 10.1.0.0/24, 10.2.0.0/24 for 10.2.0.0/24`, 'ts-unacceptable', { direction: 'received', local: ['10.9.0.0/24'], remote: ['10.2.0.0/24'] }],
    [`${P}no IKE config found for 192.0.2.2...198.51.100.7, sending NO_PROPOSAL_CHOSEN`, 'no-config', { scope: 'ike', local: '192.0.2.2', remote: '198.51.100.7' }],
    [`${P}no peer config found`, 'no-config', { scope: 'peer', detail: 'no peer config found' }],
    [`${P}found 1 matching config, but none allows pre-shared key authentication using Aggressive Mode`, 'no-config', { scope: 'peer' }],
    [`${P}looking for pre-shared key peer configs matching 192.0.2.2...198.51.100.7[198.51.100.7]`, 'peer-config-lookup', { local: '192.0.2.2', remote: '198.51.100.7', remoteId: '198.51.100.7' }],
    [`${P}IDir '192.168.1.10' does not match to '198.51.100.7'`, 'id-mismatch', { received: '192.168.1.10', expected: '198.51.100.7' }],
    [`${P}received IDr moon.strongswan.org, but require sun.strongswan.org`, 'id-mismatch', { received: 'moon.strongswan.org', expected: 'sun.strongswan.org' }],
    [`${P}constraint check failed: identity 'sun.strongswan.org' (ID_FQDN) required, not matched by 'moon.strongswan.org' (ID_FQDN)`, 'id-mismatch', { expected: 'sun.strongswan.org', received: 'moon.strongswan.org' }],
    [`${P}constraint check failed: peer not authenticated by CA 'C=CH, O=strongSwan, CN=Root CA'`, 'auth', { ok: false, method: 'cert', direction: 'local' }],
    [`${P}constraint check failed: RULE_CRL_VALIDATION is FAILED, but requires at least GOOD`, 'auth', { ok: false, method: 'cert' }],
    [`${P}no trusted RSA public key found for 'C=CH, O=strongSwan, CN=moon.strongswan.org'`, 'auth', { ok: false, method: 'cert', id: 'C=CH, O=strongSwan, CN=moon.strongswan.org' }],
    [`${P}no shared key found for 'sun.strongswan.org' - 'moon.strongswan.org'`, 'auth', { ok: false, method: 'psk', id: 'moon.strongswan.org' }],
    // ikev1/phase1.c:199
    [`${P}no shared key found for 'sun'[192.0.2.2] - 'moon'[198.51.100.7]`, 'auth', { ok: false, method: 'psk', id: 'moon' }],
    [`${P}tried 2 shared keys for 'sun' - 'moon', but MAC mismatched`, 'auth', { ok: false, method: 'psk', id: 'moon' }],
    [`${P}received AUTHENTICATION_FAILED error notify`, 'auth', { ok: false, direction: 'received' }],
    [`${P}Aggressive Mode PSK disabled for security reasons`, 'auth', { ok: false, method: 'psk' }],
    [`${P}EAP method EAP_MSCHAPV2 failed for peer carol@strongswan.org`, 'auth', { ok: false, method: 'eap', id: 'carol@strongswan.org' }],
    [`${P}authentication of 'moon.strongswan.org' with ECDSA-256 signature successful`, 'auth', { ok: true, method: 'cert' }],
    [`${P}XAuth authentication of 'carol' failed`, 'auth', { ok: false, direction: 'local', id: 'carol' }],
    [`${P}XAuth authentication of 'carol' (myself) failed`, 'auth', { ok: false, direction: 'received', id: 'carol' }],
    [`${P}certificate was revoked on Nov 20 10:00:00 UTC 2026, reason: key compromise`, 'cert-status', { ok: false, reason: 'revoked on Nov 20 10:00:00 UTC 2026: key compromise' }],
    [`${P}certificate status is good`, 'cert-status', { ok: true }],
    [`${P}DPD check timed out, enforcing DPD action`, 'dpd', { mechanism: 'dpd', outcome: 'timeout' }],
    // a restart that does not follow a DPD timeout (e.g. close_action) is not a DPD effect
    [`${P}restarting CHILD_SA net`, 'dpd-action', undefined],
    [`${P}local host is behind NAT, sending keep alives`, 'nat', { localBehindNat: true }],
    [`${P}faking NAT situation to enforce UDP encapsulation`, 'nat', { fakeNat: true }],
    [`${P}remote host is not behind NAT anymore`, 'nat', { remoteBehindNat: false }],
    // message.c:2279 "splitting IKE message …" is followed by one generating line per fragment
    [`${P}generating IKE_AUTH request 1 [ EF(2/2) ]`, 'ike-fragment', { direction: 'sent', number: 2, total: 2 }],
    [`${P}generating ID_PROT request 0 [ FRAG ]`, 'ike-fragment', { direction: 'sent' }],
    // IKEv1 fragments carry no total (message.c:3009)
    [`${P}received fragment #3, reassembled fragmented IKE message (3012 bytes)`, 'ike-fragment', { direction: 'received', number: 3, reassembled: true }],
    [`${P}received FRAGMENTATION vendor ID`, 'fragmentation-support', { direction: 'received', supported: true }],
    [`${P}unable to install inbound and outbound IPsec SA (SAD) in kernel`, 'sa-install-failed', { what: 'SAD' }],
    [`Nov 22 10:00:00 14[KNL] unable to add SAD entry with SPI c1a2b3c4 (FAILED)`, 'sa-install-failed', { what: 'SAD entry' }],
    [`Nov 22 10:00:00 14[KNL] received netlink error: Invalid argument (22)`, 'sa-install-failed', { what: 'netlink', detail: 'Invalid argument (22)' }],
    [`${P}closing CHILD_SA net{1} with SPIs c1a2b3c4_i (1200 bytes) d5e6f7a8_o (800 bytes) and TS 10.1.0.0/24 === 10.2.0.0/24`, 'sa-deleted', { what: 'child', direction: 'local', spis: ['c1a2b3c4', 'd5e6f7a8'] }],
    [`${P}received DELETE for ESP CHILD_SA with SPI c1a2b3c4`, 'sa-deleted', { what: 'child', direction: 'received', spis: ['c1a2b3c4'] }],
    [`Nov 22 10:00:00 03[JOB] deleting half open IKE_SA with 198.51.100.7 after timeout`, 'sa-deleted', { what: 'ike', reason: 'half open IKE_SA with 198.51.100.7 timed out' }],
    [`Nov 22 22:43:57 00[IKE] <1> destroying IKE_SA in state CONNECTING without notification`, 'sa-deleted', { what: 'ike', reason: 'destroying IKE_SA in state CONNECTING without notification' }],
    [`${P}detected rekey collision for CHILD_SA net{3}`, 'rekey', { what: 'child', outcome: 'collision' }],
    [`${P}IKE_SA rekey collision lost, deleting redundant IKE_SA gw[6]`, 'rekey', { what: 'ike', outcome: 'collision' }],
    [`${P}detected IKE_REKEY collision with CHILD_REKEY`, 'rekey', { what: 'ike', outcome: 'collision' }],
    [`${P}IKE_SA gw[5] rekeyed between 192.0.2.2[sun]...198.51.100.7[moon]`, 'rekey', { what: 'ike', outcome: 'done' }],
    [`${P}TRANSPORT mode requested by responder is unacceptable`, 'child-failed', { reason: 'TRANSPORT mode requested by responder is unacceptable' }],
    [`${P}received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built`, 'notify', { direction: 'received', name: 'INTERNAL_ADDRESS_FAILURE' }],
    [`${P}giving up after 5 retries`, 'negotiation-failed', { phase: 'ike', reason: 'giving up after 5 retries' }],
    [`${P}peer not responding, trying again (2/3)`, 'give-up', { detail: 'peer not responding, trying again (2/3)' }],
    [`${P}sending retransmit 2 of request message ID 0, seq 1`, 'retransmit', { count: 2, msgid: 0 }],
    [`${P}initiating Aggressive Mode IKE_SA gw[5] to 198.51.100.7`, 'initiate', { peer: '198.51.100.7', ikeVersion: 1, mode: 'aggressive' }],
    [`${P}198.51.100.7 is initiating a Aggressive Mode IKE_SA`, 'respond', { peer: '198.51.100.7', ikeVersion: 1, mode: 'aggressive' }],
    // 6.x ike_init.c
    [`${P}198.51.100.7 is initiating IKE_SA gw[5]`, 'respond', { peer: '198.51.100.7', ikeVersion: 2 }],
    [`${P}IKE_SA gw[5] established between 2001:db8::1[sun]...2001:db8::2[moon]`, 'ike-established', { local: '2001:db8::1', localId: 'sun', remote: '2001:db8::2', remoteId: 'moon' }],
    [`${P}received packet: from 2001:db8::2[4500] to 2001:db8::1[4500] (236 bytes)`, 'packet', { direction: 'received', local: { address: '2001:db8::1', port: 4500 }, remote: { address: '2001:db8::2', port: 4500 }, bytes: 236 }],
    [`${P}initiate failed: establishing CHILD_SA 'net' failed`, 'negotiation-failed', { reason: "establishing CHILD_SA 'net' failed" }],
  ] as [string, LogEventKind, Record<string, unknown> | undefined][])('%s', (line, kind, data) => {
    const events = one([line]);
    const ofKind = events.filter((e) => e.kind === kind);
    if (data === undefined) {
      expect(ofKind).toEqual([]);
      return;
    }
    expect(ofKind).toHaveLength(1);
    expect(ofKind[0].data).toMatchObject(data);
  });

  it('IKEv1 DPD timeout followed by dpd_action=restart', () => {
    const events = one([`${P}DPD check timed out, enforcing DPD action`, `${P}restarting CHILD_SA net`]);
    expect(events.map((e) => [e.kind, e.data])).toEqual([
      ['dpd', { mechanism: 'dpd', outcome: 'timeout' }],
      ['dpd-action', { action: 'restart', child: 'net' }],
    ]);
  });

  it('normalises every notify short name to the RFC 7296 / IANA name', () => {
    const [msg] = one([`${P}parsed IKE_AUTH response 1 [ N(NO_PROP) N(AUTH_FAILED) N(TS_UNACCEPT) N(INVAL_KE) N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(CHDLESS_SUP) N(MS_STATUS(3)) N(40960) EF(2/3) ]`]);
    expect(msg.kind).toBe('message');
    expect((msg as LogEvent<'message'>).data.notifies).toEqual([
      'NO_PROPOSAL_CHOSEN', 'AUTHENTICATION_FAILED', 'TS_UNACCEPTABLE', 'INVALID_KE_PAYLOAD', 'NAT_DETECTION_SOURCE_IP',
      'NAT_DETECTION_DESTINATION_IP', 'FRAGMENTATION_SUPPORTED', 'CHILDLESS_IKEV2_SUPPORTED', 'MS_NOTIFY_STATUS', '40960',
    ]);
  });

  it('sent error notifies without a text line of their own become events; IKEv1 phase follows the exchange before INFORMATIONAL_V1', () => {
    const events = one([
      `${P}generating IKE_AUTH response 1 [ N(FAIL_CP_REQ) ]`,
      `${P}parsed ID_PROT response 0 [ SA V V ]`,
      `${P}parsed INFORMATIONAL_V1 request 1234 [ HASH N(NO_PROP) ]`,
      `${P}received NO_PROPOSAL_CHOSEN error notify`,
      `${P}parsed QUICK_MODE response 2345 [ HASH SA No ID ID ]`,
      `${P}received NO_PROPOSAL_CHOSEN error notify`,
    ]);
    expect(eventsOf(events, 'notify').map((e) => e.data)).toEqual([{ direction: 'sent', name: 'FAILED_CP_REQUIRED', exchange: 'IKE_AUTH' }]);
    expect(eventsOf(events, 'no-proposal-chosen').map((e) => [e.data.phase, e.data.exchange])).toEqual([
      ['ike', 'INFORMATIONAL_V1'],
      ['child', 'QUICK_MODE'],
    ]);
  });

  it('"no acceptable proposal found" takes its phase from whichever came last: proposal lists or the message', () => {
    const events = one([
      `${P}selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048`,
      `${P}parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]`,
      `${P}no acceptable proposal found`,
      `${P}parsed CREATE_CHILD_SA request 2 [ SA No KE TSi TSr ]`,
      `${P}received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024`,
      `${P}no acceptable proposal found`,
      `${P}generating CREATE_CHILD_SA response 2 [ N(NO_PROP) ]`,
    ]);
    expect(eventsOf(events, 'no-proposal-chosen').map((e) => [e.data.direction, e.data.phase, e.data.exchange])).toEqual([
      ['local', 'child', 'IKE_AUTH'],
      ['local', 'ike', 'CREATE_CHILD_SA'],
      ['sent', 'ike', 'CREATE_CHILD_SA'],
    ]);
  });

  it('quiet charon bodies are recognised, other programs\' lines are not', () => {
    const d = decodeLines([
      'scheduling rekeying in 13686s',
      'splitting IKE message (1852 bytes) into 2 fragments',
      "connection 'westnet-eastnet-ikev2' established successfully",
      'west #',
      ' strongswan up westnet-eastnet-ikev2',
      'Security Associations (1 up, 0 connecting):',
      '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection',
      'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16',
      'Nov 22 10:00:00 gw kernel: [1234.5] IPv6: ADDRCONF(NETDEV_UP): eth0: link is not ready',
      '',
    ]);
    expect(d.unparsed).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(d.events).toEqual([]);
  });
});

describe('sniff', () => {
  it('counts charon lines (prefixed or fingerprinted bodies) and nothing of pluto\'s', () => {
    const stroke = readFileSync(join(CORPUS, 'ikev2-psk-established-initiator-stroke.log'), 'utf8').split('\n');
    // 19 bodies charon printed; "connection … established successfully" has no fingerprint
    expect(strongswanDialect.sniff(stroke)).toBe(15);
    const lab = readFileSync(join(LAB, 'psk-mismatch-responder.log'), 'utf8').split('\n');
    expect(strongswanDialect.sniff(lab)).toBe(lab.filter((l) => l.length > 0).length);
    // libreswan/libreswan testing/pluto/ikev2-05-basic-psk/west.console.txt (GPLv2+), via shared/corpus
    expect(
      strongswanDialect.sniff([
        'west #',
        ' ipsec up westnet-eastnet-ipv4-psk-ikev2',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: initiating IKEv2 connection to 192.1.2.23 using UDP',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
        '"westnet-eastnet-ipv4-psk-ikev2" #1: processed IKE_SA_INIT response from 192.1.2.23:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 group=DH19}, initiating IKE_AUTH',
        'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16',
      ]),
    ).toBe(0);
  });
});

describe('loadLogFile detects strongSwan', () => {
  it('on a real charon file log: dialect strongswan, every line parsed, events located', async () => {
    const path = join(LAB, 'psk-mismatch-responder.log');
    const r = await loadLogFile(path);
    expect(r.input.dialect).toBe('strongswan');
    expect(r.input.unparsed).toBe(0);
    expect(r.events.find((e) => e.kind === 'auth')?.at).toEqual({ source: path, line: 122 });
  });

  it('on a stroke console: dialect strongswan, the shell lines counted as unparsed', async () => {
    const r = await loadLogFile(join(CORPUS, 'ikev2-psk-established-initiator-stroke.log'));
    expect(r.input.dialect).toMatch(/^strongswan/);
    expect(r.input.unparsed).toBeGreaterThan(0);
    expect(r.events.some((e) => e.kind === 'child-established' && e.at.line === 47)).toBe(true);
  });
});

describe('totality (fast-check)', () => {
  const realLines = readdirSync(LAB)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(join(LAB, f), 'utf8').split('\n'))
    .concat(readFileSync(join(CORPUS, 'ikev2-fragmented-response-ocsp-fallback-stroke.log'), 'utf8').split('\n'))
    .filter((l) => l.length > 0);
  const interesting = realLines.filter((l) => !/\[CFG\] {2,}|vici|queueing|activating/.test(l));

  function checkResult(r: LogEvent[] | undefined): void {
    expect(r === undefined || Array.isArray(r)).toBe(true);
    for (const e of r ?? []) {
      expect(e.impl).toBe('strongswan');
      expect(e.excerpt.length).toBeLessThanOrEqual(MAX_EXCERPT_CHARS + 1);
    }
  }

  it('random strings never throw', () => {
    const d = strongswanDialect.createDecoder('fuzz.log');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (s) => {
        checkResult(d.decode(s, 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('charon prefixes with random bodies are always claimed', () => {
    const d = strongswanDialect.createDecoder('fuzz.log');
    const prefix = fc.constantFrom('Nov 22 22:24:24 11[IKE] <gw|1> ', '11[IKE] ', 'Jun 23 07:36:33 vyos charon[2440]: 01[CFG] <1> ', '[IKE] ', 'charon-systemd[1]: ');
    fc.assert(
      fc.property(prefix, fc.string({ maxLength: 200 }), (p, body) => {
        const r = d.decode(p + body, 1);
        checkResult(r);
        expect(r).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated real lines never throw, with state carried across lines', () => {
    const d = strongswanDialect.createDecoder('fuzz.log');
    const mutation = fc.record({
      line: fc.constantFrom(...interesting),
      at: fc.nat(),
      del: fc.nat({ max: 20 }),
      insert: fc.string({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 20 }), (ms) => {
        ms.forEach((m, i) => {
          const at = m.at % (m.line.length + 1);
          checkResult(d.decode(m.line.slice(0, at) + m.insert + m.line.slice(at + m.del), i + 1));
        });
      }),
      { numRuns: 500 },
    );
  });

  it('16 KiB lines made of the separators the rules split on finish quickly', () => {
    const d = strongswanDialect.createDecoder('long.log');
    const pieces = ['[', ']', '...', ' === ', ' - ', "'", '<', '|', '>', 'IKE_SA x[1] ', 'N(', ') ', '{1}', ' ', '[IKE] ', '09[IKE] '];
    const bodies = ['IKE_SA gw[1] established between ', 'traffic selectors ', 'looking for peer configs matching ', 'tried 1 shared key for ', 'no shared key found for ', 'initiating IKE_SA ', 'constraint check failed: identity ', 'generating IKE_AUTH request 1 [', 'CHILD_SA x{1} established with SPIs ', ''];
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), fc.boolean(), (body, ps, prefixed) => {
        const filler = ps.join('');
        const line = (prefixed ? 'Nov 22 22:24:24 11[IKE] <gw|1> ' : '') + body + filler.repeat(Math.ceil(16384 / filler.length)).slice(0, 16384);
        const start = performance.now();
        checkResult(d.decode(line, 1));
        expect(performance.now() - start).toBeLessThan(250);
      }),
      { numRuns: 200 },
    );
  });
});

describe('selector listings (child_cfg.c get_traffic_selectors, cfg 2)', () => {
  const p = 'Nov 22 23:31:37 11[CFG] <lab|1> ';
  const ts = (d: Decoded) => d.events.filter((e) => e.kind === 'ts').map((e) => [e.at.line, (e.data as { source: string }).source, (e.data as { local?: string[] }).local ?? [], (e.data as { remote?: string[] }).remote ?? []]);

  it('the responder after its child config lookup lists its configuration; the initiator its proposal; unity narrowing lists nothing', () => {
    const responder = decodeLines([
      'Nov 22 23:31:37 11[ENC] <lab|1> parsed IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]',
      `${p}looking for a child config for 10.2.0.0/24 === 10.1.0.0/24`,
      `${p}proposing traffic selectors for us:`, `${p} 10.2.0.0/24`,
      `${p}proposing traffic selectors for other:`, `${p} 10.9.0.0/24`,
      `${p}selecting traffic selectors for other:`, `${p} config: 10.9.0.0/24, received: 10.1.0.0/24 => no match`,
    ]);
    expect(ts(responder)).toEqual([[4, 'configured', ['10.2.0.0/24'], []], [6, 'configured', [], ['10.9.0.0/24']], [8, 'configured', [], ['10.9.0.0/24']]]);
    expect(responder.unparsed).toEqual([]);
    // samples/lab-ts-mismatch/left.log lines 147-150: no lookup before, so this is what it proposes
    const initiator = decodeLines([`${p}proposing traffic selectors for us:`, `${p} 10.1.0.0/24`, `${p}proposing traffic selectors for other:`, `${p} 10.2.0.0/24`]);
    expect(ts(initiator)).toEqual([[2, 'proposed', ['10.1.0.0/24'], []], [4, 'proposed', [], ['10.2.0.0/24']]]);
    const unity = decodeLines([`${p}proposing traffic selectors for us:`, `${p} 10.1.0.0/24`, `${p}changing proposed traffic selectors for other:`, `${p} 0.0.0.0/0`]);
    expect(ts(unity)).toEqual([[2, 'proposed', ['10.1.0.0/24'], []]]);
  });
});
