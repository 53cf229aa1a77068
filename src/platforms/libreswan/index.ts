/** libreswan and Openswan (pluto): its log in every shape and its SA tables. ipsec.conf is FreeS/WAN's (../freeswan/). */
import type { PlatformDescriptor } from '../types.js';
import { libreswanDialect } from './log.js';
import { trafficstatusReader } from './tables/trafficstatus.js';
import { statusReader } from './tables/status.js';

export const libreswan: PlatformDescriptor = {
  id: 'libreswan',
  title: 'libreswan / Openswan',
  logs: [libreswanDialect],
  tables: [trafficstatusReader, statusReader],
};
