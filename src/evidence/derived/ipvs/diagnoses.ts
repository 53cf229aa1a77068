/**
 * What an LVS director does to the IPsec behind it, from its services (paths.ts) and, when
 * given, the real servers' IKE configs. Facts only; checks/lvs-director.ts words them.
 *
 * Kernel behaviour relied on (net/netfilter/ipvs/):
 * - ip_vs_core.c ip_vs_sched_persist: a persistence template is per service — <proto,
 *   client, 0, VIP, vport> for an address service, <IPPROTO_IP, client, 0, fwmark, 0> for
 *   a firewall-mark service, <proto, client, 0, VIP, 0> for a port-zero service — so only
 *   one fwmark or port-zero persistent service keeps a client's 500 and 4500 together; and
 *   a persistent service keeps the packet's port unless it is the service's own port.
 * - ip_vs_core.c ip_vs_schedule: without persistence every new entry is scheduled on its
 *   own, to `dest->port ? dest->port : vport`; with `ops` (IP_VS_CONN_F_ONE_PACKET) no
 *   entry is kept at all.
 * - ip_vs_proto_ah_esp.c: ESP/AH follow the UDP entry client:500 ↔ VIP:500 (and, outbound,
 *   real server:500 → client:500).
 * - ip_vs_conn.c: an entry lives `timeout` after its last packet (UDP: 300 s by default,
 *   ip_vs_proto_udp.c); a template outlives its timeout only while entries it controls live.
 */
import type { Evidence } from '../../types.js';
import type { ChildConfig, ConfigFacts, ConnectionConfig, Setting } from '../../config-types.js';
import type { IpvsRealServer, IpvsService } from '../../ipvs-types.js';
import { derived } from '../memo.js';
import { KERNEL_UDP_TIMEOUT, directorOf, type Director, type FwmarkCoverage, type Path, type VipPaths } from './paths.js';

type ServicePath = Extract<Path, { kind: 'service' }>;

export interface LvsDiagnoses {
  director: Director;
  split: Array<{ vip: VipPaths; services: IpvsService[]; fwmarkNoPersistence: boolean; realServers: IpvsRealServer[]; unverifiedFwmarks: IpvsService[] }>;
  notBalanced: Array<{ vip: VipPaths; service: IpvsService; present: number; missing: number; masq: boolean }>;
  fwmarkIncomplete: Array<{ vip: VipPaths; fwmark: ServicePath; marked: number; unmarked: number; instead?: IpvsService }>;
  fwmarkUnverified: Array<{ coverage: FwmarkCoverage; rulesets: string[] }>;
  espEntry: Array<{ vip: VipPaths; service: IpvsService; realServer?: IpvsRealServer; port: number; setting?: Setting<string>; conn?: ConnectionConfig }>;
  /** ops: what it breaks for this service — ESP's UDP 500 entry, LVS-NAT replies' translation, a client's stickiness */
  onePacket: Array<{ vip: VipPaths; service: IpvsService; breaks: Array<'esp' | 'replies' | 'sticky'> }>;
  stickiness: Array<{ service: IpvsService; persistent: boolean; udpTimeout: number; silence: Setting<number>; lifetime?: Setting<number>; conn: ConnectionConfig; source: string; masq: boolean; matched: boolean }>;
  natUnfriendly: Array<{ service: IpvsService; kind: 'ah' | 'transport'; conn: ConnectionConfig; child: ChildConfig; setting: Setting<unknown>; source: string; matched: boolean }>;
}

const IKE_PORT_KEYS = ['local_port', 'remote_port', 'ikeport', 'leftikeport', 'rightikeport'];

