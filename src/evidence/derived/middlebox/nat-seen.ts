/**
 * Whether any input shows the peers on UDP 4500 (a NAT between them, or encapsulation forced) — when UDP 4500 matters
 * to a box between them (RFC 3947: the peers move to 4500 only once NAT-D detects a NAT, or when
 * a config forces encapsulation). A NAT that appears later moves a working tunnel to 4500 and,
 * on a box that passes only 500 and ESP (or F5's IPsec ALG, K97997482), silently breaks it.
 */
import type { Evidence } from '../../types.js';
import { eventsOf } from '../../log-events.js';

export function natSeen(evidence: Evidence): { seen: boolean; how?: string } {
  if (evidence.configs?.some((c) => c.connections.some((k) => /^(yes|force|true)$/i.test(k.encap.value)))) return { seen: true, how: 'a config forces UDP encapsulation' };
  // a NAT detected, or one faked to force encapsulation (strongSwan kernel-libipsec): either way the peers move to UDP 4500
  const float = eventsOf(evidence.logEvents, 'nat-t-float')[0] ?? eventsOf(evidence.logEvents, 'nat').find((e) => e.data.localBehindNat || e.data.remoteBehindNat || e.data.fakeNat);
  if (float) return { seen: true, how: `${float.at.source}:${float.at.line} (${float.excerpt})` };
  const ike = evidence.packets?.ikeMessages.find((m) => m.src.port === 4500 || m.dst.port === 4500);
  if (ike) return { seen: true, how: `IKE on UDP 4500 in ${ike.at.source} (frame ${ike.at.frame})` };
  return { seen: false };
}
