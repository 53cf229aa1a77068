/**
 * A throw-away CA and one certificate per peer, made with strongSwan's `pki`
 * (strongswan-pki) or, where that is missing, openssl. The peer certificates are
 * deliberately large (RSA 4096 and many subjectAltNames) so that IKE_AUTH with CERT
 * payloads exceeds the 1500-byte link MTU and, with IKEv2 fragmentation (RFC 7383)
 * disabled, leaves the initiator as several IP fragments.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';

export interface PeerCredentials {
  caCert: string;
  cert: string;
  key: string;
}

const EXTRA_SANS = 60;
const CA_DN = 'O=ipsec-doctor lab, CN=lab root CA';
const peerDn = (id: string) => `O=ipsec-doctor lab, CN=${id}`;
const sansOf = (name: string, id: string) => [id, ...Array.from({ length: EXTRA_SANS }, (_, i) => `host${i}.site-${name}.lab.example`)];

export function certificateTool(): 'pki' | 'openssl' | undefined {
  if (['/usr/bin/pki', '/usr/sbin/pki'].some((p) => existsSync(p))) return 'pki';
  if (['/usr/bin/openssl'].some((p) => existsSync(p))) return 'openssl';
  return undefined;
}

export async function makeCredentials(dir: string, ids: { left: string; right: string }): Promise<{ left: PeerCredentials; right: PeerCredentials }> {
  await mkdir(dir, { recursive: true });
  const tool = certificateTool();
  if (!tool) throw new Error('certificate scenarios need strongswan-pki or openssl');
  const make = tool === 'pki' ? withPki : withOpenssl;
  return make(dir, ids);
}

async function withPki(dir: string, ids: { left: string; right: string }): Promise<{ left: PeerCredentials; right: PeerCredentials }> {
  const toFile = async (file: string, argv: string[]) => writeFile(file, (await run(argv, { timeoutMs: 180_000 })).stdout);
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await toFile(caKey, ['pki', '--gen', '--type', 'rsa', '--size', '2048', '--outform', 'pem']);
  await toFile(caCert, ['pki', '--self', '--ca', '--lifetime', '30', '--in', caKey, '--type', 'rsa', '--dn', CA_DN, '--outform', 'pem']);
  const issue = async (name: string, id: string): Promise<PeerCredentials> => {
    const key = join(dir, `${name}.key`);
    const pub = join(dir, `${name}.pub`);
    const cert = join(dir, `${name}.crt`);
    await toFile(key, ['pki', '--gen', '--type', 'rsa', '--size', '4096', '--outform', 'pem']);
    await toFile(pub, ['pki', '--pub', '--in', key, '--type', 'rsa', '--outform', 'pem']);
    const sans = sansOf(name, id).flatMap((s) => ['--san', s]);
    await toFile(cert, ['pki', '--issue', '--lifetime', '30', '--cacert', caCert, '--cakey', caKey, '--in', pub, '--type', 'pub', '--dn', peerDn(id), ...sans, '--outform', 'pem']);
    return { caCert, cert, key };
  };
  return { left: await issue('left', ids.left), right: await issue('right', ids.right) };
}

async function withOpenssl(dir: string, ids: { left: string; right: string }): Promise<{ left: PeerCredentials; right: PeerCredentials }> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const slash = (dn: string) => '/' + dn.split(', ').join('/');
  await run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', slash(CA_DN), '-days', '30'], { timeoutMs: 60_000 });
  const issue = async (name: string, id: string): Promise<PeerCredentials> => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.crt`);
    const ext = join(dir, `${name}.ext`);
    await writeFile(ext, `subjectAltName = ${sansOf(name, id).map((s) => `DNS:${s}`).join(', ')}\n`);
    await run(['openssl', 'req', '-newkey', 'rsa:4096', '-nodes', '-keyout', key, '-out', csr, '-subj', slash(peerDn(id))], { timeoutMs: 120_000 });
    await run(['openssl', 'x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '30', '-extfile', ext], { timeoutMs: 60_000 });
    return { caCert, cert, key };
  };
  return { left: await issue('left', ids.left), right: await issue('right', ids.right) };
}
