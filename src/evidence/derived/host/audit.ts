/**
 * Views of HostFacts for the host check: evidence refs that cite the probe command,
 * effective per-interface sysctls (the kernel uses max(all, iface) for rp_filter —
 * Documentation/networking/ip-sysctl.rst), and which configured selectors are
 * subnets (a gateway: needs forwarding and MSS clamping).
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { HostFacts } from '../../host-types.js';

export function probeRef(host: HostFacts, id: string, excerpt: string): EvidenceRef {
  const p = host.probes.find((x) => x.id === id && x.status === 'ok') ?? host.probes.find((x) => x.id === id);
  return { source: 'host', command: p?.command ?? id, excerpt };
}

/** Interfaces whose effective rp_filter is 1 (strict), with the lines that make it so. */
export function strictRpFilter(sysctls: Record<string, string>): { ifaces: string[]; lines: string[] } {
  const all = Number(sysctls['net.ipv4.conf.all.rp_filter'] ?? 0);
  const ifaces: string[] = [];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(sysctls)) {
    const m = /^net\.ipv4\.conf\.([^.]+)\.rp_filter$/.exec(k);
    if (!m || m[1] === 'all' || m[1] === 'default' || m[1] === 'lo') continue;
    if (Math.max(all, Number(v)) === 1) {
      ifaces.push(m[1]);
      lines.push(`${k} = ${v}`);
    }
  }
  if (all === 1) lines.unshift(`net.ipv4.conf.all.rp_filter = 1`);
  return { ifaces, lines };
}

/** all/default redirect settings that are on */
export function redirectsOn(sysctls: Record<string, string>): string[] {
  return Object.entries(sysctls)
    .filter(([k, v]) => /^net\.ipv4\.conf\.(all|default)\.(accept|send)_redirects$/.test(k) && v.trim() === '1')
    .map(([k, v]) => `${k} = ${v}`);
}

/** Configured selectors that are networks, not single hosts: this box routes for them. */
export function gatewaySubnets(evidence: Evidence): string[] {
  const out = new Set<string>();
  for (const f of evidence.configs ?? []) {
    for (const c of f.connections) for (const ch of c.children) for (const ts of ch.localTs.value) if (/\/(?!32$|128$)\d+$/.test(ts) && !/^0\.0\.0\.0\/0$|^::\/0$/.test(ts)) out.add(ts);
  }
  for (const p of evidence.host?.xfrmPolicies ?? []) if (p.dir === 'fwd' && /\/(?!32$|128$)\d+$/.test(p.dst)) out.add(p.dst);
  return [...out];
}

/** Configured children whose policies the daemon installs at load time (`start_action = trap`, ipsec.conf `auto=route`). */
export function trappedChildren(evidence: Evidence): Array<{ conn: string; child: string; local: string; remote: string; at: EvidenceRef }> {
  const out: Array<{ conn: string; child: string; local: string; remote: string; at: EvidenceRef }> = [];
  for (const f of evidence.configs ?? []) {
    for (const c of f.connections) {
      for (const ch of c.children) {
        if (!/trap/.test(ch.startAction.value)) continue;
        for (const l of ch.localTs.value) for (const r of ch.remoteTs.value) {
          if (/\//.test(l) && /\//.test(r)) out.push({ conn: c.name, child: ch.name, local: l, remote: r, at: { ...ch.startAction.at, excerpt: ch.startAction.excerpt } });
        }
      }
    }
  }
  return out;
}
