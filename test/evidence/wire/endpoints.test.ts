import { describe, expect, it } from 'vitest';
import { inferEndpoints } from '../../../src/evidence/derived/wire/endpoints.js';
import { decodeFixture } from '../../wire/pcap-fixtures.js';

describe('us and peer (derived)', () => {
  it('the initiator of the first IKE SA when both sides talk only to each other (ipsec_client.pcap)', () => {
    const e = inferEndpoints(decodeFixture('ikev2-nat-auth-ipfrag-no-response.pcap').packets, [], []);
    expect(e).toMatchObject({ local: ['192.168.0.10'], peer: ['144.76.154.114'], how: 'inferred' });
  });

  it('the address talking to the most others (nDPI excerpt: one client, several gateways)', () => {
    const e = inferEndpoints(decodeFixture('ikev2-natt-cookie-invalid-ke-excerpt.pcap').packets, [], []);
    expect(e.local).toEqual(['192.168.2.100']);
    expect(e.peer.length).toBeGreaterThan(1);
  });

  it('--local / --peer override the inference', () => {
    const p = decodeFixture('ikev2-nat-auth-ipfrag-no-response.pcap').packets;
    expect(inferEndpoints(p, ['144.76.154.114'], [])).toMatchObject({ local: ['144.76.154.114'], peer: ['192.168.0.10'], how: 'options' });
  });

  it('says when there is nothing to infer from', () => {
    expect(inferEndpoints(decodeFixture('fmt-big-endian-pcap.pcap').packets, [], []).how).toBe('unknown');
  });
});
