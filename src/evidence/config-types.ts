/** Facts decoded from IKE daemon configuration (swanctl.conf, ipsec.conf). Filled by config decoders. */
export interface ConfigFacts {
  source: string;
  type: string;
}
