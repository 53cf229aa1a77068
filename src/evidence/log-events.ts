/**
 * The normalised vocabulary that log decoders translate daemon lines into.
 *
 * A LogEvent records what the daemon *said* ("received NO_PROPOSAL_CHOSEN",
 * "retransmit 3 of request 0"), never a verdict: whether that is a mismatch, a
 * reachability problem or harmless is decided by the checks. Every dialect maps
 * its own wording onto these kinds so that one check serves strongSwan, libreswan
 * and vendor logs alike.
 *
 * Adding a kind: add it to LogEventData with a comment naming the daemon lines it
 * stands for. Never change the meaning of an existing kind.
 */
import type { Location } from './types.js';

export type Implementation = 'strongswan' | 'libreswan' | 'cisco-asa' | 'fortigate' | 'juniper-srx' | 'panos' | 'f5' | 'windows' | 'mikrotik' | 'cisco-ios';

export interface Endpoint {
  address: string;
  port?: number;
}

/** Which IKE phase a proposal/notify belongs to: IKE SA (phase 1) or CHILD SA (phase 2). */
export type Phase = 'ike' | 'child';

/** Who did it, seen from the daemon that wrote the log. */
export type Direction = 'sent' | 'received';

export interface LogEventData {
  /** We start a negotiation: charon "initiating IKE_SA x[1] to 1.2.3.4", pluto "initiating IKEv2 connection", "initiating Main Mode". */
  'initiate': { peer?: string; ikeVersion?: 1 | 2; mode?: 'main' | 'aggressive' | 'quick' | 'ikev2' | 'child' };
  /** The peer starts one with us: charon "<ip> is initiating an IKE_SA", pluto "responding to Main Mode", "processing IKE_SA_INIT request". */
  'respond': { peer?: string; ikeVersion?: 1 | 2; mode?: 'main' | 'aggressive' | 'quick' | 'ikev2' | 'child' };
  /** An IKE message generated or parsed: charon "generating IKE_AUTH request 1 [ IDi AUTH SA TSi TSr ]", pluto "sent IKE_SA_INIT request to 1.2.3.4:UDP/500". */
  'message': {
    direction: Direction;
    exchange: string;
    role?: 'request' | 'response';
    msgid?: number;
    /** payload shorthands as printed, e.g. ["SA","KE","No","N(NATD_S_IP)"] */
    payloads?: string[];
    /** notify names found in the payload list, normalised to the RFC 7296 names (NO_PROPOSAL_CHOSEN, …) */
    notifies?: string[];
    peer?: Endpoint;
  };
  /** A datagram on the wire: charon "sending packet: from A[500] to B[500] (464 bytes)". */
  'packet': { direction: Direction; local?: Endpoint; remote?: Endpoint; bytes?: number };
  /** Proposal lists: charon "received proposals: …", "configured proposals: …", "selected proposal: …"; pluto "no local proposal matches remote proposals …". */
  'proposals': { phase: Phase; source: 'received' | 'configured' | 'selected'; proposals: string[] };
  /** NO_PROPOSAL_CHOSEN sent, received or decided locally ("no acceptable proposal found"). */
  /**
   * `missing`: the transform type the daemon itself names as not offered by the peer (PAN-OS
   * "Configured encryption algorithm 'AES256-CBC' was not presented in the IKE proposal"):
   * encryption, integrity, PRF or DH/KE group, in TRANSFORM_TYPE_NAMES' words.
   */
  'no-proposal-chosen': { phase?: Phase; direction: Direction | 'local'; exchange?: string; reason?: string; missing?: string };
  /** INVALID_KE_PAYLOAD: "peer didn't accept DH group MODP_1536, it requested MODP_2048". */
  'invalid-ke': { direction: Direction; offered?: string; requested?: string };
  /** No IKE config / connection for this peer: charon "no IKE config found for A...B", pluto "no suitable connection". */
  /** `remotePort`: the source port of the peer's request, where the line prints it (PAN-OS `peer IP x[1929]`) */
  'no-config': { scope: 'ike' | 'peer' | 'child'; local?: string; remote?: string; detail?: string; remotePort?: number };
  /** charon "looking for peer configs matching A[idA]...B[idB]". */
  'peer-config-lookup': { local?: string; localId?: string; remote?: string; remoteId?: string };
  /** The peer presented an identity we did not expect: charon "IDir 'x' does not match to 'y'", pluto "peer ID … does not match expected …". */
  /** `from`: the address the peer's IKE packets came from, where the line prints it */
  'id-mismatch': { received?: string; expected?: string; detail?: string; from?: string };
  /** An identity seen in the exchange: pluto "processing … IDr", charon "received … ID". */
  'identity': { direction: Direction; id: string };
  /** Authentication outcome. method: psk/cert/eap when the line says; who: whose credential was being checked. */
  'auth': {
    ok: boolean;
    method?: 'psk' | 'cert' | 'eap' | 'unknown';
    /** 'local': we verified the peer; 'received': the peer told us (AUTHENTICATION_FAILED notify) */
    direction: Direction | 'local';
    reason?: string;
    id?: string;
    /** 'own': this host's own certificate handling failed (its credential missing or unusable, or no trust path it could build): no refusal came from the peer */
    whose?: 'own';
    /** what of its own this host lacks, when the line says: 'private-key' (it cannot sign its AUTH payload) */
    missing?: 'private-key';
  };
  /** Certificate status (OCSP/CRL) could not be established but auth may go on. */
  'cert-status': { ok: boolean; subject?: string; reason?: string };
  /** TS_UNACCEPTABLE / "traffic selectors … unacceptable" / Quick Mode INVALID_ID_INFORMATION. */
  'ts-unacceptable': { direction: Direction | 'local'; local?: string[]; remote?: string[]; exchange?: string };
  /** Selectors proposed or configured, when printed. */
  'ts': { source: 'proposed' | 'received' | 'configured' | 'selected'; local?: string[]; remote?: string[] };
  /** A retransmission: charon "retransmit 2 of request with message ID 0", pluto "retransmission; will wait 1 second". */
  'retransmit': { count?: number; msgid?: number; exchange?: string; waitSeconds?: number; peer?: Endpoint; /** pluto state name the retransmit happened in: STATE_MAIN_I1, IKE_SA_INIT_I, ESTABLISHED_IKE_SA (liveness) */ state?: string };
  /** Retransmissions exhausted: charon "giving up after 5 retransmits", pluto "10 second timeout exceeded after 5 retransmits". */
  'give-up': { retransmits?: number; seconds?: number; exchange?: string; state?: string; peer?: Endpoint; detail?: string };
  /** Dead peer detection / IKEv2 liveness fired and acted. */
  'dpd': { mechanism: 'dpd' | 'liveness'; outcome: 'timeout' | 'request' | 'ok'; action?: string; peer?: string };
  /** NAT detection result. */
  'nat': { localBehindNat?: boolean; remoteBehindNat?: boolean; fakeNat?: boolean; detail?: string };
  /** Port float to 4500 / ESP in UDP in use. */
  'nat-t-float': { from?: Endpoint; to?: Endpoint };
  /** IKE SA / ISAKMP SA established. */
  'ike-established': { ikeVersion?: 1 | 2; local?: string; localId?: string; remote?: string; remoteId?: string; spis?: string[]; detail?: string };
  /** CHILD SA / IPsec SA established. */
  'child-established': { name?: string; spis?: string[]; local?: string[]; remote?: string[]; mode?: string; encap?: boolean; detail?: string };
  /** A CHILD SA could not be built although the IKE SA is up: charon "failed to establish CHILD_SA, keeping IKE_SA". */
  'child-failed': { reason?: string };
  /** A whole negotiation failed with a reason the daemon printed (vendor "negotiation failed with error: …"). */
  'negotiation-failed': { phase?: Phase; reason: string; peer?: string };
  /** IKE fragmentation (RFC 7383 / IKEv1 fragments) sent, received or reassembled. */
  'ike-fragment': { direction: Direction; number?: number; total?: number; reassembled?: boolean };
  /** Fragmentation support announced or configured. */
  'fragmentation-support': { direction: Direction | 'local'; supported: boolean };
  /** Kernel/data plane refused an SA or policy. */
  'sa-install-failed': { what: string; detail?: string };
  /** An SA deleted or closed, with the reason if printed. */
  'sa-deleted': { what: 'ike' | 'child'; reason?: string; direction?: Direction | 'local'; spis?: string[] };
  /** Any other notify the daemon named (sent/received), normalised to the RFC name. */
  'notify': { direction: Direction; name: string; exchange?: string };
  /** A rekey collision or related event. */
  'rekey': { what: 'ike' | 'child'; outcome?: 'started' | 'collision' | 'done' };
  /** The kernel reported an ICMP error for an IKE packet we sent: pluto "ERROR: asynchronous network error report on eth0 (sport=4500) for message to B port 4500, complainant B: Connection refused [errno 111, origin ICMP type 3 code 3 (not authenticated)]". */
  'network-error': { detail: string; interface?: string; localPort?: number; to?: Endpoint; complainant?: string; errno?: number };
  /** The peer sent the same IKE request again (our answer was late or lost): Cisco ASA "%ASA-5-713202: IP = A, Duplicate first packet detected. Ignoring packet." */
  'peer-retransmit': { peer?: string; phase?: Phase; detail?: string };
  /** What the daemon did after a DPD/liveness timeout, printed on its own line after the 'dpd' timeout event: charon "restarting CHILD_SA net" (dpd_action=restart). */
  'dpd-action': { action: 'restart' | 'clear' | 'hold'; child?: string; peer?: string };
  /**
   * A middle-box firewall's decision on one packet, as its event log prints it (F5 BIG-IP AFM
   * "Network Event" 23003137: context, addresses, ports, protocol, rule, action, drop reason).
   * `verdict` is the action reduced to what happened to the packet; `flowCreated` is false when
   * the box says no flow was made for it (AFM's all-zero flow id).
   */
  'firewall-decision': {
    verdict: 'accept' | 'drop' | 'reject';
    /** the action as printed: "Accept decisively", "Reject", "Drop", "Accept" */
    action: string;
    /** upper-case protocol name as printed: UDP, TCP, ESP, AH, ICMP */
    protocol: string;
    src: Endpoint;
    dst: Endpoint;
    /** the rule that decided; `defaultRule` when the box's own default (AFM "(Default)") did */
    rule?: string;
    defaultRule?: boolean;
    /** where the rule sits: context type ("Global", "Virtual Server", "Route Domain", "Self IP") and name */
    contextType?: string;
    context?: string;
    policy?: string;
    /** why it was dropped, as printed ("Policy") */
    reason?: string;
    vlan?: string;
    flowId?: string;
    flowCreated?: boolean;
    /** the box that logged it (hostname field or syslog host) */
    box?: string;
  };
  /** A middle box deleted the flows of an IPsec passthrough (F5 /var/log/ltm "IPSEC_TEARDOWN", "IKE_TEARDOWN"): expected when flows are removed. */
  'flow-teardown': { what: 'ipsec' | 'ike'; protocol?: string; endpoints: Endpoint[] };
  /** The daemon got a message for an IKE SA it no longer has (F5 tmm "received a message to a dead IKE SA", "message to a nonexistent ike_sa"). */
  'stale-sa': { detail: string; peer?: string };
}

