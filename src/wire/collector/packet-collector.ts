/**
 * Frame-by-frame collector behind --pcap and --live: link → IP → UDP/ESP/AH/ICMP →
 * IKE. Keeps the first and the last IKE messages of each IKE SA and aggregates the
 * rest, so memory grows with flows and SAs, not with packets. The per-frame path
 * reuses its header structs; an ESP packet only updates its flow aggregate.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type {
  CapturedFrame, FrameRef, IcmpError, IpFragmentation, NatKeepalives, PacketCollector, PacketCollectorOptions, PacketCounters, PacketEvidence,
} from '../../evidence/packet-types.js';
import { decodeLink, newLinkResult } from '../link.js';
import { decodeIp, IP_PROTOCOL_NAMES, newIpHeader, type IpHeader } from '../ip.js';
import { decodeUdp, IKE_PORT, NAT_T_PORT, newUdpInfo } from '../udp.js';
import { decodeAh, decodeEsp, newSpiSeq } from '../esp.js';
import { decodeIcmp } from '../icmp.js';
import { datagramText, firstFragmentBytes, FragmentReassembler, framesText, MAX_BYTES as FRAGMENT_MAX_BYTES, MAX_PENDING as FRAGMENT_MAX_PENDING, type FragmentSet } from '../ip-fragments.js';
import { EspAggregator } from './esp-aggregate.js';
import { TrafficAggregator } from './traffic-flows.js';
import { frameRefOf, readU32, touchFrameRef } from './frame-ref.js';
import { hex32, ipString } from '../addr.js';
import { createIkeKeeper } from './ike-keeper.js';
import { counted } from '../../evidence/plural.js';

export { IKE_SA_HEAD, IKE_SA_TAIL } from './ike-keeper.js';

const MAX_ICMP_ERRORS = 10_000;
const MAX_DIAGNOSTICS = 2_000;

export function createPacketCollector(opts: PacketCollectorOptions): PacketCollector {
  const counters: PacketCounters = {
    frames: 0, bytes: 0, truncatedRecords: 0, snaplenCut: 0, undecodable: 0, nonIp: 0, nonIpsec: 0, ike: 0, esp: 0, espInUdp: 0, ah: 0,
    natKeepalives: 0, icmpErrors: 0, ipFragments: 0, reassembled: 0, fragmentsIncomplete: 0, capped: 0,
  };
  const diagnostics: Diagnostic[] = [];
  let diagnosticsDropped = 0;
  const sources: string[] = [];
  const esp = new EspAggregator();
  const icmpErrors: IcmpError[] = [];
  const keepalives: NatKeepalives[] = [];
  const traffic = new TrafficAggregator();
  const linkKeys: string[] = [];
  const unsupportedLinkReported = new Set<number>();
  // first and last timestamp in a Float64Array: a fractional number stored in a closure
  // variable is a fresh heap object per frame (16 MB of garbage per million frames)
  const tsRange = new Float64Array([Number.NaN, Number.NaN]);
  let finished: PacketEvidence | undefined;

  const link = newLinkResult();
  const ip = newIpHeader();
  const udp = newUdpInfo();
  const spiSeq = newSpiSeq();
  // the frame being decoded: set once per addFrame, read by the handlers
  let cur: CapturedFrame = { source: '', frame: 0, linktype: 0, ts: 0.5, caplen: 0, origlen: 0, data: new Uint8Array(0), offset: 0 };

  const reassembler = new FragmentReassembler(
    { incomplete: (set) => onIncompleteFragments(set), malformed: (set, frame, problem, discarded) => onMalformedFragments(set, frame, problem, discarded) },
    (first, protocol) => protocol === 17 && worthReassembling(first),
  );
  // which decoder the frame being decoded is in, for the diagnostic when one throws
  let stage = 'link';

  function diag(decoder: string, message: string, frame = cur.frame, source = cur.source): Diagnostic | undefined {
    if (diagnostics.length >= MAX_DIAGNOSTICS) {
      diagnosticsDropped++;
      return undefined;
    }
    const dg: Diagnostic = { at: { source, frame }, decoder, message };
    diagnostics.push(dg);
    return dg;
  }

  const ikeKeeper = createIkeKeeper(opts.ikeSaBound, { counters, frame: () => cur, diag: (decoder, message) => diag(decoder, message) });

  const frameRef = (): FrameRef => frameRefOf(cur);

  let runLinktype = -1;
  let runLinkFrames = 0;
  function flushLinkRun(): void {
    if (!runLinkFrames) return;
    const lk = (linkKeys[runLinktype & 0xffff] ??= `linktype:${runLinktype}`);
    counters[lk] = (counters[lk] ?? 0) + runLinkFrames;
    runLinkFrames = 0;
  }

  /**
   * One frame, whatever its bytes: decoders are meant to be total, and when one is not
   * the frame becomes a located diagnostic (Wireshark's "malformed packet") and the next
   * frame is decoded as usual. A capture file and a live capture both come through here,
   * so one hostile packet can neither lose a report nor end a capture.
   */
  function addFrame(f: CapturedFrame): void {
    try {
      decodeFrame(f);
    } catch (err) {
      counters.undecodable++;
      counters.decoderErrors = (counters.decoderErrors ?? 0) + 1;
      diag(stage, `malformed packet: the ${stage} decoder failed (${err instanceof Error ? err.message : String(err)}); the frame was skipped`, f.frame, f.source);
    }
  }

  function decodeFrame(f: CapturedFrame): void {
    stage = 'link';
    // Buffer#slice is a view, not a copy: the aggregates' d.slice() of a libpcap Buffer (live
    // capture) would keep addresses that the next packet overwrites. A plain view slices by copy.
    if (f.data.constructor !== Uint8Array) f.data = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    cur = f;
    if (sources[sources.length - 1] !== f.source && !sources.includes(f.source)) sources.push(f.source);
    counters.frames++;
    counters.bytes += f.origlen;
    if (f.caplen < f.origlen) counters.snaplenCut++;
    // frames per link type, counted as runs: a keyed store per frame costs more than the rest of addFrame
    if (f.linktype !== runLinktype) {
      flushLinkRun();
      runLinktype = f.linktype;
    }
    runLinkFrames++;
    if (f.ts > 0 || Number.isNaN(tsRange[0])) {
      if (Number.isNaN(tsRange[0]) || f.ts < tsRange[0]) tsRange[0] = f.ts;
      if (Number.isNaN(tsRange[1]) || f.ts > tsRange[1]) tsRange[1] = f.ts;
    }
    const d = f.data;
    const start = f.offset ?? 0;
    // a caller's caplen is trusted only as far as the bytes it handed over
    const end = Math.min(start + f.caplen, d.length);
    decodeLink(f.linktype, d, link, start, end);
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
    stage = 'ip';
    decodeIp(d, link.offset, ip, end);
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
        stage = 'udp';
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
        traffic.add(d, h, h.protocol, 0, 0, cur);
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
      stage = 'ip-fragments';
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

  // the addresses of the IKE message being decoded, copied here instead of a subarray per message
  const srcAddr4 = new Uint8Array(4);
  const dstAddr4 = new Uint8Array(4);
  const srcAddr16 = new Uint8Array(16);
  const dstAddr16 = new Uint8Array(16);

  function reassembledUdp(payload: Uint8Array, set: FragmentSet, frag: IpFragmentation): void {
    stage = 'udp';
    const u = decodeUdp(payload, 0, payload.length, payload.length, newUdpInfo());
    stage = 'ike';
    if (u.kind === 'ike') ikeKeeper.add(payload, u, set.src, set.dst, set.version, frag, false, frag.totalLength);
    else if (u.kind !== 'esp-in-udp') counters.nonIpsec++;
  }

  function onIncompleteFragments(set: FragmentSet): void {
    counters.fragmentsIncomplete++;
    const first = firstFragmentBytes(set);
    const saved = cur;
    const savedStage = stage;
    cur = { ...cur, source: set.source, frame: set.firstFrame, ts: set.firstTs };
    const frag: IpFragmentation = { fragments: set.fragments, complete: false, totalLength: (set.total ?? 0) + (set.version === 4 ? 20 : 40), frames: set.frames.slice(), df: set.df };
    try {
      if (first) {
        stage = 'ike';
        const u = decodeUdp(first, 0, first.length, 65535, newUdpInfo());
        if (u.kind === 'ike') ikeKeeper.add(first, u, set.src, set.dst, set.version, frag, true, frag.totalLength);
      } else {
        diag('ip-fragments', `${counted(set.fragments, 'IP fragment', 'IP fragments')} of a UDP datagram ${datagramText(set)} without the first fragment: never reassembled`);
      }
    } catch (err) {
      // given up at the end of the capture or while another frame is decoded: this datagram alone is lost
      counters.decoderErrors = (counters.decoderErrors ?? 0) + 1;
      diag(stage, `malformed packet: the ${stage} decoder failed on the first fragment of an incomplete datagram (${err instanceof Error ? err.message : String(err)}); it was skipped`, set.firstFrame, set.source);
    } finally {
      cur = saved;
      stage = savedStage;
    }
  }

  /** Fragments that do not fit together (ip-fragments.ts: judged as the Linux kernel does). */
  function onMalformedFragments(set: FragmentSet, frame: number, problem: string, discarded: boolean): void {
    if (discarded) {
      counters.fragmentsDiscarded = (counters.fragmentsDiscarded ?? 0) + 1;
      diag('ip-fragments', `${framesText(set)}: ${problem} (UDP datagram ${datagramText(set)}): the datagram was discarded, as a receiving kernel does (RFC 5722), and is not analysed`, set.frames[0] ?? frame, set.source);
    } else {
      counters.fragmentsDropped = (counters.fragmentsDropped ?? 0) + 1;
      diag('ip-fragments', `frame ${frame}: ${problem} (UDP datagram ${datagramText(set)})`, frame, set.source);
    }
  }

  function handleUdp(d: Uint8Array, off: number, end: number, ipPayloadLength: number, h: IpHeader, frag: IpFragmentation | undefined): void {
    decodeUdp(d, off, end, ipPayloadLength, udp);
    switch (udp.kind) {
      case 'ike':
        stage = 'ike';
        ikeKeeper.add(d, udp, addrView(d, h.srcOff, h.addrLen, srcAddr4, srcAddr16), addrView(d, h.dstOff, h.addrLen, dstAddr4, dstAddr16), h.version as 4 | 6, frag, h.truncated, frag ? frag.totalLength : h.totalLength);
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
        traffic.add(d, h, 17, udp.srcPort, udp.dstPort, cur);
    }
  }

  function handleAh(d: Uint8Array, h: IpHeader, fragment = false): void {
    stage = 'ah';
    decodeAh(d, h.payloadOff, h.end, spiSeq);
    counters.ah++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    const next = spiSeq.next;
    const nextOff = spiSeq.nextOff;
    const flow = esp.add('ah', spiSeq.spi, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, d, h, 'ip', 0, 0, fragment, cur);
    if (flow) flow.innerProtocol = next;
    // AH protecting ESP (Wireshark IPsec_ESP-AH_tunnel_mode.cap): the ESP SA is real too
    if (next === 50 && !fragment && nextOff < h.end) handleEsp(d, h, nextOff, 'ip', 0, 0, false);
  }

  function handleEsp(d: Uint8Array, h: IpHeader, off: number, encap: 'ip' | 'udp', sp: number, dp: number, fragment: boolean): void {
    stage = 'esp';
    decodeEsp(d, off, h.end, spiSeq);
    if (encap === 'udp') counters.espInUdp++;
    else counters.esp++;
    if (spiSeq.status === 'short') {
      counters.undecodable++;
      return;
    }
    esp.add('esp', spiSeq.spi, spiSeq.status === 'ok' && !fragment ? spiSeq.seq : -1, d, h, encap, sp, dp, fragment, cur);
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
    touchFrameRef(k.last, cur);
  }

  function handleIcmp(d: Uint8Array, h: IpHeader): void {
    stage = 'icmp';
    const r = decodeIcmp(d, h.payloadOff, h.end, h.version === 6);
    if (!r) {
      counters.undecodable++;
      return;
    }
    if (!r.kind) {
      counters.nonIpsec++;
      if (r.echo) traffic.add(d, h, h.protocol, 0, 0, cur);
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

  function finish(): PacketEvidence {
    if (finished) return finished;
    reassembler.flush();
    const bounds = reassembler.bounds();
    if (bounds.evicted) {
      counters.fragmentsEvicted = bounds.evicted;
      diagnostics.unshift({
        at: { source: sources[0] ?? '(capture)' }, decoder: 'ip-fragments',
        message: `the IP reassembly buffer was full (at most ${FRAGMENT_MAX_PENDING} datagrams and ${FRAGMENT_MAX_BYTES / 1024 / 1024} MiB waiting for fragments): ${counted(bounds.evicted, 'datagram', 'datagrams')} with ${counted(bounds.evictedFragments, 'fragment', 'fragments')} ${bounds.evicted === 1 ? 'was' : 'were'} given up early and count as incomplete`,
      });
    }
    ikeKeeper.finish();
    if (diagnosticsDropped) diagnostics.push({ at: { source: sources[0] ?? '(capture)' }, decoder: 'packets', message: `${diagnosticsDropped} more decoder diagnostics were counted but not kept` });
    flushLinkRun();
    counters.capped += esp.capped + traffic.capped;
    const kept = ikeKeeper.kept();
    if (kept.notKept.length) {
      counters.ikeNotKept = kept.notKept.reduce((n, g) => n + g.messages, 0);
      // say what the evidence lacks: checks see only counts for the middle of these SAs
      diagnostics.unshift({
        at: { source: kept.notKept[0].first.source, frame: kept.notKept[0].first.frame }, decoder: 'packets',
        message: `${counters.ikeNotKept} IKE messages of ${kept.notKept.length} long-lived IKE SA${kept.notKept.length === 1 ? '' : 's'} were counted per exchange but not kept `
          + `(the first ${ikeKeeper.head} and the last ${ikeKeeper.tail} messages of each IKE SA are): findings cite only the kept ones`,
      });
    }
    finished = {
      sources: [...sources],
      ikeMessages: kept.messages,
      espFlows: esp.flows(),
      espSenders: esp.espSenders(),
      icmpErrors,
      natKeepalives: keepalives,
      trafficFlows: traffic.flows(),
      counters: { ...counters },
      local: opts.local,
      peer: opts.peer,
    };
    if (!Number.isNaN(tsRange[0])) finished.firstTs = tsRange[0];
    if (!Number.isNaN(tsRange[1])) finished.lastTs = tsRange[1];
    if (kept.notKept.length) finished.ikeNotKept = kept.notKept;
    return finished;
  }

  /**
   * finish()'s result for the frames so far, leaving the collector as it was (live mode
   * re-runs the checks on it while frames keep arriving): copies of what later frames
   * would change, so the cost follows flows and IKE messages, not packets. IP fragment
   * sets still waiting for fragments are not reported incomplete yet: they may complete.
   */
  function snapshot(): PacketEvidence {
    if (finished) return finished;
    flushLinkRun();
    const kept = ikeKeeper.kept();
    const snap: PacketEvidence = {
      sources: [...sources],
      ikeMessages: kept.messages,
      espFlows: structuredClone(esp.flows()),
      espSenders: structuredClone(esp.espSenders()),
      icmpErrors: icmpErrors.slice(),
      natKeepalives: structuredClone(keepalives),
      trafficFlows: structuredClone(traffic.flows()),
      counters: { ...counters, capped: counters.capped + esp.capped + traffic.capped },
      local: opts.local,
      peer: opts.peer,
    };
    if (!Number.isNaN(tsRange[0])) snap.firstTs = tsRange[0];
    if (!Number.isNaN(tsRange[1])) snap.lastTs = tsRange[1];
    if (kept.notKept.length) {
      snap.ikeNotKept = kept.notKept;
      snap.counters.ikeNotKept = kept.notKept.reduce((n, g) => n + g.messages, 0);
    }
    return snap;
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
    counters: () => {
      flushLinkRun();
      return { ...counters };
    },
    diagnostics: () => diagnostics,
    snapshot,
    finish,
  };
}

function addrView(d: Uint8Array, off: number, len: number, four: Uint8Array, sixteen: Uint8Array): Uint8Array {
  const out = len === 4 ? four : sixteen;
  for (let i = 0; i < len; i++) out[i] = d[off + i];
  return out;
}

/** Only IKE is reassembled: UDP 500, or 4500 with the zero non-ESP marker (ESP-in-UDP is counted at its first fragment). */
function worthReassembling(udpStart: Uint8Array): boolean {
  if (udpStart.length < 4) return false;
  const sp = (udpStart[0] << 8) | udpStart[1];
  const dp = (udpStart[2] << 8) | udpStart[3];
  if (sp === NAT_T_PORT || dp === NAT_T_PORT) return udpStart.length < 12 || readU32(udpStart, 8) === 0;
  return sp === IKE_PORT || dp === IKE_PORT;
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

