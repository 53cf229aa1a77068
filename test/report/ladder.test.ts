/**
 * The ladder view (src/evidence/derived/ladder/ladder.ts) from real inputs: charon logs
 * of the project's strongSwan lab through the real decoder, and the lab's pcaps
 * through the real capture reader.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { buildEvidence } from '../../src/run.js';
import { ladderOf, logLane, MAX_STEPS, type Ladder } from '../../src/evidence/derived/ladder/ladder.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { LogEvent, LogEventKind } from '../../src/evidence/log-events.js';

async function logLadder(path: string): Promise<Ladder> {
  const evidence = await buildEvidence({ logs: [path], pcaps: [], configs: [], host: false, local: [], peer: [] });
  const view = ladderOf(evidence);
  expect(view.ladders.length).toBe(1);
  return view.ladders[0];
}

async function packetLadder(path: string, local: string[] = []): Promise<Ladder[]> {
  const { inputs, packets, diagnostics } = await loadCaptures([path], { local, peer: [] });
  const evidence: Evidence = { inputs, packets, diagnostics, options: { local, peer: [] } };
  return ladderOf(evidence).ladders;
}

describe('ladder from logs', () => {
  it('pairs requests with responses and marks the error notify where it was sent (responder, PSK mismatch)', async () => {
    const lane = await logLadder('test/reporters/fixtures/lab-psk-mismatch-right.log');
    expect(lane).toMatchObject({ source: 'log', local: '198.51.100.20', remote: '192.0.2.10', omitted: 0 });
    const messages = lane.steps.filter((s) => s.kind === 'message');
    expect(messages.map((s) => `${s.dir} ${s.exchange} ${s.role} ${s.msgid}`)).toEqual([
      'in IKE_SA_INIT request 0',
      'out IKE_SA_INIT response 0',
      'in IKE_AUTH request 1',
      'out IKE_AUTH response 1',
    ]);
    const [initReq, initResp, authReq, authResp] = messages;
    expect(lane.steps[initReq.pair!]).toBe(initResp);
    expect(lane.steps[authResp.pair!]).toBe(authReq);
    expect(authResp.errors).toEqual(['AUTHENTICATION_FAILED']);
    expect(authResp.at).toEqual({ source: 'test/reporters/fixtures/lab-psk-mismatch-right.log', line: 124 });
    // the local verdict comes before the response that carries it
    const failure = lane.steps.find((s) => s.kind === 'failure')!;
    expect(failure.label).toMatch(/^authentication failed: tried 1 shared key/);
    expect(lane.steps.indexOf(failure)).toBeLessThan(lane.steps.indexOf(authResp));
  });

  it('shows retransmissions with their timing and the give-up (initiator, UDP 500 dropped)', async () => {
    const lane = await logLadder('test/reporters/fixtures/lab-udp500-dropped-left.log');
    const request = lane.steps.find((s) => s.kind === 'message')!;
    expect(request).toMatchObject({ dir: 'out', exchange: 'IKE_SA_INIT', role: 'request', msgid: 0 });
    expect(request.pair).toBeUndefined();
    const retx = lane.steps.filter((s) => s.kind === 'retransmit');
    expect(retx.map((s) => [s.retransmit?.count, s.retransmit?.sinceFirst, s.exchange])).toEqual([
      [1, 1, 'IKE_SA_INIT'],
      [2, 3, 'IKE_SA_INIT'],
      [3, 5, 'IKE_SA_INIT'],
    ]);
    // charon's two give-up lines ("giving up after 3 retransmits", "…failed, peer not responding") make one mark
    expect(lane.steps.filter((s) => s.kind === 'failure' && s.label.startsWith('gave up')).map((s) => s.label)).toEqual(['gave up after 3 retransmits']);
  });

  it('is bounded and never throws on arbitrary events', () => {
    const kinds: LogEventKind[] = ['message', 'retransmit', 'auth', 'give-up', 'ike-established', 'child-established', 'dpd', 'packet', 'notify', 'sa-deleted', 'no-proposal-chosen'];
    const event = fc.record({
      kind: fc.constantFrom(...kinds),
      line: fc.nat(),
      t: fc.option(fc.double({ noNaN: false }), { nil: undefined }),
      data: fc.record({
        direction: fc.constantFrom('sent', 'received', 'local'),
        exchange: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        role: fc.option(fc.constantFrom('request', 'response'), { nil: undefined }),
        msgid: fc.option(fc.nat(5), { nil: undefined }),
        payloads: fc.option(fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }), { nil: undefined }),
        count: fc.option(fc.nat(9), { nil: undefined }),
        ok: fc.boolean(),
        spis: fc.option(fc.array(fc.stringMatching(/^[0-9a-f]{8}$/)), { nil: undefined }),
      }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 400 }), (raw) => {
        const events = raw.map((r) => ({ kind: r.kind, at: { source: 'x.log', line: r.line }, excerpt: '', impl: 'strongswan', t: r.t, data: r.data }) as unknown as LogEvent);
        const lane = logLane('x.log', events);
        expect(lane.steps.length).toBeLessThanOrEqual(MAX_STEPS);
        expect(lane.steps.length + lane.omitted).toBeLessThanOrEqual(events.length);
        JSON.stringify(lane);
      }),
      { numRuns: 150 },
    );
  });
});

describe('ladder from captures', () => {
  it('draws the lab handshake on the wire with ESP counts per SPI and direction (lab-healthy/left.pcap)', async () => {
    const lanes = await packetLadder('samples/lab-healthy/left.pcap', ['192.0.2.10']);
    expect(lanes.length).toBeGreaterThan(0);
    const lane = lanes.find((l) => l.local === '192.0.2.10')!;
    expect(lane).toMatchObject({ source: 'packets', remote: '198.51.100.20' });
    const firsts = lane.steps.filter((s) => s.kind === 'message').slice(0, 4);
    expect(firsts.map((s) => `${s.dir} ${s.exchange} ${s.role}`)).toEqual([
      'out IKE_SA_INIT request',
      'in IKE_SA_INIT response',
      'out IKE_AUTH request',
      'in IKE_AUTH response',
    ]);
    expect(firsts[0].at.frame).toBeGreaterThan(0);
    expect(lane.steps[firsts[0].pair!]).toBe(firsts[1]);
    // both directions of the child SA carried ESP (in UDP: kernel-libipsec)
    expect(new Set(lane.esp.map((c) => c.dir))).toEqual(new Set(['out', 'in']));
    for (const c of lane.esp) expect(c.packets).toBeGreaterThan(0);
  });

  it('marks byte-identical resends as retransmissions (lab-udp500-dropped/left.pcap)', async () => {
    const lanes = await packetLadder('samples/lab-udp500-dropped/left.pcap', ['192.0.2.10']);
    const retx = lanes.flatMap((l) => l.steps).filter((s) => s.kind === 'retransmit');
    expect(retx.length).toBeGreaterThan(0);
    expect(retx[0].exchange).toBe('IKE_SA_INIT');
    expect(retx[0].retransmit?.sinceFirst).toBeGreaterThan(0);
  });
});