export type LogEventKind = keyof LogEventData;

export interface LogEvent<K extends LogEventKind = LogEventKind> {
  kind: K;
  at: Location;
  /** the raw line, trimmed and capped; secrets are never printed by the daemons we parse, but see report/secrets.ts */
  excerpt: string;
  impl: Implementation;
  /** timestamp as printed, when the line has one */
  time?: string;
  /** seconds since the epoch (or since an arbitrary origin within one file) when the timestamp could be parsed */
  t?: number;
  /** connection name: charon <conn|N>, pluto "conn" */
  conn?: string;
  /** SA key within the file: charon unique id, pluto state serial #N */
  sa?: string;
  /** pluto: the IKE/ISAKMP SA serial (#N) a Child/IPsec SA state belongs to, when the log names it ("Child SA #2", "using #1", "isakmp#1") */
  parentSa?: string;
  data: LogEventData[K];
}

/**
 * An event that is a middle box's verdict on a packet (F5 AFM), logged beside IKE events
 * but not one: the log checks and a log's coverage count IKE events without these.
 */
export function isFirewallDecision(e: LogEvent): boolean {
  return e.kind === 'firewall-decision';
}

/** Narrow an event list to one kind, typed. */
export function eventsOf<K extends LogEventKind>(events: readonly LogEvent[] | undefined, kind: K): LogEvent<K>[] {
  if (!events) return [];
  return events.filter((e): e is LogEvent<K> => e.kind === kind);
}
