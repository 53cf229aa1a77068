/**
 * The probe packets, each described twice: how probe.py sends it between the
 * namespaces, and the `Packet` ipsec-doctor's evaluator is given for it — the fields
 * the real packet has at the gateway: family, hook path, protocol, addresses, ports,
 * the input/output interfaces the routes give it (left unset where the hook has none:
 * no output interface on INPUT, no input interface on OUTPUT), TCP flags (a bare SYN),
 * conntrack NEW for a flow's first packet (conntrack is flushed before each probe) and
 * RELATED for an ICMP error about a flow that crossed the gateway, mark 0 as it
 * arrives (a mangle rule that marks it is the ruleset's own business, walked by the
 * evaluator).
 *
 * "in" is from the Internet peer (r, behind ppp0) towards the LAN host (l, behind
 * eth0) or the gateway itself; "out" the other way.
 */
import type { Packet } from '../../../src/evidence/derived/firewall/eval.js';
import type { Expect, NsKey, SendSpec } from './prober.js';
import { ADDR, LAN_IF, WAN_IF } from './topology.js';

export type Flow = 'ike' | 'ike-natted' | 'nat-t-ike' | 'esp-in-udp' | 'esp' | 'ah' | 'icmp-frag' | 'tcp' | 'udp';

export interface ProbeDef {
  /** unique within a family, e.g. `fwd in IKE 500→500` */
  name: string;
  family: 4 | 6;
  flow: Flow;
  send: SendSpec;
  expect: Expect;
  packet: Packet;
  /**
   * ICMP errors sent by a peer quote a packet of a flow that crossed the gateway:
   * the names of probes (same family) whose flow may be quoted, first that arrived wins;
   * it is re-sent right before the error so that conntrack knows it.
   */
  quotes?: string[];
}

const ICMP_FRAG = { 4: { proto: 1, icmp: [3, 4] as [number, number] }, 6: { proto: 58, icmp: [2, 0] as [number, number] } };

interface End {
  ns: NsKey;
  addr: string;
  /** the gateway's interface the packet comes in on / goes out of */
  iface?: string;
}

