/**
 * Turns libpcap's open/compile errors into messages that say what to do. The texts
 * matched are libpcap's own (pcap-linux.c, gencode.c), as cap passes them through.
 */
import { FatalError, InputError, UsageError } from '../../errors.js';

export const CAPTURE_PRIVILEGE_HINT =
  'run as root, or grant the capture capability to node: setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))';

export function openError(message: string, iface: string, filter: string): FatalError {
  const m = message.toLowerCase();
  if (m.includes('operation not permitted') || m.includes('permission') || m.includes('eperm') || m.includes('eacces')) {
    return new InputError(`no permission to capture on ${iface}: ${message} (needs CAP_NET_RAW)`, CAPTURE_PRIVILEGE_HINT);
  }
  if (m.includes('no such device')) {
    return new InputError(`no capture interface named '${iface}'`, 'list interfaces with `ip link`; `-i any` captures on all of them');
  }
  if (m.includes('filter') || m.includes('syntax error') || m.includes('illegal') || m.includes('unknown host') || m.includes('port number')) {
    return new UsageError(`invalid capture filter '${filter}': ${message}`, 'see `man pcap-filter`');
  }
  return new InputError(`cannot capture on ${iface}: ${message}`);
}
