/**
 * IKE/ESP proposals in every syntax we meet, normalised to one vocabulary so that
 * what a peer sent and what we configured can be compared transform by transform.
 *
 * Syntaxes:
 * - strongSwan keywords (swanctl `proposals`/`esp_proposals`, ipsec.conf `ike=`/`esp=`):
 *   `aes256-sha256-modp2048`, `aes128gcm16-prfsha256-ecp256`, `esp=aes-sha1`
 * - strongSwan printed form (`received proposals:`): `IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048`
 * - libreswan printed form (`no local proposal matches remote proposals`):
 *   `1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO`
 * - libreswan keywords (`ike=`, `esp=`, `phase2alg=`): `3des-sha1-modp1536`, `aes_gcm256-null`, `aes128-sha2;dh19`
 *
 * Names follow the IANA "IKEv2 Transform Type" registries (RFC 7296 §3.3.2) in the
 * spelling strongSwan prints them (AES_CBC_256, HMAC_SHA2_256_128, PRF_HMAC_SHA2_256,
 * MODP_2048, ECP_256, CURVE_25519, ESN/NO_ESN). Pure functions: unknown tokens are
 * kept in `unknown`, never thrown on.
 */

export type TransformType = 'ENCR' | 'INTEG' | 'PRF' | 'KE' | 'ESN';
export const TRANSFORM_TYPES: readonly TransformType[] = ['ENCR', 'INTEG', 'PRF', 'KE', 'ESN'];

export type ProposalProtocol = 'IKE' | 'ESP' | 'AH';

export interface Proposal {
  protocol?: ProposalProtocol;
  /** proposal number as printed by libreswan (`2:IKE:…`) */
  number?: number;
  transforms: Record<TransformType, string[]>;
  /** tokens we could not place; kept so a caller can say so */
  unknown: string[];
  /**
   * true for the printed forms, which list every transform the daemon will use;
   * keyword forms leave some types to daemon defaults (PFS group, ESN), so a type
   * missing there is "default", not "none".
   */
  complete: boolean;
  raw: string;
}

export interface TransformDelta {
  type: TransformType;
  received: string[];
  configured: string[];
}

export interface ProposalDelta {
  /** some received proposal is acceptable to some configured one */
  match: boolean;
  /** the transform types without overlap in the closest received/configured pair */
  types: TransformType[];
  /** the values of each mismatching type in that closest pair */
  details: TransformDelta[];
  /** the closest pair, as printed */
  closest?: { received: string; configured: string };
  /** each type has a common value in some pair, but no one proposal of each side combines them */
  combination?: boolean;
}

const MAX_PROPOSALS = 64;
const MAX_TOKENS = 256;

// ---------------------------------------------------------------------------
// parsing

/** Parse a list of proposals in any supported syntax (comma or space separated). */
export function parseProposals(text: string, defaultProtocol?: ProposalProtocol): Proposal[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  // libreswan prints proposals separated by spaces, each starting with `N:`
  const pieces = /^\d+:(IKE|ESP|AH):/i.test(trimmed) ? trimmed.split(/\s+(?=\d+:(?:IKE|ESP|AH):)/i) : trimmed.split(/\s*,\s*/);
  const out: Proposal[] = [];
  for (const piece of pieces) {
    if (out.length >= MAX_PROPOSALS) break;
    if (piece.trim()) out.push(parseProposal(piece, defaultProtocol));
  }
  return out;
}

/** Parse one proposal in any supported syntax. */
export function parseProposal(text: string, defaultProtocol?: ProposalProtocol): Proposal {
  const raw = text.trim();
  const lib = /^(\d+):(IKE|ESP|AH):(.*)$/i.exec(raw);
  if (lib) return parseLibreswanPrinted(raw, Number(lib[1]), lib[2].toUpperCase() as ProposalProtocol, lib[3]);
  const ss = /^(IKE|ESP|AH):(.*)$/i.exec(raw);
  if (ss && /^\s*(ENCR|INTEG|PRF|KE|DH|ESN)=/i.test(ss[2])) return parseLibreswanPrinted(raw, undefined, ss[1].toUpperCase() as ProposalProtocol, ss[2]);
  if (ss) return parsePrinted(raw, ss[1].toUpperCase() as ProposalProtocol, ss[2].split(/[/-]/));
  if (raw.includes('/') || /^[A-Z0-9]+_[A-Z0-9_]+$/.test(raw)) return parsePrinted(raw, defaultProtocol, raw.split('/'));
  return parseKeywords(raw, defaultProtocol);
}

