/**
 * Which addresses are "us" (the capture host's side) and which the peer(s).
 * --local / --peer win. Otherwise: the address that talks IKE (or ESP) with the
 * most distinct counterparts is the capture host (a road-warrior client talking
 * to several gateways, or a gateway serving several clients); on a tie, the
 * initiator of the first IKE SA seen.
 */
import type { Evidence } from '../../types.js';
import type { PacketEvidence } from '../../packet-types.js';
import { derived } from '../memo.js';

export interface PacketEndpoints {
  local: string[];
  peer: string[];
  /** 'options' (from --local/--peer), 'inferred', or 'unknown' (nothing to go on) */
  how: 'options' | 'inferred' | 'unknown';
  /** one sentence saying how the inference went, for report data */
  reason: string;
}

export const packetEndpoints = derived((evidence: Evidence): PacketEndpoints =>
  inferEndpoints(evidence.packets, evidence.options?.local ?? [], evidence.options?.peer ?? []));

export function inferEndpoints(p: PacketEvidence | undefined, local: string[], peer: string[]): PacketEndpoints {
  const pairs: Array<[string, string]> = [];
  for (const m of p?.ikeMessages ?? []) pairs.push([m.src.address, m.dst.address]);
  if (!pairs.length) for (const f of p?.espFlows ?? []) pairs.push([f.src, f.dst]);
  const talksTo = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!talksTo.has(a)) talksTo.set(a, new Set());
    if (!talksTo.has(b)) talksTo.set(b, new Set());
    talksTo.get(a)!.add(b);
    talksTo.get(b)!.add(a);
  }
  if (local.length || peer.length) {
    const all = [...talksTo.keys()];
    return {
      local: local.length ? local : all.filter((x) => !peer.includes(x)),
      peer: peer.length ? peer : all.filter((x) => !local.includes(x)),
      how: 'options',
      reason: 'given with --local/--peer',
    };
  }
  if (!talksTo.size) return { local: [], peer: [], how: 'unknown', reason: 'no IKE or ESP in the capture' };
  const ranked = [...talksTo.entries()].sort((x, y) => y[1].size - x[1].size);
  let us = ranked[0][0];
  let reason = `${us} exchanges IKE/ESP with ${ranked[0][1].size} other address(es), more than any other`;
  if (ranked.length > 1 && ranked[1][1].size === ranked[0][1].size) {
    const first = p?.ikeMessages.find((m) => m.version === 2 ? m.initiatorFlag && !m.response : !/[1-9a-f]/.test(m.spiR)) ?? p?.ikeMessages[0];
    us = first ? first.src.address : pairs[0][0];
    reason = first ? `${us} initiated the first IKE SA in the capture` : `${us} sent the first ESP packet`;
  }
  return { local: [us], peer: [...(talksTo.get(us) ?? [])], how: 'inferred', reason };
}
