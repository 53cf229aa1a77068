/**
 * ESP/AH per SPI and direction, grouped into tunnels (an unordered address pair),
 * with the reverse direction, whether IKE between the same pair went both ways,
 * and shared-SPI-aware loss: when one sender uses an SPI towards several
 * destinations (manual keying, OSPFv3 with AH, RFC 4552) the sequence counter is
 * per sender, so loss is counted per sender (EspSender), not per destination.
 */
import type { Evidence } from '../../types.js';
import type { EspFlow, EspSender, PacketEvidence } from '../../packet-types.js';
import { derived } from '../memo.js';

export interface EspFlowView {
  flow: EspFlow;
  /** flows of the same protocol from this flow's destination back to its source */
  reverse: EspFlow[];
  sender?: EspSender;
  /** the sender used this SPI towards more than one destination */
  sharedSpi: boolean;
  /** missing sequence numbers to report as loss (per sender when the SPI is shared) */
  lost: number;
}

export interface EspTunnel {
  /** lexicographically smaller address first */
  a: string;
  b: string;
  aToB: EspFlow[];
  bToA: EspFlow[];
  oneWay: boolean;
  /** IKE messages were seen from a to b and from b to a */
  ikeBothWays: boolean;
  ikeSeen: boolean;
}

export interface EspFlowsView {
  flows: EspFlowView[];
  tunnels: EspTunnel[];
}

export const espFlows = derived((evidence: Evidence): EspFlowsView => buildEspFlows(evidence.packets));

export function buildEspFlows(p: PacketEvidence | undefined): EspFlowsView {
  if (!p) return { flows: [], tunnels: [] };
  const senders = new Map<string, EspSender>();
  for (const s of p.espSenders) senders.set(`${s.protocol}|${s.spi}|${s.src}|${s.encap}`, s);
  const flows: EspFlowView[] = p.espFlows.map((flow) => {
    const sender = senders.get(`${flow.protocol}|${flow.spi}|${flow.src}|${flow.encap}`);
    const sharedSpi = (sender?.destinations.length ?? 1) > 1;
    return {
      flow,
      reverse: p.espFlows.filter((r) => r.protocol === flow.protocol && r.src === flow.dst && r.dst === flow.src),
      sender,
      sharedSpi,
      lost: sharedSpi && sender ? sender.missing : flow.missing,
    };
  });
  const ikeDirs = new Set(p.ikeMessages.map((m) => `${m.src.address}|${m.dst.address}`));
  const tunnels = new Map<string, EspTunnel>();
  for (const f of p.espFlows) {
    const [a, b] = f.src < f.dst ? [f.src, f.dst] : [f.dst, f.src];
    const key = `${a}|${b}`;
    let t = tunnels.get(key);
    if (!t) {
      const ab = ikeDirs.has(`${a}|${b}`);
      const ba = ikeDirs.has(`${b}|${a}`);
      tunnels.set(key, (t = { a, b, aToB: [], bToA: [], oneWay: true, ikeBothWays: ab && ba, ikeSeen: ab || ba }));
    }
    (f.src === a ? t.aToB : t.bToA).push(f);
  }
  for (const t of tunnels.values()) t.oneWay = !t.aToB.length || !t.bToA.length;
  return { flows, tunnels: [...tunnels.values()] };
}
