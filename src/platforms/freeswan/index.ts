/**
 * FreeS/WAN's file formats, still read by strongSwan's starter, libreswan and Openswan:
 * ipsec.conf (one reader that knows both daemons' keywords and defaults) and
 * ipsec.secrets.
 */
import type { PlatformDescriptor } from '../types.js';
import type { ConfigDialect } from '../../evidence/config-types.js';
import { decodeIpsecConf, detectIpsecConfDialect } from './ipsec-conf.js';
import { decodeIpsecSecrets } from './ipsec-secrets.js';

const FORCED_DIALECT: Record<string, ConfigDialect> = { 'strongswan-ipsec.conf': 'strongswan', 'libreswan-ipsec.conf': 'libreswan' };

export const freeswan: PlatformDescriptor = {
  id: 'freeswan',
  title: 'FreeS/WAN-heritage files (ipsec.conf, ipsec.secrets)',
  configs: [
    {
      types: ['ipsec.conf', 'strongswan-ipsec.conf', 'libreswan-ipsec.conf'],
      name: 'ipsec.conf',
      detect: (noComments, text) => (/^(conn|ca)\s+\S+\s*$|^config\s+setup\s*$/m.test(noComments) ? { dialect: detectIpsecConfDialect(text) } : undefined),
      decode: (text, source, resolve, forced) => decodeIpsecConf(text, source, resolve, (forced && FORCED_DIALECT[forced]) || detectIpsecConfDialect(text)),
    },
    {
      types: ['ipsec.secrets'],
      name: 'ipsec.secrets',
      detect: (noComments) => (/:\s*(PSK|RSA|ECDSA|EAP|XAUTH|NTLM|PIN|P12|PKCS8|PPKS?|BLISS)(\s|$)/im.test(noComments) ? {} : undefined),
      decode: (text, source, resolve) => decodeIpsecSecrets(text, source, resolve),
    },
  ],
};
