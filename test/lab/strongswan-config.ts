/**
 * strongswan.conf and swanctl.conf for one lab peer. Written under
 * /etc/netns/<ns>/, which `ip netns exec` bind-mounts over /etc.
 */

export interface PeerConfig {
  /** connection name, shows up in the logs as `<lab|1>` */
  conn: string;
  localAddr: string;
  /** `%any` when a NAT sits between the peers */
  remoteAddrs: string;
  localId: string;
  remoteId: string;
  auth: 'psk' | 'pubkey';
  /** IKE proposals, swanctl keyword syntax */
  proposals: string;
  espProposals: string;
  localTs: string;
  remoteTs: string;
  /** e.g. '2s'; omitted = DPD disabled (swanctl default dpd_delay = 0) */
  dpdDelay?: string;
  dpdAction?: 'clear' | 'trap' | 'restart';
  /** RFC 7383 IKEv2 fragmentation; 'no' lets big IKE_AUTH messages be IP-fragmented */
  fragmentation?: 'yes' | 'no' | 'accept' | 'force';
  /** pre-shared key, secrets section (psk auth only) */
  psk?: string;
  /** PSK ids: the secret applies to these ids */
  pskIds?: string[];
  /** certificate file name under swanctl/x509 (pubkey auth) */
  cert?: string;
}

export interface DaemonSettings {
  logPath: string;
  /** seconds before the first retransmit; RFC 7296 §2.1 leaves timers to the implementation */
  retransmitTimeout: number;
  retransmitBase: number;
  retransmitTries: number;
}

export const LAB_DAEMON: Omit<DaemonSettings, 'logPath'> = { retransmitTimeout: 1, retransmitBase: 1.4, retransmitTries: 3 };

/**
 * Plugins listed explicitly so the host's /etc/strongswan.d does not matter, and
 * only those Debian ships in libstrongswan, strongswan-libcharon, strongswan-swanctl
 * and libcharon-extra-plugins (libstrongswan-standard-plugins is only recommended,
 * so openssl/gcm may be absent on a minimal machine): gmp does MODP and RSA.
 * kernel-libipsec: this kernel has XFRM but no ESP transform, so ESP is done in
 * userspace on a TUN device (ipsec0); strongSwan 5.9 then forces UDP encapsulation.
 * kdf: 5.9.8 derives IKE keys through it (without it: "KDF_PRF ... not supported").
 */
const CHARON_PLUGINS = 'random nonce aes sha1 sha2 hmac gmp pem pkcs1 pkcs8 x509 pubkey constraints kdf kernel-libipsec kernel-netlink socket-default vici updown';

export function strongswanConf(d: DaemonSettings): string {
  return `# ipsec-doctor lab: one charon per network namespace
charon {
  load = ${CHARON_PLUGINS}
  # kernel-libipsec has no route installation that fits the lab; routes into ipsec0 are added by the driver
  install_routes = no
  retransmit_timeout = ${d.retransmitTimeout}
  retransmit_base = ${d.retransmitBase}
  retransmit_tries = ${d.retransmitTries}
  filelog {
    lab {
      path = ${d.logPath}
      time_format = %b %e %T
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
      knl = 1
      net = 1
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
swanctl {
  load = pem pkcs1 pkcs8 x509 pubkey gmp random
}
`;
}

export function swanctlConf(p: PeerConfig): string {
  const authLines = (side: 'local' | 'remote') => {
    const id = side === 'local' ? p.localId : p.remoteId;
    const lines = [`auth = ${p.auth}`, `id = ${id}`];
    if (side === 'local' && p.cert) lines.push(`certs = ${p.cert}`);
    return lines.map((l) => `      ${l}`).join('\n');
  };
  const optional = (key: string, value: string | undefined, indent: string) => (value === undefined ? '' : `${indent}${key} = ${value}\n`);
  let out = `connections {
  ${p.conn} {
    version = 2
    local_addrs = ${p.localAddr}
    remote_addrs = ${p.remoteAddrs}
    proposals = ${p.proposals}
${optional('dpd_delay', p.dpdDelay, '    ')}${optional('fragmentation', p.fragmentation, '    ')}${p.auth === 'pubkey' ? '    send_cert = always\n' : ''}    local {
${authLines('local')}
    }
    remote {
${authLines('remote')}
    }
    children {
      net {
        local_ts = ${p.localTs}
        remote_ts = ${p.remoteTs}
        esp_proposals = ${p.espProposals}
${optional('dpd_action', p.dpdAction, '        ')}      }
    }
  }
}
`;
  if (p.auth === 'psk' && p.psk !== undefined) {
    const ids = (p.pskIds ?? [p.localId, p.remoteId]).map((id, i) => `    id-${i + 1} = ${id}\n`).join('');
    out += `secrets {
  ike-${p.conn} {
${ids}    secret = "${p.psk}"
  }
}
`;
  }
  return out;
}
