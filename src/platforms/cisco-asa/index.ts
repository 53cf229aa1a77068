/** Cisco ASA: the IKE lines of its logs. */
import type { PlatformDescriptor } from '../types.js';
import { ciscoAsaDialect } from './log.js';

export const ciscoAsa: PlatformDescriptor = {
  id: 'cisco-asa',
  title: 'Cisco ASA',
  logs: [ciscoAsaDialect],
};
