/**
 * PAN-OS crypto profiles (`network ike crypto-profiles ike-crypto-profiles|ipsec-crypto-profiles`)
 * translated into the keyword proposals strongSwan writes (`aes256-sha256-modp2048`), which
 * src/evidence/derived/proposals.ts parses for every platform, so a PAN-OS profile and a
 * swanctl.conf proposal are compared transform by transform.
 *
 * A profile accepts every combination of its lists (PAN-OS docs "Define IKE Crypto Profiles":
 * multiple DH groups, hashes, ciphers are offered together), which is one keyword proposal
 * listing several algorithms per transform type — except that an AEAD cipher (GCM) cannot share
 * a proposal with integrity algorithms (RFC 5282 §8, strongSwan splits them too), so GCM gets a
 * proposal of its own with the hashes as PRFs (IKE) or none at all (ESP).
 *
 * Names as PAN-OS writes them (PaloAltoNetworks/pan-os-codegen specs/objects/profiles/
 * ike-crypto-profile.yaml, ipsec-crypto-profile.yaml; pan-os-python's 6.1 names aes128/aes192/
 * aes256). A name not in these tables is kept, with `_` for `-` so that the keyword parser
 * (which splits on `-`) sees it as one unknown token rather than half-known words; config-diff
 * then leaves the profile uncompared rather than guess.
 */

const ENC: Record<string, { kw: string; aead?: boolean }> = {
  des: { kw: 'des' },
  '3des': { kw: '3des' },
  'aes-128-cbc': { kw: 'aes128' },
  'aes-192-cbc': { kw: 'aes192' },
  'aes-256-cbc': { kw: 'aes256' },
  aes128: { kw: 'aes128' },
  aes192: { kw: 'aes192' },
  aes256: { kw: 'aes256' },
  // PAN-OS GCM is the 16-octet-ICV variant (RFC 4106 §8 / RFC 5282 ENCR_AES_GCM_16), strongSwan's aesNNNgcm16
  'aes-128-gcm': { kw: 'aes128gcm16', aead: true },
  'aes-256-gcm': { kw: 'aes256gcm16', aead: true },
  null: { kw: 'null' },
};

const HASH: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
/** `non-auth` (IKE, with GCM) and `none` (ESP) mean no integrity algorithm */
const NO_HASH = new Set(['non-auth', 'none']);

/** PAN-OS group numbers are the IANA Transform Type 4 numbers (RFC 3526, RFC 5903). */
const DH: Record<string, string> = {
  group1: 'modp768', group2: 'modp1024', group5: 'modp1536', group14: 'modp2048', group15: 'modp3072',
  group16: 'modp4096', group19: 'ecp256', group20: 'ecp384', group21: 'ecp521',
};

function cipherWords(encs: readonly string[]): { plain: string[]; aead: string[] } {
  const plain: string[] = [];
  const aead: string[] = [];
  for (const e of encs) {
    const m = ENC[e.toLowerCase()];
    if (!m) plain.push(asUnknown(e));
    else (m.aead ? aead : plain).push(m.kw);
  }
  return { plain, aead };
}

const asUnknown = (name: string) => name.replace(/-/g, '_');
const hashWords = (hashes: readonly string[]) => hashes.filter((h) => !NO_HASH.has(h.toLowerCase())).map((h) => HASH[h.toLowerCase()] ?? asUnknown(h));
const dhWords = (groups: readonly string[]) => groups.filter((g) => g.toLowerCase() !== 'no-pfs').map((g) => DH[g.toLowerCase()] ?? asUnknown(g));

/** The names in a profile's lists this translation does not know (their proposals are then not compared). */
export function unknownNames(encs: readonly string[], hashes: readonly string[], groups: readonly string[]): string[] {
  return [
    ...encs.filter((e) => !ENC[e.toLowerCase()]),
    ...hashes.filter((h) => !HASH[h.toLowerCase()] && !NO_HASH.has(h.toLowerCase())),
    ...groups.filter((g) => !DH[g.toLowerCase()] && g.toLowerCase() !== 'no-pfs'),
  ];
}

