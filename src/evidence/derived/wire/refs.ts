/**
 * Evidence references for packet findings: every packet finding cites frames of
 * the capture with a one-line, tshark-like summary (Wireshark expert info is
 * attached to the bytes it concerns). Summaries carry header fields only — never
 * KE data, nonces or payload bytes.
 */
import type { EvidenceRef } from '../../types.js';
import type { EspFlow, FrameRef, IcmpError, IkeMessage, IkeProposal, TrafficFlow } from '../../packet-types.js';

export function ikeRef(m: IkeMessage): EvidenceRef {
  return { source: m.at.source, frame: m.at.frame, excerpt: m.excerpt };
}

export function icmpRef(e: IcmpError): EvidenceRef {
  return { source: e.at.source, frame: e.at.frame, excerpt: e.excerpt };
}

export function espFlowLabel(f: EspFlow): string {
  const ports = f.encap === 'udp' ? [`:${f.srcPort ?? '?'}`, `:${f.dstPort ?? '?'}`] : ['', ''];
  const kind = f.protocol === 'ah' ? 'AH' : f.encap === 'udp' ? 'ESP-in-UDP' : 'ESP';
  return `${f.src}${ports[0]} → ${f.dst}${ports[1]} ${kind} SPI 0x${f.spiHex}`;
}

export function espFlowSummary(f: EspFlow): string {
  const seq = f.minSeq !== undefined ? ` seq ${f.minSeq}..${f.maxSeq}` : '';
  return `${espFlowLabel(f)}${seq} (${f.packets} packet${f.packets === 1 ? '' : 's'})`;
}

/**
 * The first frame of a flow, then its sampled frames. Only aggregates are kept per flow
 * (no per-packet sequence numbers), so each line says where in the flow the frame stands.
 */
export function espFlowRefs(f: EspFlow, max = 3): EvidenceRef[] {
  const frames = [...new Set([f.first.frame, ...f.sampleFrames, f.last.frame])].slice(0, max);
  const where = (frame: number) => (frame === f.first.frame ? 'first packet of' : frame === f.last.frame ? 'last packet of' : 'a packet of');
  return frames.map((frame) => ({ source: f.first.source, frame, excerpt: `${where(frame)} ${espFlowSummary(f)}` }));
}

export function trafficFlowLabel(f: TrafficFlow): string {
  const sp = f.srcPort !== undefined ? `:${f.srcPort}` : '';
  const dp = f.dstPort !== undefined ? `:${f.dstPort}` : '';
  return `${f.src}${sp} → ${f.dst}${dp} ${f.protocolName.toUpperCase()}`;
}

export function frameRef(at: FrameRef, excerpt: string): EvidenceRef {
  return { source: at.source, frame: at.frame, excerpt };
}

/** Seconds between two frames, or undefined when the capture's clock was zeroed or went backwards. */
export function secondsBetween(a: FrameRef, b: FrameRef): number | undefined {
  if (!a.ts || !b.ts || b.ts < a.ts) return undefined;
  return Math.round((b.ts - a.ts) * 1000) / 1000;
}

/** `IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048`, the way daemons print proposals. */
export function proposalText(p: IkeProposal): string {
  const names = p.transforms.map((t) => (t.keyLength && !String(t.name).endsWith(String(t.keyLength)) ? `${t.name}_${t.keyLength}` : t.name));
  return `${p.protocol}:${names.join('/')}`;
}

export { endpointText } from '../../../wire/ike-excerpt.js';
