/**
 * A throw-away CA and one certificate per peer, made with openssl (strongswan-pki
 * is not installed everywhere). The peer certificates are deliberately large
 * (RSA 4096 and many subjectAltNames) so that IKE_AUTH with CERT payloads exceeds
 * the 1500-byte link MTU and, with IKEv2 fragmentation (RFC 7383) disabled, leaves
 * the initiator as several IP fragments.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';

export interface PeerCredentials {
  caCert: string;
  cert: string;
  key: string;
}

const EXTRA_SANS = 60;

export async function makeCredentials(dir: string, ids: { left: string; right: string }): Promise<{ left: PeerCredentials; right: PeerCredentials }> {
  await mkdir(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', '/O=ipsec-doctor lab/CN=lab root CA', '-days', '30'], { timeoutMs: 60_000 });
  const issue = async (name: string, id: string): Promise<PeerCredentials> => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.crt`);
    const ext = join(dir, `${name}.ext`);
    const sans = [`DNS:${id}`, ...Array.from({ length: EXTRA_SANS }, (_, i) => `DNS:host${i}.site-${name}.lab.example`)];
    await writeFile(ext, `subjectAltName = ${sans.join(', ')}\n`);
    await run(['openssl', 'req', '-newkey', 'rsa:4096', '-nodes', '-keyout', key, '-out', csr, '-subj', `/O=ipsec-doctor lab/CN=${id}`], { timeoutMs: 120_000 });
    await run(['openssl', 'x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '30', '-extfile', ext], { timeoutMs: 60_000 });
    return { caCert, cert, key };
  };
  return { left: await issue('left', ids.left), right: await issue('right', ids.right) };
}
