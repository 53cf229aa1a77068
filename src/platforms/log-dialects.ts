import type { LogDialect } from './log-dialect.js';
import { strongswanDialect } from './strongswan/log.js';
import { libreswanDialect } from './libreswan/log.js';
import { ciscoAsaDialect } from './cisco-asa/log.js';
import { fortigateDialect } from './fortigate/log.js';
import { juniperSrxDialect } from './juniper-srx/log.js';

/** Every log dialect, in detection priority order (ties go to the first). */
export const logDialects: LogDialect[] = [strongswanDialect, libreswanDialect, ciscoAsaDialect, fortigateDialect, juniperSrxDialect];

export function dialectById(id: string): LogDialect | undefined {
  return logDialects.find((d) => d.id === id);
}
