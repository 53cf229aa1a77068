import type { LogDialect } from './log-dialect.js';
import { strongswanDialect } from '../platforms/strongswan/log.js';
import { libreswanDialect } from '../platforms/libreswan/log.js';
import { ciscoAsaDialect } from '../platforms/cisco-asa/log.js';
import { fortigateDialect } from '../platforms/fortigate/log.js';
import { juniperSrxDialect } from '../platforms/juniper-srx/log.js';

/** Every log dialect, in detection priority order (ties go to the first). */
export const logDialects: LogDialect[] = [strongswanDialect, libreswanDialect, ciscoAsaDialect, fortigateDialect, juniperSrxDialect];

export function dialectById(id: string): LogDialect | undefined {
  return logDialects.find((d) => d.id === id);
}
