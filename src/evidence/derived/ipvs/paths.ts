/**
 * Where IPVS sends a client's IKE (UDP 500) and NAT-T (UDP 4500) for each virtual address,
 * decided the way the kernel looks a new connection's service up (net/netfilter/ipvs/
 * ip_vs_ctl.c ip_vs_service_find): a firewall-mark service first (the packet's skb->mark,
 * set by the director's mangle rules before IPVS's LOCAL_IN hook), then the service with
 * that protocol, address and port, then a port-zero service of that protocol and address
 * (persistent only: ip_vs_core.c ip_vs_schedule refuses to schedule a non-persistent one).
 * Nothing found: the packet is not balanced and goes up the director's own stack.
 *
 * ESP and AH are never scheduled: ip_vs_proto_ah_esp.c looks up the client's UDP entry
 * from port 500 to the VIP's port 500 and forwards along it, or lets the packet through to
 * the director itself (ah_esp_conn_schedule returns NF_ACCEPT) — so marks on ESP change
 * nothing, and only UDP 500 and 4500 decide which real server a client reaches.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { IpvsService, IpvsValue } from '../../ipvs-types.js';
import type { Rule, Ruleset } from '../../ruleset-types.js';
import { derived } from '../memo.js';
import { evaluate, matchRule, type Packet } from '../firewall/eval.js';
import { firstHost } from '../firewall/ipsec.js';

export type Path =
  | { kind: 'service'; service: IpvsService; via: 'fwmark' | 'exact' | 'port-zero'; markRule?: { rule: Rule; ruleset: Ruleset } }
  | { kind: 'none' }
  /** a firewall-mark service may take it, but no ruleset of the director says which packets carry its mark */
  | { kind: 'unknown' };

export interface VipPaths {
  /** the virtual address as written; undefined = any address (a mark rule with no destination) */
  vip?: string;
  family: 4 | 6;
  ike: Path;
  natT: Path;
}

/** A firewall-mark service and the rulesets that set its mark (the director's, by that sign). */
export interface FwmarkCoverage {
  service: IpvsService;
  rulesets: Ruleset[];
}

export interface Director {
  services: IpvsService[];
  sources: string[];
  /** `--set`, `-L --timeout`, keepalived `lvs_timeouts`; undefined = not in the inputs */
  udpTimeout?: IpvsValue<number>;
  fwmarks: FwmarkCoverage[];
  vips: VipPaths[];
}

/** ip_vs_proto_udp.c: udp_timeouts[IP_VS_UDP_S_NORMAL] = 5*60*HZ */
export const KERNEL_UDP_TIMEOUT = 300;

/** All IPVS inputs as one director (the usual case: its `-S -n`, `-L -n --timeout` and keepalived.conf), each service once. */
export const directorOf = derived((evidence: Evidence): Director | undefined => {
  const facts = evidence.ipvs ?? [];
  if (!facts.length) return undefined;
  const seen = new Set<string>();
  const services: IpvsService[] = [];
  for (const f of facts) {
    for (const s of f.services) {
      const key = s.fwmark !== undefined ? `fwm:${s.fwmark}:${s.family}` : `${s.protocol}:${s.address}:${s.port ?? 0}`;
      if (!seen.has(key)) seen.add(key), services.push(s);
    }
  }
  const udpTimeout = facts.map((f) => f.timeouts?.udp).find((t) => t !== undefined);
  const fwmarks = services.filter((s) => s.fwmark !== undefined).map((service) => ({ service, rulesets: (evidence.rulesets ?? []).filter((r) => markRules(r, service.fwmark!).length > 0) }));
  const director: Director = { services, sources: facts.map((f) => f.source), ...(udpTimeout ? { udpTimeout } : {}), fwmarks, vips: [] };
  director.vips = vipsOf(director);
  return director;
});

function markRules(ruleset: Ruleset, mark: number): Rule[] {
  const out: Rule[] = [];
  for (const t of ruleset.tables) for (const c of t.chains) for (const r of c.rules) if (r.action.setMark && r.action.setMark.value === mark) out.push(r);
  return out;
}

