/**
 * Per-IKE-SA bound on kept IKE messages (src/wire/collector/packet-collector.ts): the first
 * IKE_SA_HEAD and the last IKE_SA_TAIL messages of an SA are kept, the middle is
 * counted per exchange type, and derived/wire/ike-sas.ts pairs within what is kept.
 *
 * The long SA is built from the real frames of test/fixtures/pcaps/lab-idle-tunnel-dpd-left.pcap
 * (strongSwan lab, IKEv2 PSK, dpd_delay 30s; PROVENANCE.md): its IKE_SA_INIT and IKE_AUTH
 * frames as captured, then its real DPD request (frame 7) and response (frame 10) replayed
 * for days of 30 s DPD rounds with the IKE message ID rewritten per round (the SK payload
 * is opaque to the decoder, so only the header changes), and at the end a DPD request
 * that is retransmitted and never answered: the peer died late in the SA's life.
 */
import { describe, expect, it } from 'vitest';
import type { CapturedFrame, PacketEvidence } from '../../src/evidence/packet-types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { createPacketCollector, IKE_SA_HEAD, IKE_SA_TAIL } from '../../src/wire/collector/packet-collector.js';
import { ikeSas } from '../../src/evidence/derived/wire/ike-sas.js';
import { analyse } from '../../src/run.js';
import ikeReachability from '../../checks/ike-reachability.js';
import { framesOf } from './pcap-fixtures.js';

const NAME = 'lab-idle-tunnel-dpd-left.pcap';
const SPI_I = [0x94, 0xbd, 0x73, 0x36, 0x19, 0x0b, 0x92, 0x96];
const DPD_ROUNDS = 300;
const LATE_RETRANSMITS = 5;

/** Offset of the IKE header in a frame: where the initiator SPI starts. */
function ikeOffset(data: Uint8Array): number {
  for (let i = 0; i + 8 <= data.length; i++) if (SPI_I.every((b, j) => data[i + j] === b)) return i;
  throw new Error('no IKE header');
}

function withMessageId(f: CapturedFrame, msgid: number, ts: number): CapturedFrame {
  const data = f.data.slice();
  new DataView(data.buffer).setUint32(ikeOffset(data) + 20, msgid);
  return { ...f, ts, data };
}

/**
 * The frame with `extra` bytes appended to its IKE message's SK payload (opaque to the
 * decoder): the SK payload, IKE, UDP and IPv4 length fields grow with it.
 */
function withPadding(f: CapturedFrame, extra: number): CapturedFrame {
  if (!extra) return f;
  const ike = ikeOffset(f.data);
  const grown = new Uint8Array(f.data.length + extra);
  grown.set(f.data);
  const dv = new DataView(grown.buffer);
  // IKE header 28 bytes, then the SK payload (RFC 7296 §3.14), the only payload of a DPD message
  dv.setUint32(ike + 24, dv.getUint32(ike + 24) + extra);
  dv.setUint16(ike + 28 + 2, dv.getUint16(ike + 28 + 2) + extra);
  // UDP 4500 with the non-ESP marker (RFC 3948 §2.2) right before the IKE header, IPv4 without options before it
  const udp = ike - 4 - 8;
  if (dv.getUint16(udp) !== 4500 && dv.getUint16(udp + 2) !== 4500) throw new Error('not IKE on UDP 4500 with a non-ESP marker');
  dv.setUint16(udp + 4, dv.getUint16(udp + 4) + extra);
  if (grown[udp - 20] !== 0x45) throw new Error('not an IPv4 header without options');
  dv.setUint16(udp - 20 + 2, dv.getUint16(udp - 20 + 2) + extra);
  return { ...f, data: grown, caplen: f.caplen + extra, origlen: f.origlen + extra };
}

/** The frames of the long SA and what they are, in capture order. */
function longSa(): { frames: CapturedFrame[]; lateRequestFrames: number[]; headRequestMsgid: number } {
  const real = framesOf(NAME).frames;
  const byNumber = (n: number) => real.find((f) => f.frame === n)!;
  const out: CapturedFrame[] = [1, 2, 3, 4].map(byNumber);
  const dpdReq = byNumber(7);
  const dpdResp = byNumber(10);
  let ts = dpdReq.ts;
  // the first two DPD requests are retransmitted once before their answer (the first retransmissions stay kept)
  for (const msgid of [2, 3]) {
    if (msgid > 2) ts += 30;
    out.push(withMessageId(dpdReq, msgid, ts), withMessageId(dpdReq, msgid, ts + 4), withMessageId(dpdResp, msgid, ts + 4.1));
  }
  for (let msgid = 4; msgid < 3 + DPD_ROUNDS; msgid++) {
    ts += 30;
    out.push(withMessageId(dpdReq, msgid, ts), withMessageId(dpdResp, msgid, ts + 0.06));
  }
  const lateMsgid = 3 + DPD_ROUNDS;
  ts += 30;
  const lateRequestFrames: number[] = [];
  for (let i = 0; i <= LATE_RETRANSMITS; i++) {
    out.push(withMessageId(dpdReq, lateMsgid, ts + 4 * i));
    lateRequestFrames.push(out.length);
  }
  const frames = out.map((f, i) => ({ ...f, frame: i + 1 }));
  // frames 2..4 (3 messages with both SPIs) + msgid 2 and 3 (3 each) + pairs from msgid 4: the last head message is a request
  const headRequestMsgid = 4 + (IKE_SA_HEAD - 9 - 1) / 2;
  if (!Number.isInteger(headRequestMsgid)) throw new Error('IKE_SA_HEAD changed: re-align the capture so a request ends the head');
  return { frames, lateRequestFrames, headRequestMsgid };
}

