/**
 * What the configs say about noticing a dead path and failing over, and about who can
 * start the tunnel at all — the PAN-OS side of the seed document ("Troubleshooting IPSec
 * Tunnels": DPD and tunnel monitoring on both sides, what happens when they fire, passive
 * peers, NAT traversal on both sides), in neutral terms so a PAN-OS gateway and a
 * strongSwan/libreswan peer are judged alike:
 *
 * - tunnel monitoring (PAN-OS): ICMP probes through the tunnel; `wait-recover` keeps the
 *   tunnel interface up ("Packets will continue to be sent according to the PBF rule"),
 *   `fail-over` moves traffic to a backup path "if one is available" (PAN-OS web interface
 *   help, Network > Network Profiles > Monitor). Without it, IKEv2 liveness deletes the SAs
 *   but leaves the tunnel interface and its static routes up (KB kA10g000000ClgcCAC) and IKEv1
 *   DPD only runs at a phase-2 rekey (KB kA10g000000ClFaCAK).
 * - a backup path: another static route to the same destination through another interface
 *   (the configuration's own routes; PBF rules and dynamic routing are not read).
 * - passive: PAN-OS `passive-mode yes` never initiates; strongSwan/libreswan with every child
 *   written `start_action = none` / `auto=add` wait for an operator's `swanctl --initiate` /
 *   `ipsec up`.
 * - NAT traversal: "NAT-T must be enabled on both gateways if you have NAT occurring on a
 *   device that sits between the two gateways" (PAN-OS IPSec VPN administration, IKEv2).
 */
import type { ChildConfig, ConfigFacts, ConnectionConfig, RouteConfig, Setting, TunnelMonitorConfig } from '../../config-types.js';
import type { ConfiguredConnection } from './connections.js';
import { parseTs, parseTsList, relateTs } from './ts.js';

export interface TunnelView {
  facts: ConfigFacts;
  conn: ConnectionConfig;
  /** the IPsec tunnel's name */
  name: string;
  children: ChildConfig[];
  monitor: TunnelMonitorConfig;
  iface?: Setting<string>;
}

/** The monitored tunnels of a connection: children grouped by the tunnel they belong to (only readers with tunnel monitoring set it). */
export function tunnelsOf(facts: ConfigFacts, conn: ConnectionConfig): TunnelView[] {
  const out = new Map<string, TunnelView>();
  for (const c of conn.children) {
    if (!c.tunnelMonitor) continue;
    const name = c.tunnel ?? c.name;
    const t = out.get(name);
    if (t) t.children.push(c);
    else out.set(name, { facts, conn, name, children: [c], monitor: c.tunnelMonitor, iface: c.tunnelInterface });
  }
  return [...out.values()];
}

export interface BackupRoute {
  via: RouteConfig;
  backup: RouteConfig;
}

// PAN-OS static routes default to metric 10 (web interface help, Virtual Router > Static Routes)
const metricOf = (r: RouteConfig) => r.metric?.value ?? 10;

/**
 * Static routes that carry traffic through this tunnel's interface (its metric no worse than
 * the alternative's) while another interface reaches the same destination: the path traffic
 * could fail over to. A default route elsewhere is no backup (it would send the traffic out
 * unencrypted), so only the same destination counts.
 */
export function backupRoutes(t: TunnelView): BackupRoute[] {
  const iface = t.iface?.value;
  if (!iface) return [];
  const routes = t.facts.routes ?? [];
  const out: BackupRoute[] = [];
  for (const via of routes.filter((r) => r.interface?.value === iface)) {
    const dest = parseTs(via.destination.value, []);
    const backup = routes.find((r) => r !== via && r.interface?.value && r.interface.value !== iface && metricOf(r) >= metricOf(via) && relateTs(dest, parseTs(r.destination.value, [])) === 'equal');
    if (backup) out.push({ via, backup });
  }
  return out;
}

/** The selectors a probe to `destination` must fall in: the tunnel's remote ones (only the monitor's proxy ID when it names one). */
function monitoredChildren(t: TunnelView): ChildConfig[] {
  const proxy = t.monitor.proxyId?.value;
  const named = proxy ? t.children.filter((c) => c.name === `${t.name}/${proxy}`) : [];
  return named.length ? named : t.children;
}

export interface OutsideSelectors {
  destination: Setting<string>;
  selectors: Setting<string[]>;
  /** whose selectors: this tunnel's own proxy IDs, or the paired peer's local ones */
  whose: 'own' | 'peer';
  peerFile?: string;
}

/** The monitor's destination lies outside the remote selectors of this tunnel (own) — probes never enter its SA. */
export function destinationOutsideOwn(t: TunnelView): OutsideSelectors | undefined {
  const dest = t.monitor.destination;
  if (!t.monitor.enabled.value || !dest?.value) return undefined;
  const d = parseTs(dest.value, []);
  if (!d) return undefined;
  const children = monitoredChildren(t);
  const inside = children.some((c) => {
    const r = parseTsList(c.remoteTs.value, t.conn.remote.addrs.value);
    return !r || relateTs(d, r) === 'subset' || relateTs(d, r) === 'equal';
  });
  return inside ? undefined : { destination: dest, selectors: children[0].remoteTs, whose: 'own' };
}

