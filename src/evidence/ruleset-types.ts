/** A firewall ruleset (iptables-save, nft list ruleset). Filled by ruleset decoders. */
export interface Ruleset {
  source: string;
  type: string;
}
