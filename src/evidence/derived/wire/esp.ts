/**
 * ESP/AH facts for the esp-flows check: flows grouped by the pair of addresses
 * that exchange them, and the Child SAs the cleartext IKE shows as negotiated.
 */
import type { Evidence } from '../../types.js';
import type { EspFlow, IkeMessage } from '../../packet-types.js';
import { derived } from '../memo.js';
import { pushTo } from '../aggregate.js';

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Multicast and broadcast destinations: SAs toward them are one-way by design (OSPFv3 with AH, RFC 4552). */
export function isGroupAddress(a: string): boolean {
  if (a.includes(':')) return a.toLowerCase().startsWith('ff');
  const first = Number(a.split('.')[0]);
  return (first >= 224 && first <= 239) || a === '255.255.255.255';
}

export interface OneWayPair {
  flows: EspFlow[];
  sender: string;
  receiver: string;
  /** IKE messages between the same two addresses, both directions */
  ike: IkeMessage[];
  ikeBothWays: boolean;
}

/** Unicast address pairs whose ESP/AH goes one way only, with at least `minPackets` packets. */
export function oneWayPairs(evidence: Evidence, minPackets: number): OneWayPair[] {
  const packets = evidence.packets;
  if (!packets) return [];
  const byPair = new Map<string, EspFlow[]>();
  for (const f of packets.espFlows) {
    if (isGroupAddress(f.dst)) continue;
    pushTo(byPair, pairKey(f.src, f.dst), f);
  }
  const out: OneWayPair[] = [];
  let ikeByPair: Map<string, IkeMessage[]> | undefined;
  for (const [key, flows] of byPair) {
    if (new Set(flows.map((f) => f.src)).size !== 1 || flows.reduce((n, f) => n + f.packets, 0) < minPackets) continue;
    // IKE messages by address pair, built once (a filter per one-way pair was pairs × messages)
    if (!ikeByPair) {
      ikeByPair = new Map();
      for (const m of packets.ikeMessages) pushTo(ikeByPair, pairKey(m.src.address, m.dst.address), m);
    }
    const ike = ikeByPair.get(key) ?? [];
    out.push({ flows, sender: flows[0].src, receiver: flows[0].dst, ike, ikeBothWays: new Set(ike.map((m) => m.src.address)).size === 2 });
  }
  return out;
}

/** Answers that show a Child SA came up: IKEv2 IKE_AUTH / CREATE_CHILD_SA responses, IKEv1 Quick Mode answers. */
export const childSaAnswers = derived((evidence: Evidence): IkeMessage[] => {
  const answers: IkeMessage[] = [];
  const quickModes = new Map<string, IkeMessage[]>();
  for (const m of evidence.packets?.ikeMessages ?? []) {
    if (m.version === 2 && (m.exchange === 35 || m.exchange === 36) && m.response && !m.malformed) answers.push(m);
    if (m.version === 1 && m.exchange === 32) {
      const k = `${m.spiI}|${m.messageId}`;
      pushTo(quickModes, k, m);
    }
  }
  for (const qm of quickModes.values()) {
    const answer = qm.find((m) => m.src.address !== qm[0].src.address);
    if (answer) answers.push(answer);
  }
  return answers;
});