/** The same against the paired peer's local selectors: the SA is narrowed to them, so a destination outside never crosses. */
export function destinationOutsidePeer(t: TunnelView, peer: ConfiguredConnection, peerChild: ChildConfig): OutsideSelectors | undefined {
  const dest = t.monitor.destination;
  if (!t.monitor.enabled.value || !dest?.value) return undefined;
  const d = parseTs(dest.value, []);
  const r = parseTsList(peerChild.localTs.value, peer.conn.local.addrs.value);
  if (!d || !r) return undefined;
  const rel = relateTs(d, r);
  return rel === 'subset' || rel === 'equal' ? undefined : { destination: dest, selectors: peerChild.localTs, whose: 'peer', peerFile: peer.facts.source };
}

export type Initiation = 'never' | 'on-request' | 'initiates';

/**
 * Who brings the tunnel up: PAN-OS passive mode never initiates; a strongSwan/libreswan
 * connection whose children are all written `start_action = none` (`auto=add`) initiates only
 * on an operator's command; anything else initiates (start, trap, PAN-OS on traffic).
 */
export function initiation(c: ConfiguredConnection): { how: Initiation; setting?: Setting<unknown> } {
  if (c.conn.passive?.value) return { how: 'never', setting: c.conn.passive };
  const kids = c.conn.children;
  if (c.facts.dialect !== 'panos' && kids.length && kids.every((k) => k.startAction.value.toLowerCase() === 'none' && !k.startAction.implicit)) return { how: 'on-request', setting: kids[0].startAction };
  return { how: 'initiates' };
}

/** Whether this end does NAT traversal: the reader's explicit switch, else the daemon's built-in (off only with `encapsulation=no`). */
export function natTraversalOf(conn: ConnectionConfig): Setting<boolean> {
  if (conn.natTraversal) return conn.natTraversal;
  return { ...conn.encap, value: conn.encap.value.toLowerCase() !== 'no' };
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((p) => parseTs(p, [])!);

/** One end's own address is private and its peer points at a different one: a NAT between them rewrites it. */
export function translatedAddress(from: ConfiguredConnection, to: ConfiguredConnection): { own: string; seenAs: string } | undefined {
  const own = from.conn.local.addrs.value.find((a) => /^[0-9a-f.:]+$/i.test(a));
  const seenAs = to.conn.remote.addrs.value.find((a) => /^[0-9a-f.:]+$/i.test(a));
  if (!own || !seenAs || own === seenAs) return undefined;
  const r = parseTs(own, []);
  return r && PRIVATE.some((p) => relateTs(r, p) === 'subset') ? { own, seenAs } : undefined;
}

/** How the monitor is (not) configured, in the config's own words. */
export function monitorState(m: TunnelMonitorConfig): string {
  if (m.enabled.value) return `monitors ${m.destination?.value ?? '(no destination-ip)'} every ${m.interval?.value ?? '?'} s, action ${m.action?.value ?? '(no profile)'} after ${m.threshold?.value ?? '?'} lost probes`;
  const written = [m.destination && `destination-ip ${m.destination.value}`, m.profile && `profile ${m.profile.value}`].filter(Boolean).join(' and ');
  if (!m.enabled.implicit) return `tunnel-monitor enable no${written ? ` (${written} written but unused)` : ''}`;
  return written ? `${written} written, but tunnel-monitor enable is not set, so nothing is monitored` : 'tunnel-monitor enable is not set';
}

/**
 * What goes wrong without tunnel monitoring, given the gateway's DPD/liveness (`dpd`: on,
 * off, or undetermined by the release) and the backup routes: the sentences for the finding,
 * and whether it is only informational (IKEv2 liveness on and no backup path to fail over to).
 */
export function withoutMonitor(t: TunnelView, dpd: { enabled: boolean; undetermined?: boolean }, backups: BackupRoute[], humanLifetime: string): { consequence: string[]; minor: boolean } {
  const v1 = t.conn.ikeVersion.value === 1;
  const iface = t.iface?.value ?? 'the tunnel interface';
  const out: string[] = [];
  if (dpd.undetermined) out.push(`whether ${v1 ? 'IKEv1 DPD' : 'IKEv2 liveness'} runs depends on the PAN-OS release (\`dpd enable\` not written)`);
  else if (!dpd.enabled) out.push(`${v1 ? 'DPD' : 'liveness'} is off too, so nothing notices a dead peer before the next rekey (${humanLifetime})`);
  else if (v1) out.push(`IKEv1 DPD runs only at a phase-2 rekey, so a dead path goes unnoticed for up to ${humanLifetime}`);
  else out.push(`IKEv2 liveness deletes the SAs after 5–7 minutes but leaves ${iface} and the routes through it up`);
  for (const b of backups) out.push(`traffic to ${b.via.destination.value} stays on ${iface} (route ${b.via.name}) instead of moving to ${b.backup.interface?.value} (route ${b.backup.name})`);
  return { consequence: out, minor: backups.length === 0 && !v1 && dpd.enabled && !dpd.undetermined };
}