function collect(frames: CapturedFrame[], ikeSaBound?: { head: number; tail: number }): PacketEvidence {
  const c = createPacketCollector({ local: [], peer: [], ikeSaBound });
  for (const f of frames) c.addFrame(f);
  return c.finish();
}

const evidenceOf = (packets: PacketEvidence): Evidence => ({ inputs: [], diagnostics: [], options: { local: [], peer: [] }, packets });

describe('per-IKE-SA bound on kept IKE messages', () => {
  const { frames, lateRequestFrames, headRequestMsgid } = longSa();
  const total = frames.length;

  it('keeps the first and last messages of the SA and counts the middle per exchange type', () => {
    const p = collect(frames);
    expect(p.counters.ike).toBe(total);
    // the IKE_SA_INIT request (zero responder SPI) is its own group; the SPI pair keeps head + tail
    expect(p.ikeMessages).toHaveLength(1 + IKE_SA_HEAD + IKE_SA_TAIL);
    expect(p.ikeMessages.map((m) => m.index)).toEqual(p.ikeMessages.map((_, i) => i));
    expect(p.ikeMessages.map((m) => m.at.frame)).toEqual([...p.ikeMessages.map((m) => m.at.frame)].sort((a, b) => a - b));
    const dropped = total - 1 - IKE_SA_HEAD - IKE_SA_TAIL;
    expect(p.counters.ikeNotKept).toBe(dropped);
    expect(p.ikeNotKept).toHaveLength(1);
    const gap = p.ikeNotKept![0];
    expect(gap).toMatchObject({ version: 2, spiI: '94bd7336190b9296', spiR: 'dc80d116cf4f0723', messages: dropped, byExchange: { INFORMATIONAL: dropped } });
    // only the initiator's DPD requests and the responder's answers were dropped: the answers are counted by sender
    expect(gap.responsesByExchange.initiator).toEqual({});
    expect(gap.responsesByExchange.responder.INFORMATIONAL).toBe(Math.ceil(dropped / 2));
    // the gap is the middle: right after the head, ending where the kept tail resumes
    expect(gap.first.frame).toBe(IKE_SA_HEAD + 2);
    expect(gap.last.frame).toBe(total - IKE_SA_TAIL);
    expect(p.ikeMessages[gap.resumesAt].at.frame).toBe(total - IKE_SA_TAIL + 1);
    // the first retransmission and the initial exchanges are kept
    expect(p.ikeMessages.slice(0, 5).map((m) => m.exchangeName)).toEqual(['IKE_SA_INIT', 'IKE_SA_INIT', 'IKE_AUTH', 'IKE_AUTH', 'INFORMATIONAL']);
    expect(p.ikeMessages.filter((m) => m.messageId === 2 && !m.response && m.exchangeName === 'INFORMATIONAL')).toHaveLength(2);
  });

  it('decodes the kept tail from the raw bytes it held exactly as an unbounded collector decodes it, and says what it did not keep', () => {
    const c = createPacketCollector({ local: [], peer: [] });
    for (const f of frames) c.addFrame(f);
    const bounded = c.finish();
    const unbounded = collect(frames, { head: 100_000, tail: 100_000 });
    const tailFrames = new Set(bounded.ikeMessages.slice(-IKE_SA_TAIL).map((m) => m.at.frame));
    expect(tailFrames.size).toBe(IKE_SA_TAIL);
    const strip = (m: PacketEvidence['ikeMessages'][number]) => ({ ...m, index: 0 });
    expect(bounded.ikeMessages.slice(-IKE_SA_TAIL).map(strip)).toEqual(unbounded.ikeMessages.filter((m) => tailFrames.has(m.at.frame)).map(strip));
    const dropped = total - 1 - IKE_SA_HEAD - IKE_SA_TAIL;
    expect(c.diagnostics()[0]).toMatchObject({ decoder: 'packets', at: { frame: IKE_SA_HEAD + 2 } });
    expect(c.diagnostics()[0].message).toMatch(new RegExp(`^${dropped} IKE messages of 1 long-lived IKE SA were counted per exchange but not kept \\(the first ${IKE_SA_HEAD} and the last ${IKE_SA_TAIL}`));
  });

  it('keeps encrypted tail messages of every length byte for byte: short ones, longer ones that widen the ring, and ones longer than its widest room', () => {
    // the last DPD rounds with the opaque SK payload grown (0 to 3000 bytes more): the ring's
    // room per slot grows while it holds short messages that stay in the tail to the end
    const sizes = [0, 300, 0, 700, 1500, 0, 3000, 120];
    const grownFrom = total - LATE_RETRANSMITS - 1 - 40;
    const varied = frames.map((f, i) => (i >= grownFrom && i < total - LATE_RETRANSMITS - 1 ? withPadding(f, sizes[i % sizes.length]) : f));
    const bounded = collect(varied);
    const unbounded = collect(varied, { head: 100_000, tail: 100_000 });
    const tail = bounded.ikeMessages.slice(-IKE_SA_TAIL);
    expect(tail.filter((m) => m.at.frame <= grownFrom).length).toBeGreaterThan(10);
    expect(new Set(tail.map((m) => m.length)).size).toBeGreaterThan(4);
    expect(Math.max(...tail.map((m) => m.length))).toBeGreaterThan(3000);
    const byFrame = new Map(unbounded.ikeMessages.map((m) => [m.at.frame, m]));
    expect(tail.map((m) => ({ ...m, index: 0 }))).toEqual(tail.map((m) => ({ ...byFrame.get(m.at.frame)!, index: 0 })));
    expect(tail.every((m) => m.encrypted?.payload === 'SK' && !m.malformed)).toBe(true);
  });

  it('the SA view pairs within what is kept and says what was not kept', () => {
    const view = ikeSas(evidenceOf(collect(frames)));
    expect(view.sas).toHaveLength(1);
    const sa = view.sas[0];
    expect(sa.authCompleted).toBe(true);
    expect(sa.notKept).toMatchObject({ messages: total - 1 - IKE_SA_HEAD - IKE_SA_TAIL, byExchange: { INFORMATIONAL: total - 1 - IKE_SA_HEAD - IKE_SA_TAIL } });
    const first = sa.exchanges.find((e) => e.exchangeName === 'INFORMATIONAL' && e.messageId === 2)!;
    expect(first).toMatchObject({ answered: true, retransmits: 1 });
    // the last head message is a request whose response fell in the dropped middle: not unanswered
    const cut = sa.exchanges.find((e) => e.messageId === headRequestMsgid)!;
    expect(cut.request!.at.frame).toBe(IKE_SA_HEAD + 1);
    expect(cut).toMatchObject({ answered: false, answerMayBeNotKept: true });
    // only the late DPD request, retransmitted and never answered, is unanswered
    expect(view.unanswered.map((e) => [e.messageId, e.requests.map((r) => r.at.frame)])).toEqual([[3 + DPD_ROUNDS, lateRequestFrames]]);
  });

  it('the late failure in the tail is still found, and no IKE_NO_RESPONSE is reported across the gap', async () => {
    const report = await analyse(evidenceOf(collect(frames)), { checks: [ikeReachability] });
    expect(report.findings.map((f) => f.code)).toEqual(['IKE_NO_RESPONSE']);
    const f = report.findings[0];
    expect(f.data).toMatchObject({ exchange: 'INFORMATIONAL', msgid: 3 + DPD_ROUNDS, retransmits: LATE_RETRANSMITS, peer: '198.51.100.20:4500' });
    expect(f.evidence.map((e) => e.frame)).toEqual(lateRequestFrames);
    // the same finding as with every message kept
    const unbounded = await analyse(evidenceOf(collect(frames, { head: 100_000, tail: 100_000 })), { checks: [ikeReachability] });
    expect(unbounded.findings.map((x) => [x.code, x.data, x.evidence])).toEqual(report.findings.map((x) => [x.code, x.data, x.evidence]));
  });

  it('a flood of dropped requests alone does not hide an unanswered request (IKE_SA_INIT resent forever)', () => {
    const init = framesOf(NAME).frames.find((f) => f.frame === 1)!;
    const flood = Array.from({ length: 40 }, (_, i) => ({ ...init, frame: i + 1, ts: init.ts + i }));
    const p = collect(flood, { head: 4, tail: 4 });
    expect(p.ikeMessages).toHaveLength(8);
    expect(p.ikeNotKept![0]).toMatchObject({ messages: 32, byExchange: { IKE_SA_INIT: 32 }, responsesByExchange: { initiator: {}, responder: {} } });
    const view = ikeSas(evidenceOf(p));
    expect(view.unanswered).toHaveLength(1);
    expect(view.unanswered[0].retransmits).toBe(7);
  });

  it('a capture within the bounds is untouched: no gap, every message kept', () => {
    const real = framesOf(NAME).frames;
    const p = collect(real);
    expect(p.ikeNotKept).toBeUndefined();
    expect(p.counters.ikeNotKept).toBeUndefined();
    expect(p.ikeMessages).toHaveLength(p.counters.ike);
  });
});