/** An IKE crypto profile → keyword proposals (empty when it names no cipher: not compared). */
export function ikeProposals(encs: readonly string[], hashes: readonly string[], groups: readonly string[]): string[] {
  const { plain, aead } = cipherWords(encs);
  const integ = hashWords(hashes);
  const ke = dhWords(groups);
  const out: string[] = [];
  if (plain.length) out.push([...plain, ...integ, ...ke].join('-'));
  // the IKEv2 PRF of a GCM proposal is the profile's hash (RFC 7296 §3.3.3: AEAD needs a PRF, no integrity)
  if (aead.length) out.push([...aead, ...integ.map((h) => `prf${h}`), ...ke].join('-'));
  return out;
}

/** An IPsec crypto profile's ESP part → keyword proposals; `no-pfs` leaves the KE out. */
export function espProposals(encs: readonly string[], auths: readonly string[], group: string | undefined): string[] {
  const { plain, aead } = cipherWords(encs);
  const integ = hashWords(auths);
  const ke = group ? dhWords([group]) : [];
  const out: string[] = [];
  if (plain.length) out.push([...plain, ...integ, ...ke].join('-'));
  if (aead.length) out.push([...aead, ...ke].join('-'));
  return out;
}

/** An IPsec crypto profile's AH part → keyword proposals. */
export function ahProposals(auths: readonly string[], group: string | undefined): string[] {
  const integ = hashWords(auths);
  if (!integ.length) return [];
  return [[...integ, ...(group ? dhWords([group]) : [])].join('-')];
}

/** Lifetime leaves (`lifetime seconds|minutes|hours|days N`) → seconds. */
export function lifetimeSeconds(unit: string, n: string): number | undefined {
  const v = Number(n);
  if (!Number.isFinite(v) || v < 0) return undefined;
  const f = unit === 'seconds' ? 1 : unit === 'minutes' ? 60 : unit === 'hours' ? 3600 : unit === 'days' ? 86400 : undefined;
  return f === undefined ? undefined : v * f;
}

export interface FactoryIkeProfile {
  encryption: string[];
  hash: string[];
  dhGroup: string[];
  lifetime: number;
}

export interface FactoryIpsecProfile {
  encryption: string[];
  authentication: string[];
  dhGroup: string;
  lifetime: number;
}

/**
 * The profiles every PAN-OS firewall ships with, used when a gateway or tunnel names one
 * the file does not define (a `set` excerpt rarely repeats them). Values from the factory
 * configuration as published by Palo Alto Networks in PaloAltoNetworks/iron-skillet
 * loadable_configs/sample-mgmt-static/panos/iron_skillet_panos_full.xml @ 98333734 (MIT).
 */
export const FACTORY_IKE: Record<string, FactoryIkeProfile> = {
  default: { encryption: ['aes-128-cbc', '3des'], hash: ['sha1'], dhGroup: ['group2'], lifetime: 8 * 3600 },
  'Suite-B-GCM-128': { encryption: ['aes-128-cbc'], hash: ['sha256'], dhGroup: ['group19'], lifetime: 8 * 3600 },
  'Suite-B-GCM-256': { encryption: ['aes-256-cbc'], hash: ['sha384'], dhGroup: ['group20'], lifetime: 8 * 3600 },
};

export const FACTORY_IPSEC: Record<string, FactoryIpsecProfile> = {
  default: { encryption: ['aes-128-cbc', '3des'], authentication: ['sha1'], dhGroup: 'group2', lifetime: 3600 },
  'Suite-B-GCM-128': { encryption: ['aes-128-gcm'], authentication: ['none'], dhGroup: 'group19', lifetime: 3600 },
  'Suite-B-GCM-256': { encryption: ['aes-256-gcm'], authentication: ['none'], dhGroup: 'group20', lifetime: 3600 },
};

/**
 * The predefined monitor profile (same source, and pan-os-php examples/sample-configs/policy-best-practices.xml,
 * a PAN-OS 6.1 config): probe every 3 s, act after 5 lost, wait-recover; the web interface help
 * (Network > Network Profiles > Monitor) gives the same interval and threshold defaults.
 */
export const FACTORY_MONITOR: Record<string, { interval: number; threshold: number; action: string }> = {
  default: { interval: 3, threshold: 5, action: 'wait-recover' },
};

/** Lifetimes a profile gets when it writes none: the factory profiles' 8 h (IKE) and 1 h (IPsec). */
export const DEFAULT_IKE_LIFETIME = 8 * 3600;
export const DEFAULT_IPSEC_LIFETIME = 3600;
