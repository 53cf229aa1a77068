/**
 * Frame-by-frame collector behind --pcap and --live: link → IP → UDP/ESP/AH/ICMP →
 * IKE. Keeps every IKE message and aggregates the rest, so memory grows with IKE
 * messages, flows and SAs, not with packets. The per-frame path reuses its header
 * structs; an ESP packet only updates its flow aggregate.
 */
import type { Diagnostic } from './types.js';
import type {
  CapturedFrame, EspFlow, EspSender, FrameRef, IcmpError, IkeMessage, IkeTransport, IpFragmentation, NatKeepalives, PacketCollector, PacketEndpoint,
  PacketCollectorOptions, PacketCounters, PacketEvidence, TrafficFlow,
} from './packet-types.js';
import { SIZE_BUCKETS } from './packet-types.js';
import { decodeLink, newLinkResult } from '../decoders/link.js';
import { decodeIp, IP_PROTOCOL_NAMES, newIpHeader, type IpHeader } from '../decoders/ip.js';
import { decodeUdp, IKE_PORT, NAT_T_PORT, newUdpInfo, type UdpInfo } from '../decoders/udp.js';
import { decodeAh, decodeEsp, newSpiSeq } from '../decoders/esp.js';
import { decodeIcmp } from '../decoders/icmp.js';
import { decodeIke, ikeMessageEnd, type IkeDecoded, type IkeDecodeResult } from '../decoders/ike.js';
import { ikeExcerpt } from '../decoders/ike-excerpt.js';
import { FragmentReassembler, type FragmentSet } from '../decoders/ip-fragments.js';
import { SequenceTracker } from '../decoders/esp-sequence.js';
import { hex32, ipString } from '../decoders/addr.js';

const MAX_IKE_MESSAGES = 200_000;
const MAX_ESP_FLOWS = 100_000;
const MAX_ICMP_ERRORS = 10_000;
const MAX_TRAFFIC_FLOWS = 50_000;
const MAX_DIAGNOSTICS = 2_000;
const MAX_LARGE_FRAMES = 8;
const LARGE_TCP = 1280;
const IKE_CACHE = 4096;

interface EspState {
  flow: EspFlow;
  src: Uint8Array;
  dst: Uint8Array;
  seq: SequenceTracker;
  sender: SenderState;
  lastFrames: number[];
}

interface SenderState {
  protocol: 'esp' | 'ah';
  spi: number;
  encap: 'ip' | 'udp';
  src: Uint8Array;
  srcText: string;
  dsts: Uint8Array[];
  dstTexts: string[];
  seq: SequenceTracker;
}

interface TrafficState {
  flow: TrafficFlow;
  src: Uint8Array;
  dst: Uint8Array;
  recentLargeSeqs: Uint32Array;
  recentCount: number;
}

