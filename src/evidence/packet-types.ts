/**
 * Packet evidence: what crossed the wire, as decoded from pcap/pcapng files and
 * live capture. Filled by src/wire/collector/packet-collector.ts (files and live capture
 * both feed it frame by frame).
 *
 * Memory grows with IKE messages, flows and SAs, never with the number of
 * packets: IKE messages are kept up to a bound per IKE SA, ESP/AH is aggregated per
 * (protocol, SPI, src, dst, encapsulation), ICMP errors and non-IPsec flows are
 * kept up to a cap, everything else is a counter.
 *
 * Decoders never judge: a NAT-D hash "matches" or not, a flow has N missing
 * sequence numbers; whether that means NAT, loss or a black hole is for checks.
 *
 * Shared derivations live in src/evidence/derived/ and are memoised per Evidence:
 *   wire/ike-sas.ts          ikeSas(evidence) → { sas, exchanges, unanswered, bySpiI }: SAs by
 *                            SPI pair, request/response pairing, retransmissions and their timing
 *   wire/esp-flows.ts        espFlows(evidence) → { flows, tunnels }: ESP/AH per SPI and direction,
 *                            reverse direction, shared-SPI aware sequence loss
 *   wire/endpoints.ts        packetEndpoints(evidence): which addresses are us / peer
 *   wire/flows.ts            pmtuFlows(evidence): non-IPsec flows paired with their reverse
 *   wire/icmp.ts             icmpLinks(evidence): ICMP errors linked to the IKE messages / ESP flow they quote
 *   wire/pmtu-blackholes.ts  pmtuBlackholes(evidence): cleartext flows and IPsec tunnels (judged from
 *                            outside by EspFlow.size) whose large DF packets die without ICMP
 * Each kept item carries a one-line tshark-like `excerpt` for evidence.
 */
import type { Diagnostic, Location } from './types.js';

/** Where a frame came from: capture file (or live interface) and 1-based frame number. */
export interface FrameRef {
  source: string;
  frame: number;
  /** seconds since the epoch, float; 0 in captures with zeroed clocks */
  ts: number;
}

export interface PacketEndpoint {
  address: string;
  port: number;
}

/**
 * How an IKE message travelled: UDP 500, UDP 4500 after the 4-byte non-ESP marker
 * (RFC 3948 §2.2), or another UDP port pair with/without the marker (custom ports).
 */
export type IkeTransport = 'udp500' | 'udp4500' | 'udp-other';

/** IP-level fragmentation of the datagram that carried a message (IPv4 MF/offset, IPv6 Fragment header). */
export interface IpFragmentation {
  /** number of IP fragments seen for this datagram */
  fragments: number;
  /** every byte from 0 to the last fragment was seen and the datagram reassembled */
  complete: boolean;
  /** IP datagram size once reassembled (or as far as known from the last fragment) */
  totalLength: number;
  /** frames of the fragments, in arrival order (bounded to 16) */
  frames: number[];
  /** IPv4 DF was set on the first fragment (cannot be with MF, but quoted for completeness) */
  df?: boolean;
}

/** IKEv2 transform types (RFC 7296 §3.3.2); IKEv1 SA attributes map onto the same words. */
export type TransformKind = 'encr' | 'prf' | 'integ' | 'dh' | 'esn' | 'hash' | 'auth' | 'other';

export interface IkeTransform {
  kind: TransformKind;
  /** IANA number (IKEv2 transform ID, or IKEv1 attribute value) */
  id: number;
  /** IANA name (e.g. ENCR_AES_CBC, HMAC_SHA1_96, MODP_2048); the number as a string when unknown */
  name: string;
  /** key length attribute (bits) when present */
  keyLength?: number;
}

/**
 * One alternative the initiator offered (or the responder chose).
 * IKEv2: one per Proposal substructure (RFC 7296 §3.3.1: transforms of different
 * types combine, several of the same type are alternatives).
 * IKEv1: one per Transform payload (RFC 2408 §3.6; each is a complete suite).
 */
export interface IkeProposal {
  /** proposal number (IKEv2) or "proposal.transform" index for IKEv1 */
  number: number;
  transformNumber?: number;
  /** protocol id: 1 IKE/ISAKMP, 2 AH, 3 ESP */
  protocolId: number;
  protocol: string;
  /** SPI of the proposal (CHILD SA / IPsec SA SPI), hex */
  spi?: string;
  transforms: IkeTransform[];
  /** IKEv1 Quick Mode encapsulation mode attribute: 1 tunnel, 2 transport, 3/61443 UDP-tunnel, 4/61444 UDP-transport */
  encapsulationMode?: number;
  lifetimeSeconds?: number;
  lifetimeKilobytes?: number;
}

