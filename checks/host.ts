import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { HostFacts } from '../src/evidence/host-types.js';
import { gatewaySubnets, probeRef, redirectsOn, strictRpFilter, trappedChildren } from '../src/evidence/derived/host/audit.js';

export default defineCheck({
  meta: {
    id: 'host',
    title: 'This host is ready for IPsec',
    stage: 'host',
    description:
      'Read-only audit of the local machine (successor of libreswan\'s removed `ipsec verify`): IKE daemon process and version, UDP 500/4500 ' +
      'sockets, kernel xfrm policies for installed SAs and trapped children, sysctls that break IPsec (rp_filter — Documentation/networking/' +
      'ip-sysctl.rst; ICMP redirects; ip_forward on a gateway; ip_no_pmtu_disc, RFC 1191) and TCP MSS clamping on a gateway (strongSwan wiki "ForwardingAndSplitTunneling").',
    requires: ['host'],
    codes: {
      HOST_PROBE_SKIPPED: { severity: 'info', message: 'Host probe {probe} did not run ({command}): {reason}.', hint: 'Run `ipsec-doctor --host` as root, or install the tool, to include this probe.' },
      HOST_DAEMON_RUNNING: { severity: 'info', routine: true, message: 'IKE daemon {daemons} running; version: {version}.', hint: 'Informational: keep the daemon on a supported release.' },
      DAEMON_NOT_RUNNING: { severity: 'error', message: 'No IKE daemon process (charon, charon-systemd, pluto) is running.', hint: 'Start it: `systemctl start strongswan` (swanctl), `systemctl start strongswan-starter` (ipsec.conf) or `systemctl start ipsec` (libreswan), then check its log.' },
      DAEMON_NOT_LISTENING: { severity: 'error', message: '{daemons} runs but nothing listens on UDP {missing}: peers\' IKE requests {effect}.', hint: 'Check the daemon log for socket errors (another IKE daemon holding the port, `charon.port`/`port_nat_t` in strongswan.conf, libreswan `listen=`); `ss -uapn` shows who owns the port.' },
      XFRM_POLICY_MISSING: { severity: 'error', message: '{what}: no kernel xfrm policy {expected}, so the kernel sends that traffic in the clear or drops it instead of encrypting.', hint: 'Reload the connection (`swanctl --load-all` / `ipsec auto --replace CONN`) and look for policy install errors in the log; another tool flushing xfrm (`ip xfrm policy flush`) removes them too.' },
      RP_FILTER_STRICT: { severity: 'warning', message: 'Strict reverse-path filtering (rp_filter = 1) on {ifaces}: decrypted packets whose source is not routed back through the same interface are dropped silently.', hint: 'Use loose mode on the IPsec-facing interfaces: `sysctl -w net.ipv4.conf.all.rp_filter=2` and `net.ipv4.conf.IFACE.rp_filter=2` (persist in /etc/sysctl.d/).' },
      REDIRECTS_ENABLED: { severity: 'warning', message: 'ICMP redirects are enabled ({settings}): a gateway may redirect hosts around the tunnel, or accept redirects that bypass it.', hint: '`sysctl -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.all.accept_redirects=0` and the same for `default` (libreswan `ipsec verify` checks these).' },
      IP_FORWARD_DISABLED: { severity: 'error', message: 'IP forwarding is off (net.ipv4.ip_forward = 0) but this host tunnels for subnets {subnets}: decrypted traffic is never routed on.', hint: '`sysctl -w net.ipv4.ip_forward=1` (persist in /etc/sysctl.d/).' },
      PMTU_DISC_DISABLED: { severity: 'warning', stage: 'traffic', message: 'Path MTU discovery is disabled (net.ipv4.ip_no_pmtu_disc = {value}): packets are sent without DF and large ESP packets get fragmented or lost.', hint: '`sysctl -w net.ipv4.ip_no_pmtu_disc=0`.' },
      MSS_CLAMP_MISSING: { severity: 'warning', stage: 'traffic', message: 'This gateway forwards for {subnets} but no firewall rule clamps the TCP MSS ({rulesets}): TCP through the tunnel stalls on large segments when ICMP is filtered on the path.', hint: 'Iptables: `iptables -t mangle -A FORWARD -m policy --pol ipsec --dir out -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu` (and `--dir in`); nft: `tcp flags syn / syn,rst tcp option maxseg size set rt mtu` in a forward chain.' },
    },
  },
  run(ctx) {
    const host = ctx.evidence.host;
    if (!host) return;
    skipped(ctx, host);
    daemon(ctx, host);
    xfrm(ctx, host);
    sysctls(ctx, host);
  },
});

function skipped(ctx: CheckContext, host: HostFacts): void {
  const ok = new Set(host.probes.filter((p) => p.status === 'ok').map((p) => p.id));
  for (const p of host.probes) {
    if (p.status === 'ok' || ok.has(p.id)) continue;
    ctx.report({ code: 'HOST_PROBE_SKIPPED', data: { probe: p.id, command: p.command, reason: p.reason ?? p.status }, evidence: [{ source: 'host', command: p.command, excerpt: p.reason ?? p.status }] });
  }
}

