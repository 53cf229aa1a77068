/**
 * A box between the IPsec peers that keeps flows of its own and decides per flow: F5 BIG-IP
 * with the Advanced Firewall Manager in passthrough. Its rules are a Ruleset (one forward
 * chain per firewall context, evaluated first match); this holds what a ruleset cannot say —
 * how the box tracks ESP, the virtual servers that carry IPsec, and its default action.
 *
 * The reader (src/platforms/f5/) records what the configuration says, with the vendor's
 * default where a value is not written (marked `implicit`); whether any of it breaks the
 * tunnel is a check's call (checks/middle-box.ts).
 */
import type { EvidenceRef } from './types.js';

export interface MiddleBoxValue<T> {
  value: T;
  at: EvidenceRef;
  /** not written in the input: the vendor's documented default applies */
  implicit?: boolean;
}

/** A virtual server: the object through which a BIG-IP passes traffic at all (LTM is default deny). */
export interface VirtualService {
  name: string;
  at: EvidenceRef;
  /** destination as written (`0.0.0.0:any`, `2.2.2.2:500`, `/Common/10.0.0.1:isakmp`) */
  destination?: string;
  /** the destination's port as written (`any`, `500`, `isakmp`), when it has one */
  destinationPort?: string;
  /** `source` as written (`0.0.0.0/0`) */
  source?: string;
  /** `ip-protocol` as written (`udp`, `any`), when written */
  protocol?: string;
  /**
   * What carries the flows: a FastL4 profile (`fastL4`, or a profile named after it), a
   * Standard server (a full proxy: tcp/udp profiles), or an IP forwarding server (`ip-forward`).
   * Custom profile names that do not say what they are derive from leave it `unknown`.
   */
  kind: 'fastl4' | 'standard' | 'forwarding' | 'unknown';
  profiles: string[];
  /** the IPsec ALG profile (`ipsecalg`, or one named after it) attached to it */
  ipsecAlg?: EvidenceRef;
  /** `translate-address`: BIG-IP's default for a Standard server is enabled (K04116537) */
  translateAddress?: MiddleBoxValue<boolean>;
  pool?: MiddleBoxValue<string>;
  disabled?: boolean;
}

export interface MiddleBoxFacts {
  /** the product, for messages: "F5 BIG-IP" */
  product: string;
  /** the box's name when the input says (a hostname in a prompt or `sys global-settings`) */
  name?: string;
  /**
   * How ESP is tracked: one flow per direction (BIG-IP `ipsec.lookupspi` enabled, the default),
   * so each direction needs a rule that lets it create its flow; or one flow for both directions.
   */
  espFlows?: MiddleBoxValue<'per-direction' | 'bidirectional'>;
  virtualServers: VirtualService[];
  /** the single hosts the box's IKE/ESP/AH rules name: the peers it passes IPsec between */
  ruleHosts: string[];
}
