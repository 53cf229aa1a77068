/**
 * Facts decoded from IKE daemon configuration: strongSwan swanctl.conf, ipsec.conf
 * as written for strongSwan (starter/stroke) and for libreswan/openswan (pluto),
 * and the secrets files. Filled by src/decoders/{swanctl-conf,ipsec-conf,secrets}.ts.
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

export type ConfigType = 'swanctl' | 'ipsec.conf' | 'ipsec.secrets';
/** which daemon reads the file; decides defaults and which keywords mean what */
export type ConfigDialect = 'strongswan' | 'libreswan';

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
}