export interface IkeNotify {
  /** notify message type number (IKEv2 RFC 7296 §3.10.1 / IKEv1 RFC 2408 §3.14.1) */
  type: number;
  /** IANA name, e.g. NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE; the number as a string when unknown */
  name: string;
  /** type < 16384 are errors in both versions */
  error: boolean;
  protocolId?: number;
  spi?: string;
  /** INVALID_KE_PAYLOAD: the DH group the responder wants (RFC 7296 §1.3) */
  group?: number;
  dataLength: number;
}

export interface IkeVendorId {
  /** hex of the VID (whole, at most 32 bytes kept) */
  hex: string;
  /** recognised name (RFC 3947 NAT-T, DPD, FRAGMENTATION, strongSwan, libreswan, Cisco Unity, …) */
  name?: string;
}

/**
 * A NAT detection hash and whether it equals H(SPIi|SPIr|IP|port) computed from the
 * captured outer header (IKEv2: SHA-1, RFC 7296 §2.23; IKEv1: the negotiated hash,
 * RFC 3947 §3.2, recognised here by its length).
 * IKEv1: the first NAT-D payload is the peer's (destination) address, the following ones are the sender's own.
 */
export interface NatDetection {
  kind: 'source' | 'destination';
  /** hex, no secrets (a hash of public header values) */
  hash: string;
  /** undefined when the hash algorithm could not be inferred */
  matches?: boolean;
  algorithm?: string;
}

export interface IkeIdentity {
  /** ID type (RFC 7296 §3.5 / RFC 2407 §4.6.2.1): 1 IPV4_ADDR, 2 FQDN, 3 RFC822, 5 IPV6, 9 DER_ASN1_DN, 11 KEY_ID… */
  type: number;
  value: string;
}

export interface IkePayloadSummary {
  /** payload type number (IKEv1 1..20, 130..132; IKEv2 33..53) */
  type: number;
  /** short name: SA, KE, Ni/No (NONCE), N, V, ID, CERT, CERTREQ, AUTH, TSi, TSr, SK, SKF, NAT-D, HASH, SIG, D, CP, EAP… */
  name: string;
  length: number;
}

/**
 * Decoded IKE messages in arrival order across all inputs: the first and the last
 * messages of each IKE SA (see IkeNotKept for the middle of a very long SA).
 * Byte-identical copies (retransmissions) share their decoded arrays (payloads,
 * proposals, notifies, …): treat them as read-only.
 */
export interface IkeMessage {
  /** global arrival index across all inputs (stable order even when capture clocks jump) */
  index: number;
  at: FrameRef;
  src: PacketEndpoint;
  dst: PacketEndpoint;
  ipVersion: 4 | 6;
  transport: IkeTransport;
  /** the 4-byte zero non-ESP marker preceded the IKE header (RFC 3948 §2.2) */
  nonEspMarker: boolean;
  /** set when the UDP datagram was IP-fragmented */
  ipFragmentation?: IpFragmentation;
  /** IP total length (or reassembled size) of the datagram that carried it */
  ipLength: number;
  /** the frame was cut by the snap length before the end of the message */
  truncated: boolean;

  version: 1 | 2;
  /** major.minor byte as on the wire (0x10 / 0x20) */
  versionByte: number;
  /** 16 hex digits */
  spiI: string;
  spiR: string;
  exchange: number;
  /** IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, IKE_SESSION_RESUME, IKE_INTERMEDIATE (v2); Main Mode, Aggressive Mode, Quick Mode, Informational, Transaction (v1) */
  exchangeName: string;
  flags: number;
  /**
   * IKEv2: from the R flag (0x20) only, RFC 7296 §3.1 (flags 0x28 = a response by the
   * original initiator; 0x00 a request by the original responder). IKEv1 has no such
   * flag: undefined, pairing is by exchange position (derived/wire/ike-sas.ts).
   */
  response?: boolean;
  /** IKEv2 I flag (0x08): sent by the original initiator of the IKE SA */
  initiatorFlag?: boolean;
  /** IKEv1 E flag (0x01): payloads after the header are encrypted */
  encryptedV1?: boolean;
  messageId: number;
  /** Length field of the header (may disagree with the bytes seen: see diagnostics) */
  length: number;
  /** first payload type after the header */
  nextPayload: number;

