/**
 * Which box between the peers explains IKE on UDP 4500 going unanswered (NAT_T_BLOCKED), when its
 * own artefacts are given for the same addresses:
 * - F5's IPsec ALG does not handle UDP 4500 (K97997482; seed "Passthrough IPSec with AFM": "if IPSec
 *   peers are going to use NAT-T then you will need to create another virtual server"): an ALG
 *   virtual server whose destination covers the responder, with no other server that carries 4500;
 * - an AFM event (tmm 23003137) that dropped or rejected UDP 4500 towards the responder.
 * Only the responder's address is matched: the capture may sit before a source NAT, so the
 * initiator's address the box saw can differ from the one captured.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { VirtualService } from '../../middlebox-types.js';
import { derived } from '../memo.js';
import { natTBlockedViews } from '../nat-t-blocked.js';
export { natSeen } from './nat-seen.js';
import { algServers, boxFacts, boxName, decisions, ruleText } from './passthrough.js';

export interface NatTBox {
  box: string;
  /** what in the box refuses UDP 4500, as a clause: "its IPsec ALG virtual server … does not handle UDP 4500 …" */
  cause: string;
  fix: string;
  /** the ALG virtual server named, when that is the cause (middle-box lowers its IPSEC_ALG_NAT_T to this finding) */
  server?: string;
  refs: EvidenceRef[];
  /** the finding's data: box, cause, boxFix, server */
  data: Record<string, string | undefined>;
}

const NAT_T_PORT = /^(4500|ipsec-nat-t|any|0)$/;

/** `/Common/0.0.0.0:isakmp`, `2.2.2.2:500`, `2001:db8::1.500` (BIG-IP writes an IPv6 port after a dot) → the address. */
function destinationAddress(destination: string | undefined): string | undefined {
  if (!destination) return undefined;
  const bare = destination.replace(/^\/[^/]+\//, '').replace(/%\d+/, '');
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::[\w-]+)?$/.exec(bare);
  if (v4) return v4[1];
  const v6 = /^([0-9a-f:]+)(?:\.[\w-]+)?$/i.exec(bare);
  return v6?.[1];
}

/** The server's destination is the responder, or any address (0.0.0.0, ::, `any`). */
function covers(v: VirtualService, responder: string): boolean {
  const a = destinationAddress(v.destination);
  return a === undefined || a === responder || /^(0\.0\.0\.0|::|any)$/i.test(a);
}

/** The ALG virtual servers with no other server carrying UDP 4500 (the condition of IPSEC_ALG_NAT_T). */
export function algWithoutNatT(evidence: Evidence): VirtualService[] {
  const facts = boxFacts(evidence);
  const algs = algServers(facts);
  const other = facts?.virtualServers.some((o) => !o.disabled && !o.ipsecAlg && NAT_T_PORT.test(o.destinationPort ?? '')) ?? false;
  return other ? [] : algs;
}

export function natTBox(evidence: Evidence, initiator: string | undefined, responder: string): NatTBox | undefined {
  const found = natTCause(evidence, initiator, responder);
  return found && { ...found, data: { box: found.box, cause: found.cause, boxFix: found.fix, server: found.server } };
}

function natTCause(evidence: Evidence, initiator: string | undefined, responder: string): Omit<NatTBox, 'data'> | undefined {
  const refused = decisions(evidence).find((d) => d.data.protocol === 'UDP' && d.data.verdict !== 'accept' && d.data.dst.port === 4500 && d.data.dst.address === responder);
  if (refused) {
    return {
      box: boxName(refused, boxFacts(evidence)),
      cause: `${refused.data.verdict === 'reject' ? 'rejects' : 'drops'} UDP 4500 from ${refused.data.src.address} to ${responder} with ${ruleText(refused)}`,
      fix: `allow UDP 4500 from ${initiator ?? 'the initiator'} (as the box sees it: ${refused.data.src.address}) to ${responder} : \`tmsh modify security firewall policy ${refused.data.policy ?? '<policy>'} rules add { allow-nat-t { action accept-decisively ip-protocol udp destination { addresses add { ${responder} } ports add { 4500 } } place-before first } }\``,
      refs: [{ ...refused.at, excerpt: refused.excerpt }],
    };
  }
  const v = algWithoutNatT(evidence).find((s) => covers(s, responder));
  if (!v) return undefined;
  return {
    box: boxName(undefined, boxFacts(evidence)),
    cause: `passes IKE with the IPsec ALG on virtual server ${v.name}, which does not handle UDP 4500 (F5 K97997482), and no virtual server there carries UDP 4500`,
    fix: `add a virtual server for UDP 4500 towards ${responder} (the ALG stays on the one for UDP 500), with firewall rules that allow UDP 4500 both ways (IKE and ESP in UDP, RFC 3947/3948)`,
    server: v.name,
    refs: [v.ipsecAlg!, v.at],
  };
}

/** The ALG virtual servers that a NAT_T_BLOCKED (a peer's capture or log) names as its cause. */
export const natTBlockedServers = derived((evidence: Evidence): Set<string> =>
  new Set(natTBlockedViews(evidence).flatMap((v) => natTBox(evidence, v.initiator, v.responder)?.server ?? [])),
);
