/**
 * InputCoverage from what each source counted: one place decides what counts as "used",
 * so the text, Markdown, HTML and UI headers and the verdict say the same thing.
 */
import type { InputCoverage } from './types.js';

/** Frames that are IPsec: IKE, ESP (raw or in UDP 4500), AH, NAT-T keepalives. */
const IPSEC_FRAME_COUNTERS = ['ike', 'esp', 'espInUdp', 'ah', 'natKeepalives'] as const;

/** IPsec frames among a capture's collector counters (the IKE, ESP and NAT-T checks judge nothing else). */
export function ipsecFrames(c: Readonly<Record<string, number | undefined>>): number {
  return IPSEC_FRAME_COUNTERS.reduce((s, k) => s + (c[k] ?? 0), 0);
}

/** An ICMP error the checks read: it quotes IPsec, or it is about the path MTU (frag needed, packet too big). */
export function relevantIcmp(e: { kind: string; quoted?: { kind: string } }): boolean {
  return e.kind === 'frag-needed' || e.kind === 'packet-too-big' || (!!e.quoted && ['ike', 'esp', 'ah', 'esp-in-udp', 'nat-keepalive'].includes(e.quoted.kind));
}

/**
 * A capture's frames from its collector counters (pcap-file.ts, live-capture.ts): IPsec
 * frames and the ICMP errors the checks read are events (`icmpRead`, when the caller
 * counted them; else every ICMP error), other traffic and the other ICMP errors are other.
 * A fragmented datagram is counted once, as what it reassembles to: its other fragment frames,
 * and the fragments of a datagram never completed, were decoded as IP fragments and count
 * as other. Frames the counters do not place (undecodable ones) are not understood.
 */
export function frameCoverage(frames: number, c: Readonly<Record<string, number | undefined>>, icmpRead?: number): InputCoverage {
  const n = (k: string) => c[k] ?? 0;
  const icmp = Math.min(n('icmpErrors'), icmpRead ?? n('icmpErrors'));
  const events = Math.min(frames, ipsecFrames(c) + icmp);
  const fragmentFrames = Math.max(0, n('ipFragments') - n('reassembled'));
  const other = Math.min(frames - events, n('nonIpsec') + n('nonIp') + n('icmpErrors') - icmp + fragmentFrames);
  return { unit: 'frame', total: frames, events, other, notUnderstood: frames - events - other };
}

/** Anything read as `total` units of which `notUnderstood` were not read (a diagnostic each) and `other` are not facts. */
export function coverageOf(unit: InputCoverage['unit'], total: number, notUnderstood: number, other = 0): InputCoverage {
  const bad = Math.max(0, Math.min(total, notUnderstood));
  const rest = Math.max(0, Math.min(total - bad, other));
  return { unit, total, events: total - bad - rest, other: rest, notUnderstood: bad };
}

/** Share of an input that was not understood above which no verdict over it is a clean bill of health. */
export const MOSTLY_NOT_UNDERSTOOD = 0.5;

export function mostlyNotUnderstood(c: InputCoverage | undefined): boolean {
  return !!c && c.total > 0 && c.notUnderstood / c.total > MOSTLY_NOT_UNDERSTOOD;
}