function vipsOf(d: Director): VipPaths[] {
  const vips = new Map<string, { vip?: string; family: 4 | 6 }>();
  for (const s of d.services) if (s.protocol === 'udp' && s.address !== undefined && [0, 500, 4500].includes(s.port ?? 0)) vips.set(s.address, { vip: s.address, family: s.family });
  for (const f of d.fwmarks) {
    for (const rs of f.rulesets) {
      for (const r of markRules(rs, f.service.fwmark!)) {
        const dst = r.matches.find((m) => m.kind === 'addr' && m.dir === 'dst' && !m.negate);
        if (!dst || dst.kind !== 'addr') vips.set('*', { family: f.service.family });
        else for (const c of dst.cidrs) vips.set(c.addr, { vip: c.prefix === (c.version === 4 ? 32 : 128) ? c.addr : firstHost(`${c.addr}/${c.prefix}`), family: c.version });
      }
    }
  }
  const out: VipPaths[] = [];
  for (const v of vips.values()) {
    const ike = pathOf(d, v.vip, v.family, 500);
    const natT = pathOf(d, v.vip, v.family, 4500);
    if (ike.kind === 'service' || natT.kind === 'service') out.push({ ...v, ike, natT });
  }
  return out;
}

function pathOf(d: Director, vip: string | undefined, family: 4 | 6, port: number): Path {
  let unknown = false;
  for (const f of d.fwmarks) {
    if (f.service.family !== family) continue;
    if (!f.rulesets.length) {
      unknown = true;
      continue;
    }
    const hit = markedBy(f, vip, family, port);
    if (hit) return { kind: 'service', service: f.service, via: 'fwmark', markRule: hit };
  }
  const exact = d.services.find((s) => s.protocol === 'udp' && s.address === vip && (s.port ?? 0) === port);
  if (exact) return { kind: 'service', service: exact, via: 'exact' };
  const zero = d.services.find((s) => s.protocol === 'udp' && s.address === vip && (s.port ?? 0) === 0 && s.persistence);
  if (zero) return { kind: 'service', service: zero, via: 'port-zero' };
  return unknown ? { kind: 'unknown' } : { kind: 'none' };
}

/** The client's first packet to VIP:port through the director's chains: does it end with this service's mark? */
function markedBy(f: FwmarkCoverage, vip: string | undefined, family: 4 | 6, port: number): { rule: Rule; ruleset: Ruleset } | undefined {
  const packet: Packet = { family, path: 'input', proto: 17, sport: port, dport: port, ct: 'new', ...(vip ? { dst: vip } : {}) };
  for (const ruleset of f.rulesets) {
    if (evaluate(ruleset, packet).mark !== f.service.fwmark) continue;
    const rule = markRules(ruleset, f.service.fwmark!).find((r) => matchRule(r, packet, 0, false).result === true);
    if (rule) return { rule, ruleset };
  }
  return undefined;
}

export function ruleRef(rule: Rule): EvidenceRef {
  return { ...rule.at, excerpt: rule.text };
}

export function serviceNames(ss: IpvsService[]): string {
  return ss.map(serviceName).join(', ');
}

/** A service's line and its real servers' lines. */
export function serviceRefs(ss: IpvsService[]): EvidenceRef[] {
  return ss.flatMap((s) => [s.at, ...s.realServers.map((r) => r.at)]);
}

const FORWARDING_NAMES = { masq: 'LVS-NAT', route: 'direct routing', tunnel: 'tunnelling', local: 'local delivery' } as const;

/** How the service's real servers are reached, in the LVS words: `LVS-NAT`, `direct routing`, … */
export function forwardingOf(s: IpvsService): string {
  return [...new Set(s.realServers.map((r) => FORWARDING_NAMES[r.forwarding.value]))].join(', ') || 'no real server';
}

/** The service as an operator names it: `UDP 192.0.2.1:500`, `FWM 1`. */
export function serviceName(s: IpvsService): string {
  if (s.fwmark !== undefined) return `FWM ${s.fwmark}`;
  const host = s.family === 6 ? `[${s.address}]` : s.address;
  return `${(s.protocol ?? 'udp').toUpperCase()} ${host}:${s.port ?? 0}`;
}
