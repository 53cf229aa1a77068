/**
 * SA state tables with counters, as every platform prints them: strongSwan
 * `swanctl --list-sas` / `ipsec statusall`, Linux `ip -s xfrm state` / `ip -s xfrm
 * policy`, libreswan `ipsec trafficstatus` / `ipsec status`, and later vendors'
 * (PAN-OS `show vpn ipsec-sa`, F5 `Sys::Connections`, Cisco `show crypto ipsec sa`).
 *
 * The readers (src/platforms/<id>/) record what the table says, never judge: "packets
 * out grow, packets in stay 0" is the checks' call, the same whoever printed it. A
 * value the table does not print is left undefined, never 0 — `ip xfrm state` without
 * `-s` has no counters, and saying "0 packets" for it would be a claim the table
 * does not make.
 *
 * Keys never enter this model: `ip xfrm state` prints `enc`/`auth`/`aead` keys, and the
 * readers keep the algorithm name only.
 */
import type { Diagnostic, EvidenceRef } from './types.js';

export type SaTableFormat =
  | 'swanctl-list-sas'
  | 'swanctl-list-sas-raw'
  | 'ipsec-statusall'
  | 'ip-xfrm-state'
  | 'ip-xfrm-policy'
  | 'libreswan-trafficstatus'
  | 'libreswan-status'
  | 'panos-show-vpn-ike-sa'
  | 'panos-show-vpn-ike-sa-detail'
  | 'panos-show-vpn-ipsec-sa'
  | 'panos-show-vpn-flow'
  | 'panos-show-vpn-gateway'
  | 'panos-show-vpn-tunnel'
  | 'f5-show-net-ipsec'
  | 'f5-show-net-ike-sa'
  | 'f5-racoonctl-show-sa'
  | 'f5-sys-connection';

/** One end of an SA: address as printed (IPv4/IPv6), port when printed, identity when printed. */
export interface SaEndpoint {
  address?: string;
  port?: number;
  /** IKE identity as printed (`left.example`, `C=CH, O=…, CN=moon`, `@east`) */
  id?: string;
}

export interface TableIkeSa {
  /** the header line of this IKE SA in the table */
  at: EvidenceRef;
  /** connection name (`lab`, `westnet-eastnet`) */
  name?: string;
  /** daemon's unique id (`#1`, `[1]`, libreswan serial `#3`) as a string */
  uniqueId?: string;
  /** state as printed: ESTABLISHED, CONNECTING, REKEYING, DELETING, STATE_V2_ESTABLISHED_IKE_SA, … */
  state: string;
  /** the reader's reading of `state`: the IKE SA is up */
  established: boolean;
  version?: 1 | 2;
  local?: SaEndpoint;
  remote?: SaEndpoint;
  /** IKE SPIs (cookies) as printed, lower-case hex without 0x */
  spiInitiator?: string;
  spiResponder?: string;
  /** which side this host is: the `*` after the SPI in swanctl, `#N: initiator` … */
  role?: 'initiator' | 'responder';
  /** algorithms as printed (`AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048`) */
  algorithms?: string;
  /**
   * Child SAs (phase 2) this IKE SA has negotiated, where the table counts them instead of
   * listing them: racoonctl's `Phase2` column, ipsec-tools' ph1handle.ph2cnt, counted up when a
   * Quick Mode SA is established under the phase 1 and never down
   */
  childSasNegotiated?: number;
  /** seconds since establishment, when printed */
  ageSeconds?: number;
  rekeySeconds?: number;
  reauthSeconds?: number;
}

/** One direction of a Child SA: one SPI, one kernel state. */
export interface SaDirection {
  /**
   * SPI, lower-case hex, 8 digits, no 0x (`bee6676c`); undefined where the table does not
   * print it (libreswan's trafficstatus counts bytes per direction but names no SPI)
   */
  spi?: string;
  /** outer source and destination of this direction's packets, when printed */
  src?: string;
  dst?: string;
  bytes?: number;
  packets?: number;
  /** seconds since the last packet, when printed (`1s ago`; xfrm `use` time relative to the table) */
  idleSeconds?: number;
  /** the lines that print this direction's counters where they name no SPI (PAN-OS `encap packets:` / `decap packets:`) */
  countedAt?: EvidenceRef[];
}