export const lvsDiagnoses = derived((evidence: Evidence): LvsDiagnoses | undefined => {
  const director = directorOf(evidence);
  if (!director) return undefined;
  const out: LvsDiagnoses = { director, split: [], notBalanced: [], fwmarkIncomplete: [], fwmarkUnverified: [], espEntry: [], onePacket: [], stickiness: [], natUnfriendly: [] };
  const unverified = director.fwmarks.filter((f) => !f.rulesets.length);
  for (const f of unverified) out.fwmarkUnverified.push({ coverage: f, rulesets: (evidence.rulesets ?? []).map((r) => r.source) });
  const judged = new Set<IpvsService>();
  for (const vip of director.vips) {
    const { ike, natT } = vip;
    const paths = [ike, natT].filter((p): p is ServicePath => p.kind === 'service');
    const viaMark = paths.find((p) => p.via === 'fwmark');
    if (ike.kind === 'service' && natT.kind === 'service') {
      if (viaMark && ike.service !== natT.service) {
        const other = viaMark === ike ? natT : ike;
        out.fwmarkIncomplete.push({ vip, fwmark: viaMark, marked: viaMark === ike ? 500 : 4500, unmarked: viaMark === ike ? 4500 : 500, instead: other.service });
      } else {
        const services = [...new Set([ike.service, natT.service])];
        const realServers = services.flatMap((s) => s.realServers);
        const oneServer = new Set(realServers.map((r) => r.address)).size <= 1;
        const fwmarkNoPersistence = services.length === 1 && ike.via === 'fwmark' && !ike.service.persistence;
        if (!oneServer && (services.length > 1 || fwmarkNoPersistence)) out.split.push({ vip, services, fwmarkNoPersistence, realServers, unverifiedFwmarks: unverified.map((f) => f.service) });
      }
    } else if (paths.length === 1 && (ike.kind === 'none' || natT.kind === 'none')) {
      const [p] = paths;
      const present = p === ike ? 500 : 4500;
      const missing = present === 500 ? 4500 : 500;
      if (p.via === 'fwmark') out.fwmarkIncomplete.push({ vip, fwmark: p, marked: present, unmarked: missing });
      else out.notBalanced.push({ vip, service: p.service, present, missing, masq: isMasq(p.service) });
    }
    if (ike.kind === 'service') espEntries(out, vip, ike);
    for (const p of paths) if (p.service.onePacket && !out.onePacket.some((o) => o.service === p.service)) onePacket(out, vip, p, p === ike);
    for (const p of paths) judged.add(p.service);
  }
  const configs = evidence.configs ?? [];
  for (const service of judged) {
    const { relevant, matched } = relevantConfigs(configs, service);
    stickiness(out, director, service, relevant, matched);
    if (isMasq(service)) natUnfriendly(out, service, relevant, matched);
  }
  configPorts(out, configs);
  return out;
});

export function isMasq(s: IpvsService): boolean {
  return s.realServers.some((r) => r.forwarding.value === 'masq');
}

/**
 * `ops` (IP_VS_CONN_F_ONE_PACKET): the entry made for a packet is dropped at once, so ESP on
 * the IKE path has no UDP 500 entry, LVS-NAT replies have none to be translated back by, and
 * without persistence each packet is scheduled anew.
 */
function onePacket(out: LvsDiagnoses, vip: VipPaths, p: ServicePath, ikePath: boolean): void {
  const breaks: Array<'esp' | 'replies' | 'sticky'> = [];
  if (ikePath) breaks.push('esp');
  if (isMasq(p.service)) breaks.push('replies');
  if (!p.service.persistence && new Set(p.service.realServers.map((r) => r.address)).size > 1) breaks.push('sticky');
  if (breaks.length) out.onePacket.push({ vip, service: p.service, breaks });
}

/** LVS-NAT to a real server port other than 500: the real server's ESP replies (real server:500 → client:500) match no entry. */
function espEntries(out: LvsDiagnoses, vip: VipPaths, p: ServicePath): void {
  // a persistent service keeps the packet's port unless it is the service's own (ip_vs_sched_persist), so a fwmark/port-zero one never rewrites 500
  const rewrites = p.via === 'exact' || !p.service.persistence;
  if (!rewrites) return;
  for (const rs of p.service.realServers) {
    const port = rs.port || 500;
    if (rs.forwarding.value === 'masq' && port !== 500) out.espEntry.push({ vip, service: p.service, realServer: rs, port });
  }
}

