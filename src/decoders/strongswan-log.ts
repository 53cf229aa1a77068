import type { LogDialect } from './log-dialect.js';

// Being written: the full decoder replaces this file.
export const strongswanDialect: LogDialect = {
  id: 'strongswan',
  name: 'strongswan',
  sniff: () => 0,
  createDecoder: () => ({ decode: () => undefined }),
};
