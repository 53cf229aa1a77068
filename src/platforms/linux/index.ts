/** The Linux kernel's own IPsec state (XFRM): `ip [-s] xfrm state` and `ip [-s] xfrm policy`, whichever daemon installed it. */
import type { PlatformDescriptor } from '../types.js';
import { xfrmStateReader } from './xfrm-state.js';
import { xfrmPolicyReader } from './xfrm-policy.js';

export const linux: PlatformDescriptor = {
  id: 'linux',
  title: 'Linux kernel IPsec (XFRM)',
  tables: [xfrmStateReader, xfrmPolicyReader],
};
