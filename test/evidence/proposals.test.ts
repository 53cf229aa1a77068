import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatProposal, parseProposal, parseProposals, proposalDelta, proposalsOverlap } from '../../src/evidence/derived/proposals.js';

describe('parseProposal: every syntax to one vocabulary', () => {
  it('strongSwan keyword and strongSwan printed form compare equal', () => {
    const kw = parseProposal('aes256-sha256-modp2048', 'IKE');
    const printed = parseProposal('IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048');
    expect(kw.transforms).toEqual({ ENCR: ['AES_CBC_256'], INTEG: ['HMAC_SHA2_256_128'], PRF: ['PRF_HMAC_SHA2_256'], KE: ['MODP_2048'], ESN: [] });
    expect(printed.transforms).toEqual(kw.transforms);
    expect(proposalsOverlap(kw, printed)).toBe(true);
  });

  it('AEAD keyword with explicit PRF and ECP group', () => {
    const p = parseProposal('aes128gcm16-prfsha256-ecp256', 'IKE');
    expect(p.transforms).toMatchObject({ ENCR: ['AES_GCM_16_128'], INTEG: [], PRF: ['PRF_HMAC_SHA2_256'], KE: ['ECP_256'] });
    expect(p.unknown).toEqual([]);
  });

  it('strongSwan printed AEAD form from a real log (corpus strongswan/ikev2-fragmented-response-ocsp-fallback-stroke.log)', () => {
    const p = parseProposal('IKE:AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256');
    expect(p.transforms).toMatchObject({ ENCR: ['AES_GCM_16_256'], PRF: ['PRF_HMAC_SHA2_512'], KE: ['ECP_256'] });
    expect(proposalsOverlap(p, parseProposal('aes256gcm16-prfsha512-ecp256', 'IKE'))).toBe(true);
  });

  it('esp=aes-sha1 (ipsec.conf) is AES_CBC_128 + HMAC_SHA1_96, no PRF for ESP', () => {
    const p = parseProposal('aes-sha1', 'ESP');
    expect(p.transforms).toEqual({ ENCR: ['AES_CBC_128'], INTEG: ['HMAC_SHA1_96'], PRF: [], KE: [], ESN: [] });
    expect(p.complete).toBe(false);
  });

  it('strongSwan printed ESP with NO_EXT_SEQ', () => {
    const p = parseProposal('ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ');
    expect(p.protocol).toBe('ESP');
    expect(p.transforms.ESN).toEqual(['NO_ESN']);
  });

  it('libreswan printed form (corpus libreswan/ikev2-child-esp-proposal-mismatch-responder.log)', () => {
    const [p] = parseProposals('1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO');
    expect(p).toMatchObject({ protocol: 'ESP', number: 1, complete: true, unknown: [] });
    expect(p.transforms).toEqual({ ENCR: ['AES_CBC_128', 'AES_CBC_256'], INTEG: ['HMAC_SHA1_96'], PRF: [], KE: [], ESN: ['ESN', 'NO_ESN'] });
    expect(proposalsOverlap(p, parseProposal('aes-sha1', 'ESP'))).toBe(true);
  });

  it('libreswan IKE printed form with PRF without prefix and KE as MODP2048', () => {
    const ps = parseProposals('1:IKE:ENCR=AES_CBC_256;PRF=HMAC_SHA2_256;INTEG=HMAC_SHA2_256_128;KE=MODP2048 2:IKE:ENCR=AES_GCM_16_256;PRF=HMAC_SHA2_512;KE=DH19');
    expect(ps).toHaveLength(2);
    expect(ps[0].transforms).toMatchObject({ PRF: ['PRF_HMAC_SHA2_256'], KE: ['MODP_2048'] });
    expect(ps[1].transforms).toMatchObject({ ENCR: ['AES_GCM_16_256'], KE: ['ECP_256'] });
    expect(proposalsOverlap(ps[0], parseProposal('IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048'))).toBe(true);
  });

  it('libreswan keywords: ike=3des-sha1-modp1536, ike=aes128-sha2;dh19, esp=aes_gcm256-null', () => {
    expect(parseProposal('3des-sha1-modp1536', 'IKE').transforms).toMatchObject({ ENCR: ['3DES_CBC'], INTEG: ['HMAC_SHA1_96'], PRF: ['PRF_HMAC_SHA1'], KE: ['MODP_1536'] });
    expect(parseProposal('aes128-sha2;dh19', 'IKE').transforms).toMatchObject({ ENCR: ['AES_CBC_128'], INTEG: ['HMAC_SHA2_256_128'], KE: ['ECP_256'] });
    expect(parseProposal('aes_gcm256-null', 'ESP').transforms).toMatchObject({ ENCR: ['AES_GCM_16_256'], INTEG: [] });
  });

  it('several keyword proposals separated by commas, strict marker ignored', () => {
    const ps = parseProposals('aes256-sha256-modp2048,aes128-sha1-modp1024!', 'IKE');
    expect(ps.map((p) => p.transforms.KE[0])).toEqual(['MODP_2048', 'MODP_1024']);
  });

  it('unknown tokens are kept, not thrown', () => {
    const p = parseProposal('aes256-frobnicate-modp2048', 'IKE');
    expect(p.unknown).toEqual(['frobnicate']);
    expect(formatProposal(p)).toBe('IKE:AES_CBC_256/MODP_2048');
  });
});

