import type { PeerConfig } from './strongswan-config.js';

export type Side = 'left' | 'right';

/** One ping run through the tunnel, between the inner addresses. */
export interface TrafficStep {
  from: Side;
  /** ICMP payload bytes (ping -s) */
  size: number;
  count: number;
  /** set DF on the inner packet (ping -M do) */
  df: boolean;
  /** the fault must eat every one of these pings (otherwise every one must be answered) */
  expectLost?: boolean;
}

/** The input combinations ipsec-doctor is run on for each scenario. */
export type InputKind =
  | 'responderLog' | 'initiatorLog' | 'bothLogs' | 'leftPcap' | 'middlePcap' | 'leftInnerPcap' | 'configs' | 'middleRuleset' | 'middleRulesetJson'
  /** both peers' `swanctl --list-sas`; the left one with the left capture of the same run */
  | 'bothTables' | 'leftTableAndPcap';

export interface CodeExpectation {
  codes?: string[];
  absent?: string[];
  /** what a reader of the sample's README should know about these codes (shown after them in its table) */
  note?: string;
}

export interface Scenario {
  name: string;
  title: string;
  /** what the middle box / configs inject, for the sample README */
  injected: string;
  /** overrides of the left (initiator) and right (responder) peer configs */
  left?: Partial<PeerConfig>;
  right?: Partial<PeerConfig>;
  auth?: 'psk' | 'cert';
  farLinkMtu?: number;
  /** nft script loaded on the middle box before the initiator starts */
  faultBefore?: string;
  /** nft script loaded on the middle box once the tunnel is up */
  faultAfter?: string;
  traffic: TrafficStep[];
  /** traffic sent after faultAfter (before it when there is no faultAfter: see `traffic`) */
  trafficAfterFault?: TrafficStep[];
  /** time to let timers (DPD, retransmits) run out after the traffic */
  settleMs?: number;
  /** does the initiator's `swanctl --initiate` succeed? */
  establishes: boolean;
  /** is a CHILD_SA still INSTALLED on the initiator at the end? (default: `establishes`) */
  installedAtEnd?: boolean;
  /** run `ipsec-doctor --live` in the left namespace during this scenario */
  live?: boolean;
  /** run the `--host` probes in the left peer's namespaces while both daemons run; asserted in lab.test.ts */
  hostAudit?: boolean;
  /** expected finding codes per input; asserted when a check registers the code */
  expect: Partial<Record<InputKind, CodeExpectation>>;
}
