/**
 * The IKE endpoint lines of `swanctl --list-sas` (list_sas.c):
 *
 *   local  'carol@moon.example' @ 2001:db8::1[4500] [10.3.0.1]
 *   remote 'carol@moon.example' @ 2001:db8::1[4500] EAP: 'carol' [10.3.0.1]
 *   local  '172.17.0.2' @ 172.17.0.2                       (before 5.4.0: no port)
 *
 * The identity is printed between single quotes exactly as charon formats it (`%any`
 * included); the virtual IPs and the EAP/XAuth identity that may follow have no place
 * in SaEndpoint and are not kept.
 */
import type { SaEndpoint } from '../../../evidence/sa-table-types.js';
import { NULL_TEXT } from './common.js';

const ENDPOINT = /^(local|remote)\s+'(.*?)' @ ([^\s[]+)(?:\[([^\]]*)\])?(?:\s.*)?$/;

export interface EndpointLine {
  side: 'local' | 'remote';
  endpoint: SaEndpoint;
  /** the text between the port brackets, when it is not a port number */
  badPort?: string;
}

export function parseEndpointLine(text: string): EndpointLine | undefined {
  const m = ENDPOINT.exec(text);
  if (!m) return undefined;
  const [, side, id, address, portText] = m;
  const endpoint: SaEndpoint = {};
  if (address !== NULL_TEXT) endpoint.address = address;
  const line: EndpointLine = { side: side as 'local' | 'remote', endpoint };
  if (portText !== undefined && portText !== NULL_TEXT) {
    const port = readPort(portText);
    if (port === undefined) line.badPort = portText;
    else endpoint.port = port;
  }
  if (id !== NULL_TEXT) endpoint.id = id;
  return line;
}

/** A UDP port as printed (`%d` / `%u`): 0..65535. */
export function readPort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
