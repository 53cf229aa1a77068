/**
 * Facts decoded from IKE daemon configuration: strongSwan swanctl.conf, ipsec.conf
 * as written for strongSwan (starter/stroke) and for libreswan/openswan (pluto),
 * the secrets files, and a Palo Alto Networks firewall's running configuration (XML or
 * `set` commands: one connection per IKE gateway, its IPsec tunnels' proxy IDs as
 * children). Filled by the config readers of src/platforms/<id>/.
 *
 * Every value is a `Setting`: what the daemon will use, where it was written (or
 * that it is the daemon's documented default), and the line as written. Decoders
 * record what the file says and what the daemon does with it by default; they
 * never judge (whether "no DPD" is a problem is a check's call).
 *
 * Secret values (PSKs, EAP/XAUTH passwords, private-key passphrases, PINs) never
 * enter this model: a SecretEntry says that a secret exists, of which type, for
 * which ids — nothing more.
 */
import type { Location } from './types.js';
import type { SecretDigest } from './secret-digest.js';

/** `panos-xml`: PAN-OS running-config XML (`show config running`, an exported config); `panos-set`: the same as `set` commands */
export type ConfigType = 'swanctl' | 'ipsec.conf' | 'ipsec.secrets' | 'panos-xml' | 'panos-set';
/** which daemon reads the file; decides defaults and which keywords mean what (`panos`: a Palo Alto Networks firewall's ikemgr) */
export type ConfigDialect = 'strongswan' | 'libreswan' | 'panos';

export interface Setting<T> {
  value: T;
  at: Location;
  /** the line as written (secret-free by construction); for a default, the section header */
  excerpt: string;
  /** true when not written: the daemon's documented default for this dialect and version */
  implicit?: boolean;
  /** the keyword as written (`dpd_delay`, `dpddelay`, `rightsubnets`, …), for hints */
  key?: string;
}

/** IKE version: 0 = either (swanctl `version = 0`, strongSwan `keyexchange=ike`). */
export type IkeVersion = 0 | 1 | 2;

/** One authentication round of one end (swanctl `local-N {}` / `remote-N {}`; ipsec.conf has one, plus `leftauth2`). */
export interface AuthRound {
  /** swanctl section name (`local`, `local-2`) or `left`/`right` */
  name: string;
  /** as written: psk, pubkey, rsa, ecdsa, eap-mschapv2, xauth, secret, rsasig, null, … */
  auth: Setting<string>;
  /** the identity as written (`moon.strongswan.org`, `@west`, `"C=CH, O=…"`); absent = the daemon's default */
  id?: Setting<string>;
  certs?: Setting<string[]>;
  /** public keys configured inline or by file (libreswan leftrsasigkey, swanctl pubkeys): presence only */
  pubkeys?: Setting<string[]>;
}

export interface EndConfig {
  /** swanctl local_addrs/remote_addrs, ipsec.conf left=/right= (`%any`, `%defaultroute`, names kept as written) */
  addrs: Setting<string[]>;
  rounds: AuthRound[];
  /** ipsec.conf leftsubnet(s)/rightsubnet(s); swanctl keeps them per child */
  ts?: Setting<string[]>;
  /** leftupdown=, swanctl children.x.updown is on the child */
  updown?: Setting<string>;
  /** strongSwan leftfirewall=yes (the default updown inserts iptables rules) */
  firewall?: Setting<boolean>;
  /** ipsec.conf leftsourceip / swanctl vips */
  sourceIp?: Setting<string[]>;
}

export interface DpdConfig {
  /** seconds between DPD / IKEv2 liveness checks; 0 = off */
  delay: Setting<number>;
  /** seconds (IKEv1 DPD timeout); undefined where the dialect has none */
  timeout?: Setting<number>;
  /**
   * strongSwan: clear|trap|restart|none (ipsec.conf also hold); swanctl keeps it per child,
   * so this is the connection-level keyword for ipsec.conf dialects only
   */
  action?: Setting<string>;
}

export interface ChildConfig {
  name: string;
  at: Location;
  excerpt: string;
  /** selectors as written: CIDR, ranges, `dynamic`, `%dynamic`, with optional `[proto/port]` */
  localTs: Setting<string[]>;
  remoteTs: Setting<string[]>;
  /** ESP proposals as written, split on commas; `default` kept as a keyword */
  espProposals: Setting<string[]>;
  ahProposals?: Setting<string[]>;
  /** tunnel, transport, beet, pass, drop */
  mode: Setting<string>;
  /** swanctl: none|trap|start (combinable as `trap|start`); ipsec.conf `auto=` mapped: add→none, route→trap, start→start, ignore→ignore */
  startAction: Setting<string>;
  closeAction: Setting<string>;
  dpdAction: Setting<string>;
  /** seconds; 0 = never */
  rekeyTime: Setting<number>;
  lifeTime: Setting<number>;
  updown?: Setting<string>;
  /** ipsec.conf `pfs=no` (libreswan): no KE in CREATE_CHILD_SA */
  pfs?: Setting<boolean>;
  /** PAN-OS: the IPsec tunnel entry this child (one proxy ID, or the tunnel's 0.0.0.0/0 pair) belongs to */
  tunnel?: string;
  /** PAN-OS: the tunnel interface (`tunnel.1`) the IPsec tunnel is bound to; routes point at it */
  tunnelInterface?: Setting<string>;
  /** PAN-OS tunnel monitoring of this child's IPsec tunnel (shared by the tunnel's proxy-ID children) */
  tunnelMonitor?: TunnelMonitorConfig;
}

