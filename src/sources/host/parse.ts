/**
 * Pure parsers for host probe outputs (ps, ss, ip xfrm, sysctl). Total: lines they do
 * not recognise are skipped. `ip xfrm state` prints keys (`enc cbc(aes) 0x…`,
 * `aead rfc4106(gcm(aes)) 0x… 128`): only the algorithm names are kept.
 */
import type { DaemonProcess, RouteFact, UdpSocket, XfrmPolicyFact, XfrmStateFact } from '../../evidence/host-types.js';

const DAEMONS = /^(charon|charon-systemd|charon-nm|pluto|starter|iked|racoon)$/;

/** `ps -eo pid=,comm=,args=` */
export function parsePs(text: string): DaemonProcess[] {
  const out: DaemonProcess[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m && DAEMONS.test(m[2])) out.push({ pid: Number(m[1]), name: m[2], args: m[3].trim() });
  }
  return out;
}

/** `ss -uapnH`: `UNCONN 0 0 0.0.0.0:500 0.0.0.0:* users:(("charon",pid=1,fd=12))` */
export function parseSs(text: string): UdpSocket[] {
  const out: UdpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const local = f.find((x, i) => i >= 3 && /:(\d+|\*)$/.test(x));
    if (!local) continue;
    const m = /^(.*):(\d+)$/.exec(local);
    if (!m) continue;
    const proc = /users:\(\("([^"]+)"/.exec(line)?.[1];
    out.push({ address: m[1].replace(/^\[|\]$/g, '').replace(/%.*$/, ''), port: Number(m[2]), process: proc, line: line.trim() });
  }
  return out;
}

/** Long hex strings in xfrm output are keys (SPIs are 8 hex digits): never kept. */
export function maskKeys(text: string): string {
  return text.replace(/0x[0-9a-f]{16,}/gi, '0x<key masked>');
}

export function parseXfrmStates(text: string): XfrmStateFact[] {
  const out: XfrmStateFact[] = [];
  let cur: XfrmStateFact | undefined;
  for (const line of text.split('\n')) {
    const head = /^src (\S+) dst (\S+)\s*$/.exec(line);
    if (head) {
      cur = { src: head[1], dst: head[2], proto: '?', spi: '?', algorithms: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    const p = /^proto (\S+) spi (\S+)(?: reqid (\S+))?(?: mode (\S+))?/.exec(t);
    if (p) Object.assign(cur, { proto: p[1], spi: p[2], reqid: /^\d+$/.test(p[3] ?? '') ? Number(p[3]) : undefined, mode: p[4] });
    const alg = /^(enc|auth|auth-trunc|aead|comp) (\S+)/.exec(t);
    if (alg) cur.algorithms.push(`${alg[1]} ${alg[2]}`);
    const encap = /^encap type (\S+) sport (\d+) dport (\d+)/.exec(t);
    if (encap) cur.encap = `${encap[1]} ${encap[2]}→${encap[3]}`;
  }
  return out;
}

export function parseXfrmPolicies(text: string): XfrmPolicyFact[] {
  const out: XfrmPolicyFact[] = [];
  let cur: XfrmPolicyFact | undefined;
  for (const line of text.split('\n')) {
    const head = /^src (\S+) dst (\S+)/.exec(line);
    if (head) {
      cur = { src: head[1], dst: head[2], dir: '?', line: line.trim() };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    const dir = /^dir (\S+)/.exec(t);
    if (dir) cur.dir = dir[1];
    const tmpl = /^tmpl src (\S+) dst (\S+)/.exec(t);
    if (tmpl) cur.tmpl = { src: tmpl[1], dst: tmpl[2] };
    const p = /^proto (\S+)(?: spi \S+)?(?: reqid (\S+))?(?: mode (\S+))?/.exec(t);
    if (p && cur.tmpl) Object.assign(cur.tmpl, { proto: p[1], reqid: /^\d+$/.test(p[2] ?? '') ? Number(p[2]) : undefined, mode: p[3] });
  }
  // the kernel's per-socket bypass policies (`socket in/out`, no selector) are not tunnel policies
  return out.filter((p) => p.dir === 'in' || p.dir === 'out' || p.dir === 'fwd');
}

/** `sysctl` output: `net.ipv4.ip_forward = 1` */
export function parseSysctl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_.\-/]+)\s*=\s*(.*)$/i.exec(line.trim());
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}

/**
 * `ip -4|-6 route show default` (iproute2): `default via 203.0.113.254 dev eth0 proto dhcp src … metric 100`.
 * With several, the kernel lists them in table order, lowest metric first for the same prefix: the first one is used.
 * A multipath default (`default proto static metric 1024` then indented `nexthop via … dev …` lines) has no single
 * outside interface and gives none.
 */
export function parseDefaultRoute(family: 4 | 6, text: string): RouteFact | undefined {
  const first = text.split('\n').find((l) => /^default\b/.test(l));
  if (!first) return undefined;
  const words = first.trim().split(/\s+/);
  const out: RouteFact = { to: 'default', family };
  for (const key of ['dev', 'via', 'src'] as const) {
    const i = words.indexOf(key);
    if (i >= 0 && words[i + 1]) out[key] = words[i + 1];
  }
  return out.dev ? out : undefined;
}

/**
 * `ip route get ADDR` (iproute2): `198.51.100.7 via 203.0.113.254 dev eth0 src 203.0.113.1 uid 0`,
 * `local 203.0.113.1 dev lo src 203.0.113.1 uid 0`, IPv6 `2001:db8:2::7 from :: via 2001:db8:1::fe dev eth0 src … metric 1024 pref medium`.
 */
export function parseRouteGet(to: string, text: string): RouteFact {
  const first = text.split('\n').find((l) => l.trim()) ?? '';
  const words = first.trim().split(/\s+/);
  const out: RouteFact = { to };
  if (words[0] === 'local') out.local = true;
  for (const key of ['dev', 'via', 'src'] as const) {
    const i = words.indexOf(key);
    if (i >= 0 && words[i + 1]) out[key] = words[i + 1];
  }
  return out;
}
