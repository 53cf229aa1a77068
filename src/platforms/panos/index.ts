/**
 * Palo Alto Networks PAN-OS: the system log (vpn subtype) and ikemgr.log, the
 * `show vpn …` tables, and the running configuration (XML or `set` commands).
 * Formats and failure texts: ../shared/reference/platforms.md §1, with their sources.
 */
import type { PlatformDescriptor } from '../types.js';
import { panosLogDialects } from './logs.js';
import { panosTableReaders } from './tables.js';
import { panosConfigReaders } from './configs.js';

export const panos: PlatformDescriptor = {
  id: 'panos',
  title: 'Palo Alto Networks PAN-OS',
  logs: panosLogDialects,
  tables: panosTableReaders,
  configs: panosConfigReaders,
};