function emptyTransforms(): Record<TransformType, string[]> {
  return { ENCR: [], INTEG: [], PRF: [], KE: [], ESN: [] };
}

function add(p: Proposal, type: TransformType, name: string): void {
  if (!p.transforms[type].includes(name)) p.transforms[type].push(name);
}

function parsePrinted(raw: string, protocol: ProposalProtocol | undefined, tokens: string[]): Proposal {
  const p: Proposal = { protocol, transforms: emptyTransforms(), unknown: [], complete: true, raw };
  for (const token of tokens.slice(0, MAX_TOKENS)) {
    const t = token.trim().toUpperCase();
    if (!t) continue;
    const placed = classifyPrinted(t);
    if (placed) add(p, placed[0], placed[1]);
    else p.unknown.push(token.trim());
  }
  return p;
}

function parseLibreswanPrinted(raw: string, number: number | undefined, protocol: ProposalProtocol, body: string): Proposal {
  const p: Proposal = { protocol, number, transforms: emptyTransforms(), unknown: [], complete: true, raw };
  for (const item of body.split(';').slice(0, MAX_TOKENS)) {
    const m = /^\s*(ENCR|INTEG|PRF|KE|DH|ESN)=(.+?)\s*$/i.exec(item);
    if (!m) {
      if (item.trim() && !/^SPI=/i.test(item.trim())) p.unknown.push(item.trim());
      continue;
    }
    const key = m[1].toUpperCase();
    const value = m[2].toUpperCase();
    const type: TransformType = key === 'DH' ? 'KE' : (key as TransformType);
    const name = normaliseTyped(type, value);
    if (name) add(p, type, name);
    else p.unknown.push(item.trim());
  }
  return p;
}

/** A printed (upper-case) algorithm name → its type and canonical name. */
function classifyPrinted(t: string): [TransformType, string] | undefined {
  if (t === 'NO_EXT_SEQ' || t === 'NO_ESN') return ['ESN', 'NO_ESN'];
  if (t === 'EXT_SEQ' || t === 'ESN') return ['ESN', 'ESN'];
  if (t.startsWith('PRF_')) return ['PRF', canonicalPrf(t.slice(4))];
  const ke = canonicalKe(t);
  if (ke) return ['KE', ke];
  if (/^(HMAC_|AES_XCBC|AES_CMAC|AUTH_|NONE$)/.test(t)) return ['INTEG', canonicalInteg(t)];
  const encr = canonicalEncr(t);
  if (encr) return ['ENCR', encr];
  return undefined;
}

function normaliseTyped(type: TransformType, value: string): string | undefined {
  switch (type) {
    case 'ENCR': return canonicalEncr(value);
    case 'INTEG': return canonicalInteg(value);
    case 'PRF': return canonicalPrf(value.replace(/^PRF_/, ''));
    case 'KE': return canonicalKe(value);
    case 'ESN': return value === 'YES' || value === 'ESN' || value === 'EXT_SEQ' ? 'ESN' : value === 'NO' || value === 'NO_ESN' || value === 'NO_EXT_SEQ' ? 'NO_ESN' : undefined;
  }
}

// IANA Transform Type 4 (RFC 7296 §3.3.2, RFC 3526, RFC 5903, RFC 8031).
const KE_BY_NUMBER: Record<number, string> = {
  1: 'MODP_768', 2: 'MODP_1024', 5: 'MODP_1536', 14: 'MODP_2048', 15: 'MODP_3072', 16: 'MODP_4096', 17: 'MODP_6144', 18: 'MODP_8192',
  19: 'ECP_256', 20: 'ECP_384', 21: 'ECP_521', 22: 'MODP_1024_160', 23: 'MODP_2048_224', 24: 'MODP_2048_256', 25: 'ECP_192', 26: 'ECP_224',
  27: 'ECP_224_BP', 28: 'ECP_256_BP', 29: 'ECP_384_BP', 30: 'ECP_512_BP', 31: 'CURVE_25519', 32: 'CURVE_448',
};

