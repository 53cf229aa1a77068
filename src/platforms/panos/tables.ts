/**
 * PAN-OS CLI tables as SA tables: `show vpn ike-sa` (and `detail`), `show vpn ipsec-sa`,
 * `show vpn flow` (the summary and `tunnel-id N` with its encap/decap counters), and
 * `show vpn gateway` / `show vpn tunnel` (configuration: recognised, no SAs). Readers in
 * tables/; formats and their sources: tables/rows.ts, tables/detail.ts.
 */
import type { SaTableReader } from '../../evidence/sa-table-types.js';
import { flowReader, gatewayReader, ikeSaDetailReader, ikeSaReader, ipsecSaReader, tunnelReader } from './tables/readers.js';

/** In tie order: a paste of several commands is named after the one it holds most lines of, the SA tables first. */
export const panosTableReaders: readonly SaTableReader[] = [ikeSaReader, ipsecSaReader, flowReader, ikeSaDetailReader, gatewayReader, tunnelReader];
