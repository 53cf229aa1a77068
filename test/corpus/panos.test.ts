/**
 * The PAN-OS log dialect on the shared corpus itself (../shared/corpus/platforms/panos,
 * PROVENANCE.md beside it): every log file is detected as PAN-OS and read to the last
 * line, the events the diagnoses rest on sit on the right lines, the `show vpn` tables and
 * `set` commands are left to their own readers, and no other vendor's corpus log is
 * claimed. Skips, saying so, when the corpus is absent (a user's clone does not have it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadLogFile } from '../../src/sources/log-file.js';
import { diagnose } from '../../src/run.js';
import { panosDialect } from '../../src/platforms/panos/log/dialect.js';
import { detectConfigType } from '../../src/sources/config-file.js';
import { panosConfigReaders } from '../../src/platforms/panos/configs.js';
import type { LogEvent } from '../../src/evidence/log-events.js';

const CORPUS = resolve(process.env.IPSEC_DOCTOR_CORPUS ?? join(import.meta.dirname, '../../../shared/corpus'));
const PANOS = join(CORPUS, 'platforms', 'panos');
const present = existsSync(join(CORPUS, 'platforms', 'PROVENANCE.md')) && existsSync(PANOS);
if (!present) console.warn(`[corpus] skipping the PAN-OS corpus tests: ${PANOS} not found (set IPSEC_DOCTOR_CORPUS to the corpus directory)`);

// the event store keeps events in line order, not necessarily in the order one line produced them
const at = (events: LogEvent[]) => events.map((e) => `${e.at.line}:${e.kind}`).sort();

/** Each PAN-OS log of the corpus: the events expected, line by line. */
const LOGS: [file: string, lines: number, events: string[]][] = [
  ['panos-system-log-syslog-csv.fixtures.log', 2, ['1:sa-deleted']],
  ['panos-system-log-descriptions.thirdparty.txt', 2, ['1:initiate', '1:packet', '1:negotiation-failed', '1:give-up', '2:respond', '2:no-config', '2:negotiation-failed']],
  ['panos-system-log-ikev2-peer-id-mismatch.forum.txt', 2, ['1:respond', '1:packet', '1:negotiation-failed', '2:id-mismatch']],
  ['panos-system-log-ikev2-proposal-mismatch.lab-notes.txt', 11, ['3:proposals', '3:no-proposal-chosen', '8:respond', '8:packet', '11:no-proposal-chosen']],
  ['panos-ikemgr-psk-mismatch.docs.log', 1, ['1:packet', '1:auth']],
  ['panos-ikemgr-liveness-abort.kb.log', 2, ['1:packet', '1:dpd', '2:sa-deleted']],
  ['panos-ikemgr-startup.pastebin.log', 10, []],
];

/** The diagnosis each failure file must produce on its own. */
const DIAGNOSES: [file: string, code: string, data: Record<string, unknown>][] = [
  ['panos-system-log-ikev2-proposal-mismatch.lab-notes.txt', 'IKE_PROPOSAL_MISMATCH', { side: 'responder', configured: ['AES256-CBC'], conn: 'IKE-GW-FGT' }],
  ['panos-ikemgr-psk-mismatch.docs.log', 'AUTH_FAILED', { reason: 'authentication failure', localAddress: '192.168.20.2', peerAddress: '172.16.20.2' }],
  ['panos-system-log-ikev2-peer-id-mismatch.forum.txt', 'PEER_ID_MISMATCH', { received: 'ipaddr:10.222.191.127' }],
  ['panos-ikemgr-liveness-abort.kb.log', 'DPD_TIMEOUT', { peer: '2.2.2.2', mechanism: 'IKEv2 liveness checks' }],
];

