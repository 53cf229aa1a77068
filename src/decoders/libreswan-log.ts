import type { LogDialect } from './log-dialect.js';

// Being written: the full decoder replaces this file.
export const libreswanDialect: LogDialect = {
  id: 'libreswan',
  name: 'libreswan',
  sniff: () => 0,
  createDecoder: () => ({ decode: () => undefined }),
};
