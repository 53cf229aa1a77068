import { defineCheck } from '../src/engine/define-check.js';
import type { Evidence } from '../src/evidence/types.js';
import { LINKTYPE } from '../src/wire/link.js';
import { liveSource } from '../src/evidence/packet-types.js';

/** Per-input counters of packets that concern IPsec (sources/pcap-file.ts, sources/live-capture.ts). */
const IPSEC_COUNTERS = ['ike', 'esp', 'espInUdp', 'ah', 'natKeepalives'] as const;
/** What a quoted packet in an ICMP error may be that concerns IPsec (packet-types.ts QuotedPacket). */
const IPSEC_QUOTED = new Set(['ike', 'esp', 'ah', 'esp-in-udp', 'nat-keepalive']);
/** IP without a link layer: what a capture on a tunnel device writes (a TUN such as kernel-libipsec's ipsec0, a VTI, an xfrm interface) */
const RAW_IP = [LINKTYPE.RAW, LINKTYPE.RAW_DLT12, LINKTYPE.RAW_DLT14, LINKTYPE.IPV4, LINKTYPE.IPV6];

export default defineCheck({
  meta: {
    id: 'capture-coverage',
    title: 'The capture holds IPsec',
    stage: 'evidence',
    description:
      'Says when a capture file or a live capture holds no IPsec packet at all — no IKE on UDP 500/4500, no ESP (IP protocol 50, or in UDP 4500), ' +
      'no AH, no NAT-T keepalive, no ICMP error about any of them — so that the IKE and ESP checks passing on it means nothing: it was taken on ' +
      'the wrong interface or host, with a filter that leaves IPsec out, while nothing was sent, or inside the tunnel (ipsecN, a TUN device; ' +
      'plain traffic captured as raw IP, as a tunnel device is, is said at info).',
    requires: ['packets'],
    codes: {
      NO_IPSEC_PACKETS: {
        severity: 'warning',
        message: '{capture} holds no IKE, ESP or AH packet ({held}): {judged}.',
        hint: 'Capture where the tunnel passes and while it is used: on the interface facing the peer (`ip route get <peer>` names it, or `-i any`), during a connection attempt (`swanctl --initiate`, `ipsec up`) or while traffic goes through the tunnel, with a filter that keeps IPsec: `udp port 500 or udp port 4500 or ip proto 50 or ip proto 51` (what `ipsec-doctor --live` captures by default). A capture inside the tunnel (ipsecN, a TUN device) shows the cleartext only.',
      },
    },
  },
  run(ctx) {
    // it judges every capture, empty or not: what a capture holds is its subject
    ctx.judged('captures', ctx.evidence.inputs.filter((i) => i.kind === 'pcap' || i.kind === 'live').length);
    for (const input of ctx.evidence.inputs) {
      if (input.kind !== 'pcap' && input.kind !== 'live') continue;
      const c = input.counters ?? {};
      // the source name this input's frames, diagnostics and ICMP errors carry
      const source = input.kind === 'live' ? liveSource(input.path) : input.path;
      if (IPSEC_COUNTERS.some((k) => c[k]) || otherIpsecEvidence(ctx.evidence, source)) continue;
      const frames = c.frames ?? input.packets ?? 0;
      const held = heldText(input.kind === 'live', frames, c);
      const capture = input.kind === 'live' ? `The live capture on ${input.path}` : `The capture ${input.path}`;
      // plain traffic on a tunnel device is the inside of a tunnel, captured on purpose (path MTU): said, at info
      const insideTunnel = !!c.nonIpsec && RAW_IP.reduce((n, l) => n + (c[`linktype:${l}`] ?? 0), 0) === frames;
      ctx.report({
        code: 'NO_IPSEC_PACKETS',
        ...(insideTunnel ? { severity: 'info' as const } : {}),
        data: {
          capture, held, frames, otherIp: c.nonIpsec ?? 0, nonIp: c.nonIp ?? 0, undecodable: c.undecodable ?? 0, insideTunnel,
          // path-mtu judges plain traffic too (big DF packets unanswered): say so rather than "nothing"
          judged: `the IKE and ESP checks had nothing to judge${c.nonIpsec ? ', its other IP traffic was judged for path MTU only' : ''}`
            + (insideTunnel ? '; it is raw IP without a link layer, as a tunnel device (ipsecN, a VTI or xfrm interface) is captured: the inside of a tunnel shows no IPsec' : ''),
        },
        evidence: [{ source, excerpt: held }],
      });
    }
  },
});

/**
 * IPsec the counters do not show: an ICMP error of this input that quotes IKE, ESP or AH
 * (ike-reachability and path-mtu read it), or an IKE message too malformed to count as
 * one (counted undecodable; the decoder's diagnostic says what is wrong with it).
 */
function otherIpsecEvidence(evidence: Evidence, source: string): boolean {
  return (evidence.packets?.icmpErrors ?? []).some((e) => e.at.source === source && e.quoted && IPSEC_QUOTED.has(e.quoted.kind))
    || evidence.diagnostics.some((d) => d.decoder === 'ike' && d.at.source === source);
}

/** What the capture held instead: "no packets at all", or its `n` frames by kind. */
function heldText(live: boolean, n: number, c: Record<string, number>): string {
  // a live capture's input is re-read while it runs (interim analyses): say over how long
  const during = c.startedAt && c.endedAt ? ` in ${Math.round(c.endedAt - c.startedAt)} s` : '';
  if (!n) return live ? `no packets${during}` : 'no packets at all';
  const kinds = [
    [c.nonIpsec, 'of other IP traffic'],
    [c.icmpErrors, 'ICMP errors about other traffic'],
    [c.nonIp, 'not IP (ARP, LLDP, …)'],
    [c.undecodable, 'undecodable'],
  ] as const;
  const parts = kinds.filter(([k]) => k).map(([k, what]) => `${k} ${k === 1 ? what.replace('errors', 'error') : what}`);
  return `${n} frame${n === 1 ? '' : 's'}${during}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
