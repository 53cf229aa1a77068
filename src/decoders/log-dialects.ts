import type { LogDialect } from './log-dialect.js';
import { strongswanDialect } from './strongswan-log.js';
import { libreswanDialect } from './libreswan-log.js';

/** Every log dialect, in detection priority order (ties go to the first). */
export const logDialects: LogDialect[] = [strongswanDialect, libreswanDialect];

export function dialectById(id: string): LogDialect | undefined {
  return logDialects.find((d) => d.id === id);
}
