/** Juniper SRX: the IKE lines of its logs. */
import type { PlatformDescriptor } from '../types.js';
import { juniperSrxDialect } from './log.js';

export const juniperSrx: PlatformDescriptor = {
  id: 'juniper-srx',
  title: 'Juniper SRX',
  logs: [juniperSrxDialect],
};
