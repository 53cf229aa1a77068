/**
 * Packet evidence (issue: packet evidence). Filled by the pcap/pcapng/live decoders.
 * Memory grows with IKE messages, flows and SAs, never with the number of packets:
 * ESP is aggregated per SPI and direction.
 */
export interface PacketEvidence {
  /** placeholder until the packet decoders land; replaced by the full model */
  frames: number;
}