function canonicalKe(t: string): string | undefined {
  const u = t.toUpperCase();
  let m = /^(?:MODP|DH)_?(\d{3,4})(?:_(\d{3}))?$/.exec(u);
  if (m && Number(m[1]) >= 768) return m[2] ? `MODP_${m[1]}_${m[2]}` : `MODP_${m[1]}`;
  m = /^(?:DH|GROUP)_?(\d{1,2})$/.exec(u);
  if (m) return KE_BY_NUMBER[Number(m[1])];
  m = /^ECP_?(\d{3})(_?BP)?$/.exec(u);
  if (m) return `ECP_${m[1]}${m[2] ? '_BP' : ''}`;
  if (/^(CURVE_?25519|X25519)$/.test(u)) return 'CURVE_25519';
  if (/^(CURVE_?448|X448)$/.test(u)) return 'CURVE_448';
  if (u === 'MODP_NONE' || u === 'NONE_KE') return 'NONE';
  return undefined;
}

function canonicalPrf(t: string): string {
  const u = t.toUpperCase().replace(/^HMAC_/, 'HMAC_');
  const m = /^(?:HMAC_)?(SHA1|SHA2_(?:256|384|512)|MD5)$/.exec(u);
  if (m) return `PRF_HMAC_${m[1]}`;
  if (/^AES(128)?_XCBC/.test(u)) return 'PRF_AES128_XCBC';
  if (/^AES(128)?_CMAC/.test(u)) return 'PRF_AES128_CMAC';
  return `PRF_${u}`;
}

function canonicalInteg(t: string): string {
  const u = t.toUpperCase();
  if (u === 'NONE' || u === 'NULL') return 'NONE';
  if (u.startsWith('AES_XCBC')) return 'AES_XCBC_96';
  if (u.startsWith('AES_CMAC')) return 'AES_CMAC_96';
  return u.replace(/^AUTH_/, '');
}

function canonicalEncr(t: string): string | undefined {
  const u = t.toUpperCase().replace(/^ENCR_/, '');
  let m = /^AES_(CBC|CTR)(?:_(\d{3}))?$/.exec(u);
  if (m) return `AES_${m[1]}_${m[2] ?? '128'}`;
  m = /^AES_(GCM|CCM)(?:_(?:C|A|B)?)?(?:_?(8|12|16))?(?:_(\d{3}))?$/.exec(u);
  if (m) return `AES_${m[1]}_${m[2] ?? '16'}_${m[3] ?? '128'}`;
  m = /^CAMELLIA_(CBC|CTR)(?:_(\d{3}))?$/.exec(u);
  if (m) return `CAMELLIA_${m[1]}_${m[2] ?? '128'}`;
  if (/^3DES(_CBC)?$/.test(u)) return '3DES_CBC';
  if (/^DES(_CBC)?$/.test(u)) return 'DES_CBC';
  if (/^CHACHA20_POLY1305(_256)?$/.test(u)) return 'CHACHA20_POLY1305';
  if (u === 'NULL') return 'NULL';
  if (/^(BLOWFISH|CAST|TWOFISH|SERPENT)/.test(u)) return u;
  return undefined;
}

// ---------------------------------------------------------------------------
// keyword syntaxes (strongSwan and libreswan)

const INTEG_KEYWORDS: Record<string, string> = {
  md5: 'HMAC_MD5_96', md5_128: 'HMAC_MD5_128', sha: 'HMAC_SHA1_96', sha1: 'HMAC_SHA1_96', sha1_160: 'HMAC_SHA1_160',
  sha256: 'HMAC_SHA2_256_128', sha2: 'HMAC_SHA2_256_128', sha2_256: 'HMAC_SHA2_256_128', sha256_96: 'HMAC_SHA2_256_96',
  sha384: 'HMAC_SHA2_384_192', sha2_384: 'HMAC_SHA2_384_192', sha512: 'HMAC_SHA2_512_256', sha2_512: 'HMAC_SHA2_512_256',
  aesxcbc: 'AES_XCBC_96', aes_xcbc: 'AES_XCBC_96', aescmac: 'AES_CMAC_96', aes_cmac: 'AES_CMAC_96', null: 'NONE', none: 'NONE',
};

