/**
 * The one Evidence object: everything the decoders produced, each item with its
 * location. Checks read it; nothing else writes to it after build.
 */
import type { LogEvent } from './log-events.js';
import type { PacketEvidence } from './packet-types.js';
import type { ConfigFacts } from './config-types.js';
import type { Ruleset } from './ruleset-types.js';
import type { HostFacts } from './host-types.js';
import type { SaTable } from './sa-table-types.js';
import type { IpvsFacts } from './ipvs-types.js';

export type Severity = 'info' | 'warning' | 'error';

/** Where a piece of evidence came from: a file and line, a capture and frame, or a command. */
export interface Location {
  source: string;
  line?: number;
  frame?: number;
  /** the command whose output holds the evidence (host probes) */
  command?: string;
}

export interface EvidenceRef extends Location {
  excerpt: string;
}

/** Something a decoder could not read, with where it was. Never fatal. */
export interface Diagnostic {
  at: Location;
  decoder: string;
  message: string;
}

export type InputKind = 'log' | 'pcap' | 'live' | 'config' | 'ruleset' | 'host' | 'table';

export interface InputInfo {
  kind: InputKind;
  path: string;
  /** log dialect, capture format, config type, … as detected or forced */
  dialect?: string;
  lines?: number;
  unparsed?: number;
  packets?: number;
  /** what the reader found out about the input, in words (a central log's hosts: "host moon of central.log, which holds …") */
  note?: string;
  /** free-form counters a source wants to show (libpcap drops, truncated records, …) */
  counters?: Record<string, number>;
  /** how much of the input was used (docs/report-schema.md "Input coverage"; src/evidence/coverage.ts) */
  coverage?: InputCoverage;
}

/**
 * How much of one input ipsec-doctor used, in the input's own unit. `events`: lines read
 * as IKE events, frames decoded as IKE/ESP/AH/NAT-T keepalives/ICMP errors, config lines
 * read into settings, rules read, SA-table lines read as SAs; `other`: lines of a dialect
 * it reads that are not events (start-up, plugin lists), frames decoded but not IPsec;
 * `notUnderstood`: the rest. events + other + notUnderstood = total.
 */
export interface InputCoverage {
  unit: 'line' | 'frame' | 'row' | 'rule' | 'entry';
  total: number;
  events: number;
  /** of `events`, the lines that gave a middle box's firewall decisions (F5 AFM), not IKE events */
  decisions?: number;
  other: number;
  notUnderstood: number;
}

export interface EvidenceOptions {
  /** addresses the user says are this side (--local) */
  local: string[];
  /** addresses the user says are the far side (--peer) */
  peer: string[];
}

export interface Evidence {
  inputs: InputInfo[];
  logEvents?: LogEvent[];
  packets?: PacketEvidence;
  configs?: ConfigFacts[];
  rulesets?: Ruleset[];
  host?: HostFacts;
  /** SA state tables with counters (swanctl --list-sas, ip -s xfrm state, ipsec trafficstatus, …) */
  saTables?: SaTable[];
  /** IPVS (LVS) directors' virtual services: ipvsadm -S -n / -L -n, keepalived.conf virtual_server */
  ipvs?: IpvsFacts[];
  diagnostics: Diagnostic[];
  options: EvidenceOptions;
}

/** The evidence kinds a check may require. */
export type EvidenceKind = 'logEvents' | 'packets' | 'configs' | 'rulesets' | 'host' | 'saTables' | 'ipvs';
