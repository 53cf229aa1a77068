/**
 * BIG-IP as an IPsec endpoint, IKEv2 in tmm: /var/log/ipsec.log (F5 "IKEv2 Log Analysis",
 * clouddocs.f5.com/ipsec-tsg/main/ikev2_log_info.html; corpus f5-ipsec-log-ikev2.clouddocs.log):
 *
 *   tmm[PID]: 017c0000 [0.0] [IKE] v2 LOCAL%RD-REMOTE%RD [0xSPIi-0xSPIr][I|R] [LEVEL]: text
 *
 * Lines without an SA omit the `v2 … [I|R]` part. Meanings per that page: a missing KE
 * payload is the initiator's proposal lacking the PFS group BIG-IP requires; `ike_sa ABORT,
 * err N` is the end of a failure whose reason came earlier; a message to a dead or
 * nonexistent IKE SA is the peer using an SA BIG-IP deleted; the retransmission limit is a
 * peer that does not answer.
 */
import type { Endpoint } from '../../../evidence/log-events.js';
import type { Draft } from './draft.js';
import { stripRouteDomain } from '../text.js';

const TMM_IKE = /\btmm\d*\[\d+\]:\s+[0-9a-f]{8}\s+\[[\d.]+\]\s+\[IKE\]\s+(?:v(\d)\s+(\S+?)-(\S+)\s+\[0x([0-9a-f]+)-0x([0-9a-f]+)\]\[([IR])\]\s+)?\[([A-Z_]+)\]:\s*(.*)$/;

export interface TmmIkeLine {
  version?: number;
  local?: string;
  remote?: string;
  spiI?: string;
  spiR?: string;
  role?: 'initiator' | 'responder';
  level: string;
  text: string;
}

export function parseTmmIke(line: string): TmmIkeLine | undefined {
  const m = TMM_IKE.exec(line);
  if (!m) return undefined;
  return {
    ...(m[1] ? { version: Number(m[1]), local: stripRouteDomain(m[2]), remote: stripRouteDomain(m[3]), spiI: m[4], spiR: m[5], role: m[6] === 'I' ? ('initiator' as const) : ('responder' as const) } : {}),
    level: m[7],
    text: m[8].trim(),
  };
}

/**
 * Events of one line. `established` says whether this IKE SA was seen up earlier in the file
 * (an SA's SPI pair with a non-zero responder SPI that got past IKE_AUTH): a retransmission
 * limit then means a liveness (DPD) request went unanswered, not a peer that never answered.
 */
export function tmmIkeEvents(p: TmmIkeLine, established: boolean): Draft[] {
  const peer: Endpoint | undefined = p.remote ? { address: p.remote } : undefined;
  const t = p.text;
  if (/^message lacks KE payload/i.test(t)) {
    return [{ kind: 'no-proposal-chosen', data: { phase: 'child', direction: 'local', reason: 'the peer\'s CREATE_CHILD_SA proposal lacks the KE payload of the PFS group this side requires', missing: 'DH/KE group' } }];
  }
  if (/^(received a message to a dead IKE SA|message to a nonexistent ike_sa)/i.test(t)) {
    return [{ kind: 'stale-sa', data: { detail: t, ...(p.remote ? { peer: p.remote } : {}) } }];
  }
  if (/^retransmission count exceeded the limit/i.test(t)) {
    // a zero responder SPI: the IKE_SA_INIT request was never answered
    const neverAnswered = p.spiR !== undefined && /^0+$/.test(p.spiR);
    if (!neverAnswered && (established || p.role === 'responder')) {
      // a responder never retransmits answers (RFC 7296 §2.1): its own request was an INFORMATIONAL or rekey on an established SA
      // tmm prints no line for what it does next: the action is not claimed (not "SA deleted")
      return [{ kind: 'dpd', data: { mechanism: 'liveness', outcome: 'timeout', action: 'not stated in this log', ...(p.remote ? { peer: p.remote } : {}) } }];
    }
    return [{ kind: 'give-up', data: { ...(neverAnswered ? { exchange: 'IKE_SA_INIT' } : {}), ...(peer ? { peer } : {}), detail: t } }];
  }
  return [];
}
