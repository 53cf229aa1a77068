/** Fortinet FortiGate: the IKE lines of its logs. */
import type { PlatformDescriptor } from '../types.js';
import { fortigateDialect } from './log.js';

export const fortigate: PlatformDescriptor = {
  id: 'fortigate',
  title: 'Fortinet FortiGate',
  logs: [fortigateDialect],
};
