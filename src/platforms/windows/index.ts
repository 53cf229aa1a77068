/** Windows built-in VPN client (RasClient / IKEEXT): its failure events as people paste them. */
import type { PlatformDescriptor } from '../types.js';
import { windowsDialect } from './log.js';

export const windows: PlatformDescriptor = {
  id: 'windows',
  title: 'Windows VPN client (RasClient)',
  logs: [windowsDialect],
};
