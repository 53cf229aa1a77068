/**
 * The PAN-OS log dialect on real output (fixtures/logs/README.md gives each line's
 * origin): every form of the System log and ikemgr.log, then end to end through the
 * real pipeline, where PAN-OS's wording must produce the codes strongSwan's does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { panosDialect } from '../../../src/platforms/panos/log/dialect.js';
import { parseCefRecord, parseCsvRecord, splitCsv } from '../../../src/platforms/panos/log/system-log.js';
import { logDialects } from '../../../src/platforms/index.js';
import { ASA, FORTI, SRX, decodeAll, itIsTotal, summary } from '../fixtures/vendor-lines.js';
import { diagnoseLines, findingOf, codesOf, linesOf } from '../../helpers/diagnose-lines.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'logs');
const read = (name: string): string[] => readFileSync(join(FIXTURES, name), 'utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

const CSV = read('syslog-csv-system-vpn.log');
const NOT_IPSEC = read('syslog-csv-not-ipsec.log');
const DESCRIPTIONS = read('system-log-descriptions.txt');
const GUI = read('gui-ikev2-proposal-mismatch.txt');
const PEER_ID = read('ikev2-peer-id-mismatch.txt');
const PSK = read('ikemgr-psk-mismatch.log');
const LIVENESS = read('ikemgr-liveness-abort.log');
const STARTUP = read('ikemgr-startup.log');
const CEF_REAL = read('cef-system-general.log');
const CSV_CONFIG = read('syslog-csv-system-vpn-config.log');
const ALL_REAL = [...CSV, ...NOT_IPSEC, ...CEF_REAL, ...CSV_CONFIG, ...DESCRIPTIONS, ...GUI, ...PEER_ID, ...PSK, ...LIVENESS, ...STARTUP];

// Built by these tests (fixtures/logs/README.md): the documented System-log field layout around real descriptions.
const V2_ID_DESCRIPTION = `${PEER_ID[0]} ${PEER_ID[1]}`;
const csvRecord = (eventId: string, object: string, description: string) =>
  `<14>Nov  9 19:53:08 PA-FW 1,2019/10/06 15:46:26,009732949126,SYSTEM,vpn,0,2019/10/19 15:39:29,,${eventId},${object},0,0,general,high,"${description.replace(/"/g, '""')}",18249042,0x8000000000000000,0,0,0,0,,PA-FW`;
const cefRecord = (order: 'vpn|SYSTEM' | 'SYSTEM|vpn', eventId: string, object: string, description: string) =>
  `<14>Jan 12 22:47:26 PA-FW CEF:0|Palo Alto Networks|PAN-OS|11.1.2|${order}|3|rt=Jan 12 2024 22:47:26 GMT deviceExternalId=016201000000 cs3Label=Virtual System cs3= fname=${object} flexString2Label=Module flexString2=general msg=${description.replace(/\\/g, '\\\\').replace(/=/g, '\\=')} externalId=55555555555555555 cat=${eventId} dvchost=PA-FW`;

const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);

describe('PAN-OS System log, syslog CSV', () => {
  it('reads the 8.1 layout behind a BSD syslog header: Object is the connection, Generated Time the time', () => {
    const { events } = decodeAll(panosDialect, CSV);
    expect(summary(events)).toEqual(['1:sa-deleted']);
    expect(events[0]).toMatchObject({
      impl: 'panos', conn: 'To-FOO-BAR-NET', time: '2019/10/19 15:39:29', t: Date.UTC(2019, 9, 19, 15, 39, 29) / 1000,
      data: { what: 'child', direction: 'sent', spis: ['0xA1CD910F'] },
    });
  });

  it('reads the 11.x layout without header, with the high-resolution timestamp and its zone', () => {
    const r = parseCsvRecord(CSV[1])!;
    expect(r).toMatchObject({ type: 'SYSTEM', subtype: 'vpn', eventId: 'test-event', object: undefined, description: 'unknown test peer', time: '2024-01-12T22:47:27.652+11:00' });
    expect(new Date(r.t! * 1000).toISOString()).toBe('2024-01-12T11:47:27.652Z');
    // recognised, and says nothing: "unknown test peer" is no template
    expect(decodeAll(panosDialect, [CSV[1]]).results).toEqual([[]]);
  });

  it('claims TRAFFIC, THREAT, USERID and Prisma records and finds no IPsec evidence in them', () => {
    const { results, decoder } = decodeAll(panosDialect, NOT_IPSEC);
    expect(results).toEqual([[], [], [], [], []]);
    expect(decoder.diagnostics?.()).toEqual([]);
  });

  it('splits quoted fields with embedded commas and doubled quotes', () => {
    expect(splitCsv('1,"a, b",c')).toEqual(['1', 'a, b', 'c']);
    expect(splitCsv('"x ""y"", z",')).toEqual(['x "y", z', '']);
    // threat_9_0_A: a category list quoted with its comma
    expect(parseCsvRecord(NOT_IPSEC[2])!.type).toBe('THREAT');
  });

  it('reads a failure description quoted with its commas, as the Description field carries it (record built from the documented layout)', () => {
    const line = csvRecord('ike-nego-p1-fail', 'GW-MIKROTIK', V2_ID_DESCRIPTION);
    const { events } = decodeAll(panosDialect, [line]);
    expect(kinds(events)).toEqual(['respond', 'packet', 'negotiation-failed', 'id-mismatch']);
    expect(events.every((e) => e.conn === 'GW-MIKROTIK')).toBe(true);
    expect(events[3].data).toMatchObject({ received: 'ipaddr:10.222.191.127' });
  });

  it('reads the short layout of an older release (elastic fixture): IKE daemon configuration events are claimed and say nothing of a negotiation', () => {
    expect(CSV_CONFIG.map((l) => parseCsvRecord(l))).toEqual([
      expect.objectContaining({ type: 'SYSTEM', subtype: 'vpn', eventId: 'ike-config-p1-success', description: 'IKE daemon configuration load phase-1 succeeded.', time: '2012/02/25 00:53:56' }),
      expect.objectContaining({ subtype: 'vpn', eventId: 'ike-config-p2-success' }),
      expect.objectContaining({ subtype: 'general', eventId: 'unknown', description: 'Config installed' }),
      expect.objectContaining({ subtype: 'general', description: 'Connection to Update server closed: updates.paloaltonetworks.com, source: 81.2.69.193', time: '2021-10-26T15:05:03.440-07:00' }),
    ]);
    const { results, decoder } = decodeAll(panosDialect, CSV_CONFIG);
    expect(results).toEqual([[], [], [], []]);
    expect(decoder.diagnostics?.()).toEqual([]);
    expect(panosDialect.sniff(CSV_CONFIG)).toBe(4);
  });

  it('locates a SYSTEM record too short to hold a Description', () => {
    const { results, decoder } = decodeAll(panosDialect, ['1,2019/10/06 15:46:26,0097,SYSTEM,vpn,0,2019/10/19 15:39:29,,ike-nego-p1-fail']);
    expect(results).toEqual([[]]);
    expect(decoder.diagnostics?.()).toEqual([{ at: { source: 'vendor.log', line: 1 }, decoder: 'panos', message: 'PAN-OS SYSTEM record with 9 fields (the Description is field 15): not read' }]);
  });
});

describe('PAN-OS System log, CEF (System template of the CEF configuration guide; records built by the test)', () => {
  it.each(['vpn|SYSTEM', 'SYSTEM|vpn'] as const)('reads cat= as the Event ID, fname= as the Object, msg= as the Description (%s)', (order) => {
    const description = "[IKE-GW-FGT]: Configured encryption algorithm 'AES256-CBC' was not presented in the IKE proposal. Please ensure that matching proposals are configured on both sides.";
    const { events } = decodeAll(panosDialect, [cefRecord(order, 'ikev2-nego-enc-mismatch', 'IKE-GW-FGT', description)]);
    expect(kinds(events)).toEqual(['proposals', 'no-proposal-chosen']);
    expect(events[1]).toMatchObject({ conn: 'IKE-GW-FGT', time: 'Jan 12 2024 22:47:26 GMT', data: { phase: 'ike', direction: 'local', exchange: 'IKE_SA_INIT' } });
  });

  it('unescapes \\= in values and leaves other PAN-OS CEF records silent', () => {
    const r = parseCefRecord(cefRecord('vpn|SYSTEM', 'ike-generic-event', 'GW', 'a=b c'))!;
    expect(r.description).toBe('a=b c');
    expect(decodeAll(panosDialect, ['CEF:0|Palo Alto Networks|PAN-OS|10.1|TRAFFIC|drop|1|src=192.168.1.50 dst=1.1.1.1']).results).toEqual([[]]);
    expect(parseCefRecord('CEF:0|Check Point|VPN-1|R80|1000|Accept|Low|src=1')).toBeUndefined();
  });
});

describe('PAN-OS System log, CEF: the one public record (subtype general, PAN-OS 8.0.0), as sent and as rsyslog files it', () => {
  it('reads both lines as the same SYSTEM record: subtype before type, msg= with its leading space trimmed, rt= as the time', () => {
    const [sent, filed] = CEF_REAL.map((l) => parseCefRecord(l));
    expect(sent).toMatchObject({ type: 'SYSTEM', subtype: 'general', object: undefined, description: 'Failed password for root from 116.31.116.38 port 63605 ssh2', time: 'Nov 04 2018 07:15:46 GMT', t: Date.UTC(2018, 10, 4, 7, 15, 46) / 1000 });
    // rsyslog's traditional format puts a space between the CEF: tag and the message
    expect(filed).toEqual(sent);
  });

  it('claims them as PAN-OS and draws no IKE event from a general-subtype record', () => {
    const { results, decoder } = decodeAll(panosDialect, CEF_REAL);
    expect(results).toEqual([[], []]);
    expect(decoder.diagnostics?.()).toEqual([]);
    expect(panosDialect.sniff(CEF_REAL)).toBe(2);
  });
});

describe('PAN-OS System log, GUI "Event:" view (lab notes, wrapped as published)', () => {
  const { events, results } = decodeAll(panosDialect, GUI);

  it('joins a wrapped description and puts its events on the line that completes it', () => {
    expect(summary(events)).toEqual(['3:proposals', '3:no-proposal-chosen', '8:respond', '8:packet', '11:no-proposal-chosen']);
    // every line is claimed (blank lines never reach a decoder: the log loader skips them)
    expect(results.filter((r, i) => r === undefined && GUI[i].trim() !== '')).toEqual([]);
    expect(events[0]).toMatchObject({ conn: 'IKE-GW-FGT', data: { phase: 'ike', source: 'configured', proposals: ['AES256-CBC'] } });
    expect(events[1].excerpt).toMatch(/^Event: ikev2-nego-enc-mismatch \[IKE-GW-FGT\]: Configured encryption algorithm 'AES256-CBC'/);
  });

  it('reads the role and the exchange from the descriptions', () => {
    expect(events[1].data).toMatchObject({ exchange: 'IKE_SA_INIT', reason: "[IKE-GW-FGT]: Configured encryption algorithm 'AES256-CBC' was not presented in the IKE proposal." });
    expect(events[2].data).toEqual({ peer: '10.0.0.1', ikeVersion: 2, mode: 'ikev2' });
    expect(events[3].data).toEqual({ direction: 'received', local: { address: '10.0.0.2', port: 500 }, remote: { address: '10.0.0.1', port: 500 } });
    expect(events[4].data).toEqual({ direction: 'local', phase: undefined, reason: 'no proposal chosen.' });
  });

  it('does not read "no proposal chosen." without its Event ID', () => {
    expect(decodeAll(panosDialect, ['no proposal chosen.']).results).toEqual([undefined]);
  });
});

describe('PAN-OS System log, bare descriptions', () => {
  it('phase 1 timeout as initiator: the all-zero responder cookie says nothing came back', () => {
    const { events } = decodeAll(panosDialect, [DESCRIPTIONS[0]]);
    expect(kinds(events)).toEqual(['initiate', 'packet', 'negotiation-failed', 'give-up']);
    expect(events[0].data).toEqual({ peer: 'y.y.y.y', ikeVersion: 1, mode: 'main' });
    expect(events[3].data).toEqual({ peer: { address: 'y.y.y.y', port: 500 }, state: 'Main Mode request (message 1)', detail: 'responder cookie 0000000000000000: no reply from the peer ever came back' });
  });

  it('no configuration for the peer: the responder, the peer address and its source port', () => {
    const { events } = decodeAll(panosDialect, [DESCRIPTIONS[1]]);
    expect(kinds(events)).toEqual(['respond', 'no-config', 'negotiation-failed']);
    expect(events[1].data).toMatchObject({ scope: 'ike', remote: 'x.x.x.x' });
    expect(events[1].data).toMatchObject({ remotePort: 1929 });
    // the page prints a typographic apostrophe; an ASCII one is the same sentence
    expect(decodeAll(panosDialect, [DESCRIPTIONS[1].replace('’', "'")]).events.map((e) => e.kind)).toEqual(kinds(events));
  });

  it('IKEv2 peer ID mismatch over two lines: the received ID, the NAT facts from the line before', () => {
    const { events } = decodeAll(panosDialect, PEER_ID);
    expect(summary(events)).toEqual(['1:respond', '1:packet', '1:negotiation-failed', '2:id-mismatch']);
    expect(events[1].data).toEqual({ direction: 'received', local: { address: '111.111.111.111', port: 4500 }, remote: { address: '176.238.239.255', port: 51435 } });
    expect(events[3].data).toMatchObject({ received: 'ipaddr:10.222.191.127', expected: expect.stringContaining('peer ID configured on this IKE gateway') });
    expect((events[3].data as { detail: string }).detail).toBe(
      "received ID_I (type ipaddr [10.222.191.127]) does not match peers id; ID_I 10.222.191.127 is a private address (RFC 1918); the peer's IKE packets came from 176.238.239.255[51435]",
    );
  });
  it('takes the peer of a "Failed SA" only for the line right after it', () => {
    const { events } = decodeAll(panosDialect, [PEER_ID[0], STARTUP[1], PEER_ID[1]]);
    expect((events.find((e) => e.kind === 'id-mismatch')!.data as { detail: string }).detail).not.toContain('came from');
  });
});

describe('PAN-OS System log, `show log system` rows (layout unconfirmed: built by the test, read only with a vpn Event ID)', () => {
  it('reads the description after the Event ID', () => {
    const row = `2019/10/19 15:39:29 high     vpn     GW-X             ike-nego-p1-fail      0  ${DESCRIPTIONS[0]}`;
    const { events } = decodeAll(panosDialect, [row]);
    expect(kinds(events)).toEqual(['initiate', 'packet', 'negotiation-failed', 'give-up']);
    expect(events[0]).toMatchObject({ conn: 'GW-X', time: '2019/10/19 15:39:29' });
    expect(decodeAll(panosDialect, ['2019/10/19 15:39:29 info     general  admin  login  0  user logged in']).results).toEqual([undefined]);
  });

  it('falls back on the Event ID when the description is no template', () => {
    const { events } = decodeAll(panosDialect, ['2019/10/19 15:39:29 info     vpn     GW-X  ike-nego-p1-succ  0  some text']);
    expect(events.map((e) => [e.kind, e.data])).toEqual([['ike-established', { ikeVersion: 1, detail: 'some text' }]]);
  });
});

describe('PAN-OS ikemgr.log', () => {
  it('PSK mismatch (SD-WAN docs): authentication failure per SA serial, with both endpoints', () => {
    const { events } = decodeAll(panosDialect, PSK);
    expect(summary(events)).toEqual(['1:packet', '1:auth', '2:packet', '2:auth', '3:packet', '3:auth', '4:packet', '4:auth']);
    expect(events.map((e) => e.sa)).toEqual(['1', '1', '1', '1', '4', '4', '4', '4']);
    expect(events[1]).toMatchObject({ time: '2025-01-22 17:26:22.700 -0800', data: { ok: false, direction: 'local', reason: 'authentication failure' } });
    expect(new Date(events[1].t! * 1000).toISOString()).toBe('2025-01-23T01:26:22.700Z');
    expect(events[4].data).toEqual({ direction: 'received', local: { address: '192.168.20.2', port: 500 }, remote: { address: '172.16.40.2', port: 500 } });
    // the line names no method: none is claimed
    expect(events.filter((e) => e.kind === 'auth').every((e) => (e.data as { method?: string }).method === undefined)).toBe(true);
  });

  it('IKEv2 liveness give-up (KB): a liveness timeout for the peer, the SA dying after it', () => {
    const { events } = decodeAll(panosDialect, LIVENESS);
    expect(summary(events)).toEqual(['1:packet', '1:dpd', '2:sa-deleted']);
    expect(events[1]).toMatchObject({ sa: '6', time: '2016-03-01 14:32:24', data: { mechanism: 'liveness', outcome: 'timeout', peer: '2.2.2.2' } });
    expect(events[2]).toMatchObject({ time: '2016-03-01 14:32:24.890 +0800', data: { what: 'ike', reason: 'SA dying from state ESTABLISHED, caller ikev2_abort' } });
  });

  it('claims the start-up lines and the CLI prompt, and finds nothing in them', () => {
    expect(decodeAll(panosDialect, STARTUP).results).toEqual(STARTUP.map(() => []));
  });
});

describe('PAN-OS detection', () => {
  it('every fixture is sniffed by the PAN-OS dialect above all others', () => {
    for (const lines of [CSV, NOT_IPSEC, DESCRIPTIONS, GUI, PEER_ID, PSK, LIVENESS, STARTUP]) {
      const scores = logDialects.map((d) => ({ id: d.id, score: d.sniff(lines) })).sort((a, b) => b.score - a.score);
      expect(scores[0].id).toBe('panos');
      expect(scores[1].score, lines[0]).toBe(0);
    }
  });

  it('sniffs and claims none of the other platforms\' logs in samples/ (strongSwan, libreswan, Cisco ASA, FortiGate, Juniper)', () => {
    const samples = join(import.meta.dirname, '../../../samples');
    let checked = 0;
    for (const dir of readdirSync(samples).filter((d) => !d.startsWith('panos-'))) {
      if (!statSync(join(samples, dir)).isDirectory()) continue;
      for (const f of readdirSync(join(samples, dir)).filter((n) => n.endsWith('.log'))) {
        const lines = readFileSync(join(samples, dir, f), 'utf8').split('\n');
        expect(panosDialect.sniff(lines.slice(0, 400)), `${dir}/${f}`).toBe(0);
        const decoder = panosDialect.createDecoder(f);
        expect(lines.filter((l, i) => l.trim() !== '' && decoder.decode(l, i + 1) !== undefined), `${dir}/${f}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('claims none of the other vendors\' lines', () => {
    for (const lines of [ASA, FORTI, SRX]) {
      expect(panosDialect.sniff(lines)).toBe(0);
      expect(decodeAll(panosDialect, lines).results.every((r) => r === undefined)).toBe(true);
    }
  });
});

describe('panosDialect is total', () => {
  itIsTotal(panosDialect, ALL_REAL, `1,2019/10/06 15:46:26,0,SYSTEM,vpn,0,2019/10/19 15:39:29,,ike-nego-p1-fail,x,0,0,general,high,"${'IKEv2 IKE SA negotiation is failed as responder, non-rekey. '.repeat(400)}"`);

  it('never throws on random GUI records and CSV records with random descriptions; events sit on the line that produced them', () => {
    const description = fc.oneof(fc.constantFrom(...DESCRIPTIONS, ...PEER_ID, V2_ID_DESCRIPTION, 'no proposal chosen.'), fc.string({ maxLength: 120 }));
    const line = fc.oneof(
      description.map((d) => csvRecord('ike-nego-p1-fail', 'gw', d)),
      description.map((d) => cefRecord('vpn|SYSTEM', 'ike-generic-event', 'gw', d)),
      fc.constantFrom('Event: ike-generic-event', 'Event: ikev2-nego-ike-start', ...GUI),
      description,
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const decoder = panosDialect.createDecoder('fuzz.log');
        lines.forEach((l, i) => {
          for (const e of decoder.decode(l, i + 1) ?? []) expect(e.at.line).toBe(i + 1);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('PAN-OS logs end to end: the codes strongSwan logs give', () => {
  it('IKEv2 proposal mismatch (GUI view): IKE_PROPOSAL_MISMATCH, error, seen from the responder, naming the configured algorithm', async () => {
    const report = await diagnoseLines({ name: 'panos-system.log', lines: GUI });
    const f = findingOf(report, 'IKE_PROPOSAL_MISMATCH');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ side: 'responder', exchange: 'IKE_SA_INIT', configured: ['AES256-CBC'], conn: 'IKE-GW-FGT', localAddress: '10.0.0.2', peerAddress: '10.0.0.1' });
    expect(f.message).toContain('AES256-CBC');
    expect(linesOf(f)).toEqual([3, 11]);
    expect(codesOf(report)).not.toContain('NO_MATCHING_CONNECTION');
    expect(report.inputs[0]).toMatchObject({ dialect: 'panos', unparsed: 0 });
  });

  it('the same failure as CEF and as syslog CSV records gives the same finding', async () => {
    const enc = "[IKE-GW-FGT]: Configured encryption algorithm 'AES256-CBC' was not presented in the IKE proposal. Please ensure that matching proposals are configured on both sides.";
    for (const lines of [
      [cefRecord('vpn|SYSTEM', 'ikev2-nego-enc-mismatch', 'IKE-GW-FGT', enc), cefRecord('vpn|SYSTEM', 'ike-generic-event', 'IKE-GW-FGT', 'no proposal chosen.')],
      [csvRecord('ikev2-nego-enc-mismatch', 'IKE-GW-FGT', enc), csvRecord('ike-generic-event', 'IKE-GW-FGT', 'no proposal chosen.')],
    ]) {
      const f = findingOf(await diagnoseLines({ name: 'panos.log', lines }), 'IKE_PROPOSAL_MISMATCH');
      expect(f.data).toMatchObject({ phase: 'ike', configured: ['AES256-CBC'], conn: 'IKE-GW-FGT' });
      expect(linesOf(f)).toEqual([1, 2]);
    }
  });

  it('a no-proposal-chosen on a phase-2 Event ID is a Child SA refusal', async () => {
    const report = await diagnoseLines({ name: 'panos.log', lines: [csvRecord('ike-nego-p2-fail', 'TUN-1', 'no proposal chosen.')] });
    expect(findingOf(report, 'CHILD_PROPOSAL_MISMATCH').data).toMatchObject({ phase: 'child', conn: 'TUN-1' });
    expect(codesOf(report)).not.toContain('IKE_PROPOSAL_MISMATCH');
  });

  it('PSK mismatch (ikemgr): AUTH_FAILED, error, this log holds the reason, both SAs cited', async () => {
    const report = await diagnoseLines({ name: 'ikemgr.log', lines: PSK });
    const f = findingOf(report, 'AUTH_FAILED');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ reason: 'authentication failure', whereToLook: 'This log holds the reason.', localAddress: '192.168.20.2' });
    expect((f.data.causes as string[])[0]).toBe('pre-shared key differs between the peers');
    expect(linesOf(f)).toEqual([1, 2, 3, 4]);
  });

  it('IKEv2 peer ID mismatch behind NAT: PEER_ID_MISMATCH with the ID received and the NAT facts, no AUTH_FAILED', async () => {
    const report = await diagnoseLines({ name: 'panos.log', lines: PEER_ID });
    const f = findingOf(report, 'PEER_ID_MISMATCH');
    expect(f.severity).toBe('error');
    expect(f.data.received).toBe('ipaddr:10.222.191.127');
    expect(f.message).toContain('ipaddr:10.222.191.127');
    expect(f.data.detail).toMatch(/private address \(RFC 1918\).*176\.238\.239\.255\[51435\]/);
    expect(codesOf(report)).not.toContain('AUTH_FAILED');
  });

  it('no configuration for the peer: NO_MATCHING_CONNECTION naming the peer and its source port', async () => {
    const report = await diagnoseLines({ name: 'panos.log', lines: [DESCRIPTIONS[1]] });
    const f = findingOf(report, 'NO_MATCHING_CONNECTION');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ remote: 'x.x.x.x', certainty: 'certain' });
    expect(f.message).toContain('x.x.x.x[1929]');
  });

  it('phase 1 timeout as initiator: IKE_NO_RESPONSE at the first exchange, port 500', async () => {
    const report = await diagnoseLines({ name: 'panos.log', lines: [DESCRIPTIONS[0]] });
    const f = findingOf(report, 'IKE_NO_RESPONSE');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ peer: 'y.y.y.y:500', port: 500, stage: 'first', gaveUp: true });
    // no verdict came back, so there is nothing the responder's log would explain
    expect(codesOf(report)).not.toContain('LOG_FROM_INITIATOR');
  });

  it('IKEv2 liveness give-up: DPD_TIMEOUT for the peer, noticed by this firewall', async () => {
    const report = await diagnoseLines({ name: 'ikemgr.log', lines: LIVENESS });
    const f = findingOf(report, 'DPD_TIMEOUT');
    expect(f.severity).toBe('error');
    expect(f.data).toMatchObject({ peer: '2.2.2.2', mechanism: 'IKEv2 liveness checks', localAddress: '1.1.1.1', recovered: 'no' });
    expect(codesOf(report)).not.toContain('IKE_NO_RESPONSE');
  });

  it('a PAN-OS responder log counts as the responder\'s log: no LOG_FROM_INITIATOR beside a strongSwan initiator\'s', async () => {
    const initiator = readFileSync(join(import.meta.dirname, '../../../samples/lab-ike-proposal-mismatch/left.log'), 'utf8').split('\n');
    const alone = await diagnoseLines({ name: 'left.log', lines: initiator }, { only: ['log-perspective'] });
    expect(codesOf(alone)).toEqual(['LOG_FROM_INITIATOR']);
    const both = await diagnoseLines([{ name: 'left.log', lines: initiator }, { name: 'panos.log', lines: GUI }], { only: ['log-perspective'] });
    expect(codesOf(both)).toEqual([]);
  });
});