/** integrity keyword → the PRF strongSwan/libreswan derive from it when no `prf…` is given (IKE only). */
const PRF_FROM_INTEG: Record<string, string> = {
  HMAC_MD5_96: 'PRF_HMAC_MD5', HMAC_SHA1_96: 'PRF_HMAC_SHA1', HMAC_SHA2_256_128: 'PRF_HMAC_SHA2_256',
  HMAC_SHA2_384_192: 'PRF_HMAC_SHA2_384', HMAC_SHA2_512_256: 'PRF_HMAC_SHA2_512', AES_XCBC_96: 'PRF_AES128_XCBC', AES_CMAC_96: 'PRF_AES128_CMAC',
};

function parseKeywords(raw: string, protocol: ProposalProtocol | undefined): Proposal {
  const p: Proposal = { protocol, transforms: emptyTransforms(), unknown: [], complete: false, raw };
  // `!` marks a strict proposal in ipsec.conf; libreswan separates the DH part with `;`, alternatives with `+`
  const tokens = raw.replace(/!$/, '').toLowerCase().split(/[-;+]/).slice(0, MAX_TOKENS);
  for (const token of tokens) {
    const t = token.trim();
    if (!t) continue;
    if (!placeKeyword(p, t)) p.unknown.push(t);
  }
  // RFC 7296 §3.3.3: an IKE SA needs a PRF; both daemons reuse the integrity algorithm's hash
  if (p.protocol !== 'ESP' && p.protocol !== 'AH' && p.transforms.PRF.length === 0) {
    for (const integ of p.transforms.INTEG) {
      const prf = PRF_FROM_INTEG[integ];
      if (prf) add(p, 'PRF', prf);
    }
  }
  return p;
}

function placeKeyword(p: Proposal, t: string): boolean {
  // AEAD: aes128gcm16, aes256gcm128 (ICV in bits), aes_gcm256, aes_gcm_c_256, aes_gcm (libreswan), aes128ccm12
  let m = /^aes(\d{3})?_?(gcm|ccm)(?:_?([abc]))?_?(\d{1,3})?$/.exec(t);
  if (m) {
    const mode = m[2].toUpperCase();
    let keyBits = m[1];
    let icv = '16';
    const n = m[4];
    if (n) {
      if (!keyBits && /^(128|192|256)$/.test(n)) keyBits = n; // libreswan aes_gcm256 = key size
      else if (n === '8' || n === '64') icv = '8';
      else if (n === '12' || n === '96') icv = '12';
      else icv = '16';
    }
    if (m[3]) icv = m[3] === 'a' ? '8' : m[3] === 'b' ? '12' : '16';
    add(p, 'ENCR', `AES_${mode}_${icv}_${keyBits ?? '128'}`);
    return true;
  }
  m = /^aes(\d{3})?(ctr)?$/.exec(t);
  if (m) {
    add(p, 'ENCR', `AES_${m[2] ? 'CTR' : 'CBC'}_${m[1] ?? '128'}`);
    return true;
  }
  m = /^aes_(cbc|ctr)_?(\d{3})?$/.exec(t);
  if (m) {
    add(p, 'ENCR', `AES_${m[1].toUpperCase()}_${m[2] ?? '128'}`);
    return true;
  }
  m = /^camellia(\d{3})?(ctr)?$/.exec(t);
  if (m) {
    add(p, 'ENCR', `CAMELLIA_${m[2] ? 'CTR' : 'CBC'}_${m[1] ?? '128'}`);
    return true;
  }
  if (t === '3des' || t === '3des_cbc') return add(p, 'ENCR', '3DES_CBC'), true;
  if (t === 'des') return add(p, 'ENCR', 'DES_CBC'), true;
  if (t === 'chacha20poly1305' || t === 'chacha20_poly1305') return add(p, 'ENCR', 'CHACHA20_POLY1305'), true;
  if (t === 'null_enc' || (t === 'null' && p.transforms.ENCR.length === 0)) {
    // `null` first is the NULL cipher; after a cipher (libreswan aes_gcm-null) it is "no integrity"
    add(p, 'ENCR', 'NULL');
    return true;
  }
  if (t.startsWith('prf')) {
    const integ = INTEG_KEYWORDS[t.slice(3).replace(/^_/, '')];
    const prf = integ && PRF_FROM_INTEG[integ];
    if (prf) return add(p, 'PRF', prf), true;
    return false;
  }
  const integ = INTEG_KEYWORDS[t];
  if (integ) {
    if (integ !== 'NONE') add(p, 'INTEG', integ);
    return true;
  }
  const ke = canonicalKe(t);
  if (ke) return add(p, 'KE', ke), true;
  if (t === 'esn') return add(p, 'ESN', 'ESN'), true;
  if (t === 'noesn') return add(p, 'ESN', 'NO_ESN'), true;
  return false;
}

