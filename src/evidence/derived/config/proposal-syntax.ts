/**
 * A parsed proposal (IANA transform names, ../proposals.ts) written back in the syntax of
 * the daemon whose config has to change, so a fix can be pasted as is:
 *
 * - strongSwan swanctl.conf `proposals`/`esp_proposals` and ipsec.conf `ike=`/`esp=`: keywords
 *   joined by `-` (strongSwan docs "IKEv2 Cipher Suites": aes192, sha384, prfsha384, ecp384,
 *   aes256gcm16, modp2048, esn/noesn); the PRF is implied by the integrity keyword unless it differs.
 * - libreswan ipsec.conf `ike=`/`esp=`: `cipher-integ-dh` (libreswan ipsec.conf(5) "ike=",
 *   algorithm names from `ipsec algparse`: aes192, aes_gcm256, sha2_384, dh20, modp2048).
 * - PAN-OS crypto profiles: `encryption …`, `hash …`/`authentication …`, `dh-group groupN`
 *   (PaloAltoNetworks/pan-os-codegen ike-crypto-profile.yaml, ipsec-crypto-profile.yaml).
 *
 * Undefined when a transform has no name in that syntax (PAN-OS has no AES-192-GCM, say):
 * the caller then falls back to the IANA names.
 */
import type { ConfigDialect } from '../../config-types.js';
import { TRANSFORM_TYPES, type Proposal, type TransformType } from '../proposals.js';

type Names = Partial<Record<string, string>>;

const SS_ENCR: Names = { '3DES_CBC': '3des', DES_CBC: 'des', NULL: 'null', CHACHA20_POLY1305: 'chacha20poly1305' };
const SS_INTEG: Names = {
  HMAC_MD5_96: 'md5', HMAC_SHA1_96: 'sha1', HMAC_SHA2_256_128: 'sha256', HMAC_SHA2_384_192: 'sha384', HMAC_SHA2_512_256: 'sha512',
  AES_XCBC_96: 'aesxcbc', AES_CMAC_96: 'aescmac', HMAC_SHA2_256_96: 'sha256_96',
};
const SS_PRF: Names = {
  PRF_HMAC_MD5: 'prfmd5', PRF_HMAC_SHA1: 'prfsha1', PRF_HMAC_SHA2_256: 'prfsha256', PRF_HMAC_SHA2_384: 'prfsha384', PRF_HMAC_SHA2_512: 'prfsha512',
  PRF_AES128_XCBC: 'prfaesxcbc', PRF_AES128_CMAC: 'prfaescmac',
};
/** the PRF a strongSwan integrity keyword implies in an IKE proposal */
const SS_PRF_OF_INTEG: Names = { md5: 'PRF_HMAC_MD5', sha1: 'PRF_HMAC_SHA1', sha256: 'PRF_HMAC_SHA2_256', sha384: 'PRF_HMAC_SHA2_384', sha512: 'PRF_HMAC_SHA2_512', aesxcbc: 'PRF_AES128_XCBC', aescmac: 'PRF_AES128_CMAC' };

const LS_ENCR: Names = { '3DES_CBC': '3des', NULL: 'null', CHACHA20_POLY1305: 'chacha20_poly1305' };
const LS_INTEG: Names = { HMAC_MD5_96: 'md5', HMAC_SHA1_96: 'sha1', HMAC_SHA2_256_128: 'sha2_256', HMAC_SHA2_384_192: 'sha2_384', HMAC_SHA2_512_256: 'sha2_512', AES_XCBC_96: 'aes_xcbc', NONE: 'null' };
const LS_PRF: Names = { PRF_HMAC_MD5: 'md5', PRF_HMAC_SHA1: 'sha1', PRF_HMAC_SHA2_256: 'sha2_256', PRF_HMAC_SHA2_384: 'sha2_384', PRF_HMAC_SHA2_512: 'sha2_512', PRF_AES128_XCBC: 'aes_xcbc' };

const PA_ENCR: Names = { '3DES_CBC': '3des', DES_CBC: 'des', AES_CBC_128: 'aes-128-cbc', AES_CBC_192: 'aes-192-cbc', AES_CBC_256: 'aes-256-cbc', AES_GCM_16_128: 'aes-128-gcm', AES_GCM_16_256: 'aes-256-gcm', NULL: 'null' };
const PA_INTEG: Names = { HMAC_MD5_96: 'md5', HMAC_SHA1_96: 'sha1', HMAC_SHA2_256_128: 'sha256', HMAC_SHA2_384_192: 'sha384', HMAC_SHA2_512_256: 'sha512' };
const PA_PRF: Names = { PRF_HMAC_MD5: 'md5', PRF_HMAC_SHA1: 'sha1', PRF_HMAC_SHA2_256: 'sha256', PRF_HMAC_SHA2_384: 'sha384', PRF_HMAC_SHA2_512: 'sha512' };
/** IANA Transform Type 4 numbers (RFC 3526, RFC 5903): PAN-OS `groupN`, libreswan `dhN` */
const KE_NUMBER: Partial<Record<string, number>> = {
  MODP_768: 1, MODP_1024: 2, MODP_1536: 5, MODP_2048: 14, MODP_3072: 15, MODP_4096: 16, MODP_6144: 17, MODP_8192: 18,
  ECP_256: 19, ECP_384: 20, ECP_521: 21, ECP_192: 25, ECP_224: 26, CURVE_25519: 31, CURVE_448: 32,
};

/** the groups a PAN-OS crypto profile offers (pan-os-codegen ike-crypto-profile.yaml `dh-group` enum) */
const PA_GROUPS = new Set([1, 2, 5, 14, 15, 16, 19, 20, 21]);

