/**
 * Ladder lanes from packet evidence: one lane per pair of IKE peer addresses (ports
 * are left out: the NAT-T float from 500 to 4500, RFC 3948 §4, keeps the same
 * conversation), seen from the side that sent the first message (or --local),
 * plus ESP/AH packet counts per SPI and direction.
 */
import type { Evidence } from '../../types.js';
import type { EspFlow, IkeMessage, PacketEvidence } from '../../packet-types.js';
import { LaneBuilder, type Ladder } from './lane.js';

export function packetLanes(evidence: Evidence): Ladder[] {
  const packets = evidence.packets as PacketEvidence | undefined;
  if (!packets || !Array.isArray(packets.ikeMessages)) return [];
  const local = new Set([...(evidence.options?.local ?? []), ...(packets.local ?? [])]);
  const lanes = new Map<string, { builder: LaneBuilder; localAddr: string; seen: Map<string, { t: number; count: number }> }>();

  const laneFor = (a: string, b: string, perspective: string) => {
    const key = pairKey(a, b);
    let lane = lanes.get(key);
    if (!lane) {
      // the address the user named as local, else the one that spoke first
      const localAddr = local.has(b) && !local.has(a) ? b : a;
      const builder = new LaneBuilder(perspective, 'packets');
      builder.setEndpoints(localAddr, localAddr === a ? b : a);
      lanes.set(key, (lane = { builder, localAddr, seen: new Map() }));
    }
    return lane;
  };

  for (const m of packets.ikeMessages) addIkeMessage(laneFor(m.src.address, m.dst.address, m.at.source), m);
  for (const f of packets.espFlows ?? []) addEspFlow(laneFor(f.src, f.dst, f.first.source), f);
  return [...lanes.values()].map((l) => l.builder.finish());
}

function addIkeMessage(lane: { builder: LaneBuilder; localAddr: string; seen: Map<string, { t: number; count: number }> }, m: IkeMessage): void {
  const dir = m.src.address === lane.localAddr ? 'out' : 'in';
  const at = { source: m.at.source, frame: m.at.frame };
  // zeroed capture clocks (ts 0) carry no timing
  const t = m.at.ts > 0 ? lane.builder.rel(m.at.ts) : undefined;
  const role = m.response === undefined ? undefined : m.response ? 'response' : 'request';
  const key = `${m.src.address} ${m.digest}`;
  const first = lane.seen.get(key);
  if (first) {
    first.count++;
    lane.builder.repeat({ dir, exchange: m.exchangeName, msgid: m.messageId, at, t }, m.at.ts > 0 && first.t > 0 ? m.at.ts - first.t : undefined, first.count);
    return;
  }
  lane.seen.set(key, { t: m.at.ts, count: 0 });
  const payloads = m.payloads.map((p) => (p.name === 'N' ? '' : p.name)).filter(Boolean);
  for (const n of m.notifies) payloads.push(`N(${n.name})`);
  lane.builder.message({
    dir,
    exchange: m.exchangeName,
    role,
    msgid: m.messageId,
    payloads,
    errors: m.notifies.filter((n) => n.error).map((n) => n.name),
    at,
    t,
  }, m.at.ts > 0 ? m.at.ts : undefined);
}

function addEspFlow(lane: { builder: LaneBuilder; localAddr: string }, f: EspFlow): void {
  const dir = f.src === lane.localAddr ? 'out' : 'in';
  // spelt as every report spells an SPI (0x8356d647), the log lanes and the findings too
  const spi = f.protocol === 'ah' ? `AH 0x${f.spiHex}` : `0x${f.spiHex}`;
  const prior = [...lane.builder.esp.values()].find((c) => c.spi === spi && c.dir === dir);
  lane.builder.setEspCounter({ spi, dir, packets: (prior?.packets ?? 0) + f.packets, bytes: (prior?.bytes ?? 0) + f.bytes });
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}
