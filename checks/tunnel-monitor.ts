import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { configPairs, loadable, type ConnectionPair } from '../src/evidence/derived/config/pairs.js';
import { refs } from '../src/evidence/derived/config/connections.js';
import { humanDuration, pairChildren } from '../src/evidence/derived/config/compare.js';
import { dpdView } from '../src/evidence/derived/config/dpd.js';
import { backupRoutes, destinationOutsideOwn, destinationOutsidePeer, initiation, monitorState, natTraversalOf, translatedAddress, tunnelsOf, withoutMonitor, type OutsideSelectors, type TunnelView } from '../src/evidence/derived/config/tunnel-monitor.js';

const MONITOR_SET = '`set network tunnel ipsec <tunnel> tunnel-monitor enable yes`, `… tunnel-monitor destination-ip <an address across the tunnel that answers ping>`, `… tunnel-monitor tunnel-monitor-profile <profile>`';

export default defineCheck({
  meta: {
    id: 'tunnel-monitor',
    title: 'Tunnel monitoring, who initiates, NAT traversal on both sides',
    stage: 'liveness',
    description:
      'From configs (PAN-OS gateways and tunnels, judged alone and against the peer\'s config of any platform): tunnel monitoring off, on one side only, probing a destination outside the selectors, or with wait-recover where a backup route exists (PAN-OS web interface help, Network Profiles > Monitor; KB kA10g000000ClgcCAC: after IKEv2 liveness gives up the tunnel interface and its static routes stay up, so failover needs tunnel monitoring, PBF or dynamic routing; KB kA10g000000ClFaCAK: IKEv1 DPD runs only at a phase-2 rekey); both peers waiting for the other to initiate (PAN-OS passive mode, strongSwan/libreswan start_action=none/auto=add); NAT traversal on one side only ("NAT-T must be enabled on both gateways if you have NAT occurring on a device that sits between the two gateways", PAN-OS IPSec VPN administration, IKEv2).',
    requires: ['configs'],
    codes: {
      TUNNEL_MONITOR_DISABLED: {
        severity: 'warning',
        message: 'Tunnel {tunnel} of gateway {conn} ({file}) runs no tunnel monitoring ({state}): {consequence}.',
        hint: `PAN-OS: ${MONITOR_SET.replace(/<tunnel>/g, '{tunnel}')}, and where a backup path exists \`set network profiles monitor-profile <profile> action fail-over\` (the tunnel interface needs an IP address to source the probes). strongSwan/libreswan have no tunnel monitor: their equivalent is DPD with restart (swanctl \`dpd_delay = 30s\` + \`dpd_action = restart\`, libreswan \`dpddelay=30\`), with failover left to routing over the tunnel (BGP/OSPF).`,
      },
      TUNNEL_MONITOR_NO_FAILOVER: {
        severity: 'warning',
        message: 'Tunnel {tunnel} ({file}) is monitored with profile {profile}, whose action is wait-recover, but {backup}: when the probes to {destination} fail, the tunnel interface stays up and traffic is not moved to the backup path.',
        hint: 'Use a fail-over profile: `set network profiles monitor-profile <name> action fail-over` (`… interval 3`, `… threshold 5`) and `set network tunnel ipsec {tunnel} tunnel-monitor tunnel-monitor-profile <name>`; fail-over disables the tunnel interface so the backup route takes over. A strongSwan/libreswan peer has no such switch: a routing daemon over both tunnels does the same.',
      },
      TUNNEL_MONITOR_ONE_SIDED: {
        severity: 'warning',
        message: 'Tunnel monitoring differs between the peers of {connA}: {fileA} {stateA}; {fileB} {stateB}. Only one side notices a dead path through the tunnel and reacts; the other keeps sending into it.',
        hint: `Monitor on both sides, each towards an address across the tunnel on the other side — on ${'{fileWithout}'}: ${MONITOR_SET}.`,
      },
      TUNNEL_MONITOR_DESTINATION_OUTSIDE: {
        severity: 'warning',
        message: 'Tunnel monitoring of {tunnel} ({file}) pings {destination}, outside {whose} ({selectors}): the probes cannot cross this tunnel\'s SA, so the monitor declares a working tunnel down ({effect}).',
        hint: 'Monitor an address inside the selectors — the peer\'s tunnel-interface address or a host in its protected network: `set network tunnel ipsec {tunnel} tunnel-monitor destination-ip <address>` (with several proxy IDs, `… tunnel-monitor proxy-id <the one covering it>`); or widen the selectors on both sides (PAN-OS proxy-id local/remote, strongSwan local_ts/remote_ts, libreswan leftsubnet/rightsubnet).',
      },
      BOTH_PEERS_PASSIVE: {
        severity: 'warning',
        message: 'Neither peer of {connA} starts the tunnel: {fileA} {howA}; {fileB} {howB}. No IKE exchange is ever sent on its own.',
        hint: 'Let one side initiate: PAN-OS `set network ike gateway <gateway> protocol-common passive-mode no` (a non-passive gateway still answers); strongSwan swanctl `start_action = start` or `trap` on the child, ipsec.conf and libreswan `auto=start` or `auto=route`.',
      },
      NAT_T_ONE_SIDED: {
        severity: 'warning',
        message: 'NAT traversal differs between the peers of {connA}: {fileA} {stateA}; {fileB} {stateB}. {natNote}',
        hint: 'Enable it on both sides (PAN-OS: "NAT-T must be enabled on both gateways if you have NAT occurring on a device that sits between the two gateways"): PAN-OS `set network ike gateway <gateway> protocol-common nat-traversal enable yes`; libreswan `encapsulation=auto` (not `no`); strongSwan always detects NAT.',
      },
    },
  },
  run(ctx) {
    for (const facts of ctx.evidence.configs ?? []) for (const conn of loadable(facts)) for (const t of tunnelsOf(facts, conn)) judgeTunnel(ctx, t);
    for (const p of configPairs(ctx.evidence)) {
      judgePairMonitors(ctx, p);
      judgeInitiation(ctx, p);
      judgeNatTraversal(ctx, p);
    }
  },
});

