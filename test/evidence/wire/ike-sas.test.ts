import { describe, expect, it } from 'vitest';
import { buildIkeSas } from '../../../src/evidence/derived/wire/ike-sas.js';
import { decodeFixture } from '../../wire/pcap-fixtures.js';

const view = (name: string) => buildIkeSas(decodeFixture(name).packets.ikeMessages);
const frames = (ms: { at: { frame: number } }[]) => ms.map((m) => m.at.frame);

describe('IKE SAs, exchanges and retransmissions (derived)', () => {
  it('pairs IKEv1 Main Mode 1/2, 3/4, 5/6 and Quick Mode 1/2 with QM3 unanswered by design (ipsec-ikev1-isakmp-main-mode.pcap)', () => {
    const v = view('ikev1-main-mode-psk-quick-mode.pcap');
    expect(v.sas).toHaveLength(1);
    const sa = v.sas[0];
    expect(sa).toMatchObject({ spiI: 'e47a591fd057587f', spiR: 'a00b8ef0902bb8ec', initiator: { address: '192.168.12.1', port: 500 }, authCompleted: true });
    expect(sa.exchanges.map((e) => [e.exchangeName, frames(e.requests), frames(e.responses), e.expectsResponse])).toEqual([
      ['Main Mode', [1], [2], true], ['Main Mode', [3], [4], true], ['Main Mode', [5], [6], true], ['Quick Mode', [7], [8], true], ['Quick Mode', [9], [], false],
    ]);
    expect(v.unanswered).toEqual([]);
    expect(sa.natD.map((n) => [n.message.at.frame, n.sourceMatches, n.destinationMatches])).toEqual([[3, true, true], [4, true, true]]);
    expect(sa.offered[0].transforms.map((t) => t.name)).toContain('AES_CBC');
  });

  it('sees a byte-identical Quick Mode retransmission 10 s later, then answered (zeek-spicy-ipsec ikev1-certs.pcap)', () => {
    const qm = view('ikev1-main-mode-certs-qm-retransmit.pcap').exchanges.find((e) => e.exchangeName === 'Quick Mode' && e.expectsResponse)!;
    expect(frames(qm.requests)).toEqual([7, 8]);
    expect(qm.retransmits).toBe(1);
    expect(qm.retransmitIntervals[0]).toBeCloseTo(10.0, 1);
    expect(qm.answered).toBe(true);
    expect(qm.response?.at.frame).toBe(9);
  });

  it('sees the responder re-sending MM2 and the QM2 response three times (ipsec.cap, isakmp4500.pcap)', () => {
    const mm = view('ikev1-mm-no-proposal-notify-retransmit-esp.pcap').exchanges[0];
    expect([frames(mm.requests), frames(mm.responses), mm.responseRetransmits]).toEqual([[1], [2, 4], 1]);
    const natt = view('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    const qm1 = natt.exchanges.find((e) => e.exchangeName === 'Quick Mode' && e.expectsResponse)!;
    expect([frames(qm1.requests), frames(qm1.responses), qm1.responseRetransmits]).toEqual([[9], [10, 15, 20, 30], 3]);
    expect(natt.sas[0].usedPort4500).toBe(true);
    // zeroed clocks: intervals are 0, never NaN or negative
    const qm3 = natt.exchanges.find((e) => e.exchangeName === 'Quick Mode' && !e.expectsResponse)!;
    expect(qm3.retransmitIntervals).toEqual([0, 0]);
  });

  it('finds the unanswered IKE_AUTH retransmitted twice at 1 s intervals (ipsec_client.pcap)', () => {
    const v = view('ikev2-nat-auth-ipfrag-no-response.pcap');
    expect(v.unanswered).toHaveLength(1);
    const auth = v.unanswered[0];
    expect(auth).toMatchObject({ exchangeName: 'IKE_AUTH', messageId: 1, retransmits: 2, requester: 'initiator' });
    expect(auth.retransmitIntervals.map((x) => Math.round(x * 1000) / 1000)).toEqual([1, 1]);
    expect(auth.request?.ipFragmentation?.fragments).toBe(3);
    const sa = v.sas[0];
    expect(sa.natD.map((n) => [n.from, n.sourceMatches, n.destinationMatches])).toEqual([['initiator', true, true], ['responder', true, false]]);
    expect(sa.fragmentationSupported).toEqual({ initiator: false, responder: false });
    expect(sa.chosen?.transforms.map((t) => t.name)).toEqual(['ENCR_3DES', 'AUTH_HMAC_SHA1_96', 'PRF_HMAC_SHA1', 'MODP_1024']);
  });

  it('treats the COOKIE round trip as two exchanges, not a retransmission, and pipelined CREATE_CHILD_SA as answered (tcpdump ikev2four.pcap)', () => {
    const v = view('ikev2-cookie-auth-create-child-dlt-null.pcap');
    const main = v.sas.find((s) => s.spiI === 'a88875a8198992a6')!;
    const init = main.exchanges.filter((e) => e.exchangeName === 'IKE_SA_INIT');
    expect(init.map((e) => [frames(e.requests), frames(e.responses), e.retransmits])).toEqual([[[1], [2], 0], [[3], [4], 0]]);
    expect(init[0].response?.notifies.map((n) => n.name)).toEqual(['COOKIE']);
    const children = main.exchanges.filter((e) => e.exchangeName === 'CREATE_CHILD_SA');
    expect(children).toHaveLength(7);
    expect(children.every((e) => e.answered)).toBe(true);
    expect(main.authCompleted).toBe(true);
    expect(v.unanswered.map((e) => [e.exchangeName, e.request?.at.frame, e.request?.spiI])).toEqual([['INFORMATIONAL', 21, '1d9be9451d4f97a8']]);
  });

  it('classifies by the R flag alone (0x00 request / 0x28 response from the original responder side) and times the 40 s INIT retransmission (arkime IKEv2.pcap excerpt)', () => {
    const v = view('ikev2-ipv6-retransmit-excerpt.pcap');
    const first = v.sas.find((s) => s.spiI === 'e5bc67550fd4d3ea')!;
    const init = first.exchanges.find((e) => e.exchangeName === 'IKE_SA_INIT')!;
    expect(init.retransmits).toBe(1);
    expect(init.retransmitIntervals[0]).toBeCloseTo(40, 0);
    expect(init.responseDelay).toBeCloseTo(40, 0);
    const rekey = v.exchanges.find((e) => e.exchangeName === 'CREATE_CHILD_SA' && e.requester === 'responder');
    expect(rekey?.answered).toBe(true);
    expect(rekey?.response?.flags).toBe(0x28);
    expect(v.sas.length).toBe(2);
  });

  it('does not take flags 0xff for a response, and finds the cookie retry never answered (nDPI excerpt)', () => {
    const v = view('ikev2-natt-cookie-invalid-ke-excerpt.pcap');
    const odd = v.exchanges.find((e) => e.requests.some((m) => m.flags === 0xff));
    expect(odd?.requester).toBe('initiator');
    expect(v.unanswered.some((e) => e.request?.spiI === '1f6618a354b259c0')).toBe(true);
    const invalidKe = v.sas.find((s) => s.spiI === '6e09515392eb66e7')!;
    expect(invalidKe.notifies.filter((n) => n.name === 'INVALID_KE_PAYLOAD').map((n) => [n.from, n.group])).toEqual([['responder', 14]]);
    expect(invalidKe.keGroups).toEqual([2]);
  });
});

describe('RFC 7383 fragmented IKE_AUTH (hand-built: no public capture has SKF, see the corpus MANIFEST "Gaps")', () => {
  /** A raw-IPv4 (LINKTYPE_RAW) frame 192.0.2.1:4500 → 198.51.100.1:4500 carrying an IKE_AUTH SKF fragment after the non-ESP marker. */
  function skfFrame(frame: number, ts: number, number: number, total: number, fill: number) {
    const skf = [35, 0, 0, 8 + 16, number >> 8, number & 255, total >> 8, total & 255, ...new Array(16).fill(fill)];
    const ike = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 53, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 28 + skf.length, ...skf];
    const udpLen = 8 + 4 + ike.length;
    const ipLen = 20 + udpLen;
    const data = Uint8Array.from([
      0x45, 0, ipLen >> 8, ipLen & 255, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1,
      0x11, 0x94, 0x11, 0x94, udpLen >> 8, udpLen & 255, 0, 0, 0, 0, 0, 0, ...ike,
    ]);
    return { source: 'skf', frame, linktype: 101, ts, caplen: data.length, origlen: data.length, data };
  }

  it('groups the fragments into one request and counts a retransmission once', async () => {
    const { createPacketCollector } = await import('../../../src/wire/collector/packet-collector.js');
    const c = createPacketCollector({ local: [], peer: [] });
    [skfFrame(1, 0, 1, 2, 0xa1), skfFrame(2, 0, 2, 2, 0xa2), skfFrame(3, 2, 1, 2, 0xa1), skfFrame(4, 2, 2, 2, 0xa2)].forEach((f) => c.addFrame(f));
    const p = c.finish();
    expect(p.ikeMessages.map((m) => m.ikeFragment)).toEqual([{ number: 1, total: 2 }, { number: 2, total: 2 }, { number: 1, total: 2 }, { number: 2, total: 2 }]);
    const v = buildIkeSas(p.ikeMessages);
    expect(v.exchanges).toHaveLength(1);
    expect(v.exchanges[0]).toMatchObject({ exchangeName: 'IKE_AUTH', ikeFragments: 2, retransmits: 1, answered: false });
    expect(v.exchanges[0].retransmitIntervals).toEqual([2]);
  });
});
