/**
 * ICMP errors linked to the IKE SA or ESP flow whose packet they quote (RFC 792 /
 * RFC 4443 quote the offending datagram's header and first bytes): a port
 * unreachable quoting UDP 500 means no IKE daemon listening there, a frag-needed
 * quoting ESP means the tunnel packets exceed the path MTU.
 */
import type { Evidence } from '../../types.js';
import type { EspFlow, IcmpError, IkeMessage, PacketEvidence } from '../../packet-types.js';
import { derived } from '../memo.js';

export interface IcmpLink {
  error: IcmpError;
  /** the quoted packet was IKE (UDP 500, or 4500 with the non-ESP marker) */
  quotesIke: boolean;
  /** the quoted packet was ESP/AH or ESP-in-UDP */
  quotesEsp: boolean;
  /** IKE messages of the capture with the quoted addresses and ports (same direction as the quoted packet), at most 8 */
  ikeMessages: IkeMessage[];
  /** the ESP/AH flow with the quoted SPI and addresses */
  espFlow?: EspFlow;
}

export const icmpLinks = derived((evidence: Evidence): IcmpLink[] => linkIcmpErrors(evidence.packets));

export function linkIcmpErrors(p: PacketEvidence | undefined): IcmpLink[] {
  if (!p) return [];
  return p.icmpErrors.map((error) => {
    const q = error.quoted;
    const quotesIke = q?.kind === 'ike' || (q?.kind === 'udp' && (isIkePort(q.srcPort) || isIkePort(q.dstPort)));
    const quotesEsp = q?.kind === 'esp' || q?.kind === 'ah' || q?.kind === 'esp-in-udp';
    const link: IcmpLink = { error, quotesIke, quotesEsp, ikeMessages: [] };
    if (!q) return link;
    if (quotesIke) {
      link.ikeMessages = p.ikeMessages
        .filter((m) => m.src.address === q.src && m.dst.address === q.dst && m.src.port === q.srcPort && m.dst.port === q.dstPort && (!q.ikeSpiI || m.spiI === q.ikeSpiI))
        .slice(0, 8);
    }
    if (quotesEsp && q.spi !== undefined) {
      const protocol = q.kind === 'ah' ? 'ah' : 'esp';
      const flow = p.espFlows.find((f) => f.protocol === protocol && f.spi === q.spi && f.src === q.src && f.dst === q.dst);
      if (flow) link.espFlow = flow;
    }
    return link;
  });
}

function isIkePort(port: number | undefined): boolean {
  return port === 500 || port === 4500;
}
