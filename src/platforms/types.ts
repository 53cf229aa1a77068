/**
 * What a platform — an IKE implementation, a kernel, a firewall or a vendor box — can
 * be read from: one typed descriptor per folder under src/platforms/<id>/ (knip's
 * plugins are the model). Each reader turns one format that platform writes into
 * neutral evidence (src/evidence/): log events, config facts, rulesets, SA tables.
 * A platform never imports a check, and checks never import a platform
 * (test/conventions.test.ts): the same code means the same thing whoever printed it.
 */
import type { Diagnostic } from '../evidence/types.js';
import type { ConfigDialect, ConfigFacts } from '../evidence/config-types.js';
import type { Ruleset } from '../evidence/ruleset-types.js';
import type { SaTableReader } from '../evidence/sa-table-types.js';
import type { IpvsReader } from '../evidence/ipvs-types.js';
import type { LogDialect } from './log-dialect.js';
import type { IncludeResolver } from './freeswan/config-common.js';

/** An IKE daemon configuration format (swanctl.conf, ipsec.conf, ipsec.secrets). */
export interface ConfigReader {
  /** the `--config-type` value(s) that force this reader */
  types: readonly string[];
  /** human name for the inputs table and messages */
  name: string;
  /** whether the text is this format, judged on content with comments removed; the dialect when the format has several */
  detect(textWithoutComments: string, text: string): { dialect?: ConfigDialect } | undefined;
  decode(text: string, source: string, resolve: IncludeResolver, forcedType?: string): { facts: ConfigFacts; diagnostics: Diagnostic[] };
}

/** A firewall ruleset format (iptables-save, nft list ruleset, …). */
export interface RulesetReader {
  /** the `--config-type` value, also shown as the input's dialect */
  type: string;
  name: string;
  detect(text: string): boolean;
  decode(text: string, source: string): { ruleset: Ruleset; diagnostics: Diagnostic[] };
}

export interface PlatformDescriptor {
  /** the folder name: strongswan, libreswan, linux, netfilter, … */
  id: string;
  title: string;
  logs?: readonly LogDialect[];
  configs?: readonly ConfigReader[];
  rulesets?: readonly RulesetReader[];
  tables?: readonly SaTableReader[];
  /**
   * IPVS (LVS) virtual-service formats: a load-balancing director's configuration, not an
   * IKE daemon's (ConfigReader) and not a packet filter (RulesetReader). Named after the
   * kernel subsystem rather than "load balancers": the evidence it yields (ESP following
   * the UDP 500 entry, persistence templates, entry timeouts) is IPVS's own behaviour.
   */
  ipvs?: readonly IpvsReader[];
}
