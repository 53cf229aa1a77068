import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPacketCollector, IKE_SA_HEAD, IKE_SA_TAIL } from '../../src/wire/collector/packet-collector.js';
import { decodeFixture, framesOf } from './pcap-fixtures.js';

describe('IP fragment reassembly of IKE', () => {
  it('reassembles the 3-fragment IKE_AUTH requests and remembers the fragmentation (zeek-spicy-ipsec ipsec_client.pcap)', () => {
    const { packets } = decodeFixture('ikev2-nat-auth-ipfrag-no-response.pcap');
    const auth = packets.ikeMessages.filter((m) => m.exchangeName === 'IKE_AUTH');
    expect(auth.map((m) => m.at.frame)).toEqual([5, 8, 11]);
    for (const m of auth) {
      expect(m.length).toBe(3468);
      expect(m.ipFragmentation).toMatchObject({ fragments: 3, complete: true, df: false });
      expect(m.ipLength).toBe(3468 + 4 + 8 + 20);
      expect(m.malformed).toBeUndefined();
    }
    expect(auth[0].ipFragmentation?.frames).toEqual([3, 4, 5]);
    expect(new Set(auth.map((m) => m.digest)).size).toBe(1);
    expect(packets.counters).toMatchObject({ ipFragments: 9, reassembled: 3, fragmentsIncomplete: 0 });
  });

  it('reports a message whose middle fragment is missing as incomplete, decoded from its first fragment', () => {
    const { frames } = framesOf('ikev2-nat-auth-ipfrag-no-response.pcap');
    const c = createPacketCollector({ local: [], peer: [] });
    for (const f of frames) if (f.frame !== 4) c.addFrame(f);
    const p = c.finish();
    const auth = p.ikeMessages.filter((m) => m.exchangeName === 'IKE_AUTH');
    const byFrame = [...auth].sort((a, b) => a.at.frame - b.at.frame);
    expect(byFrame.map((m) => [m.at.frame, m.ipFragmentation?.complete, m.ipFragmentation?.fragments])).toEqual([[3, false, 2], [8, true, 3], [11, true, 3]]);
    expect(byFrame[0]).toMatchObject({ truncated: true, spiI: '238671c80375a0fb', messageId: 1, length: 3468 });
    expect(p.counters.fragmentsIncomplete).toBe(1);
  });

  it('reassembles whatever the fragment order', () => {
    const { frames } = framesOf('ikev2-nat-auth-ipfrag-no-response.pcap');
    const frags = frames.slice(2, 5);
    fc.assert(
      fc.property(fc.shuffledSubarray(frags, { minLength: 3, maxLength: 3 }), (order) => {
        const c = createPacketCollector({ local: [], peer: [] });
        for (const f of order) c.addFrame(f);
        const p = c.finish();
        expect(p.ikeMessages).toHaveLength(1);
        expect(p.ikeMessages[0]).toMatchObject({ length: 3468, ipFragmentation: { complete: true, fragments: 3 } });
      }),
      { numRuns: 20 },
    );
  });

  it('does not read an ESP header out of a non-first fragment (Vita selftest-public-in.pcap frames 6–7)', () => {
    const { packets } = decodeFixture('esp-replay-gap-spi0-ipfrag.pcap');
    const flow = packets.espFlows.find((f) => f.spi === 0x3e9)!;
    expect(flow.ipFragments).toBe(1);
    // sequence 5 exists only inside the offset-136 fragment: never counted
    expect(flow.maxSeq).toBe(7);
    expect(flow.seqPackets).toBe(6);
  });

  it('stays bounded when flooded with fragments that never complete', () => {
    const { frames } = framesOf('ikev2-nat-auth-ipfrag-no-response.pcap');
    const first = frames[2];
    const c = createPacketCollector({ local: [], peer: [] });
    for (let id = 0; id < 3000; id++) {
      const data = first.data.slice();
      // IPv4 identification at Ethernet 14 + 4
      data[18] = id >> 8;
      data[19] = id & 0xff;
      c.addFrame({ ...first, frame: id + 1, data });
    }
    const p = c.finish();
    expect(p.counters.fragmentsIncomplete).toBe(3000);
    expect(p.counters.ike).toBe(3000);
    // one IKE SA: its first and last messages are kept, the middle is counted
    expect(p.ikeMessages).toHaveLength(IKE_SA_HEAD + IKE_SA_TAIL);
    expect(p.ikeNotKept?.map((g) => g.messages)).toEqual([3000 - IKE_SA_HEAD - IKE_SA_TAIL]);
    expect(p.ikeMessages.every((m) => m.ipFragmentation?.complete === false)).toBe(true);
  });
});
