import { describe, expect, it } from 'vitest';
import { buildPmtuFlows } from '../../../src/evidence/derived/wire/flows.js';
import { createPacketCollector } from '../../../src/wire/collector/packet-collector.js';
import { decodeFixture } from '../../wire/pcap-fixtures.js';

/** An Ethernet/IPv4/TCP frame with `payload` bytes, DF set. */
function tcpFrame(frame: number, src: number, dst: number, seq: number, ack: number, payload: number, sport: number, dport: number) {
  const total = 20 + 20 + payload;
  const d = new Uint8Array(14 + total);
  d.set([0x08, 0x00], 12);
  d.set([0x45, 0, total >> 8, total & 255, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, src, 10, 0, 0, dst], 14);
  const t = 34;
  d.set([sport >> 8, sport & 255, dport >> 8, dport & 255, seq >>> 24, (seq >> 16) & 255, (seq >> 8) & 255, seq & 255, ack >>> 24, (ack >> 16) & 255, (ack >> 8) & 255, ack & 255, 0x50, 0x10], t);
  return { source: 'synthetic', frame, linktype: 1, ts: frame, caplen: d.length, origlen: d.length, data: d };
}

describe('non-IPsec flows for path-MTU reasoning (derived)', () => {
  it('counts sizes and DF per direction on a real TCP handshake (zeek vlan-pcp-dei.pcapng)', () => {
    const flows = buildPmtuFlows(decodeFixture('fmt-pcapng-vlan-qinq.pcapng').packets.trafficFlows);
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.every((f) => f.flow.sizeBuckets.reduce((a, b) => a + b, 0) === f.flow.packets)).toBe(true);
  });

  it('sees large DF segments unacknowledged while small ones are acknowledged', () => {
    // Built frames: client 10.0.0.1 sends 100-byte segments that are ACKed, then 1400-byte ones that are retransmitted and never ACKed.
    const c = createPacketCollector({ local: [], peer: [] });
    let n = 1;
    c.addFrame(tcpFrame(n++, 1, 2, 1000, 1, 100, 40000, 443));
    c.addFrame(tcpFrame(n++, 2, 1, 1, 1100, 0, 443, 40000));
    c.addFrame(tcpFrame(n++, 1, 2, 1100, 1, 1400, 40000, 443));
    c.addFrame(tcpFrame(n++, 1, 2, 1100, 1, 1400, 40000, 443));
    c.addFrame(tcpFrame(n++, 2, 1, 1, 1100, 0, 443, 40000));
    const flows = buildPmtuFlows(c.finish().trafficFlows);
    const client = flows.find((f) => f.flow.src === '10.0.0.1')!;
    expect(client).toMatchObject({ largeDf: 2, small: 1, largeUnacknowledged: true, smallAcknowledged: true });
    expect(client.flow.tcp).toMatchObject({ largeSegments: 2, largeRetransmits: 1 });
    expect(client.flow.largeDfFrames).toEqual([3, 4]);
    expect(client.reverse?.src).toBe('10.0.0.2');
  });
});
