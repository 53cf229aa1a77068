/** PAN-OS configuration (running-config XML, `set` commands). Filled by the config readers. */
import type { ConfigReader } from '../types.js';

export const panosConfigReaders: readonly ConfigReader[] = [];