  payloads: IkePayloadSummary[];
  proposals: IkeProposal[];
  /** KE payload DH group (IKEv2 KE payload, RFC 7296 §3.4); IKEv1 KE has no group field */
  keGroup?: number;
  notifies: IkeNotify[];
  vendorIds: IkeVendorId[];
  natDetection: NatDetection[];
  /** cleartext identities (IKEv1 Aggressive Mode, unencrypted Main Mode) */
  identities: IkeIdentity[];
  /** IKEv2 SK (46) / SKF (53) or IKEv1 encrypted body: opaque, only its size */
  encrypted?: { payload: 'SK' | 'SKF' | 'v1'; size: number };
  /** RFC 7383 SKF fragment (IKEv2) or IKEv1 fragment payload 132 (Cisco/strongSwan) */
  ikeFragment?: { number: number; total?: number; last?: boolean };
  /** certificate / certificate request payload counts (CERT-heavy messages get IP-fragmented) */
  certs: number;
  certReqs: number;
  /** 64-bit FNV-1a of the IKE bytes (16 hex digits), to spot byte-identical retransmissions */
  digest: string;
  /** why decoding stopped early (malformed length, truncated frame); a Diagnostic holds the same text */
  malformed?: string;
  /** one-line summary, tshark-like, safe to show (no KE, nonce or key material) */
  excerpt: string;
}

/** ESP (RFC 4303) or AH (RFC 4302) aggregate for one (protocol, SPI, src, dst, encapsulation). */
export interface EspFlow {
  protocol: 'esp' | 'ah';
  spi: number;
  /** 8 hex digits */
  spiHex: string;
  src: string;
  dst: string;
  /** 'udp' = ESP-in-UDP (RFC 3948), normally on 4500; 'ip' = IP protocol 50/51 */
  encap: 'ip' | 'udp';
  srcPort?: number;
  dstPort?: number;
  ipVersion: 4 | 6;
  packets: number;
  /** IP bytes (total length as on the wire, not caplen) */
  bytes: number;
  first: FrameRef;
  last: FrameRef;
  /** sequence numbers seen (of packets whose ESP/AH header was captured and not a fragment) */
  seqPackets: number;
  firstSeq?: number;
  lastSeq?: number;
  minSeq?: number;
  maxSeq?: number;
  /** net missing sequence numbers between minSeq and maxSeq (late arrivals refill) */
  missing: number;
  /** jumps forward (bounded list, first 16) */
  gaps: SequenceGap[];
  /** sequence numbers seen twice within the tracked window (replays / duplicates) */
  duplicates: number;
  /** packets that arrived after a higher sequence number and filled a hole */
  outOfOrder: number;
  /** older than the tracked window (cannot tell replay from very late) */
  stale: number;
  /** first fragment of an IP-fragmented ESP/AH datagram (sequence not used) */
  ipFragments: number;
  /** header cut by the snap length: SPI seen, sequence not */
  snaplenCut: number;
  /** bounded sample of frames for evidence (first 4 and last 4) */
  sampleFrames: number[];
  /** for AH: the protocol it protects (50 = ESP inside AH) */
  innerProtocol?: number;
  /**
   * Size information for path-MTU reasoning from outside the tunnel (the inner
   * packets are encrypted, so size, DF and who spoke next are all there is).
   */
  size: EspSizeStats;
}

/**
 * Sizes of one ESP/AH flow, by SIZE_BUCKETS of the outer IP total length. "Large" is
 * more than 1280 bytes (IPv6 minimum MTU, RFC 8200 §5) with DF set (IPv6: always).
 * "Answered": after the packet, the other endpoint of the tunnel (same addresses and
 * encapsulation, any SPI) sent an ESP/AH packet before this side's run of packets
 * ended — outside the tunnel that is the only sign of a reply, so every packet of a
 * run (burst) the other side then spoke after counts as answered.
 */
export interface EspSizeStats {
  maxSize: number;
  /** largest IP length with DF set */
  maxDfSize: number;
  /** packets per SIZE_BUCKETS bucket */
  buckets: number[];
  /** of which with DF set */
  dfBuckets: number[];
  /** large DF packets: count, how many the other side answered, first and last of them */
  largeDf: number;
  largeDfAnswered: number;
  /** packets ≤ 1280 bytes and how many of them the other side answered */
  small: number;
  smallAnswered: number;
  firstLargeDf?: FrameRef;
  lastLargeDf?: FrameRef;
  /** frames of the first 8 large DF packets */
  largeDfFrames: number[];
}

export interface SequenceGap {
  /** last sequence seen before the jump */
  after: number;
  /** first sequence seen after it */
  next: number;
  /** frame of the packet after the jump */
  frame: number;
}