function judgeTunnel(ctx: CheckContext, t: TunnelView): void {
  const m = t.monitor;
  const base = { tunnel: t.name, conn: t.conn.name, file: t.facts.source };
  const backups = backupRoutes(t);
  if (!m.enabled.value) {
    const view = dpdView(t.facts, t.conn);
    const lifetime = humanDuration(Math.min(...t.children.map((c) => c.rekeyTime.value), t.conn.ikeRekeyTime.value));
    const w = withoutMonitor(t, view, backups, lifetime);
    ctx.report({ code: 'TUNNEL_MONITOR_DISABLED', severity: w.minor ? 'info' : undefined, data: { ...base, state: monitorState(m), consequence: w.consequence.join('; '), backupRoutes: backups.map((b) => b.backup.name), reason: w.minor ? 'IKEv2 liveness is on and no backup route exists to fail over to' : undefined }, evidence: refs(m.enabled, m.destination, view.delay, ...backups.flatMap((b) => [b.via.interface, b.backup.interface])) });
    return;
  }
  if (m.action?.value === 'wait-recover' && backups.length) {
    const backup = backups.map((b) => `${b.via.destination.value} also has a route via ${b.backup.interface?.value} (${b.backup.name}${b.backup.metric ? `, metric ${b.backup.metric.value}` : ''})`).join('; ');
    ctx.report({ code: 'TUNNEL_MONITOR_NO_FAILOVER', data: { ...base, profile: m.profile?.value, backup, destination: m.destination?.value }, evidence: refs(m.action, m.profile, m.enabled, ...backups.flatMap((b) => [b.via.interface, b.backup.interface])) });
  }
  reportOutside(ctx, t, destinationOutsideOwn(t));
}

function reportOutside(ctx: CheckContext, t: TunnelView, o: OutsideSelectors | undefined): void {
  if (!o) return;
  const effect = t.monitor.action?.value === 'fail-over' ? 'fail-over then disables the tunnel interface and moves its routes away' : 'the firewall keeps renegotiating the IPsec keys and logs the tunnel down';
  const whose = o.whose === 'own' ? "the tunnel's own remote proxy IDs" : `the peer's local selectors in ${o.peerFile}`;
  ctx.report({ code: 'TUNNEL_MONITOR_DESTINATION_OUTSIDE', data: { tunnel: t.name, conn: t.conn.name, file: t.facts.source, destination: o.destination.value, whose, selectors: o.selectors.value, effect }, evidence: refs(o.destination, o.selectors) });
}