/** An IKE port other than 500 in the configs (swanctl local_port/remote_port, libreswan ikeport): that client's ESP has no 500 ↔ 500 entry. */
function configPorts(out: LvsDiagnoses, configs: ConfigFacts[]): void {
  const vip = out.director.vips.find((v) => v.ike.kind === 'service');
  if (!vip || vip.ike.kind !== 'service') return;
  for (const c of configs) {
    for (const conn of c.connections) {
      for (const key of IKE_PORT_KEYS) {
        const s = conn.keys[key];
        const port = s ? Number(s.value) : NaN;
        if (s && Number.isInteger(port) && port !== 500 && port !== 4500) out.espEntry.push({ vip, service: vip.ike.service, port, setting: s, conn });
      }
    }
  }
}

/** The configs of this service's real servers (or of its clients: they name the VIP); all of them when none names either. */
function relevantConfigs(configs: ConfigFacts[], service: IpvsService): { relevant: Array<{ conn: ConnectionConfig; source: string }>; matched: boolean } {
  const addrs = new Set([service.address, ...service.realServers.map((r) => r.address)].filter((a): a is string => Boolean(a)));
  const all = configs.flatMap((c) => c.connections.filter((conn) => !conn.template).map((conn) => ({ conn, source: c.source })));
  const named = all.filter(({ conn }) => [...conn.local.addrs.value, ...conn.remote.addrs.value].some((a) => addrs.has(a.replace(/\/32$/, ''))));
  return named.length ? { relevant: named, matched: true } : { relevant: all, matched: false };
}

/**
 * How long a quiet tunnel leaves the director without an IKE packet: the DPD / liveness
 * interval when on, else the IKE SA's rekey or reauthentication interval. Longer than the UDP entry timeout,
 * the client's next IKE packet is scheduled afresh — back to the same real server only
 * while a persistence template still holds it.
 */
function stickiness(out: LvsDiagnoses, d: Director, service: IpvsService, relevant: Array<{ conn: ConnectionConfig; source: string }>, matched: boolean): void {
  const udpTimeout = d.udpTimeout?.value ?? KERNEL_UDP_TIMEOUT;
  // one real server: every schedule picks it, so nothing is lost when entries expire
  if (new Set(service.realServers.map((r) => r.address)).size < 2) return;
  let worst: LvsDiagnoses['stickiness'][number] | undefined;
  for (const { conn, source } of relevant) {
    // without DPD the next IKE exchange of a quiet tunnel is its rekeying or reauthentication, whichever comes first
    const renewals = [conn.ikeRekeyTime, conn.reauthTime].filter((t): t is Setting<number> => t !== undefined && t.value > 0).sort((x, y) => x.value - y.value);
    const silence = conn.dpd.delay.value > 0 ? conn.dpd.delay : renewals[0] ?? conn.ikeLifeTime;
    if (!silence || silence.value <= udpTimeout) continue;
    const lifetime = conn.ikeLifeTime && conn.ikeLifeTime.value > 0 ? conn.ikeLifeTime : conn.ikeRekeyTime.value > 0 ? conn.ikeRekeyTime : undefined;
    const persistence = service.persistence?.value;
    if (persistence !== undefined && (!lifetime || persistence >= lifetime.value)) continue;
    if (!worst || silence.value > worst.silence.value) worst = { service, persistent: persistence !== undefined, udpTimeout, silence, lifetime, conn, source, masq: isMasq(service), matched };
  }
  if (worst) out.stickiness.push(worst);
}

/** AH and transport-mode ESP behind LVS-NAT (the seed: "AH can not be used in NAT mode"; transport mode breaks the inner checksums). */
function natUnfriendly(out: LvsDiagnoses, service: IpvsService, relevant: Array<{ conn: ConnectionConfig; source: string }>, matched: boolean): void {
  for (const { conn, source } of relevant) {
    for (const child of conn.children) {
      if (child.ahProposals?.value.length) out.natUnfriendly.push({ service, kind: 'ah', conn, child, setting: child.ahProposals, source, matched });
      else if (child.mode.value === 'transport') out.natUnfriendly.push({ service, kind: 'transport', conn, child, setting: child.mode, source, matched });
    }
  }
}
