/**
 * One-line summaries of IKE messages for evidence excerpts, in the spirit of
 * tshark's Info column and charon's "[ SA KE No N(NATD_S_IP) ]". Only header
 * values and payload names: never KE data, nonces or keys.
 */
import type { PacketEndpoint } from '../evidence/packet-types.js';
import type { IkeDecoded } from './ike.js';

export function endpointText(e: PacketEndpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function ikeExcerpt(m: IkeDecoded, src: PacketEndpoint, dst: PacketEndpoint, fragments?: { fragments: number; complete: boolean }): string {
  const parts = [`${endpointText(src)} → ${endpointText(dst)}`, `IKEv${m.version} ${m.exchangeName}`];
  if (m.version === 2) parts.push(`${m.response ? 'response' : 'request'}${m.initiatorFlag ? ' (I)' : ''}`);
  // IKEv1 message IDs are random 32-bit values, conventionally shown in hex
  parts.push(m.version === 1 ? `msgid 0x${m.messageId.toString(16).padStart(8, '0')}` : `msgid ${m.messageId}`, `spi ${m.spiI}/${m.spiR}`);
  const names: string[] = [];
  let notify = 0;
  for (const p of m.payloads) {
    if (p.name === 'N' && notify < m.notifies.length) names.push(`N(${m.notifies[notify++].name})`);
    else names.push(p.name);
  }
  if (m.encrypted?.payload === 'v1') names.splice(0, names.length, `encrypted ${m.encrypted.size} bytes`);
  if (names.length) parts.push(`[ ${names.join(' ')} ]`);
  if (m.ikeFragment) parts.push(`fragment ${m.ikeFragment.number}${m.ikeFragment.total ? `/${m.ikeFragment.total}` : ''}`);
  if (fragments) parts.push(`IP-fragmented ×${fragments.fragments}${fragments.complete ? '' : ' (incomplete)'}`);
  parts.push(`${m.length} bytes`);
  if (m.malformed) parts.push(`(malformed: ${m.malformed})`);
  return parts.join(' ');
}