export interface TableChildSa {
  /** the first line of this Child SA (or kernel state) in the table */
  at: EvidenceRef;
  /** more lines that carry its counters / selectors, for evidence */
  lines?: EvidenceRef[];
  /** index into SaTable.ikeSas of the IKE SA this Child SA belongs to, when the table nests them */
  ikeSa?: number;
  /** child / connection name (`net`, `westnet-eastnet`) */
  name?: string;
  uniqueId?: string;
  /** kernel request id (swanctl `reqid 1`, xfrm `reqid 1`), pairs the two directions */
  reqid?: number;
  /** state as printed: INSTALLED, REKEYED, STATE_V2_ESTABLISHED_CHILD_SA, xfrm has none (`installed`) */
  state: string;
  /** the SA is in the kernel and carries traffic */
  installed: boolean;
  protocol: 'esp' | 'ah' | 'ipcomp';
  mode?: 'tunnel' | 'transport' | 'beet';
  /** ESP in UDP (NAT-T): swanctl `TUNNEL-in-UDP`, xfrm `encap type espinudp` */
  udpEncap?: boolean;
  algorithms?: string;
  /**
   * The directions, as the table knows them. swanctl and libreswan print both with
   * their direction. `ip xfrm state` prints each kernel state alone and does not say
   * which is inbound: the reader puts it in `unpaired` and leaves in/out undefined
   * (the derived view decides the direction from the host's addresses).
   */
  in?: SaDirection;
  out?: SaDirection;
  unpaired?: SaDirection;
  /** traffic selectors as printed (`10.1.0.0/24`, `10.1.0.0/24[tcp/443]`, `0.0.0.0/0`) */
  localTs: string[];
  remoteTs: string[];
  ageSeconds?: number;
  rekeySeconds?: number;
  expiresSeconds?: number;
}

/** A kernel policy (`ip xfrm policy`): selectors, direction and the template that names the SA endpoints. */
export interface TablePolicy {
  at: EvidenceRef;
  src: string;
  dst: string;
  /** upper protocol / ports as printed (`proto tcp sport 443`) */
  upper?: string;
  dir: 'in' | 'out' | 'fwd';
  priority?: number;
  /** `action block` policies drop; default allow */
  action: 'allow' | 'block';
  /** tmpl src/dst (tunnel endpoints), proto, mode, reqid */
  tmpl?: { src?: string; dst?: string; protocol?: 'esp' | 'ah' | 'ipcomp'; mode?: 'tunnel' | 'transport' | 'beet'; reqid?: number };
  bytes?: number;
  packets?: number;
}

/**
 * One row of a middle box's connection (flow) table, F5 `tmsh show sys connection`
 * (`Sys::Connections`): the flow as the box tracks it, client side and server side. A box
 * that tracks ESP per direction (BIG-IP with `ipsec.lookupspi` enabled) has one row per
 * direction; ESP and AH carry no ports (RFC 4303 §2), so the "ports" printed for them are the
 * box's own keys (SPI-derived numbers, `any`, or 0) and are kept as printed.
 */
export interface TableFlow {
  at: EvidenceRef;
  /** lower-case protocol as printed: udp, tcp, esp, ah, icmp */
  protocol: string;
  /** client side: the packet's source and destination as the flow was created */
  client: { src: string; srcPort?: string; dst: string; dstPort?: string };
  /** server side (after any address translation) */
  server: { src: string; srcPort?: string; dst: string; dstPort?: string };
  idleSeconds?: number;
}

export interface SaTable {
  /** path of the input */
  source: string;
  format: SaTableFormat;
  /** platform id whose reader produced it: strongswan, linux, libreswan, … */
  platform: string;
  ikeSas: TableIkeSa[];
  childSas: TableChildSa[];
  policies: TablePolicy[];
  /** a middle box's flow table (F5 `Sys::Connections`), when the input is one; an empty list is a table that lists no flow */
  flows?: TableFlow[];
  /**
   * the input lists every Child SA of its IKE SAs (a Child SA section, even an empty one), so
   * an IKE SA with none listed has none; undefined for formats that always do (swanctl,
   * statusall, libreswan status) or never can tell (a table of IKE SAs alone)
   */
  listsChildSas?: boolean;
  /** lines read; a table is a snapshot, and "up long enough" is judged by each SA's own age */
  lines: number;
  /** lines that belong to the table's format but carry nothing modelled (blank, headers) */
  otherLines: number;
  /** lines the reader did not understand */
  unparsed: number;
}

/** What a reader returns for one input. */
export interface SaTableRead {
  table: SaTable;
  diagnostics: Diagnostic[];
}

/**
 * A reader for one table format. `sniff` looks at the first lines (at most ~50) and
 * says how many of them are unmistakably this format's (0: not this format); `read`
 * takes every line in order and never throws.
 */
export interface SaTableReader {
  format: SaTableFormat;
  /** human name for the inputs table: "strongSwan swanctl --list-sas" */
  name: string;
  sniff(lines: readonly string[]): number;
  read(lines: Iterable<string>, source: string): SaTableRead;
}
