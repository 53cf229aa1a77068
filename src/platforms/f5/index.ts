/**
 * F5 BIG-IP: AFM in passthrough between two IPsec peers, and BIG-IP as an IPsec endpoint.
 * Logs: AFM network events, /var/log/ltm IPsec ALG teardowns, ipsec.log (IKEv2, tmm) and
 * racoon.log (IKEv1). Tables: `tmsh show sys connection` (a flow table), `tmsh show net
 * ipsec …`, `racoonctl show-sa isakmp`. Configuration: tmsh AFM rules, virtual servers and
 * `ipsec.lookupspi`, read as a ruleset. Formats and sources: ../shared/reference/platforms.md §2.
 */
import type { PlatformDescriptor } from '../types.js';
import { f5Dialect } from './log/dialect.js';
import { sysConnectionReader } from './tables/sys-connection.js';
import { ikeSaReader, netIpsecReader, racoonctlReader } from './tables/net-ipsec.js';
import { decodeTmsh, looksLikeTmsh } from './config/afm-ruleset.js';

export const f5: PlatformDescriptor = {
  id: 'f5',
  title: 'F5 BIG-IP',
  logs: [f5Dialect],
  // each claims only its own titles and row shapes, so the order is free
  tables: [sysConnectionReader, netIpsecReader, ikeSaReader, racoonctlReader],
  rulesets: [{ type: 'f5-tmsh', name: 'F5 tmsh configuration (AFM rules, virtual servers)', detect: looksLikeTmsh, decode: decodeTmsh }],
};
