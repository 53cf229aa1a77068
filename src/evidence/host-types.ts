/**
 * Facts read from the local host by read-only probes (--host, the successor of
 * libreswan's removed `ipsec verify`). Every fact keeps the command whose output
 * shows it; a probe that could not run says why (not root, command missing) instead
 * of failing. Key material never enters this model: `ip xfrm state` is parsed into
 * selectors/SPIs/algorithms only, and any excerpt has hex keys masked.
 */

export interface ProbeRecord {
  /** short id: processes, version, sockets, xfrm-state, xfrm-policy, sysctl, iptables-save, ip6tables-save, nft, files, journal, route */
  id: string;
  /** the command line as run (or the file read) */
  command: string;
  status: 'ok' | 'skipped' | 'failed';
  /** why it was skipped or failed */
  reason?: string;
  /** the output lines worth citing, secret-free */
  excerpt?: string;
}

export interface DaemonProcess {
  pid: number;
  /** charon, charon-systemd, pluto, starter, … */
  name: string;
  args: string;
}

export interface UdpSocket {
  address: string;
  port: number;
  /** `users:(("charon",pid=1234,fd=13))` → charon */
  process?: string;
  line: string;
}

export interface XfrmStateFact {
  src: string;
  dst: string;
  proto: string;
  spi: string;
  reqid?: number;
  mode?: string;
  /** algorithm names only (`rfc4106(gcm(aes))`), never keys */
  algorithms: string[];
  encap?: string;
}

export interface XfrmPolicyFact {
  src: string;
  dst: string;
  dir: string;
  /** the template's tunnel endpoints and reqid, when present */
  tmpl?: { src?: string; dst?: string; proto?: string; reqid?: number; mode?: string };
  /** the policy header line as printed */
  line: string;
}

export interface HostFacts {
  probes: ProbeRecord[];
  daemons?: DaemonProcess[];
  /** `swanctl --version` / `ipsec --version` first line */
  version?: string;
  sockets?: UdpSocket[];
  xfrmStates?: XfrmStateFact[];
  xfrmPolicies?: XfrmPolicyFact[];
  /** `net.ipv4.conf.all.rp_filter` → value, as printed by sysctl */
  sysctls?: Record<string, string>;
  /** which probes' output went into evidence.rulesets / configs / logEvents (by source name) */
  rulesetSources?: string[];
  /** `ip route get PEER` for each peer the run knows: the interface that faces it */
  routes?: RouteFact[];
}

/** Where the kernel would send a packet to `to` (`ip route get`, ip-route(8)). */
export interface RouteFact {
  /** the address asked for, or `default` for the default route of `family` (`ip -4|-6 route show default`) */
  to: string;
  family?: 4 | 6;
  /** the outgoing interface (`dev`) */
  dev?: string;
  via?: string;
  src?: string;
  /** the address is this host's own (`local …` in the output) */
  local?: boolean;
  /** no route: the kernel's answer (`RTNETLINK answers: Network is unreachable`) */
  error?: string;
}
