/**
 * LVS directors: Linux IPVS virtual services in front of IPsec gateways, as `ipvsadm -S -n`
 * (rules), `ipvsadm -L -n` (the kernel's table, with `--timeout` and `-c`) and keepalived.conf
 * `virtual_server` blocks print or write them. Formats: ../shared/reference/platforms.md §3.
 */
import type { PlatformDescriptor } from '../types.js';
import { ipvsadmSaveReader } from './ipvsadm-save.js';
import { ipvsadmListReader } from './ipvsadm-list.js';
import { keepalivedReader } from './keepalived-conf.js';

export const lvs: PlatformDescriptor = {
  id: 'lvs',
  title: 'LVS / IPVS',
  // each claims only lines of its own shape (ipvsadm's -A/-a commands, its listing titles, keepalived's virtual_server), so the order is free
  ipvs: [ipvsadmSaveReader, ipvsadmListReader, keepalivedReader],
};
