/**
 * Non-IPsec flows paired with their reverse direction, for path-MTU reasoning
 * (RFC 1191 / RFC 8201, RFC 4821): did the other side acknowledge (TCP) or answer
 * anything after the large DF packets, while small ones got through?
 */
import type { Evidence } from '../../types.js';
import type { TrafficFlow } from '../../packet-types.js';
import { derived } from '../memo.js';

export interface PmtuFlow {
  flow: TrafficFlow;
  reverse?: TrafficFlow;
  /** packets of this flow larger than 1280 bytes with DF (IPv6: all) */
  largeDf: number;
  small: number;
  /** TCP: the reverse direction acknowledged the small segments but not the end of the large ones */
  largeUnacknowledged?: boolean;
  smallAcknowledged?: boolean;
}

const LARGE_BUCKET_FROM = 2; // SIZE_BUCKETS index of (1280, 1400]

export const pmtuFlows = derived((evidence: Evidence): PmtuFlow[] => buildPmtuFlows(evidence.packets?.trafficFlows ?? []));

export function buildPmtuFlows(flows: readonly TrafficFlow[]): PmtuFlow[] {
  const key = (p: number, s: string, sp: number | undefined, d: string, dp: number | undefined) => `${p}|${s}|${sp ?? ''}|${d}|${dp ?? ''}`;
  const index = new Map(flows.map((f) => [key(f.protocol, f.src, f.srcPort, f.dst, f.dstPort), f]));
  return flows.map((flow) => {
    const reverseProto = flow.protocol;
    const reverse = index.get(key(reverseProto, flow.dst, flow.dstPort, flow.src, flow.srcPort));
    const largeDf = flow.dfBuckets.slice(LARGE_BUCKET_FROM).reduce((a, b) => a + b, 0);
    const small = flow.sizeBuckets.slice(0, LARGE_BUCKET_FROM).reduce((a, b) => a + b, 0);
    const out: PmtuFlow = { flow, largeDf, small };
    if (reverse) out.reverse = reverse;
    const t = flow.tcp;
    const ackRaw = reverse?.tcp?.maxAckRaw;
    if (t && t.firstSeqRaw !== undefined && ackRaw !== undefined) {
      // relative to this direction's first sequence number (32-bit serial arithmetic, RFC 1982)
      const acked = (ackRaw - t.firstSeqRaw) >>> 0;
      if (t.largeSeqEnd !== undefined) out.largeUnacknowledged = acked < t.largeSeqEnd;
      if (t.smallSeqEnd !== undefined) out.smallAcknowledged = acked >= t.smallSeqEnd;
    } else if (t && t.largeSeqEnd !== undefined && !reverse) {
      out.largeUnacknowledged = true;
    }
    return out;
  });
}
