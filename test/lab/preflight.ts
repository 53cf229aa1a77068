/**
 * Can this machine run the lab? Root (namespaces, nftables, tcpdump) and the Debian
 * packages below. CI installs them with:
 *   apt-get install -y strongswan-charon strongswan-swanctl libcharon-extra-plugins nftables tcpdump iputils-ping iproute2 util-linux procps strongswan-pki libpcap-dev
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { certificateTool } from './certs.js';

export const CHARON = '/usr/lib/ipsec/charon';
const PLUGINS = '/usr/lib/ipsec/plugins';
/** kernel-libipsec: ESP in userspace; gmp: MODP groups and RSA (see strongswan-config.ts) */
const REQUIRED_PLUGINS: Record<string, string> = {
  'kernel-libipsec': 'libcharon-extra-plugins',
  gmp: 'libstrongswan',
};
const TOOLS = ['ip', 'nsenter', 'mount', 'sysctl', 'swanctl', 'nft', 'tcpdump', 'ping'];
const PATH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const APT_LINE =
  'apt-get install -y strongswan-charon strongswan-swanctl libcharon-extra-plugins nftables tcpdump iputils-ping iproute2 util-linux procps strongswan-pki libpcap-dev';

/** undefined when the lab can run, otherwise one line saying why not. */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, nftables, tcpdump); run `sudo npm run test:lab`';
  const missing: string[] = [];
  if (!isExecutable(CHARON)) missing.push('strongswan-charon');
  for (const [plugin, pkg] of Object.entries(REQUIRED_PLUGINS)) {
    if (!existsSync(`${PLUGINS}/libstrongswan-${plugin}.so`)) missing.push(`${pkg} (${plugin} plugin)`);
  }
  for (const tool of TOOLS) if (!PATH_DIRS.some((d) => isExecutable(`${d}/${tool}`))) missing.push(tool);
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  if (!certificateTool()) missing.push('strongswan-pki (or openssl)');
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