describe('proposalDelta', () => {
  it('names the DH group as the only mismatching type (corpus ikev1-aggressive: modp1536 vs modp2048)', () => {
    const d = proposalDelta(parseProposals('3des-sha1-modp1536', 'IKE'), parseProposals('3des-sha1-modp2048', 'IKE'));
    expect(d.match).toBe(false);
    expect(d.types).toEqual(['KE']);
    expect(d.details).toEqual([{ type: 'KE', received: ['MODP_1536'], configured: ['MODP_2048'] }]);
  });

  it('names encryption and integrity for esp=aes-sha1 vs esp=3des-md5', () => {
    const d = proposalDelta(parseProposals('1:ESP:ENCR=AES_CBC_128;ENCR=AES_CBC_256;INTEG=HMAC_SHA1_96;ESN=YES;ESN=NO'), parseProposals('3des-md5', 'ESP'));
    expect(d.types).toEqual(['ENCR', 'INTEG']);
    expect(d.details[0]).toEqual({ type: 'ENCR', received: ['AES_CBC_128', 'AES_CBC_256'], configured: ['3DES_CBC'] });
  });

  it('strongSwan received vs configured lists (VyOS docs example shape): encryption differs', () => {
    const d = proposalDelta(
      parseProposals('IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048'),
      parseProposals('IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048, IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256'),
    );
    expect(d.types).toEqual(['ENCR']);
    expect(d.closest?.configured).toBe('IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048');
  });

  it('PFS: a printed ESP proposal with a KE group against one without is a KE mismatch', () => {
    const d = proposalDelta(parseProposals('ESP:AES_CBC_128/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ'), parseProposals('ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ'));
    expect(d.types).toEqual(['KE']);
  });

  it('ESN only: ESN vs NO_ESN', () => {
    const d = proposalDelta(parseProposals('ESP:AES_CBC_128/HMAC_SHA1_96/EXT_SEQ'), parseProposals('ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ'));
    expect(d.types).toEqual(['ESN']);
  });

  it('matching lists say match', () => {
    const d = proposalDelta(parseProposals('aes256-sha256-modp2048', 'IKE'), parseProposals('IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048'));
    expect(d).toMatchObject({ match: true, types: [] });
  });

  it('is total on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        const d = proposalDelta(parseProposals(a), parseProposals(b, 'ESP'));
        expect(typeof d.match).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
