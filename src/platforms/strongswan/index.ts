/** strongSwan (charon): its log in every shape, swanctl.conf, and its SA tables. */
import type { PlatformDescriptor } from '../types.js';
import { strongswanDialect } from './log.js';
import { decodeSwanctlConf } from './swanctl-conf.js';
import { listSasReader } from './tables/list-sas.js';
import { listSasRawReader } from './tables/list-sas-raw.js';
import { statusallReader } from './tables/statusall.js';

export const strongswan: PlatformDescriptor = {
  id: 'strongswan',
  title: 'strongSwan',
  logs: [strongswanDialect],
  configs: [
    {
      types: ['swanctl'],
      name: 'swanctl.conf',
      // the top-level sections of swanctl.conf(5); ipsec.conf has `conn`/`config setup` instead
      detect: (text) => (/^\s*(connections|secrets|authorities|pools)\s*(:[^{]*)?\{/m.test(text) ? {} : undefined),
      decode: (text, source, resolve) => decodeSwanctlConf(text, source, resolve),
    },
  ],
  tables: [listSasReader, listSasRawReader, statusallReader],
};
