/** Cisco IOS / IOS-XE: `debug crypto isakmp` / `debug crypto ipsec` output and %CRYPTO syslog messages. */
import type { PlatformDescriptor } from '../types.js';
import { ciscoIosDialect } from './log.js';

export const ciscoIos: PlatformDescriptor = {
  id: 'cisco-ios',
  title: 'Cisco IOS / IOS-XE',
  logs: [ciscoIosDialect],
};
