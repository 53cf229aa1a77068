/**
 * The PAN-OS `show vpn …` readers, one per command. All read with the same pass
 * (read.ts: a paste of several commands becomes one table); each sniffs only the
 * lines its own command prints — headers, footers, echoes and rows under its own
 * headers — so that no reader claims another command's output, and the command most
 * of a paste belongs to names its format.
 */
import type { SaTableFormat, SaTableReader } from '../../../evidence/sa-table-types.js';
import type { Family } from './lines.js';
import { readPanos } from './read.js';

/** As the other readers: the first lines decide (the interface's ~50). */
const SNIFF_LINES = 50;

function reader(format: SaTableFormat, family: Family, name: string): SaTableReader {
  return {
    format,
    name,
    sniff(lines) {
      try {
        return readPanos(lines.slice(0, SNIFF_LINES), '', format).distinctive[family];
      } catch {
        return 0;
      }
    },
    read: (lines, source) => readPanos(lines, source, format).read,
  };
}

export const ikeSaReader = reader('panos-show-vpn-ike-sa', 'ike-sa', 'PAN-OS show vpn ike-sa');
export const ikeSaDetailReader = reader('panos-show-vpn-ike-sa-detail', 'ike-sa-detail', 'PAN-OS show vpn ike-sa detail');
export const ipsecSaReader = reader('panos-show-vpn-ipsec-sa', 'ipsec-sa', 'PAN-OS show vpn ipsec-sa');
export const flowReader = reader('panos-show-vpn-flow', 'flow', 'PAN-OS show vpn flow');
export const gatewayReader = reader('panos-show-vpn-gateway', 'gateway', 'PAN-OS show vpn gateway');
export const tunnelReader = reader('panos-show-vpn-tunnel', 'tunnel', 'PAN-OS show vpn tunnel');