function* files(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

describe.skipIf(!present)('PAN-OS dialect on the shared corpus', () => {
  it.each(LOGS)('%s: detected as PAN-OS, every line read, events on their lines', async (file, lines, events) => {
    const r = await loadLogFile(join(PANOS, file));
    expect(r.input).toMatchObject({ dialect: 'panos', lines, unparsed: 0 });
    expect(at(r.events)).toEqual([...events].sort());
    expect(r.diagnostics).toEqual([]);
  });

  it('every other file of the folder (tables, set commands) is left to its own reader', () => {
    const logs = new Set(LOGS.map(([f]) => f));
    const others = readdirSync(PANOS).filter((f) => !logs.has(f));
    expect(others.length).toBeGreaterThan(0);
    for (const f of others) expect(panosDialect.sniff(readFileSync(join(PANOS, f), 'utf8').split('\n')), f).toBe(0);
  });

  it.each(DIAGNOSES)('%s → %s', async (file, code, data) => {
    const report = await diagnose({ logs: [join(PANOS, file)], pcaps: [], configs: [], host: false, local: [], peer: [] });
    const f = report.findings.find((x) => x.code === code);
    expect(f, report.findings.map((x) => x.code).join(', ')).toBeDefined();
    expect(f!.severity).toBe('error');
    expect(f!.data).toMatchObject(data);
  });

  it('the two third-party descriptions: IKE_NO_RESPONSE at the first exchange and NO_MATCHING_CONNECTION with the source port', async () => {
    const report = await diagnose({ logs: [join(PANOS, 'panos-system-log-descriptions.thirdparty.txt')], pcaps: [], configs: [], host: false, local: [], peer: [] });
    const codes = report.findings.map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['IKE_NO_RESPONSE', 'NO_MATCHING_CONNECTION']));
    expect(report.findings.find((f) => f.code === 'IKE_NO_RESPONSE')!.data).toMatchObject({ peer: 'y.y.y.y:500', stage: 'first' });
    expect(report.findings.find((f) => f.code === 'NO_MATCHING_CONNECTION')!.message).toContain('x.x.x.x[1929]');
  });

  it('no log of the other vendors in the corpus is sniffed or claimed as PAN-OS', () => {
    const logs = join(CORPUS, 'logs');
    let checked = 0;
    for (const p of files(logs)) {
      if (/\.(md|pcap|pcapng)$/.test(p)) continue;
      let buf = readFileSync(p);
      if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
      const lines = buf.toString('utf8').split('\n');
      expect(panosDialect.sniff(lines.slice(0, 400)), p).toBe(0);
      const decoder = panosDialect.createDecoder(p);
      expect(lines.filter((l, i) => l.trim() !== '' && decoder.decode(l, i + 1) !== undefined), p).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

// moved from test/platforms/panos/config.test.ts: the unit suite must not need the corpus
describe.skipIf(!present)('PAN-OS set commands on the shared corpus', () => {
  it('the Cloudflare Magic WAN excerpt (gateway and tunnel only) reads the gateway, leaving unknown objects as written', () => {
    const text = readFileSync(join(PANOS, 'panos-set-ike-gateway-and-tunnel.cloudflare-docs.txt'), 'utf8');
    const d = detectConfigType(text);
    expect(d?.reader && panosConfigReaders.includes(d.reader)).toBe(true);
    const r = d!.reader.decode(text, 'corpus.txt', () => ({ files: [] }));
    const c = r.facts.connections.find((x) => x.name === 'CF_Magic_WAN_IKE_01')!;
    expect(c.remote.addrs.value).toEqual(['CF_Magic_WAN_Anycast_01']); // the object is not in the excerpt
    // the IKE profile is not in it either: not compared, and said so
    expect(c.proposals.value).toEqual([]);
    expect(r.diagnostics.map((x) => x.message)).toEqual(['IKE crypto profile CF_IKE_Crypto_CBC is not in this file: the proposals of CF_Magic_WAN_IKE_01 are not compared']);
    expect(JSON.stringify(r.facts)).not.toContain('Xdcd9ir5o5xhjuIH');
  });
});