/**
 * Sequence statistics per sender of an SPI regardless of destination: an SA shared
 * by several destinations (manual keying, multicast OSPFv3 with AH) uses one counter,
 * so gaps per (src,dst) are not loss (tcpdump OSPFv3_with_AH.pcap).
 */
export interface EspSender {
  protocol: 'esp' | 'ah';
  spi: number;
  src: string;
  encap: 'ip' | 'udp';
  destinations: string[];
  seqPackets: number;
  minSeq?: number;
  maxSeq?: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
}

/** ICMP / ICMPv6 error classification (RFC 792, RFC 1191, RFC 4443). */
export type IcmpErrorKind =
  | 'frag-needed'
  | 'packet-too-big'
  | 'port-unreachable'
  | 'protocol-unreachable'
  | 'host-unreachable'
  | 'net-unreachable'
  | 'admin-prohibited'
  | 'time-exceeded'
  | 'parameter-problem'
  | 'other-unreachable';

export interface QuotedPacket {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  protocol: number;
  srcPort?: number;
  dstPort?: number;
  /** IP total length of the original datagram (what did not fit through the MTU) */
  totalLength: number;
  df?: boolean;
  /** ESP/AH SPI, or the SPI of ESP-in-UDP, when the quote reaches it */
  spi?: number;
  /** IKE SPIs, when the quote reaches the IKE header (rare: 8 bytes after UDP on v4) */
  ikeSpiI?: string;
  /** what the quoted packet was */
  kind: 'ike' | 'esp' | 'ah' | 'esp-in-udp' | 'nat-keepalive' | 'udp' | 'tcp' | 'icmp' | 'other';
}

export interface IcmpError {
  at: FrameRef;
  ipVersion: 4 | 6;
  /** who sent the error (a router on the path, or the destination host) */
  from: string;
  to: string;
  type: number;
  code: number;
  kind: IcmpErrorKind;
  /** next-hop MTU (ICMP 3/4, RFC 1191) or MTU (ICMPv6 Packet Too Big) */
  mtu?: number;
  quoted?: QuotedPacket;
  excerpt: string;
}

/** NAT-T keepalives (RFC 3948 §2.3: one 0xFF byte on UDP 4500), per direction. */
export interface NatKeepalives {
  src: PacketEndpoint;
  dst: PacketEndpoint;
  count: number;
  first: FrameRef;
  last: FrameRef;
}

/** Size buckets used for PMTU reasoning: ≤576, ≤1280, ≤1400, ≤1500, >1500 (IP total length). */
export const SIZE_BUCKETS = [576, 1280, 1400, 1500, Infinity] as const;
/** "Large" for PMTU reasoning: above the IPv6 minimum link MTU (RFC 8200 §5), the upper bound of bucket 1. */
export const LARGE_PACKET_BYTES = SIZE_BUCKETS[1];

/**
 * A non-IPsec 5-tuple seen in the capture (TCP/UDP/ICMP echo), one direction.
 * Counts by size bucket and DF let the path-mtu check see "large DF packets go
 * unanswered while small ones pass" without keeping packets.
 */
export interface TrafficFlow {
  protocol: number;
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number as string */
  protocolName: string;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  ipVersion: 4 | 6;
  packets: number;
  bytes: number;
  maxSize: number;
  /** largest IP length that had DF (IPv6: every packet, routers never fragment) */
  maxDfSize: number;
  /** packets per SIZE_BUCKETS bucket */
  sizeBuckets: number[];
  /** of which with DF set (always for IPv6) */
  dfBuckets: number[];
  first: FrameRef;
  last: FrameRef;
  /** frames of the largest DF packets (bounded to 8) */
  largeDfFrames: number[];
  /** TCP only: sequence space ends and cumulative ACK, for "did the other side acknowledge the big segments?" */
  tcp?: {
    /** segments with payload whose IP length > 1280 */
    largeSegments: number;
    /** large segments whose sequence number had been sent before (retransmissions) */
    largeRetransmits: number;
    /** highest seq+len of a large segment / of a small one (relative to the first seq seen) */
    largeSeqEnd?: number;
    smallSeqEnd?: number;
    /** highest ACK this direction sent (relative to the reverse direction's first seq; see derived/wire/flows.ts) */
    maxAckRaw?: number;
    firstSeqRaw?: number;
  };
}