export function createPacketCollector(opts: PacketCollectorOptions): PacketCollector {
  const counters: PacketCounters = {
    frames: 0, bytes: 0, truncatedRecords: 0, snaplenCut: 0, undecodable: 0, nonIp: 0, nonIpsec: 0, ike: 0, esp: 0, espInUdp: 0, ah: 0,
    natKeepalives: 0, icmpErrors: 0, ipFragments: 0, reassembled: 0, fragmentsIncomplete: 0, capped: 0,
  };
  const diagnostics: Diagnostic[] = [];
  let diagnosticsDropped = 0;
  const sources: string[] = [];
  const ikeMessages: IkeMessage[] = [];
  const espByKey = new Map<number, EspState[]>();
  const espList: EspState[] = [];
  const sendersByKey = new Map<number, SenderState[]>();
  const senderList: SenderState[] = [];
  const icmpErrors: IcmpError[] = [];
  const keepalives: NatKeepalives[] = [];
  const trafficByKey = new Map<number, TrafficState[]>();
  const trafficList: TrafficState[] = [];
  const linkKeys: string[] = [];
  const ikeCache = new Map<number, { r: IkeDecodeResult; srcEp: PacketEndpoint; dstEp: PacketEndpoint; excerpt: string; src: Uint8Array; dst: Uint8Array; srcPort: number; dstPort: number; bytes: Buffer }>();
  const unsupportedLinkReported = new Set<number>();
  let firstTs: number | undefined;
  let lastTs: number | undefined;
  let finished: PacketEvidence | undefined;

  const link = newLinkResult();
  const ip = newIpHeader();
  const udp = newUdpInfo();
  const spiSeq = newSpiSeq();
  // the frame being decoded: set once per addFrame, read by the handlers
  let cur: CapturedFrame = { source: '', frame: 0, linktype: 0, ts: 0, caplen: 0, origlen: 0, data: new Uint8Array(0) };

  const reassembler = new FragmentReassembler(
    { incomplete: (set) => onIncompleteFragments(set) },
    (first, protocol) => protocol === 17 && worthReassembling(first),
  );

  function diag(decoder: string, message: string, frame = cur.frame, source = cur.source): void {
    if (diagnostics.length >= MAX_DIAGNOSTICS) {
      diagnosticsDropped++;
      return;
    }
    diagnostics.push({ at: { source, frame }, decoder, message });
  }

  function frameRef(): FrameRef {
    return { source: cur.source, frame: cur.frame, ts: cur.ts };
  }

  /** Aggregates own their `last` object: updated in place, no allocation per packet. */
  function touch(ref: FrameRef): void {
    ref.source = cur.source;
    ref.frame = cur.frame;
    ref.ts = cur.ts;
  }

  function addFrame(f: CapturedFrame): void {
    cur = f;
    if (sources[sources.length - 1] !== f.source && !sources.includes(f.source)) sources.push(f.source);
    counters.frames++;
    counters.bytes += f.origlen;
    if (f.caplen < f.origlen) counters.snaplenCut++;
    const lk = (linkKeys[f.linktype & 0xffff] ??= `linktype:${f.linktype}`);
    counters[lk] = (counters[lk] ?? 0) + 1;
    if (f.ts > 0 || firstTs === undefined) {
      if (firstTs === undefined || f.ts < firstTs) firstTs = f.ts;
      if (lastTs === undefined || f.ts > lastTs) lastTs = f.ts;
    }
    const d = f.data;
    decodeLink(f.linktype, d, link);
    if (link.offset < 0) {
      if (link.reason === 'unsupported-linktype') {
        counters.undecodable++;
        if (!unsupportedLinkReported.has(f.linktype)) {
          unsupportedLinkReported.add(f.linktype);
          diag('link', `link-layer type ${f.linktype} is not supported; frames of this type are counted only`);
        }
      } else if (link.reason === 'short') {
        counters.undecodable++;
      } else {
        counters.nonIp++;
      }
      return;
    }
    decodeIp(d, link.offset, ip);
    if (!ip.ok) {
      counters.undecodable++;
      if (ip.reason !== 'short' || f.caplen === f.origlen) diag('ip', `undecodable IPv${link.ipVersion} header: ${ip.reason}`);
      return;
    }
    handleIp(d, ip);
  }

  function handleIp(d: Uint8Array, h: IpHeader): void {
    if (h.fragmented) {
      counters.ipFragments++;
      handleFragment(d, h);
      return;
    }
    switch (h.protocol) {
      case 17:
        handleUdp(d, h.payloadOff, h.end, h.totalLength - (h.payloadOff - h.start), h, undefined);
        return;
      case 50:
        handleEsp(d, h, h.payloadOff, 'ip', 0, 0, false);
        return;
      case 51:
        handleAh(d, h);
        return;
      case 1:
      case 58:
        handleIcmp(d, h);
        return;
      default:
        counters.nonIpsec++;
        traffic(d, h, 0, 0, 0);
    }
  }

  function handleFragment(d: Uint8Array, h: IpHeader): void {
    if (h.protocol === 17) {
      if (h.fragOffset === 0 && h.end - h.payloadOff >= 8) {
        const sp = (d[h.payloadOff] << 8) | d[h.payloadOff + 1];
        const dp = (d[h.payloadOff + 2] << 8) | d[h.payloadOff + 3];
        // a first fragment of ESP-in-UDP shows its SPI (tcpdump esp_truncated.pcap); its sequence is not used
        if ((sp === NAT_T_PORT || dp === NAT_T_PORT) && h.end - h.payloadOff >= 12 && readU32(d, h.payloadOff + 8) !== 0) {
          handleEsp(d, h, h.payloadOff + 8, 'udp', sp, dp, true);
        }
      }
      const done = reassembler.add(d, h, cur.source, cur.frame, cur.ts);
      if (done) {
        counters.reassembled++;
        const set = done.set;
        const frag: IpFragmentation = { fragments: set.fragments, complete: true, totalLength: done.payload.length + (set.version === 4 ? 20 : 40), frames: set.frames.slice(), df: set.df };
        reassembledUdp(done.payload, set, frag);
      }
      return;
    }
    if ((h.protocol === 50 || h.protocol === 51) && h.fragOffset === 0) {
      // Vita selftest: a first fragment's ESP header is real; a non-first fragment's "header" is payload
      if (h.protocol === 50) handleEsp(d, h, h.payloadOff, 'ip', 0, 0, true);
      else handleAh(d, h, true);
      return;
    }
    if (h.protocol !== 50 && h.protocol !== 51) counters.nonIpsec++;
  }

  const wireSrc = new Uint8Array(16);
  const wireDst = new Uint8Array(16);

  function reassembledUdp(payload: Uint8Array, set: FragmentSet, frag: IpFragmentation): void {
    const u = decodeUdp(payload, 0, payload.length, payload.length, newUdpInfo());
    if (u.kind === 'ike') ike(payload, u, set.src, set.dst, set.version, frag, false);
    else if (u.kind !== 'esp-in-udp') counters.nonIpsec++;
  }

  function onIncompleteFragments(set: FragmentSet): void {
    counters.fragmentsIncomplete++;
    const first = set.pieces.find((p) => p.off === 0);
    const saved = cur;
    cur = { ...cur, source: set.source, frame: set.firstFrame, ts: set.firstTs };
    const frag: IpFragmentation = { fragments: set.fragments, complete: false, totalLength: (set.total ?? 0) + (set.version === 4 ? 20 : 40), frames: set.frames.slice(), df: set.df };
    if (first) {
      const u = decodeUdp(first.data, 0, first.data.length, 65535, newUdpInfo());
      if (u.kind === 'ike') ike(first.data, u, set.src, set.dst, set.version, frag, true);
    } else {
      diag('ip-fragments', `${set.fragments} IP fragment(s) of a UDP datagram ${ipString(set.src, 0, set.src.length as 4 | 16)} → ${ipString(set.dst, 0, set.dst.length as 4 | 16)} (IP ID ${set.id}) without the first fragment: never reassembled`);
    }
    cur = saved;
  }

  function handleUdp(d: Uint8Array, off: number, end: number, ipPayloadLength: number, h: IpHeader, frag: IpFragmentation | undefined): void {
    decodeUdp(d, off, end, ipPayloadLength, udp);
    switch (udp.kind) {
      case 'ike':
        ike(d, udp, d.subarray(h.srcOff, h.srcOff + h.addrLen), d.subarray(h.dstOff, h.dstOff + h.addrLen), h.version as 4 | 6, frag, h.truncated);
        return;
      case 'esp-in-udp':
        handleEsp(d, h, udp.payloadOff, 'udp', udp.srcPort, udp.dstPort, false);
        return;
      case 'nat-keepalive':
        keepalive(d, h);
        return;
      case 'short':
        counters.undecodable++;
        return;
      default:
        counters.nonIpsec++;
        traffic(d, h, 17, udp.srcPort, udp.dstPort);
    }
  }

  function ike(d: Uint8Array, u: UdpInfo, src: Uint8Array, dst: Uint8Array, version: 4 | 6, frag: IpFragmentation | undefined, truncated: boolean): void {
    if (ikeMessages.length >= MAX_IKE_MESSAGES) {
      // past the cap only the count grows: memory stays bounded whatever the capture
      counters.ike++;
      counters.capped++;
      return;
    }
    const len = src.length;
    const cut = truncated || u.payloadEnd < u.payloadOff + u.wirePayload;
    // retransmissions are byte-identical: decode once per (bytes, addressing), share the immutable result
    const msgEnd = ikeMessageEnd(d, u.innerOff, u.payloadEnd);
    const key = cacheKey(d, u.innerOff, msgEnd, src, dst, u.srcPort, u.dstPort, (cut ? 1 : 0) + (frag ? 2 + frag.fragments * 4 + (frag.complete ? 1 << 20 : 0) : 0));
    let cached = ikeCache.get(key);
    if (cached && !(cached.srcPort === u.srcPort && cached.dstPort === u.dstPort && sameBytes(cached.src, src, 0, len) && sameBytes(cached.dst, dst, 0, len)
      && sameMessage(cached.bytes, d, u.innerOff, msgEnd))) cached = undefined;
    if (!cached) {
      wireSrc.set(src);
      wireDst.set(dst);
      const r = decodeIke(d, u.innerOff, u.payloadEnd, { src: wireSrc.subarray(0, len), dst: wireDst.subarray(0, len), srcPort: u.srcPort, dstPort: u.dstPort }, cut);
      const srcEp = { address: ipString(src, 0, len as 4 | 16), port: u.srcPort };
      const dstEp = { address: ipString(dst, 0, len as 4 | 16), port: u.dstPort };
      cached = {
        r, srcEp, dstEp, excerpt: r.message ? ikeExcerpt(r.message, srcEp, dstEp, frag) : '', src: src.slice(), dst: dst.slice(), srcPort: u.srcPort, dstPort: u.dstPort,
        bytes: Buffer.from(d.subarray(u.innerOff, msgEnd)),
      };
      if (ikeCache.size >= IKE_CACHE) ikeCache.clear();
      ikeCache.set(key, cached);
    }
    const { r, srcEp, dstEp } = cached;
    for (const p of r.problems) diag('ike', p);
    if (!r.message) {
      counters.undecodable++;
      return;
    }
    counters.ike++;
    if (ikeMessages.length >= MAX_IKE_MESSAGES) {
      counters.capped++;
      return;
    }
    const transport: IkeTransport = u.srcPort === NAT_T_PORT || u.dstPort === NAT_T_PORT ? 'udp4500' : u.srcPort === IKE_PORT || u.dstPort === IKE_PORT ? 'udp500' : 'udp-other';
    ikeMessages.push(ikeMessage(r.message, frag, srcEp, dstEp, version, transport, u.nonEspMarker, cached.excerpt));
  }

  /** One literal with every field in a fixed order (one hidden class; cheaper than a spread). */
  function ikeMessage(m: IkeDecoded, frag: IpFragmentation | undefined, src: PacketEndpoint, dst: PacketEndpoint, version: 4 | 6, transport: IkeTransport, nonEspMarker: boolean, excerpt: string): IkeMessage {
    const msg: IkeMessage = {
      index: ikeMessages.length, at: frameRef(), src, dst, ipVersion: version, transport, nonEspMarker,
      ipLength: frag ? frag.totalLength : ip.totalLength, truncated: m.truncated,
      version: m.version, versionByte: m.versionByte, spiI: m.spiI, spiR: m.spiR, exchange: m.exchange, exchangeName: m.exchangeName,
      flags: m.flags, messageId: m.messageId, length: m.length, nextPayload: m.nextPayload,
      payloads: m.payloads, proposals: m.proposals, notifies: m.notifies, vendorIds: m.vendorIds, natDetection: m.natDetection,
      identities: m.identities, certs: m.certs, certReqs: m.certReqs, digest: m.digest, excerpt,
    };
    if (m.response !== undefined) msg.response = m.response;
    if (m.initiatorFlag !== undefined) msg.initiatorFlag = m.initiatorFlag;
    if (m.encryptedV1 !== undefined) msg.encryptedV1 = m.encryptedV1;
    if (m.keGroup !== undefined) msg.keGroup = m.keGroup;
    if (m.encrypted) msg.encrypted = m.encrypted;
    if (m.ikeFragment) msg.ikeFragment = m.ikeFragment;
    if (m.malformed) msg.malformed = m.malformed;
    if (frag) msg.ipFragmentation = frag;
    return msg;
  }

  function handleAh(d: Uint8Array, h: IpHeader, fragment = false): void {
    decodeAh(d, h.payloadOff, h.end, spiSeq);
    counters.ah++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    const next = spiSeq.next;
    const nextOff = spiSeq.nextOff;
    const st = espState('ah', spiSeq.spi, d, h, 'ip', 0, 0);
    if (st) {
      st.flow.innerProtocol = next;
      account(st, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, h, fragment);
    }
    // AH protecting ESP (Wireshark IPsec_ESP-AH_tunnel_mode.cap): the ESP SA is real too
    if (next === 50 && !fragment && nextOff < h.end) handleEsp(d, h, nextOff, 'ip', 0, 0, false);
  }

  function handleEsp(d: Uint8Array, h: IpHeader, off: number, encap: 'ip' | 'udp', sp: number, dp: number, fragment: boolean): void {
    decodeEsp(d, off, h.end, spiSeq);
    if (encap === 'udp') counters.espInUdp++;
    else counters.esp++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    const st = espState('esp', spiSeq.spi, d, h, encap, sp, dp);
    if (st) account(st, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, h, fragment);
  }

  function account(st: EspState, seq: number, h: IpHeader, fragment: boolean): void {
    const f = st.flow;
    f.packets++;
    f.bytes += h.totalLength;
    touch(f.last);
    if (f.sampleFrames.length < 4) f.sampleFrames.push(cur.frame);
    else {
      if (st.lastFrames.length >= 4) st.lastFrames.shift();
      st.lastFrames.push(cur.frame);
    }
    if (fragment) f.ipFragments++;
    else if (seq < 0) f.snaplenCut++;
    if (seq >= 0) {
      st.seq.add(seq, cur.frame);
      st.sender.seq.add(seq, cur.frame);
      noteDestination(st.sender, st.dst, f.dst);
    }
  }

  function espState(protocol: 'esp' | 'ah', spi: number, d: Uint8Array, h: IpHeader, encap: 'ip' | 'udp', sp: number, dp: number): EspState | undefined {
    const key = (spi ^ (protocol === 'ah' ? 0x5a5a5a5a : 0) ^ (encap === 'udp' ? 0x3c3c3c3c : 0)) >>> 0;
    let list = espByKey.get(key);
    if (list) {
      for (const st of list) {
        const f = st.flow;
        if (f.spi === spi && f.protocol === protocol && f.encap === encap && (f.srcPort ?? 0) === sp && (f.dstPort ?? 0) === dp
          && sameBytes(st.src, d, h.srcOff, h.addrLen) && sameBytes(st.dst, d, h.dstOff, h.addrLen)) return st;
      }
    }
    if (espList.length >= MAX_ESP_FLOWS) {
      counters.capped++;
      return undefined;
    }
    const src = d.slice(h.srcOff, h.srcOff + h.addrLen);
    const dst = d.slice(h.dstOff, h.dstOff + h.addrLen);
    const flow: EspFlow = {
      protocol, spi, spiHex: hex32(spi), src: ipString(src, 0, h.addrLen), dst: ipString(dst, 0, h.addrLen), encap, ipVersion: h.version as 4 | 6,
      packets: 0, bytes: 0, first: frameRef(), last: frameRef(), seqPackets: 0, missing: 0, gaps: [], duplicates: 0, outOfOrder: 0, stale: 0,
      ipFragments: 0, snaplenCut: 0, sampleFrames: [],
    };
    if (encap === 'udp') {
      flow.srcPort = sp;
      flow.dstPort = dp;
    }
    const st: EspState = { flow, src, dst, seq: new SequenceTracker(), sender: senderState(protocol, spi, encap, src, flow.src), lastFrames: [] };
    if (!list) espByKey.set(key, (list = []));
    list.push(st);
    espList.push(st);
    return st;
  }

  function senderState(protocol: 'esp' | 'ah', spi: number, encap: 'ip' | 'udp', src: Uint8Array, srcText: string): SenderState {
    const key = (spi ^ (protocol === 'ah' ? 0x5a5a5a5a : 0)) >>> 0;
    let list = sendersByKey.get(key);
    if (list) {
      for (const s of list) if (s.spi === spi && s.protocol === protocol && s.encap === encap && sameBytes(s.src, src, 0, src.length)) return s;
    }
    const s: SenderState = { protocol, spi, encap, src, srcText, dsts: [], dstTexts: [], seq: new SequenceTracker() };
    if (!list) sendersByKey.set(key, (list = []));
    list.push(s);
    senderList.push(s);
    return s;
  }

  function noteDestination(s: SenderState, dst: Uint8Array, dstText: string): void {
    for (const x of s.dsts) if (x === dst) return;
    if (s.dsts.length >= 64) return;
    s.dsts.push(dst);
    if (!s.dstTexts.includes(dstText)) s.dstTexts.push(dstText);
  }

  function keepalive(d: Uint8Array, h: IpHeader): void {
    counters.natKeepalives++;
    const src = ipString(d, h.srcOff, h.addrLen);
    const dst = ipString(d, h.dstOff, h.addrLen);
    let k = keepalives.find((x) => x.src.address === src && x.dst.address === dst && x.src.port === udp.srcPort && x.dst.port === udp.dstPort);
    if (!k) {
      k = { src: { address: src, port: udp.srcPort }, dst: { address: dst, port: udp.dstPort }, count: 0, first: frameRef(), last: frameRef() };
      keepalives.push(k);
    }
    k.count++;
    touch(k.last);
  }

  function handleIcmp(d: Uint8Array, h: IpHeader): void {
    const r = decodeIcmp(d, h.payloadOff, h.end, h.version === 6);
    if (!r) {
      counters.undecodable++;
      return;
    }
    if (!r.kind) {
      counters.nonIpsec++;
      if (r.echo) traffic(d, h, h.protocol, 0, 0);
      return;
    }
    counters.icmpErrors++;
    if (icmpErrors.length >= MAX_ICMP_ERRORS) {
      counters.capped++;
      return;
    }
    const e: IcmpError = {
      at: frameRef(), ipVersion: h.version as 4 | 6, from: ipString(d, h.srcOff, h.addrLen), to: ipString(d, h.dstOff, h.addrLen),
      type: r.type, code: r.code, kind: r.kind, excerpt: '',
    };
    if (r.mtu !== undefined) e.mtu = r.mtu;
    if (r.quoted) e.quoted = r.quoted;
    e.excerpt = icmpExcerpt(e);
    icmpErrors.push(e);
  }

  function traffic(d: Uint8Array, h: IpHeader, proto: number, sp: number, dp: number): void {
    const protocol = proto || h.protocol;
    let tcpSeq = 0;
    let tcpAck = 0;
    let tcpFlags = 0;
    let tcpPayload = 0;
    if (protocol === 6) {
      if (h.end - h.payloadOff < 20) return;
      const p = h.payloadOff;
      sp = (d[p] << 8) | d[p + 1];
      dp = (d[p + 2] << 8) | d[p + 3];
      tcpSeq = readU32(d, p + 4);
      tcpAck = readU32(d, p + 8);
      const dataOff = (d[p + 12] >> 4) * 4;
      tcpFlags = d[p + 13];
      tcpPayload = h.totalLength - (p - h.start) - dataOff;
    }
    let hsh = (protocol * 31 + sp * 65599 + dp) >>> 0;
    for (let i = 0; i < h.addrLen; i++) hsh = (Math.imul(hsh ^ d[h.srcOff + i], 16777619) + d[h.dstOff + i]) >>> 0;
    let list = trafficByKey.get(hsh);
    let st: TrafficState | undefined;
    if (list) {
      for (const t of list) {
        if (t.flow.protocol === protocol && (t.flow.srcPort ?? 0) === sp && (t.flow.dstPort ?? 0) === dp && sameBytes(t.src, d, h.srcOff, h.addrLen) && sameBytes(t.dst, d, h.dstOff, h.addrLen)) {
          st = t;
          break;
        }
      }
    }
    if (!st) {
      if (trafficList.length >= MAX_TRAFFIC_FLOWS) {
        counters.capped++;
        return;
      }
      const src = d.slice(h.srcOff, h.srcOff + h.addrLen);
      const dst = d.slice(h.dstOff, h.dstOff + h.addrLen);
      const flow: TrafficFlow = {
        protocol, protocolName: IP_PROTOCOL_NAMES[protocol] ?? String(protocol), src: ipString(src, 0, h.addrLen), dst: ipString(dst, 0, h.addrLen),
        ipVersion: h.version as 4 | 6, packets: 0, bytes: 0, maxSize: 0, maxDfSize: 0, sizeBuckets: [0, 0, 0, 0, 0], dfBuckets: [0, 0, 0, 0, 0],
        first: frameRef(), last: frameRef(), largeDfFrames: [],
      };
      if (protocol === 6 || protocol === 17) {
        flow.srcPort = sp;
        flow.dstPort = dp;
      }
      if (protocol === 6) flow.tcp = { largeSegments: 0, largeRetransmits: 0, firstSeqRaw: tcpSeq };
      st = { flow, src, dst, recentLargeSeqs: new Uint32Array(8), recentCount: 0 };
      if (!list) trafficByKey.set(hsh, (list = []));
      list.push(st);
      trafficList.push(st);
    }
    const f = st.flow;
    const size = h.totalLength;
    f.packets++;
    f.bytes += size;
    touch(f.last);
    if (size > f.maxSize) f.maxSize = size;
    let b = 0;
    while (size > SIZE_BUCKETS[b]) b++;
    f.sizeBuckets[b]++;
    if (h.df) {
      f.dfBuckets[b]++;
      if (size > f.maxDfSize) f.maxDfSize = size;
      if (size > LARGE_TCP) {
        if (f.largeDfFrames.length >= MAX_LARGE_FRAMES) f.largeDfFrames.shift();
        f.largeDfFrames.push(cur.frame);
      }
    }
    if (f.tcp) tcpAccount(st, tcpSeq, tcpAck, tcpFlags, tcpPayload, size);
  }

  function tcpAccount(st: TrafficState, seq: number, ack: number, flags: number, payload: number, size: number): void {
    const t = st.flow.tcp!;
    if (flags & 0x10) {
      if (t.maxAckRaw === undefined || ((ack - t.maxAckRaw) | 0) > 0) t.maxAckRaw = ack;
    }
    if (payload <= 0) return;
    const end = ((seq - (t.firstSeqRaw ?? seq)) >>> 0) + payload;
    if (size > LARGE_TCP) {
      t.largeSegments++;
      let seen = false;
      for (let i = 0; i < Math.min(st.recentCount, 8); i++) if (st.recentLargeSeqs[i] === seq) seen = true;
      if (seen) t.largeRetransmits++;
      else st.recentLargeSeqs[st.recentCount++ % 8] = seq;
      if (t.largeSeqEnd === undefined || end > t.largeSeqEnd) t.largeSeqEnd = end;
    } else if (t.smallSeqEnd === undefined || end > t.smallSeqEnd) {
      t.smallSeqEnd = end;
    }
  }

  function finish(): PacketEvidence {
    if (finished) return finished;
    reassembler.flush();
    if (diagnosticsDropped) diagnostics.push({ at: { source: sources[0] ?? '(capture)' }, decoder: 'packets', message: `${diagnosticsDropped} more decoder diagnostics were counted but not kept` });
    const espFlows = espList.map((st) => {
      const f = st.flow;
      const s = st.seq;
      f.seqPackets = s.packets;
      if (s.packets) Object.assign(f, { firstSeq: s.first, lastSeq: s.last, minSeq: s.min, maxSeq: s.max });
      Object.assign(f, { missing: s.missing, gaps: s.gaps, duplicates: s.duplicates, outOfOrder: s.outOfOrder, stale: s.stale });
      for (const fr of st.lastFrames) if (!f.sampleFrames.includes(fr)) f.sampleFrames.push(fr);
      return f;
    });
    const espSenders: EspSender[] = senderList.map((s) => {
      const out: EspSender = {
        protocol: s.protocol, spi: s.spi, src: s.srcText, encap: s.encap, destinations: s.dstTexts, seqPackets: s.seq.packets,
        missing: s.seq.missing, duplicates: s.seq.duplicates, outOfOrder: s.seq.outOfOrder,
      };
      if (s.seq.packets) {
        out.minSeq = s.seq.min;
        out.maxSeq = s.seq.max;
      }
      return out;
    });
    finished = {
      sources: [...sources],
      ikeMessages,
      espFlows,
      espSenders,
      icmpErrors,
      natKeepalives: keepalives,
      trafficFlows: trafficList.map((t) => t.flow),
      counters: { ...counters },
      local: opts.local,
      peer: opts.peer,
    };
    if (firstTs !== undefined) finished.firstTs = firstTs;
    if (lastTs !== undefined) finished.lastTs = lastTs;
    return finished;
  }

  return {
    addFrame,
    addDiagnostic: (d) => {
      if (diagnostics.length < MAX_DIAGNOSTICS) diagnostics.push(d);
      else diagnosticsDropped++;
    },
    count: (key, n = 1) => {
      counters[key] = (counters[key] ?? 0) + n;
    },
    counters: () => ({ ...counters }),
    diagnostics: () => diagnostics,
    finish,
  };
}

