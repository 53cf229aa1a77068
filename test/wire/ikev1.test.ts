import { describe, expect, it } from 'vitest';
import { decodeFixture } from './pcap-fixtures.js';

const names = (p: { transforms: { kind: string; name: string; keyLength?: number }[] }) =>
  p.transforms.map((t) => `${t.kind}:${t.name}${t.keyLength ? `/${t.keyLength}` : ''}`);

describe('IKEv1 decoding', () => {
  it('decodes Main Mode SA attributes with names (zeek-spicy-ipsec ipsec-ikev1-isakmp-main-mode.pcap)', () => {
    const { packets } = decodeFixture('ikev1-main-mode-psk-quick-mode.pcap');
    const [mm1, mm2] = packets.ikeMessages;
    expect(mm1.exchangeName).toBe('Main Mode');
    expect(mm1.proposals).toHaveLength(1);
    // attribute order as on the wire
    expect(names(mm1.proposals[0])).toEqual(['encr:AES_CBC/128', 'hash:SHA1', 'dh:MODP_1024', 'auth:PSK']);
    expect(mm1.proposals[0]).toMatchObject({ protocol: 'IKE', lifetimeSeconds: 86400 });
    expect(names(mm2.proposals[0])).toEqual(names(mm1.proposals[0]));
    expect(mm1.payloads.map((p) => p.name)).toEqual(['SA', 'V', 'V', 'V', 'V']);
  });

  it('checks NAT-D hashes against the captured addresses (RFC 3947): no NAT on a clean LAN', () => {
    const { packets } = decodeFixture('ikev1-main-mode-psk-quick-mode.pcap');
    for (const frame of [3, 4]) {
      const m = packets.ikeMessages.find((x) => x.at.frame === frame)!;
      expect(m.natDetection.map((n) => [n.kind, n.matches, n.algorithm])).toEqual([['destination', true, 'sha1'], ['source', true, 'sha1']]);
    }
  });

  it('sees the initiator behind NAT from an MD5 NAT-D that matches neither address (tcpdump isakmp4500.pcap)', () => {
    const { packets } = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    const f5 = packets.ikeMessages.find((m) => m.at.frame === 5)!;
    expect(f5.natDetection.map((n) => [n.kind, n.matches, n.algorithm])).toEqual([['destination', true, 'md5'], ['source', false, 'md5']]);
    const f6 = packets.ikeMessages.find((m) => m.at.frame === 6)!;
    expect(f6.natDetection.every((n) => n.matches)).toBe(true);
    // frame 3 offers 4 transforms: groups 5,5,2,2, hashes MD5/SHA/SHA/MD5, RSA signatures
    const f3 = packets.ikeMessages.find((m) => m.at.frame === 3)!;
    expect(f3.proposals.map((p) => p.transforms.find((t) => t.kind === 'dh')?.id)).toEqual([5, 5, 2, 2]);
    expect(f3.proposals.map((p) => p.transforms.find((t) => t.kind === 'hash')?.name)).toEqual(['MD5', 'SHA1', 'SHA1', 'MD5']);
    const f4 = packets.ikeMessages.find((m) => m.at.frame === 4)!;
    expect(names(f4.proposals[0])).toEqual(['encr:3DES_CBC', 'hash:MD5', 'auth:RSA_SIG', 'dh:MODP_1536']);
    expect(f4.proposals[0].lifetimeSeconds).toBe(3600);
  });

  it('moves to 4500 behind the non-ESP marker and marks encrypted bodies opaque', () => {
    const { packets } = decodeFixture('ikev1-natt-float-4500-keepalive-one-way-esp.pcap');
    const f7 = packets.ikeMessages.find((m) => m.at.frame === 7)!;
    expect(f7).toMatchObject({ transport: 'udp4500', nonEspMarker: true, encryptedV1: true, encrypted: { payload: 'v1', size: 296 } });
    expect(f7.src).toEqual({ address: '192.1.2.254', port: 4500 });
  });

  it('decodes a cleartext NO_PROPOSAL_CHOSEN notification (zeek-spicy-ipsec ipsec.cap frame 3)', () => {
    const { packets } = decodeFixture('ikev1-mm-no-proposal-notify-retransmit-esp.pcap');
    const f3 = packets.ikeMessages.find((m) => m.at.frame === 3)!;
    expect(f3).toMatchObject({ exchangeName: 'Informational', spiR: '0000000000000000', src: { address: '192.168.140.205', port: 500 } });
    expect(f3.notifies).toEqual([expect.objectContaining({ type: 14, name: 'NO_PROPOSAL_CHOSEN', error: true })]);
    expect(f3.excerpt).toContain('N(NO_PROPOSAL_CHOSEN)');
  });

  it('recognises well-known vendor IDs by hash and keeps unknown ones as hex', () => {
    const { packets } = decodeFixture('ikev1-mm-no-proposal-notify-retransmit-esp.pcap');
    const vids = packets.ikeMessages[0].vendorIds.map((v) => v.name ?? v.hex);
    expect(vids).toEqual(expect.arrayContaining(['strongSwan', 'Cisco Unity', 'XAUTH', 'RFC 3706 DPD', 'RFC 3947 NAT-T', 'draft-ietf-ipsec-nat-t-ike-03']));
    expect(packets.ikeMessages[0].vendorIds).toHaveLength(9);
  });

  it('decodes cleartext Aggressive Mode identities and NAT-D (zeek-spicy-ipsec aggressive-mode)', () => {
    const { packets } = decodeFixture('ikev1-aggressive-mode-psk-quick-mode.pcap');
    const [am1, am2] = packets.ikeMessages;
    expect(am1.exchangeName).toBe('Aggressive Mode');
    expect(am1.identities.length).toBe(1);
    expect(am1.identities[0].type).toBeGreaterThan(0);
    expect(am2.natDetection.map((n) => n.matches)).toEqual([true, true]);
    // KE and nonce data never reach the message (only payload names and sizes)
    expect(JSON.stringify(am1)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('counts certificate requests and flags IKE messages bigger than a 1500-byte path (zeek-spicy-ipsec ikev1-certs.pcap)', () => {
    const { packets } = decodeFixture('ikev1-main-mode-certs-qm-retransmit.pcap');
    expect(packets.ikeMessages.find((m) => m.at.frame === 4)!.certReqs).toBe(1);
    expect(packets.ikeMessages.filter((m) => m.ipLength > 1500).map((m) => [m.at.frame, m.ipLength])).toEqual([[5, 1792], [6, 1960]]);
  });
});