function judgePairMonitors(ctx: CheckContext, { a, b }: ConnectionPair): void {
  const ta = tunnelsOf(a.facts, a.original);
  const tb = tunnelsOf(b.facts, b.original);
  for (const { a: ca, b: cb } of pairChildren(a, b)) {
    const x = ta.find((t) => t.children.includes(ca));
    const y = tb.find((t) => t.children.includes(cb));
    if (x) reportOutside(ctx, x, destinationOutsidePeer(x, b, cb));
    if (y) reportOutside(ctx, y, destinationOutsidePeer(y, a, ca));
    // one-sided needs both ends able to monitor (a strongSwan peer has no tunnel monitor to turn on)
    if (!x || !y || x.monitor.enabled.value === y.monitor.enabled.value) continue;
    const without = x.monitor.enabled.value ? b : a;
    ctx.report({ code: 'TUNNEL_MONITOR_ONE_SIDED', data: { connA: a.conn.name, connB: b.conn.name, fileA: a.facts.source, fileB: b.facts.source, stateA: monitorState(x.monitor), stateB: monitorState(y.monitor), fileWithout: without.facts.source }, evidence: refs(x.monitor.enabled, x.monitor.destination, y.monitor.enabled, y.monitor.destination) });
    return;
  }
}

const HOW = { never: 'is in passive mode (responder only)', 'on-request': 'initiates only when an operator runs `swanctl --initiate` / `ipsec up` (every child start_action = none / auto=add)', initiates: 'initiates' };

function judgeInitiation(ctx: CheckContext, { a, b }: ConnectionPair): void {
  const ia = initiation(a);
  const ib = initiation(b);
  // PAN-OS passive mode on at least one side: two daemons that merely wait for an operator are the usual lab setup, not a fault
  if (ia.how === 'initiates' || ib.how === 'initiates' || (ia.how !== 'never' && ib.how !== 'never')) return;
  ctx.report({ code: 'BOTH_PEERS_PASSIVE', data: { connA: a.conn.name, connB: b.conn.name, fileA: a.facts.source, fileB: b.facts.source, howA: HOW[ia.how], howB: HOW[ib.how] }, evidence: refs(ia.setting, ib.setting) });
}

function judgeNatTraversal(ctx: CheckContext, { a, b }: ConnectionPair): void {
  const na = natTraversalOf(a.conn);
  const nb = natTraversalOf(b.conn);
  if (na.value === nb.value) return;
  const translated = translatedAddress(a, b) ?? translatedAddress(b, a);
  const state = (s: typeof na, implicitOn: boolean) => (s.value ? (implicitOn ? 'does NAT traversal (built in)' : 'has NAT traversal enabled') : 'has NAT traversal disabled');
  const natNote = translated
    ? `${translated.own} is known to its peer as ${translated.seenAs}: a NAT sits between them, and the side without NAT-T neither detects it nor moves to UDP 4500 — the tunnel fails.`
    : 'If a NAT sits between them, the side without NAT-T neither detects it nor moves to UDP 4500, and the tunnel fails; without NAT it works.';
  // a peer that cannot switch NAT-T off (strongSwan, built in) makes this only the other side's choice: info unless a NAT is evident
  const builtIn = !a.conn.natTraversal || !b.conn.natTraversal;
  const severity = translated ? 'error' : builtIn ? 'info' : undefined;
  ctx.report({ code: 'NAT_T_ONE_SIDED', severity, data: { connA: a.conn.name, connB: b.conn.name, fileA: a.facts.source, fileB: b.facts.source, stateA: state(na, !a.conn.natTraversal), stateB: state(nb, !b.conn.natTraversal), natNote, translated, natEvident: !!translated }, evidence: refs(na, nb, ...(translated ? [a.conn.local.addrs, b.conn.remote.addrs, b.conn.local.addrs, a.conn.remote.addrs] : [])) });
}