/** Only IKE is reassembled: UDP 500, or 4500 with the zero non-ESP marker (ESP-in-UDP is counted at its first fragment). */
function worthReassembling(udpStart: Uint8Array): boolean {
  if (udpStart.length < 4) return false;
  const sp = (udpStart[0] << 8) | udpStart[1];
  const dp = (udpStart[2] << 8) | udpStart[3];
  if (sp === NAT_T_PORT || dp === NAT_T_PORT) return udpStart.length < 12 || readU32(udpStart, 8) === 0;
  return sp === IKE_PORT || dp === IKE_PORT;
}

/**
 * Key of the IKE decode cache: a 52-bit FNV-style hash of the message's first bytes
 * (header: SPIs, exchange, message ID, length), its length and its addressing. A hit
 * is confirmed by comparing the whole message natively (sameMessage), so the key
 * only has to be cheap, not collision-free.
 */
function cacheKey(d: Uint8Array, off: number, end: number, src: Uint8Array, dst: Uint8Array, sp: number, dp: number, extra: number): number {
  let a = 0x811c9dc5 ^ (end - off);
  let b = 0x9747b28c ^ extra;
  const stop = Math.min(end, off + 64);
  for (let i = off; i < stop; i++) {
    a = Math.imul(a ^ d[i], 0x01000193);
    b = Math.imul(b ^ d[i] ^ (a >>> 24), 0x01000193);
  }
  for (let i = 0; i < src.length; i++) a = Math.imul(a ^ src[i] ^ (dst[i] << 8), 0x01000193);
  b = Math.imul(b ^ sp ^ (dp << 16), 0x01000193);
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

function sameMessage(cached: Buffer, d: Uint8Array, off: number, end: number): boolean {
  return cached.length === end - off && cached.equals(d.subarray(off, end));
}

function readU32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) >>> 0) + ((d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]);
}

function sameBytes(a: Uint8Array, d: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== d[off + i]) return false;
  return true;
}

function icmpExcerpt(e: IcmpError): string {
  const head = `${e.from} → ${e.to} ICMP${e.ipVersion === 6 ? 'v6' : ''} ${e.type}/${e.code} ${e.kind}${e.mtu !== undefined ? ` mtu ${e.mtu}` : ''}`;
  const q = e.quoted;
  if (!q) return head;
  const port = (a: string, p?: number) => (p === undefined ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  const proto = IP_PROTOCOL_NAMES[q.protocol] ?? String(q.protocol);
  const what = `${q.kind === proto ? '' : ` ${q.kind}`}${q.spi !== undefined ? ` spi 0x${hex32(q.spi)}` : ''}${q.ikeSpiI ? ` spi ${q.ikeSpiI}` : ''}`;
  return `${head} quoting ${port(q.src, q.srcPort)} → ${port(q.dst, q.dstPort)} ${proto}${what} len ${q.totalLength}${q.df ? ' DF' : ''}`;
}