// ---------------------------------------------------------------------------
// comparison

/** Transform types where a and b share no value (types one side leaves to defaults are skipped). */
export function mismatchedTypes(a: Proposal, b: Proposal): TransformType[] {
  const out: TransformType[] = [];
  for (const type of TRANSFORM_TYPES) {
    const x = a.transforms[type];
    const y = b.transforms[type];
    if (x.length === 0 && y.length === 0) continue;
    if (x.length === 0 || y.length === 0) {
      // an ESP proposal without a KE transform means "no PFS"; that only counts when both are printed in full
      if (a.complete && b.complete && !(type === 'INTEG' && isAeadOnly(x.length ? a : b))) out.push(type);
      continue;
    }
    if (!x.some((v) => y.includes(v))) out.push(type);
  }
  return out;
}

function isAeadOnly(p: Proposal): boolean {
  return p.transforms.ENCR.length > 0 && p.transforms.ENCR.every((e) => /GCM|CCM|CHACHA20/.test(e)) && p.transforms.INTEG.every((i) => i === 'NONE');
}

/** Two proposals accept each other. */
export function proposalsOverlap(a: Proposal, b: Proposal): boolean {
  return mismatchedTypes(a, b).length === 0;
}

/**
 * Which transform types keep the received proposals from matching the configured ones,
 * over every proposal of both sides: a type is named when no received proposal shares a
 * value of it with any configured one (its values are then each side's union). When every
 * type meets somewhere but no one pair of proposals combines them, the closest pair
 * (fewest mismatching types) names the types and `combination` says so.
 */
export function proposalDelta(received: readonly Proposal[], configured: readonly Proposal[]): ProposalDelta {
  let best: { r: Proposal; c: Proposal; types: TransformType[] } | undefined;
  const neverMeet = new Set<TransformType>(TRANSFORM_TYPES);
  for (const r of received) {
    for (const c of configured) {
      if (r.protocol && c.protocol && r.protocol !== c.protocol) continue;
      const types = mismatchedTypes(r, c);
      if (!best || types.length < best.types.length) best = { r, c, types };
      if (types.length === 0) return { match: true, types: [], details: [], closest: { received: r.raw, configured: c.raw } };
      for (const t of TRANSFORM_TYPES) if (!types.includes(t)) neverMeet.delete(t);
    }
  }
  if (!best) return { match: false, types: [], details: [] };
  const { r, c } = best;
  const closest = { received: r.raw, configured: c.raw };
  const types = TRANSFORM_TYPES.filter((t) => neverMeet.has(t));
  if (types.length) return { match: false, types, details: types.map((type) => ({ type, received: union(received, type), configured: union(configured, type) })), closest };
  return { match: false, types: best.types, details: best.types.map((type) => ({ type, received: r.transforms[type], configured: c.transforms[type] })), closest, combination: true };
}

function union(list: readonly Proposal[], type: TransformType): string[] {
  return [...new Set(list.flatMap((p) => p.transforms[type]))];
}

/** Human names of transform types, for messages. */
export const TRANSFORM_TYPE_NAMES: Record<TransformType, string> = {
  ENCR: 'encryption', INTEG: 'integrity', PRF: 'PRF', KE: 'DH/KE group', ESN: 'ESN',
};

/** One proposal in strongSwan's printed form (`IKE:AES_CBC_256/HMAC_SHA2_256_128/…`). */
export function formatProposal(p: Proposal): string {
  const names = TRANSFORM_TYPES.flatMap((t) => p.transforms[t]);
  return (p.protocol ? `${p.protocol}:` : '') + names.join('/');
}
