import { describe, expect, it } from 'vitest';
import { decodeIke } from '../../src/wire/ike.js';
import { decodeFixture } from './pcap-fixtures.js';

describe('IKEv2 decoding', () => {
  it('decodes flags, every transform, KE group and NAT-D (nDPI ah.pcapng)', () => {
    const { packets } = decodeFixture('ikev2-init-auth-then-ah.pcapng');
    const [req, resp, auth] = packets.ikeMessages;
    expect(req).toMatchObject({ version: 2, exchangeName: 'IKE_SA_INIT', flags: 0x08, response: false, initiatorFlag: true, messageId: 0, keGroup: 20 });
    expect(resp).toMatchObject({ flags: 0x20, response: true, initiatorFlag: false, spiR: '572a8ae7557ad9ec' });
    expect(req.proposals[0].transforms.map((t) => `${t.kind}:${t.name}${t.keyLength ? `/${t.keyLength}` : ''}`)).toEqual([
      'encr:ENCR_AES_CBC/256', 'prf:PRF_HMAC_SHA2_384', 'integ:AUTH_HMAC_SHA2_384_192', 'dh:ECP_384',
    ]);
    expect(req.notifies.map((n) => n.type)).toEqual(expect.arrayContaining([16388, 16389]));
    expect(req.natDetection.map((n) => [n.kind, n.matches])).toEqual([['source', true], ['destination', true]]);
    expect(auth).toMatchObject({ exchangeName: 'IKE_AUTH', messageId: 1 });
    expect(auth.encrypted?.payload).toBe('SK');
    expect(auth.payloads.map((p) => p.name)).toEqual(['SK']);
  });

  it('decodes payloads in unusual order and DH group 2 on DLT_RAW (suricata-verify IKEv2_SA_INIT_2-8-weak.pcap)', () => {
    const { packets } = decodeFixture('ikev2-init-dh2-unanswered-rawip.pcap');
    const [m] = packets.ikeMessages;
    expect(m.payloads.map((p) => p.type)).toEqual([40, 34, 33]);
    expect(m.keGroup).toBe(2);
    expect(m.proposals[0].transforms.map((t) => [t.kind, t.id])).toEqual([['encr', 12], ['prf', 5], ['integ', 12], ['dh', 2]]);
    expect(m.proposals[0].transforms[0].keyLength).toBe(256);
  });

  it('sees the NAT from the responder’s destination hash and the float to 4500 (zeek-spicy-ipsec ipsec_client.pcap)', () => {
    const { packets } = decodeFixture('ikev2-nat-auth-ipfrag-no-response.pcap');
    const [init, resp] = packets.ikeMessages;
    expect(init.proposals).toHaveLength(12);
    expect(resp.natDetection.map((n) => [n.kind, n.matches])).toEqual([['source', true], ['destination', false]]);
    expect(resp.notifies.map((n) => n.name)).toEqual(['NAT_DETECTION_SOURCE_IP', 'NAT_DETECTION_DESTINATION_IP', 'MULTIPLE_AUTH_SUPPORTED']);
    expect(resp.proposals[0].transforms.map((t) => t.name)).toEqual(['ENCR_3DES', 'AUTH_HMAC_SHA1_96', 'PRF_HMAC_SHA1', 'MODP_1024']);
    expect(packets.ikeMessages.slice(2).every((m) => m.transport === 'udp4500' && m.nonEspMarker)).toBe(true);
    expect(packets.ikeMessages.some((m) => m.notifies.some((n) => n.name === 'IKEV2_FRAGMENTATION_SUPPORTED'))).toBe(false);
  });

  it('decodes COOKIE and INVALID_KE_PAYLOAD with the group the responder wants (nDPI ipsec_isakmp_esp.pcap excerpt)', () => {
    const { packets } = decodeFixture('ikev2-natt-cookie-invalid-ke-excerpt.pcap');
    // excerpt frame 6 = original frame 263
    const invalidKe = packets.ikeMessages.find((m) => m.notifies.some((n) => n.name === 'INVALID_KE_PAYLOAD'))!;
    expect(invalidKe.at.frame).toBe(6);
    expect(invalidKe.spiI).toBe('6e09515392eb66e7');
    expect(invalidKe.notifies[0]).toMatchObject({ type: 17, group: 14, error: true });
    expect(packets.ikeMessages.some((m) => m.response && m.notifies.some((n) => n.name === 'COOKIE') && m.spiR === '0000000000000000')).toBe(true);
    // frame 207 of the original: flags 0xff on a request
    expect(packets.ikeMessages[0]).toMatchObject({ flags: 0xff, exchangeName: 'IKE_SA_INIT', spiR: '0000000000000000' });
  });

  it('decodes an RFC 7383 SKF fragment as opaque with its number/total', () => {
    // No public capture holds IKEv2 fragmentation (corpus MANIFEST "Gaps"): this message is built by hand
    // per RFC 7383 §2.5 — header (msgid 1, IKE_AUTH, I flag), SKF payload: next=IDi, fragment 2 of 3, 16 bytes of ciphertext.
    const skf = [35, 0, 0, 4 + 4 + 16, 0, 2, 0, 3, ...new Array(16).fill(0xaa)];
    const header = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 53, 0x20, 35, 0x08, 0, 0, 0, 1, 0, 0, 0, 28 + skf.length];
    const bytes = Uint8Array.from([...header, ...skf]);
    const wire = { src: Uint8Array.of(192, 0, 2, 1), dst: Uint8Array.of(198, 51, 100, 1), srcPort: 4500, dstPort: 4500 };
    const { message, problems } = decodeIke(bytes, 0, bytes.length, wire, false);
    expect(problems).toEqual([]);
    expect(message).toMatchObject({ ikeFragment: { number: 2, total: 3 }, encrypted: { payload: 'SKF', size: 16 }, exchangeName: 'IKE_AUTH' });
  });

  it('keeps unknown numbers as numbers', () => {
    const { packets } = decodeFixture('ikev2-natt-cookie-invalid-ke-excerpt.pcap');
    const all = packets.ikeMessages.flatMap((m) => m.payloads);
    expect(all.every((p) => typeof p.name === 'string')).toBe(true);
    const bytes = Uint8Array.from([...new Array(16).fill(1), 0, 0x20, 99, 0x08, 0, 0, 0, 0, 0, 0, 0, 28]);
    const { message } = decodeIke(bytes, 0, bytes.length, { src: new Uint8Array(4), dst: new Uint8Array(4), srcPort: 500, dstPort: 500 }, false);
    expect(message?.exchangeName).toBe('99');
  });
});