export interface PacketCounters {
  frames: number;
  bytes: number;
  /** records shorter than their header said (file cut mid-record) */
  truncatedRecords: number;
  /** frames with caplen < origlen */
  snaplenCut: number;
  /** frames no layer could make sense of */
  undecodable: number;
  nonIp: number;
  nonIpsec: number;
  ike: number;
  esp: number;
  espInUdp: number;
  ah: number;
  natKeepalives: number;
  icmpErrors: number;
  ipFragments: number;
  reassembled: number;
  /** fragment sets given up (timeout, buffer cap, never completed) */
  fragmentsIncomplete: number;
  /** items dropped because a cap was reached (flows, ICMP errors, IKE messages) */
  capped: number;
  /** 'linktype:1' → frames */
  [key: string]: number;
}

export interface PacketEvidence {
  /** source names (file paths or 'live:IFACE') in the order read */
  sources: string[];
  ikeMessages: IkeMessage[];
  espFlows: EspFlow[];
  espSenders: EspSender[];
  icmpErrors: IcmpError[];
  natKeepalives: NatKeepalives[];
  trafficFlows: TrafficFlow[];
  counters: PacketCounters;
  /** earliest and latest frame timestamps (0 when the capture had zeroed clocks) */
  firstTs?: number;
  lastTs?: number;
  /** addresses given with --local / --peer (the inference lives in derived/wire/endpoints.ts) */
  local: string[];
  peer: string[];
  /** IKE messages counted but not kept because their IKE SA went past the per-SA bound (absent when none) */
  ikeNotKept?: IkeNotKept[];
}

/**
 * The dropped middle of one IKE SA's messages (per SPI pair; IKE_SA_INIT requests with
 * a zero responder SPI form their own group per initiator SPI). The first and the last
 * messages of the SA are kept; what fell between is only counted here.
 */
export interface IkeNotKept {
  version: 1 | 2;
  spiI: string;
  spiR: string;
  /** messages not kept */
  messages: number;
  /** not kept per exchange name ("INFORMATIONAL" → 1234) */
  byExchange: Record<string, number>;
  /**
   * IKEv2 responses (R flag) not kept per exchange name, by the side that sent them (I flag):
   * a kept request of that type from the other side may have been answered in the gap
   */
  responsesByExchange: { initiator: Record<string, number>; responder: Record<string, number> };
  /** first and last message not kept */
  first: FrameRef;
  last: FrameRef;
  /** index in ikeMessages of the first kept message that arrived after the last one not kept */
  resumesAt: number;
}

/** A captured frame as handed to the collector by a file reader or libpcap. */
export interface CapturedFrame {
  source: string;
  /** 1-based within its source */
  frame: number;
  /** LINKTYPE_* (pcap link-layer header type) */
  linktype: number;
  /** seconds since the epoch, float */
  ts: number;
  caplen: number;
  origlen: number;
  /** the captured bytes (from `offset` on); the collector does not keep a reference after addFrame returns */
  data: Uint8Array;
  /**
   * Where the frame starts in `data` (0 when absent): the file readers hand over their
   * chunk and an offset rather than a view per frame, which cost an allocation per packet.
   * The frame is data[offset, offset + caplen); frameBytes() copies it out.
   */
  offset?: number;
}

/** A copy of the frame's own bytes, whatever buffer it was delivered in. */
export function frameBytes(f: CapturedFrame): Uint8Array {
  const start = f.offset ?? 0;
  return Uint8Array.prototype.slice.call(f.data, start, start + f.caplen);
}

/**
 * Incremental, cheap per frame: files and live capture call addFrame for every frame.
 * finish() returns the evidence (call once).
 */
export interface PacketCollector {
  addFrame(f: CapturedFrame): void;
  addDiagnostic(d: Diagnostic): void;
  /** adds to a counter the frames cannot show (file readers: truncatedRecords; libpcap: drops) */
  count(key: string, n?: number): void;
  counters(): Record<string, number>;
  diagnostics(): Diagnostic[];
  /** finish()'s evidence for the frames so far, without ending the collection (see packet-collector.ts) */
  snapshot(): PacketEvidence;
  finish(): PacketEvidence;
}

export interface PacketCollectorOptions {
  local: string[];
  peer: string[];
  /** IKE messages kept per IKE SA: the first `head` and the last `tail` (default 64/64; tests use smaller bounds) */
  ikeSaBound?: { head: number; tail: number };
}

/** The source name a live capture's frames carry (a capture file's frames carry its path as given). */
export function liveSource(iface: string): string {
  return `live:${iface}`;
}

/** Location of a frame for findings: { source, frame }. */
export function frameLocation(f: FrameRef): Location {
  return { source: f.source, frame: f.frame };
}