function daemon(ctx: CheckContext, host: HostFacts): void {
  if (!host.daemons) return;
  if (!host.daemons.length) {
    ctx.report({ code: 'DAEMON_NOT_RUNNING', data: {}, evidence: [probeRef(host, 'processes', 'no charon, charon-systemd or pluto process')] });
    return;
  }
  const daemons = [...new Set(host.daemons.map((d) => `${d.name} (pid ${d.pid})`))].slice(0, 4).join(', ');
  ctx.report({ code: 'HOST_DAEMON_RUNNING', data: { daemons, version: host.version ?? 'unknown' }, evidence: [probeRef(host, 'processes', host.daemons.map((d) => `${d.pid} ${d.name} ${d.args}`).join('\n'))] });
  if (!host.sockets) return;
  const ports = new Set(host.sockets.map((s) => s.port));
  const missing = [500, 4500].filter((p) => !ports.has(p));
  if (!missing.length) return;
  ctx.report({
    code: 'DAEMON_NOT_LISTENING',
    severity: missing.includes(500) ? undefined : 'warning',
    data: { daemons, missing: missing.join(' and '), effect: missing.includes(500) ? 'get no answer (or an ICMP port unreachable)' : 'behind a NAT (UDP 4500, RFC 3948) get no answer' },
    evidence: [probeRef(host, 'sockets', host.sockets.map((s) => s.line).join('\n') || '(no UDP socket on port 500 or 4500)')],
  });
}

function xfrm(ctx: CheckContext, host: HostFacts): void {
  if (!host.xfrmPolicies || !host.xfrmStates) return;
  const policies = host.xfrmPolicies;
  const listing = policies.map((p) => `${p.line} dir ${p.dir}`).join('\n') || '(no xfrm policy)';
  for (const s of host.xfrmStates) {
    if (s.reqid === undefined || policies.some((p) => p.tmpl?.reqid === s.reqid)) continue;
    ctx.report({
      code: 'XFRM_POLICY_MISSING',
      data: { what: `SA ${s.proto} spi ${s.spi} ${s.src} → ${s.dst} (reqid ${s.reqid}) is installed`, expected: `uses reqid ${s.reqid}` },
      evidence: [probeRef(host, 'xfrm-state', `src ${s.src} dst ${s.dst} proto ${s.proto} spi ${s.spi} reqid ${s.reqid}`), probeRef(host, 'xfrm-policy', listing)],
    });
  }
  for (const t of trappedChildren(ctx.evidence)) {
    if (policies.some((p) => p.dir === 'out' && p.src === t.local && p.dst === t.remote)) continue;
    ctx.report({
      code: 'XFRM_POLICY_MISSING',
      data: { what: `${t.conn}/${t.child} is configured with a trap policy`, expected: `src ${t.local} dst ${t.remote} dir out` },
      evidence: [t.at, probeRef(host, 'xfrm-policy', listing)],
    });
  }
}

function sysctls(ctx: CheckContext, host: HostFacts): void {
  const s = host.sysctls;
  if (!s) return;
  const ref = (excerpt: string) => probeRef(host, 'sysctl', excerpt);
  const rp = strictRpFilter(s);
  if (rp.ifaces.length) ctx.report({ code: 'RP_FILTER_STRICT', data: { ifaces: rp.ifaces }, evidence: [ref(rp.lines.join('\n'))] });
  const redirects = redirectsOn(s);
  if (redirects.length) ctx.report({ code: 'REDIRECTS_ENABLED', data: { settings: redirects.map((l) => l.split(' ')[0].replace('net.ipv4.conf.', '')) }, evidence: [ref(redirects.join('\n'))] });
  if (s['net.ipv4.ip_no_pmtu_disc'] !== undefined && s['net.ipv4.ip_no_pmtu_disc'] !== '0') {
    ctx.report({ code: 'PMTU_DISC_DISABLED', data: { value: s['net.ipv4.ip_no_pmtu_disc'] }, evidence: [ref(`net.ipv4.ip_no_pmtu_disc = ${s['net.ipv4.ip_no_pmtu_disc']}`)] });
  }
  const subnets = gatewaySubnets(ctx.evidence);
  if (!subnets.length) return;
  if (s['net.ipv4.ip_forward'] === '0') {
    ctx.report({ code: 'IP_FORWARD_DISABLED', data: { subnets }, evidence: [ref('net.ipv4.ip_forward = 0')] });
    return;
  }
  const live = (ctx.evidence.rulesets ?? []).filter((r) => host.rulesetSources?.includes(r.source));
  if (!live.length || live.some((r) => r.tables.some((t) => t.chains.some((c) => c.rules.some((x) => x.action.clampMss !== undefined))))) return;
  ctx.report({ code: 'MSS_CLAMP_MISSING', data: { subnets, rulesets: live.map((r) => r.source) }, evidence: [ref(`net.ipv4.ip_forward = ${s['net.ipv4.ip_forward'] ?? '?'}`), ...live.map((r) => probeRef(host, r.type === 'nft-json' ? 'nft' : r.type, `${r.tables.length} tables, no TCPMSS / maxseg rule`))] });
}
