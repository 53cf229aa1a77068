/**
 * cap reports the link type by name; files and the decoder speak LINKTYPE_ numbers
 * (https://www.tcpdump.org/linktypes.html). DLT_RAW is 12 or 14 depending on the
 * platform, but in a file it must be written as LINKTYPE_RAW 101.
 */
const LINKTYPE_BY_CAP_NAME: Record<string, number> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
};

/** undefined when the interface's link layer is one cap does not name */
export function linktypeFromCapName(name: string): number | undefined {
  return LINKTYPE_BY_CAP_NAME[name];
}

/**
 * cap does not pass libpcap's original length: when the snap length cut a frame,
 * recover the wire length from the IP header so --write records it honestly.
 */
export function wireLengthHint(linktype: number, data: Uint8Array, caplen: number): number {
  const ipOffset = linktype === 1 ? ethernetPayloadOffset(data) : linktype === 113 ? 16 : linktype === 0 ? 4 : linktype === 101 ? 0 : -1;
  if (ipOffset < 0 || ipOffset + 6 > data.length) return caplen;
  const version = data[ipOffset] >> 4;
  if (version === 4 && ipOffset + 4 <= data.length) return Math.max(caplen, ipOffset + ((data[ipOffset + 2] << 8) | data[ipOffset + 3]));
  if (version === 6 && ipOffset + 6 <= data.length) return Math.max(caplen, ipOffset + 40 + ((data[ipOffset + 4] << 8) | data[ipOffset + 5]));
  return caplen;
}

function ethernetPayloadOffset(data: Uint8Array): number {
  let off = 12;
  // 802.1Q / 802.1ad tags, at most two (Q-in-Q)
  for (let tags = 0; tags < 3 && off + 2 <= data.length; tags++) {
    const type = (data[off] << 8) | data[off + 1];
    if (type === 0x8100 || type === 0x88a8) off += 4;
    else return type === 0x0800 || type === 0x86dd ? off + 2 : -1;
  }
  return -1;
}