export function probesFor(family: 4 | 6): ProbeDef[] {
  const a = ADDR[family];
  const lan: End = { ns: 'l', addr: a.l, iface: LAN_IF };
  const peer: End = { ns: 'r', addr: a.r, iface: WAN_IF };
  const gwFromPeer: End = { ns: 'm', addr: a.mWan };
  const gwFromLan: End = { ns: 'm', addr: a.mLan };
  const out: ProbeDef[] = [];
  let tcpPort = 40000;

  const add = (name: string, flow: Flow, from: End, to: End, l4: { kind: SendSpec['kind']; sport?: number; dport?: number; payload?: SendSpec['payload'] }, extra: Partial<ProbeDef> = {}) => {
    const path: Packet['path'] = from.ns === 'm' ? 'output' : to.ns === 'm' ? 'input' : 'forward';
    const proto = l4.kind === 'udp' ? 17 : l4.kind === 'tcp' ? 6 : l4.kind === 'esp' ? 50 : l4.kind === 'ah' ? 51 : ICMP_FRAG[family].proto;
    out.push({
      name,
      family,
      flow,
      send: { ns: from.ns, family, kind: l4.kind, src: from.addr, dst: to.addr, sport: l4.sport, dport: l4.dport, payload: l4.payload },
      expect: { ns: to.ns, proto },
      packet: {
        family, path, proto, src: from.addr, dst: to.addr, sport: l4.sport, dport: l4.dport, ct: 'new', mark: 0,
        // probe.py's TCP probes are bare SYNs
        ...(l4.kind === 'tcp' ? { tcpFlags: 0x02 } : {}),
        ...(path !== 'output' ? { iif: from.iface } : {}),
        ...(path !== 'input' ? { oif: to.iface } : {}),
      },
      ...extra,
    });
  };

  const ipsecFlows = (way: string, from: End, to: End, opts: { natted: boolean; ah: boolean }) => {
    add(`${way} IKE udp 500→500`, 'ike', from, to, { kind: 'udp', sport: 500, dport: 500, payload: 'ike' });
    // a peer behind a port-translating NAT: IKE arrives from another source port (RFC 3947 §3)
    if (opts.natted) add(`${way} IKE udp 1029→500 (NAPT)`, 'ike-natted', from, to, { kind: 'udp', sport: 1029, dport: 500, payload: 'ike' });
    add(`${way} NAT-T IKE udp 4500 (non-ESP marker)`, 'nat-t-ike', from, to, { kind: 'udp', sport: 4500, dport: 4500, payload: 'nat-t-ike' });
    add(`${way} ESP-in-UDP udp 4500`, 'esp-in-udp', from, to, { kind: 'udp', sport: 4500, dport: 4500, payload: 'esp-in-udp' });
    add(`${way} ESP (proto 50)`, 'esp', from, to, { kind: 'esp' });
    if (opts.ah) add(`${way} AH (proto 51)`, 'ah', from, to, { kind: 'ah' });
  };

  // forwarded: the gateway between a LAN host and the Internet peer (IPsec through the gateway)
  ipsecFlows('fwd in ', peer, lan, { natted: true, ah: true });
  ipsecFlows('fwd out', lan, peer, { natted: true, ah: true });
  add('fwd in  TCP SYN →22', 'tcp', peer, lan, { kind: 'tcp', sport: tcpPort++, dport: 22 });
  add('fwd out TCP SYN →443', 'tcp', lan, peer, { kind: 'tcp', sport: tcpPort++, dport: 443 });
  add('fwd in  UDP →1701 (L2TP)', 'udp', peer, lan, { kind: 'udp', sport: 1701, dport: 1701 });
  add('fwd out UDP →53', 'udp', lan, peer, { kind: 'udp', sport: 33000, dport: 53 });
  // to and from the gateway itself (an IPsec endpoint)
  ipsecFlows('input  ', peer, gwFromPeer, { natted: true, ah: true });
  add('input   TCP SYN →22 from the peer', 'tcp', peer, gwFromPeer, { kind: 'tcp', sport: tcpPort++, dport: 22 });
  add('input   TCP SYN →22 from the LAN', 'tcp', lan, gwFromLan, { kind: 'tcp', sport: tcpPort++, dport: 22 });
  add('output  IKE udp 500→500', 'ike', gwFromPeer, peer, { kind: 'udp', sport: 500, dport: 500, payload: 'ike' });
  add('output  ESP-in-UDP udp 4500', 'esp-in-udp', gwFromPeer, peer, { kind: 'udp', sport: 4500, dport: 4500, payload: 'esp-in-udp' });
  add('output  ESP (proto 50)', 'esp', gwFromPeer, peer, { kind: 'esp' });
  add('output  AH (proto 51)', 'ah', gwFromPeer, peer, { kind: 'ah' });

  // ICMP "fragmentation needed" (RFC 1191) / ICMPv6 "packet too big" (RFC 8201), both ways
  const icmpName = family === 4 ? 'ICMP 3/4 frag-needed' : 'ICMPv6 2 packet-too-big';
  const quotesOf = (way: 'fwd in ' | 'fwd out' | 'output ') => [`${way} ESP (proto 50)`, `${way} ESP-in-UDP udp 4500`, `${way} IKE udp 500→500`, ...(way === 'output ' ? [] : [`${way} TCP SYN →${way === 'fwd in ' ? 22 : 443}`])];
  const icmp = (name: string, from: End, to: End, quotes: string[]) => {
    add(name, 'icmp-frag', from, to, { kind: 'icmp-error' }, { quotes });
    const p = out[out.length - 1];
    p.expect.icmp = ICMP_FRAG[family].icmp;
    p.packet = { ...p.packet, icmp: { type: ICMP_FRAG[family].icmp[0], code: ICMP_FRAG[family].icmp[1] }, ct: 'related' };
  };
  // the gateway's own: the peer's 1400-byte DF ESP-in-UDP does not fit the LAN link (MTU 1280). First of
  // the ICMP probes: the errors below teach the peers a path MTU of 1280, after which the peer would
  // refuse to send 1400 bytes at all
  out.push({
    name: `output  ${icmpName} (sent by the gateway)`,
    family,
    flow: 'icmp-frag',
    send: { ns: 'r', family, kind: 'udp', src: a.r, dst: a.l, sport: 4500, dport: 4500, payload: 'esp-in-udp', size: 1400, df: true },
    expect: { ns: 'r', ...ICMP_FRAG[family] },
    packet: { family, path: 'output', proto: ICMP_FRAG[family].proto, icmp: { type: ICMP_FRAG[family].icmp[0], code: ICMP_FRAG[family].icmp[1] }, src: a.mWan, dst: a.r, oif: WAN_IF, ct: 'related', mark: 0 },
  });
  icmp(`fwd in  ${icmpName} (about fwd out)`, peer, lan, quotesOf('fwd out'));
  icmp(`fwd out ${icmpName} (about fwd in)`, lan, peer, quotesOf('fwd in '));
  icmp(`input   ${icmpName} (about output)`, peer, gwFromPeer, quotesOf('output '));
  return out;
}
