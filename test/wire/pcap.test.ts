import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPcapReader } from '../../src/wire/pcap.js';
import { decodeFixture, fixtureBytes, framesOf } from './pcap-fixtures.js';

describe('pcap reader', () => {
  it('reads a little-endian microsecond capture (zeek-spicy-ipsec ipsec-ikev1-isakmp-main-mode.pcap)', () => {
    const { frames, diagnostics } = framesOf('ikev1-main-mode-psk-quick-mode.pcap');
    expect(diagnostics).toEqual([]);
    expect(frames).toHaveLength(9);
    expect(frames.map((f) => f.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(frames.every((f) => f.linktype === 1 && f.caplen === f.origlen && f.data.length === f.caplen)).toBe(true);
    // capinfos: the capture spans 0.213 s
    expect(frames[8].ts - frames[0].ts).toBeCloseTo(0.213, 2);
  });

  it('reads a big-endian capture with exact timestamps (arkime bigendian.pcap)', () => {
    const { frames } = framesOf('fmt-big-endian-pcap.pcap');
    expect(frames).toHaveLength(2);
    expect(frames[0].ts).toBeCloseTo(1335958313.15263, 5);
    expect(frames[1].ts).toBeCloseTo(1335958317.529201, 5);
    expect(frames[0].linktype).toBe(1);
  });

  it('reads nanosecond timestamps and Linux SLL (tcpdump tcp-handshake-nano.pcap)', () => {
    const { frames } = framesOf('fmt-nanosecond-pcap-linux-sll.pcap');
    expect(frames).toHaveLength(3);
    expect(frames[0].linktype).toBe(113);
    expect(frames[0].ts).toBeCloseTo(1418145369.924505488, 6);
    expect(frames[2].ts).toBeCloseTo(1418145370.052115157, 6);
  });

  it('gives the same frames whatever the chunking', () => {
    const whole = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap').packets;
    const bytewise = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap', { chunk: 1 }).packets;
    const odd = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap', { chunk: 37 }).packets;
    expect(bytewise.counters).toEqual(whole.counters);
    expect(odd.ikeMessages.map((m) => m.digest)).toEqual(whole.ikeMessages.map((m) => m.digest));
  });

  it('counts snaplen-cut records (tcpdump isakmp-rfc3948-oobr.pcap: caplen 42, len 262144)', () => {
    const { packets, diagnostics } = decodeFixture('udp4500-truncated-caplen42-fuzzed.pcap');
    expect(packets.counters.frames).toBe(23);
    expect(packets.counters.snaplenCut).toBe(23);
    expect(packets.ikeMessages).toHaveLength(0);
    expect(packets.espFlows).toHaveLength(0);
    expect(diagnostics).toEqual([]);
  });

  it('delivers a truncated last record as far as it goes and says so', () => {
    const bytes = fixtureBytes('ikev1-main-mode-psk-quick-mode.pcap');
    const cut = bytes.subarray(0, bytes.length - 30);
    const { frames, diagnostics } = framesOf('cut.pcap', cut);
    expect(frames).toHaveLength(9);
    expect(frames[8].caplen).toBe(frames[8].origlen - 30);
    expect(diagnostics.join('\n')).toMatch(/last record truncated/);
    const decoded = decodeFixture('cut.pcap', { bytes: cut });
    expect(decoded.packets.counters.snaplenCut).toBe(1);
    expect(decoded.packets.ikeMessages).toHaveLength(9);
    expect(decoded.diagnostics.some((d) => d.at.frame === 9 && /truncated/.test(d.message))).toBe(true);
  });

  it('stops with a located diagnostic on an impossible record length', () => {
    const bytes = fixtureBytes('ikev1-main-mode-psk-quick-mode.pcap').slice();
    // record 1's caplen field, little-endian, at 24 + 8
    new DataView(bytes.buffer).setUint32(32, 0x7fffffff, true);
    const { frames, diagnostics } = framesOf('bad.pcap', bytes);
    expect(frames).toHaveLength(0);
    expect(diagnostics[0]).toMatch(/record 1: captured length 2147483647 is impossible/);
  });

  it('never throws on random bytes after a valid header, and terminates', () => {
    const header = fixtureBytes('ikev1-main-mode-psk-quick-mode.pcap').subarray(0, 24);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 1, max: 512 }), (tail, chunk) => {
        const bytes = new Uint8Array(header.length + tail.length);
        bytes.set(header);
        bytes.set(tail, header.length);
        let frames = 0;
        const r = createPcapReader('fuzz', { frame: () => frames++, diagnostic: () => {} });
        for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
        r.end();
        expect(frames).toBeLessThanOrEqual(Math.ceil(tail.length / 16) + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on completely random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const r = createPcapReader('fuzz', { frame: () => {}, diagnostic: () => {} });
        r.push(bytes);
        r.end();
      }),
      { numRuns: 300 },
    );
  });
});