function first(p: Proposal, t: TransformType): string | undefined {
  return p.transforms[t][0];
}

function aes(name: string): { mode: string; icv?: string; bits: string } | undefined {
  const m = /^AES_(CBC|CTR|CCM|GCM)_(?:(8|12|16)_)?(\d+)$/.exec(name);
  return m ? { mode: m[1], icv: m[2], bits: m[3] } : undefined;
}

function strongswanEncr(name: string): string | undefined {
  const a = aes(name);
  if (a) return a.mode === 'CBC' ? `aes${a.bits}` : `aes${a.bits}${a.mode.toLowerCase()}${a.icv ?? ''}`;
  return SS_ENCR[name];
}

function libreswanEncr(name: string): string | undefined {
  const a = aes(name);
  if (a) return a.mode === 'CBC' ? `aes${a.bits}` : a.mode === 'GCM' && a.icv === '16' ? `aes_gcm${a.bits}` : `aes_${a.mode.toLowerCase()}${a.icv ? `_${a.icv}` : ''}_${a.bits}`;
  return LS_ENCR[name];
}

function strongswanKe(name: string): string | undefined {
  if (/^(MODP|ECP)_\d+$/.test(name) || /^CURVE_(25519|448)$/.test(name)) return name.toLowerCase().replace('_', '');
  const bp = /^ECP_(\d+)_BP$/.exec(name);
  if (bp) return `ecp${bp[1]}bp`;
  const sub = /^MODP_(\d+)_(\d+)$/.exec(name);
  return sub ? `modp${sub[1]}s${sub[2]}` : undefined;
}

function strongswan(p: Proposal, protocol: string): string | undefined {
  const words: (string | undefined)[] = [];
  for (const e of p.transforms.ENCR) words.push(strongswanEncr(e));
  for (const i of p.transforms.INTEG) if (i !== 'NONE') words.push(SS_INTEG[i]);
  // IKE: the integrity keyword implies its PRF; an AEAD proposal or a different PRF names it
  for (const f of p.transforms.PRF) if (!words.some((w) => w !== undefined && SS_PRF_OF_INTEG[w] === f)) words.push(SS_PRF[f]);
  for (const k of p.transforms.KE) if (k !== 'NONE') words.push(strongswanKe(k));
  // no ESN is strongSwan's default: written only when extended sequence numbers are offered
  if (protocol !== 'IKE' && p.transforms.ESN.includes('ESN')) words.push(...p.transforms.ESN.map((x) => (x === 'ESN' ? 'esn' : 'noesn')));
  return words.length && words.every((w) => w !== undefined) ? words.join('-') : undefined;
}

function libreswan(p: Proposal, protocol: string): string | undefined {
  const encr = first(p, 'ENCR');
  const e = encr && libreswanEncr(encr);
  if (!e) return undefined;
  const integ = first(p, 'INTEG');
  const prf = first(p, 'PRF');
  const i = protocol === 'IKE' ? (prf ? LS_PRF[prf] : integ ? LS_INTEG[integ] : undefined) : integ ? LS_INTEG[integ] : undefined;
  const ke = first(p, 'KE');
  const dh = ke && ke !== 'NONE' ? KE_NUMBER[ke] : undefined;
  if ((integ || prf) && !i) return undefined;
  if (ke && ke !== 'NONE' && dh === undefined) return undefined;
  return [e, i, dh !== undefined ? `dh${dh}` : undefined].filter(Boolean).join('-');
}

function panos(p: Proposal, protocol: string): string | undefined {
  const encs = p.transforms.ENCR.map((e) => PA_ENCR[e]);
  const hashes = protocol === 'IKE' ? (p.transforms.INTEG.length ? p.transforms.INTEG.map((i) => PA_INTEG[i]) : p.transforms.PRF.map((f) => PA_PRF[f])) : p.transforms.INTEG.filter((i) => i !== 'NONE').map((i) => PA_INTEG[i]);
  const groups = p.transforms.KE.filter((k) => k !== 'NONE').map((k) => (PA_GROUPS.has(KE_NUMBER[k] ?? 0) ? `group${KE_NUMBER[k]}` : undefined));
  if ([...encs, ...hashes, ...groups].some((x) => x === undefined) || !encs.length) return undefined;
  const hashWord = protocol === 'IKE' ? 'hash' : 'authentication';
  const parts = [`${protocol === 'IKE' ? '' : 'esp '}encryption ${encs.join(' ')}`, `${protocol === 'IKE' ? '' : 'esp '}${hashWord} ${hashes.length ? hashes.join(' ') : protocol === 'IKE' ? 'non-auth' : 'none'}`];
  if (groups.length || protocol === 'IKE') parts.push(`dh-group ${groups.join(' ') || 'no-pfs'}`);
  return parts.join(', ');
}

/** The proposal in `dialect`'s own config syntax; undefined when one of its transforms has no name there. */
export function writeProposal(p: Proposal, dialect: ConfigDialect, protocol: 'IKE' | 'ESP' | 'AH'): string | undefined {
  if (p.unknown.length) return undefined;
  if (dialect === 'strongswan') return strongswan(p, protocol);
  if (dialect === 'libreswan') return libreswan(p, protocol);
  return panos(p, protocol);
}

/** IANA names joined as strongSwan prints them: `AES_CBC_192/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384`. */
export function ianaNames(p: Proposal): string {
  return TRANSFORM_TYPES.flatMap((t) => p.transforms[t]).join('/');
}
