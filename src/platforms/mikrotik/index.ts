/** MikroTik RouterOS: the `ipsec` topics of its log. */
import type { PlatformDescriptor } from '../types.js';
import { mikrotikDialect } from './log.js';

export const mikrotik: PlatformDescriptor = {
  id: 'mikrotik',
  title: 'MikroTik RouterOS',
  logs: [mikrotikDialect],
};