/**
 * PAN-OS tunnel monitoring (`set network tunnel ipsec T tunnel-monitor …` with the
 * monitor profile it names, `set network profiles monitor-profile P …`): ICMP probes
 * to a destination through the tunnel; after `threshold` lost probes `interval` seconds
 * apart the profile's action runs — `wait-recover` keeps the tunnel interface up,
 * `fail-over` disables it so routes move to a backup path (PAN-OS web interface help,
 * Network > Network Profiles > Monitor).
 */
export interface TunnelMonitorConfig {
  /** `tunnel-monitor enable`; a destination without it does not monitor */
  enabled: Setting<boolean>;
  destination?: Setting<string>;
  /** the proxy ID whose SA carries the probes (`tunnel-monitor proxy-id`) */
  proxyId?: Setting<string>;
  /** the monitor profile's name (`tunnel-monitor-profile`); absent = none selected */
  profile?: Setting<string>;
  /** wait-recover | fail-over */
  action?: Setting<string>;
  /** seconds between probes */
  interval?: Setting<number>;
  /** lost probes before the action */
  threshold?: Setting<number>;
}

/** A static route (PAN-OS virtual-router static-route): which destinations leave through which interface. */
export interface RouteConfig {
  name: string;
  destination: Setting<string>;
  interface?: Setting<string>;
  nexthop?: Setting<string>;
  metric?: Setting<number>;
}

export interface ConnectionConfig {
  name: string;
  at: Location;
  excerpt: string;
  /**
   * ipsec.conf does not say which end is this host: the daemon picks the end whose
   * address is on a local interface. `local` is `left` there and the views may swap.
   */
  symmetric: boolean;
  ikeVersion: Setting<IkeVersion>;
  local: EndConfig;
  remote: EndConfig;
  /** IKE proposals as written, split on commas */
  proposals: Setting<string[]>;
  /** strongSwan ipsec.conf `ike=…!`: only these; without `!` the daemon appends its defaults */
  proposalsStrict?: boolean;
  espStrict?: boolean;
  dpd: DpdConfig;
  /** swanctl `encap`, strongSwan `forceencaps`, libreswan `encapsulation` (yes|no|auto) */
  encap: Setting<string>;
  /** yes|no|accept|force */
  fragmentation: Setting<string>;
  /** 0 = forever (`%forever`) */
  keyingtries: Setting<number>;
  mobike?: Setting<boolean>;
  aggressive?: Setting<boolean>;
  /** IKE SA rekey interval, seconds (swanctl rekey_time, ipsec.conf ikelifetime minus margin) */
  ikeRekeyTime: Setting<number>;
  /** seconds; 0 = off */
  reauthTime?: Setting<number>;
  /** swanctl over_time / ipsec.conf ikelifetime: hard IKE SA lifetime, seconds */
  ikeLifeTime?: Setting<number>;
  children: ChildConfig[];
  /** ipsec.conf: only pulled into other conns by also= and without an auto= of its own (a building block, not loaded by itself) */
  template?: boolean;
  /** every keyword written for this connection (after also=/%default/templates), secret-free */
  keys: Record<string, Setting<string>>;
  /**
   * This end never initiates IKE, it only answers (PAN-OS `protocol-common passive-mode yes`).
   * Absent = the reader has no such switch; start actions say when the daemon initiates.
   */
  passive?: Setting<boolean>;
  /**
   * Whether this end does NAT traversal at all: NAT detection and UDP 4500 encapsulation
   * (PAN-OS `protocol-common nat-traversal enable`). Absent = the daemon's built-in
   * behaviour (strongSwan always detects NAT; libreswan unless `encapsulation=no`).
   */
  natTraversal?: Setting<boolean>;
  /** the gateway is switched off (PAN-OS `disabled yes`): loaded but never negotiates */
  disabled?: Setting<boolean>;
}

export type SecretType = 'PSK' | 'EAP' | 'XAUTH' | 'NTLM' | 'PPK' | 'RSA' | 'ECDSA' | 'PRIVATE' | 'PKCS8' | 'PKCS12' | 'PIN' | 'TOKEN' | 'P12' | 'BLISS' | 'UNKNOWN';

/** That a secret exists — never its value. */
export interface SecretEntry {
  type: SecretType;
  /** the ids it is for; empty = any (a `: PSK` line with no selector) */
  ids: string[];
  at: Location;
  /** the line with the value masked */
  excerpt: string;
  /** private-key file reference (RSA/ECDSA/private) when given: a path, not a secret */
  file?: string;
  /** a keyed digest of the value (./secret-digest.ts): compares two configs' keys, shows nothing */
  digest?: SecretDigest;
  /** the value is stored encrypted (PAN-OS `-AQ==…`, under the firewall's master key): not comparable */
  encrypted?: boolean;
}

export interface ConfigFacts {
  /** the top-level file given on the command line */
  source: string;
  type: ConfigType;
  dialect: ConfigDialect;
  /** the top-level file and every file it included */
  files: string[];
  connections: ConnectionConfig[];
  secrets: SecretEntry[];
  /** libreswan `config setup` / strongSwan `config setup` keys (ikev1-policy, plutodebug, …) */
  setup?: Record<string, Setting<string>>;
  /** static routes the config holds (PAN-OS virtual routers); absent = the format has none */
  routes?: RouteConfig[];
}
