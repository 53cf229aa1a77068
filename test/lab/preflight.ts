/**
 * Can this machine run the lab? Root (namespaces, nftables, tcpdump) and the Debian
 * packages below. CI installs them with:
 *   apt-get install -y strongswan-charon strongswan-swanctl libcharon-extra-plugins nftables tcpdump iputils-ping iproute2 util-linux openssl libpcap-dev
 */
import { accessSync, constants, existsSync } from 'node:fs';

export const CHARON = '/usr/lib/ipsec/charon';
const LIBIPSEC_PLUGIN = '/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so';
const TOOLS = ['ip', 'nsenter', 'swanctl', 'nft', 'tcpdump', 'ping', 'openssl'];
const PATH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const APT_LINE =
  'apt-get install -y strongswan-charon strongswan-swanctl libcharon-extra-plugins nftables tcpdump iputils-ping iproute2 util-linux openssl libpcap-dev';

/** undefined when the lab can run, otherwise one line saying why not. */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, nftables, tcpdump); run `sudo npm run test:lab`';
  const missing: string[] = [];
  if (!isExecutable(CHARON)) missing.push('strongswan-charon');
  if (!existsSync(LIBIPSEC_PLUGIN)) missing.push('libcharon-extra-plugins (kernel-libipsec)');
  for (const tool of TOOLS) if (!PATH_DIRS.some((d) => isExecutable(`${d}/${tool}`))) missing.push(tool);
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  if (missing.length) return `the lab needs ${missing.join(', ')}: ${APT_LINE}`;
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
