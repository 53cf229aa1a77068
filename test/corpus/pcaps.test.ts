/**
 * Our decode of the 30 real captures in ../shared/corpus/pcaps checked against the
 * figures in its MANIFEST.md (which TShark 4.0.17, capinfos and hash recomputation
 * produced). Runs with `npm run test:corpus`; skips when the corpus is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptures } from '../../src/sources/pcap-file.js';
import { buildIkeSas, type IkeSaView } from '../../src/evidence/derived/wire/ike-sas.js';
import { buildEspFlows } from '../../src/evidence/derived/wire/esp-flows.js';
import type { PacketEvidence } from '../../src/evidence/packet-types.js';
import type { Diagnostic } from '../../src/evidence/types.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'pcaps');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus pcaps tests skipped: ${CORPUS} is absent (it ships with the development environment, not with the repository)`);

interface Decoded {
  p: PacketEvidence;
  v: IkeSaView;
  diagnostics: Diagnostic[];
}

async function decode(name: string): Promise<Decoded> {
  const r = await loadCaptures([join(CORPUS, name)], { local: [], peer: [] });
  return { p: r.packets, v: buildIkeSas(r.packets.ikeMessages), diagnostics: r.diagnostics };
}

const flows = (p: PacketEvidence) => p.espFlows.map((f) => `${f.protocol} ${f.spiHex} ${f.src}>${f.dst} ${f.packets} ${f.minSeq ?? '-'}..${f.maxSeq ?? '-'}`).sort();
const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});
const exchangesByR = (p: PacketEvidence) => count(p.ikeMessages.map((m) => `${m.exchangeName}${m.version === 2 ? (m.response ? ' R' : ' Q') : ''}`));
const notifies = (p: PacketEvidence) => count(p.ikeMessages.flatMap((m) => m.notifies.map((n) => `${n.type}`)));
const natd = (p: PacketEvidence, frame: number) => p.ikeMessages.find((m) => m.at.frame === frame)!.natDetection.map((n) => `${n.kind}:${n.matches ? 'match' : 'MISMATCH'}`);
const frames = (ms: { at: { frame: number } }[]) => ms.map((m) => m.at.frame);

type Case = (d: Decoded) => void;

const CASES: Record<string, Case> = {
  'ikev1-main-mode-psk-quick-mode.pcap': ({ p, v }) => {
    expect(p.counters.frames).toBe(9);
    expect(p.ikeMessages.every((m) => m.versionByte === 0x10 && m.spiI === 'e47a591fd057587f')).toBe(true);
    expect(exchangesByR(p)).toEqual({ 'Main Mode': 6, 'Quick Mode': 3 });
    expect(p.ikeMessages.filter((m) => m.encryptedV1).map((m) => m.at.frame)).toEqual([5, 6, 7, 8, 9]);
    expect(p.ikeMessages[6].messageId).toBe(0x635a2e6a);
    expect(natd(p, 3)).toEqual(['destination:match', 'source:match']);
    expect(natd(p, 4)).toEqual(['destination:match', 'source:match']);
    expect(p.ikeMessages[0].proposals[0].transforms.map((t) => `${t.kind}=${t.id}`)).toEqual(['encr=7', 'hash=2', 'dh=2', 'auth=1']);
    expect(p.ikeMessages[0].proposals[0].lifetimeSeconds).toBe(86400);
    expect(v.unanswered).toEqual([]);
    expect(v.exchanges.every((e) => e.retransmits === 0)).toBe(true);
    expect(p.espFlows).toEqual([]);
  },
  'ikev1-aggressive-mode-psk-quick-mode.pcap': ({ p, v }) => {
    expect(p.counters.frames).toBe(6);
    expect(exchangesByR(p)).toEqual({ 'Aggressive Mode': 3, 'Quick Mode': 3 });
    expect(p.ikeMessages[0]).toMatchObject({ spiI: 'e47a591f78c99d7f', exchange: 4 });
    expect(p.ikeMessages[1].spiR).toBe('a00b8ef0ea9ff883');
    expect(natd(p, 2)).toEqual(['destination:match', 'source:match']);
    expect(p.ikeMessages[3].messageId).toBe(0xe22a74c1);
    expect(v.unanswered).toEqual([]);
  },
  'ikev1-main-mode-certs-qm-retransmit.pcap': ({ p, v }) => {
    expect(p.counters.frames).toBe(10);
    expect(p.ikeMessages[0]).toMatchObject({ spiI: 'fafaeb49382a763c' });
    expect(p.ikeMessages.find((m) => m.at.frame === 4)!.payloads.map((x) => x.type)).toContain(7);
    expect(p.ikeMessages.filter((m) => m.ipLength > 1500).map((m) => m.ipLength)).toEqual([1792, 1960]);
    expect(p.counters.ipFragments).toBe(0);
    const qm = v.exchanges.find((e) => e.messageId === 0xf2cfe203 && e.expectsResponse)!;
    expect(frames(qm.requests)).toEqual([7, 8]);
    expect(qm.retransmitIntervals[0]).toBeCloseTo(10.0, 0);
    expect(qm.response?.at.frame).toBe(9);
    // ENC 5 3DES, HASH 1 MD5, AUTH 3 RSA-sig, GROUP 2, 28800 s
    expect(p.ikeMessages[0].proposals[0].transforms.map((t) => t.name).sort()).toEqual(['3DES_CBC', 'MD5', 'MODP_1024', 'RSA_SIG']);
    expect(p.ikeMessages[0].proposals[0].lifetimeSeconds).toBe(28800);
    expect(p.ikeMessages.every((m) => m.natDetection.length === 0)).toBe(true);
  },
  'ikev1-mm-no-proposal-notify-retransmit-esp.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 27, ike: 11, esp: 16 });
    const f3 = p.ikeMessages.find((m) => m.at.frame === 3)!;
    expect(f3).toMatchObject({ exchange: 5, spiR: '0000000000000000', src: { address: '192.168.140.205' } });
    expect(f3.notifies.map((n) => n.type)).toEqual([14]);
    expect(p.ikeMessages[0].vendorIds).toHaveLength(9);
    expect(p.ikeMessages.find((m) => m.at.frame === 4)!.digest).toBe(p.ikeMessages.find((m) => m.at.frame === 2)!.digest);
    expect(v.exchanges[0].responseRetransmits).toBe(1);
    expect([...natd(p, 5), ...natd(p, 6)].every((x) => x.endsWith(':match'))).toBe(true);
    expect(flows(p)).toEqual(['esp 0879355b 192.168.140.200>192.168.140.205 7 1..7', 'esp 1c0d7b38 192.168.140.205>192.168.140.200 9 1..9']);
    expect(p.espFlows.every((f) => f.missing === 0)).toBe(true);
  },
  'ikev1-natt-float-4500-keepalive-one-way-esp.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 35, nonIp: 8, ike: 15, espInUdp: 8, natKeepalives: 4 });
    expect(p.ikeMessages.filter((m) => m.at.frame >= 7).every((m) => m.transport === 'udp4500' && m.nonEspMarker)).toBe(true);
    expect(natd(p, 5)).toEqual(['destination:match', 'source:MISMATCH']);
    expect(natd(p, 6)).toEqual(['destination:match', 'source:match']);
    const qm = v.exchanges.find((e) => e.messageId === 0x8b7e8947 && e.expectsResponse)!;
    expect(frames(qm.responses)).toEqual([10, 15, 20, 30]);
    expect(flows(p)).toEqual(['esp f4dc0ae5 192.1.2.254>192.1.2.23 8 1..8']);
    expect(p.natKeepalives.map((k) => [k.count, k.first.frame, k.last.frame])).toEqual([[4, 18, 34]]);
    expect(buildEspFlows(p).tunnels[0]).toMatchObject({ oneWay: true, ikeBothWays: true });
  },
  'ikev1-ipv6-unanswered-then-mm-qm-esp.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 309, ike: 13, esp: 296 });
    expect(v.unanswered.map((e) => [e.request?.at.frame, e.request?.spiI])).toEqual([[1, 'e8836b356b7c1bae']]);
    expect(v.sas.find((s) => s.spiI === '63c268011254b771')?.spiR).toBe('850b3a1845f947cc');
    expect(new Set(p.ikeMessages.filter((m) => m.exchange === 32).map((m) => m.messageId))).toEqual(new Set([0x00e9298a, 0xce371e55]));
    expect(flows(p)).toEqual([
      'esp 3d71315a 2003:51:6012::2>2003:51:6012::4 148 1..148',
      'esp 8905e940 2003:51:6012::4>2003:51:6012::2 74 2..75',
      'esp e8f1f49c 2003:51:6012::4>2003:51:6012::2 74 2..75',
    ]);
    expect(p.espFlows.every((f) => f.missing === 0)).toBe(true);
  },
  'ikev1-malformed-payload-length.pcap': ({ p, v, diagnostics }) => {
    expect(p.ikeMessages).toHaveLength(1);
    expect(p.ikeMessages[0]).toMatchObject({ version: 1, exchange: 2, spiI: 'e47a591fd057587f', spiR: '0000000000000000' });
    expect(p.ikeMessages[0].malformed).toMatch(/malformed/);
    expect(diagnostics.some((d) => d.at.frame === 1 && d.decoder === 'ike')).toBe(true);
    expect(v.unanswered).toHaveLength(1);
  },
  'ikev1-malformed-zero-header-length.pcap': ({ p, diagnostics }) => {
    expect(p.ikeMessages).toHaveLength(0);
    expect(diagnostics.map((d) => d.message)).toContain('malformed IKE header: length field 0 is below the 28-byte header');
  },
  'ikev1-informational-zero-spi-fuzzed.pcapng': ({ p }) => {
    expect(p.ikeMessages).toHaveLength(1);
    expect(p.ikeMessages[0]).toMatchObject({ spiI: '0000000000000000', spiR: '0000000000000000', exchange: 5, messageId: 0x5f724dc6 });
    expect(notifies(p)).toEqual({ 5: 2 });
  },
  'ikev2-init-auth-then-ah.pcapng': ({ p, v }) => {
    expect(exchangesByR(p)).toEqual({ 'IKE_SA_INIT Q': 1, 'IKE_SA_INIT R': 1, 'IKE_AUTH Q': 1, 'IKE_AUTH R': 1 });
    expect(p.ikeMessages.map((m) => m.flags)).toEqual([0x08, 0x20, 0x08, 0x20]);
    expect(p.ikeMessages[1].spiR).toBe('572a8ae7557ad9ec');
    expect(p.ikeMessages[0].vendorIds).toHaveLength(4);
    expect([...natd(p, 1), ...natd(p, 2)].every((x) => x.endsWith(':match'))).toBe(true);
    expect(p.ikeMessages[0].keGroup).toBe(20);
    expect(flows(p)).toEqual(['ah 604816f6 10.2.3.2>10.3.4.4 1 1..1', 'ah af8683ef 10.3.4.4>10.2.3.2 1 1..1']);
    expect(v.sas[0].authCompleted).toBe(true);
  },
  'ikev2-init-auth-then-esp.pcapng': ({ p, v }) => {
    expect(p.ikeMessages.map((m) => m.spiI)).toEqual(new Array(4).fill('05ac0f4d122013f4'));
    expect(p.ikeMessages[1].spiR).toBe('5f46ee70bc4c5d0d');
    expect(v.unanswered).toEqual([]);
    expect(flows(p)).toEqual(['esp 2360b0e3 10.2.3.2>10.3.4.4 1 1..1', 'esp f0092cb5 10.3.4.4>10.2.3.2 1 1..1']);
  },
  'ikev2-nat-auth-ipfrag-no-response.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 11, ipFragments: 9, reassembled: 3 });
    expect(p.ikeMessages[0].proposals).toHaveLength(12);
    expect(p.ikeMessages[0].keGroup).toBe(2);
    expect(natd(p, 1)).toEqual(['source:match', 'destination:match']);
    expect(natd(p, 2)).toEqual(['source:match', 'destination:MISMATCH']);
    expect(notifies(p)).toEqual({ 16388: 2, 16389: 2, 16404: 1 });
    const auth = v.unanswered[0];
    expect(auth).toMatchObject({ exchangeName: 'IKE_AUTH', messageId: 1, retransmits: 2 });
    expect(auth.requests.map((m) => m.ipFragmentation?.frames)).toEqual([[3, 4, 5], [6, 7, 8], [9, 10, 11]]);
    expect(auth.requests.every((m) => m.length === 3468 && m.transport === 'udp4500')).toBe(true);
    expect(auth.retransmitIntervals.map((x) => Math.round(x))).toEqual([1, 1]);
  },
  'ikev2-natt-cookie-invalid-ke-multi-gw.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 834, ike: 519, espInUdp: 315 });
    expect(p.ikeMessages.filter((m) => m.transport === 'udp500').length).toBe(279);
    expect(p.ikeMessages.filter((m) => m.transport === 'udp4500').length).toBe(240);
    // by the R flag, as tshark counts; frame 207 (flags 0xff) is among the "responses"
    expect(exchangesByR(p)).toEqual({ 'IKE_SA_INIT Q': 139, 'IKE_SA_INIT R': 140, 'IKE_AUTH Q': 111, 'IKE_AUTH R': 111, 'INFORMATIONAL Q': 18 });
    // corrected for frame 207: 140 IKE_SA_INIT requests, 139 answered
    const init = v.exchanges.filter((e) => e.exchangeName === 'IKE_SA_INIT');
    expect([init.length, init.filter((e) => e.answered).length]).toEqual([140, 139]);
    expect(new Set(p.ikeMessages.map((m) => m.spiI)).size).toBe(70);
    expect(p.ikeMessages.filter((m) => m.response && m.notifies.some((n) => n.type === 16390) && m.spiR === '0000000000000000').length).toBe(70);
    const invalidKe = p.ikeMessages.filter((m) => m.notifies.some((n) => n.type === 17));
    expect(invalidKe.map((m) => [m.at.frame, m.spiI, m.notifies.find((n) => n.type === 17)!.group])).toEqual([
      [263, '6e09515392eb66e7', 14], [619, '79833f4a42b4d737', 14], [704, 'd96f785e24534f17', 14],
    ]);
    expect(count(p.ikeMessages.filter((m) => m.exchange === 34 && m.keGroup !== undefined && (!m.response || m.flags === 0xff)).map((m) => String(m.keGroup)))).toEqual({ 2: 134, 14: 6 });
    expect(v.unanswered.filter((e) => e.exchangeName === 'INFORMATIONAL').length).toBe(18);
    expect(v.unanswered.filter((e) => e.exchangeName === 'IKE_SA_INIT').map((e) => e.request?.spiI)).toEqual(['1f6618a354b259c0']);
    const clientReq = p.ikeMessages.filter((m) => m.exchange === 34 && m.src.address === '192.168.2.100');
    expect(clientReq).toHaveLength(140);
    expect(clientReq.every((m) => natdOf(m, 'source') === false && natdOf(m, 'destination') === true)).toBe(true);
    const accepted = p.ikeMessages.filter((m) => m.exchange === 34 && m.response && m.spiR !== '0000000000000000');
    expect(accepted).toHaveLength(66);
    expect(accepted.every((m) => natdOf(m, 'destination') === false)).toBe(true);
    expect(new Set(p.espFlows.map((f) => f.spi)).size).toBe(74);
    expect(p.espFlows.filter((f) => f.missing > 0).map((f) => [f.spiHex, f.src, f.missing])).toEqual([['c4c0e3f5', '109.237.187.130', 1]]);
    expect(v.sas.filter((s) => s.exchanges.some((e) => e.exchangeName === 'IKE_AUTH')).length).toBe(37);
  },
  'ikev2-cookie-auth-create-child-dlt-null.pcap': ({ p, v }) => {
    expect(p.counters['linktype:0']).toBe(21);
    expect(p.ikeMessages[0].proposals.flatMap((x) => x.transforms).filter((t) => t.kind === 'dh').map((t) => t.id)).toEqual([2, 14]);
    expect(p.ikeMessages[1].notifies.map((n) => n.type)).toEqual([16390]);
    expect(p.ikeMessages[3].spiR).toBe('71be8358efae7663');
    // chosen: AES-128 / INTEG 2 / PRF 2 / DH 2
    expect(p.ikeMessages[3].proposals[0].transforms.map((t) => `${t.kind}=${t.id}${t.keyLength ? '/' + t.keyLength : ''}`).sort()).toEqual(['dh=2', 'encr=12/128', 'integ=2', 'prf=2']);
    expect(v.exchanges.filter((e) => e.exchangeName === 'CREATE_CHILD_SA').every((e) => e.answered)).toBe(true);
    expect(v.unanswered.map((e) => [e.request?.at.frame, e.request?.spiI, e.request?.spiR])).toEqual([[21, '1d9be9451d4f97a8', '64a2a4b5d0e17b6a']]);
    expect(p.ikeMessages.flatMap((m) => m.natDetection).every((n) => n.matches === false)).toBe(true);
  },
  'ikev2-ipv6-retransmit-collision-rekey-esp.pcap': ({ p, v }) => {
    expect(p.counters).toMatchObject({ frames: 197, ike: 35, esp: 162 });
    const init = v.sas.find((s) => s.spiI === 'e5bc67550fd4d3ea')!.exchanges.find((e) => e.exchange === 34)!;
    expect([frames(init.requests), init.response?.at.frame, init.response?.spiR]).toEqual([[1, 38], 39, 'b51cdb5af0efa3ac']);
    expect(init.responseDelay).toBeCloseTo(40, 0);
    expect(v.sas.find((s) => s.spiI === '8e7779464044673e')?.spiR).toBe('7b452c842bc4e891');
    const responderRequests = v.exchanges.filter((e) => e.requester === 'responder');
    expect(responderRequests.every((e) => e.answered && e.response?.flags === 0x28)).toBe(true);
    expect(responderRequests.map((e) => e.exchangeName).sort()).toEqual(['CREATE_CHILD_SA', 'INFORMATIONAL', 'INFORMATIONAL', 'INFORMATIONAL']);
    expect(v.unanswered).toEqual([]);
    expect(flows(p)).toEqual([
      'esp 3d713155 2003:51:6012::2>2003:51:6012::4 8 1..8', 'esp 3d713156 2003:51:6012::2>2003:51:6012::4 6 1..6',
      'esp 3d713158 2003:51:6012::2>2003:51:6012::4 34 1..34', 'esp 3d713159 2003:51:6012::2>2003:51:6012::4 33 1..33',
      'esp 83d48d4c 2003:51:6012::4>2003:51:6012::2 6 2..7', 'esp 92c780d4 2003:51:6012::4>2003:51:6012::2 34 2..35',
      'esp cf0014be 2003:51:6012::4>2003:51:6012::2 33 2..34', 'esp f918698d 2003:51:6012::4>2003:51:6012::2 8 2..9',
    ]);
    expect(p.espFlows.every((f) => f.missing === 0)).toBe(true);
  },
  'ikev2-init-dh2-unanswered-rawip.pcap': ({ p, v }) => {
    expect(p.counters['linktype:101']).toBe(1);
    expect(p.ikeMessages[0]).toMatchObject({ flags: 0x08, spiI: '61d3693ce12af528', spiR: '0000000000000000', keGroup: 2 });
    expect(p.ikeMessages[0].payloads.map((x) => x.type)).toEqual([40, 34, 33]);
    expect(p.ikeMessages[0].natDetection).toEqual([]);
    expect(v.unanswered).toHaveLength(1);
    expect(v.unanswered[0].retransmits).toBe(0);
  },
  'ah-esp-tunnel-bidirectional.pcap': ({ p }) => {
    expect(p.counters.frames).toBe(10);
    expect(flows(p)).toEqual([
      'ah 8179b705 10.0.0.1>10.0.0.2 5 1..5', 'ah ba8bd060 10.0.0.2>10.0.0.1 5 1..5',
      'esp 48dac2e4 10.0.0.1>10.0.0.2 5 1..5', 'esp fb5128a6 10.0.0.2>10.0.0.1 5 1..5',
    ]);
  },
  'esp-one-way-24-sa-ipv4-ipv6.pcap': ({ p }) => {
    expect(p.counters).toMatchObject({ frames: 240, esp: 240, ike: 0 });
    expect(p.espFlows).toHaveLength(24);
    expect(p.espFlows.every((f) => f.packets === 10 && f.missing === 0)).toBe(true);
    const v4 = (spi: number, dst: string) => p.espFlows.find((f) => f.spi === spi && f.dst === dst)!;
    expect([v4(0x6e, '190.0.0.2').minSeq, v4(0x6f, '190.0.0.3').minSeq, v4(0x70, '190.0.0.4').minSeq, v4(0x71, '190.0.0.5').minSeq]).toEqual([19, 14, 12, 3]);
    expect(p.espFlows.filter((f) => f.ipVersion === 6).every((f) => f.minSeq === 1 && f.maxSeq === 10 && f.src === '3ffe::1')).toBe(true);
    expect(buildEspFlows(p).tunnels.every((t) => t.oneWay && !t.ikeSeen)).toBe(true);
  },
  'esp-in-udp-4500-one-way.pcap': ({ p }) => {
    expect(flows(p)).toEqual(['esp 12345678 192.1.2.23>192.1.2.45 8 1..8']);
    expect(p.espFlows[0]).toMatchObject({ encap: 'udp', srcPort: 4500, dstPort: 4500 });
  },
  'esp-replay-gap-spi0-ipfrag.pcap': ({ p }) => {
    const main = p.espFlows.find((f) => f.spi === 0x3e9)!;
    expect(main).toMatchObject({ duplicates: 1, missing: 2, ipFragments: 1, maxSeq: 7, src: '203.0.0.1', dst: '203.0.113.1' });
    expect(p.espFlows.find((f) => f.spi === 0)?.sampleFrames).toEqual([8]);
    expect(p.counters.ipFragments).toBe(2);
  },
  'ah-ipv6-ospfv3-shared-spi.pcap': ({ p }) => {
    expect(p.counters.ah).toBe(61);
    const s = (src: string) => p.espSenders.find((x) => x.src === src)!;
    expect([s('fe80::1').seqPackets, s('fe80::1').minSeq, s('fe80::1').maxSeq, s('fe80::1').missing, s('fe80::1').outOfOrder]).toEqual([32, 19, 50, 0, 1]);
    expect([s('fe80::2').seqPackets, s('fe80::2').minSeq, s('fe80::2').maxSeq, s('fe80::2').missing]).toEqual([29, 13, 41, 0]);
    expect(buildEspFlows(p).flows.every((f) => f.lost === 0)).toBe(true);
  },
  'icmp-frag-needed-mtu500-from-vpn-gw.pcap': ({ p }) => {
    expect(p.icmpErrors.map((e) => `${e.at.frame} ${e.type}/${e.code}${e.mtu !== undefined ? ' mtu ' + e.mtu : ''}`)).toEqual(['5 3/2', '6 3/4 mtu 500', '7 11/0', '9 3/2', '10 11/0']);
    expect(p.icmpErrors[1].quoted).toMatchObject({ src: '192.168.0.1', dst: '192.168.10.2', df: true, totalLength: 8024, protocol: 1 });
  },
  'icmp-port-unreach-quoting-udp.pcap': ({ p }) => {
    expect(p.icmpErrors).toHaveLength(1);
    expect(p.icmpErrors[0]).toMatchObject({ from: '192.168.1.102', to: '192.168.1.1', type: 3, code: 3 });
    expect(p.icmpErrors[0].quoted).toMatchObject({ src: '192.168.1.1', srcPort: 53, dst: '192.168.1.102', dstPort: 59207, protocol: 17 });
  },
  'esp-in-udp-truncated-snaplen46.pcap': ({ p }) => {
    expect(p.counters).toMatchObject({ frames: 1, snaplenCut: 1 });
    expect(p.espFlows).toEqual([expect.objectContaining({ spiHex: 'c0f7d4c3', src: '0.254.92.182', dst: '255.127.255.121', seqPackets: 0 })]);
  },
  'udp4500-truncated-caplen42-fuzzed.pcap': ({ p }) => {
    expect(p.counters).toMatchObject({ frames: 23, snaplenCut: 23, nonIp: 22, ike: 0, esp: 0, espInUdp: 0 });
    expect(p.counters.bytes).toBe(23 * 262144);
  },
  'fmt-big-endian-pcap.pcap': ({ p }) => {
    expect(p.counters.frames).toBe(2);
    expect(p.firstTs).toBeCloseTo(1335958313.15263, 5);
    expect(p.lastTs).toBeCloseTo(1335958317.529201, 5);
    expect(p.trafficFlows.map((f) => `${f.protocolName} ${f.src}>${f.dst} ${f.packets}`)).toEqual(['icmp 192.168.177.160>10.64.11.49 2']);
  },
  'fmt-nanosecond-pcap-linux-sll.pcap': ({ p }) => {
    expect(p.counters['linktype:113']).toBe(3);
    expect(p.firstTs).toBeCloseTo(1418145369.924505488, 6);
    expect(p.lastTs).toBeCloseTo(1418145370.052115157, 6);
  },
  'fmt-linux-sll2.pcap': ({ p }) => {
    expect(p.counters).toMatchObject({ frames: 6, nonIp: 2, 'linktype:276': 6 });
    expect(p.trafficFlows.map((f) => f.protocolName).sort()).toEqual(['icmp', 'icmpv6']);
  },
  'fmt-pcapng-two-interfaces-us-ns.pcapng': ({ p }) => {
    expect(p.counters.frames).toBe(6);
    expect(p.firstTs).toBeCloseTo(Date.UTC(2026, 0, 6, 1, 31, 29) / 1000 + 0.500330493, 5);
    expect(p.trafficFlows.every((f) => f.protocolName === 'udp' && (f.srcPort === 53 || f.dstPort === 53))).toBe(true);
  },
  'fmt-pcapng-vlan-qinq.pcapng': ({ p }) => {
    expect(p.counters.frames).toBe(9);
    expect(p.trafficFlows.reduce((n, f) => n + f.packets, 0)).toBe(9);
    expect(new Set(p.trafficFlows.flatMap((f) => [f.src, f.dst]))).toEqual(new Set(['192.168.1.100', '192.168.1.200']));
  },
};

function natdOf(m: PacketEvidence['ikeMessages'][number], kind: 'source' | 'destination'): boolean | undefined {
  const list = m.natDetection.filter((n) => n.kind === kind);
  return list.length ? list.some((n) => n.matches) : undefined;
}

describe.skipIf(!present)('corpus pcaps decode as the MANIFEST says', () => {
  it('every capture in the corpus has a case here', () => {
    const files = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
    expect(files).toHaveLength(30);
    expect(Object.keys(CASES).sort()).toEqual(files);
  });

  for (const [name, check] of Object.entries(CASES)) {
    it(name, async () => {
      check(await decode(name));
    });
  }
});
