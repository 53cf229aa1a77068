/** PAN-OS CLI tables (`show vpn ike-sa`, `show vpn ipsec-sa`, `show vpn flow`, …) as SA tables. Filled by the table readers. */
import type { SaTableReader } from '../../evidence/sa-table-types.js';

export const panosTableReaders: readonly SaTableReader[] = [];
