/**
 * Failure lines found by the source catalogue (docs/catalogue/libreswan.json, issue 20 §1) that
 * the topic handlers did not read: v3.32–v5.x wordings for PSK/AUTH mismatches, peer-ID
 * extraction, certificate rejection and CRL strictness, Oakley/IPsec proposal refusals, IKEv2
 * fragment errors, selector errors, NAT-T aborts and kernel SA/policy (eroute) failures.
 * Tried last, behind one gate regex, so that the topic handlers keep first say.
 */
import type { LogEventData } from '../../../evidence/log-events.js';
import { draft, type Draft, type LineContext } from './draft.js';

type Make = (m: RegExpExecArray, ctx: LineContext) => Draft[];

const auth =
  (method: LogEventData['auth']['method'], direction: LogEventData['auth']['direction'] = 'local'): Make =>
  (m) => [draft('auth', { ok: false, method, direction, reason: m[0] })];
const idMismatch: Make = (m) => [draft('id-mismatch', { detail: m[0] })];
const certRejected: Make = (m) => [draft('auth', { ok: false, method: 'cert', direction: 'local', reason: m[0] })];
const certStatus: Make = (m) => [draft('cert-status', { ok: false, reason: m[0] })];
const noProposal =
  (phase: 'ike' | 'child'): Make =>
  (m) => [draft('no-proposal-chosen', { phase, direction: 'local', reason: m[0] })];
const tsLocal: Make = () => [draft('ts-unacceptable', { direction: 'local' })];
const fragment: Make = (m) => [draft('ike-fragment', { direction: /^(?:error encrypting|fragmenting)/.test(m[0]) ? 'sent' : 'received' })];
const nat: Make = (m) => [draft('nat', { detail: m[0] })];
const kernelFailed =
  (what: string): Make =>
  (m) => [draft('sa-install-failed', { what, detail: m[0] })];

const RULES: [RegExp, Make][] = [
  // ikev2_psk.c / ikev2_parent.c (v3.32): AUTH payload check
  [/^(?:PSK |NULL )?(?:Authentication failed: )?AUTH mismatch(?::| in )/, auth('psk')],
  [/^No matching PSK found for connection: /, auth('psk')],
  [/^Peer attempted PSK authentication but we want /, auth('psk')],
  [/^AUTH signature calculation failed$/, auth('cert')],
  // ikev1.c: the IKEv1 responder's view of a PSK mismatch (issue 20 §2)
  [/^probable authentication failure \(mismatch of preshared secrets\?\): .*/, auth('psk')],
  // ikev2_ike_auth.c (v5.4): the IKE_AUTH response did not authenticate the IKE SA
  [/^IKE SA authentication failed, (?:incomplete IKE_AUTH response contains the (?:Child SA error|status) notification (\S+?)(?: for .*)?|unrecognized IKE_AUTH response)$/, auth('unknown', 'received')],
  // ikev2.c / x509.c (v3.32): peer identity
  [/^(?:IKEv2 mode (?:no peer ID \(hisID\)|peer ID extraction failed)|Peer IDr payload extraction failed|decoding IKEv2 peer ID failed due to confusion)$/, idMismatch],
  [/^ID_DER_ASN1_DN '(.*)' does not match expected '(.*)'$/, (m) => [draft('id-mismatch', { received: m[1], expected: m[2] })]],
  [/^(?:Peer CERT payload SubjectAltName does not match peer ID for this connection|X509: CERT payload does not match connection ID)$/, idMismatch],
  [/^peer ID (?:'.*' )?is not a certificate type$|^unhandled ID type \S+; cannot match peer's certificate with expected peer ID$/, idMismatch],
  [/^initial Aggressive Mode packet claiming to be from (\S+) on \S+ but no (?:matching )?connection has been authorized/, (m) => [draft('no-config', { scope: 'peer', remote: m[1], detail: m[0] })]],
  // nss_cert_verify.c: certificate chain, revocation, CRL strictness
  [/^certificate revoked!$/, (m) => [draft('cert-status', { ok: false, reason: m[0] }), draft('auth', { ok: false, method: 'cert', direction: 'local', reason: 'certificate revoked' })]],
  [/^(?:X509: no EE-cert in chain!|end cert is a root certificate!)$/, certRejected],
  [/^certificate payload rejected; crl-strict=yes and Certificate Revocation List \(CRL\) is expired or missing/, certStatus],
  // ikev1_spdb_struct.c / ikev2_parent.c: proposals refused
  [/^OAKLEY proposal refused: /, noProposal('ike')],
  [/^no acceptable Proposal in IPsec SA$|^No CHILD SA proposals received\.$/, noProposal('child')],
  [/^local policy requires ECDSA but peer sent no acceptable signature hash algorithms$/, auth('cert')],
  [/^initiator guessed wrong keying material group \((\S+)\); responding with INVALID_KE_PAYLOAD requesting (\S+)$/, (m) => [draft('invalid-ke', { direction: 'sent', offered: m[1], requested: m[2] })]],
  // ikev2_message.c: fragments
  [/^(?:error encrypting fragment \d+|(?:saved )?fragment \d+ of \d+ invalid(?:; dropped)?|fragmenting this \d+ byte message into \d+ byte chunks leads to too many frags|ignoring fragment as (?:not allowed by local policy|peer never proposed fragmentation))$/, fragment],
  // ikev2_ts.c / ikev1_quick.c: selectors
  [/^(?:\S+ traffic selector \d+ has an invalid port range|Encountered Traffic Selector (?:Type \S+ not supported|of unknown Type)|[Nn]o IKEv2 connection found with compatible Traffic Selectors|Received TS[ir] payload(?:\(s\))? does not contain existing IPsec SA [Tt]raffic Selectors|Traffic Selector of type Security Label should not have non-zero IP protocol|(?:non-CIDR )?Traffic Selector range \S+ (?:invalid|is not supported)|proposed Traffic Selectors do not match labeled IKEv2 connection|rejecting responder TSi\/TSr Traffic Selector|rekey: received Traffic Selectors (?:does not contain existing IPsec SA Traffic Selectors|mismatch configured selectors for Security Label))/, tsLocal],
  // nat_traversal.c / ikev2_nat.c
  [/^NAT-Traversal(?: is turned OFF|: (?:ESPINUDP for this kernel not supported|Only \d+ NAT-D - Aborting))|^NAT: (?:MOB\w+ disabled, ignoring peer endpoint change|cannot float to|cannot switch to NAT port)/, nat],
  // kernel.c / kernel_xfrm.c / kernel_policy.c
  [/^netlink (XFRM_MSG_\w+|\S+) response for flow .* included errno (\d+)/, kernelFailed('policy')],
  [/^netlink response for (?:Add|Del|Get|Update|Replace) .* included errno \d+/, kernelFailed('sa')],
  [/^installing IPsec SA failed/, kernelFailed('sa')],
  [/^kernel (?:algorithm does not like: |failed to calculate compression CPI)/, kernelFailed('sa')],
  [/^Warning: kernel expired our reserved IPsec SA SPI/, kernelFailed('spi')],
  [/^(?:raw|sag|shunt)_(?:eroute|policy)\(\) in \S+ failed|^assign_holdpass\(\) failed/, kernelFailed('policy')],
  // Openswan 2.6 (xelerance/Openswan v2.6.38–v2.6.51) wordings
  [/^(?:PSK |RSA )?authentication failed(?: AUTH mismatch!)?$/, (m) => [draft('auth', { ok: false, method: /^PSK/.test(m[0]) ? 'psk' : /^RSA/.test(m[0]) ? 'cert' : 'unknown', direction: 'local', reason: m[0] })]],
  [/^No matching PSK found for connection:/, auth('psk')],
  [/^(?:X\.509 certificate rejected|(?:attribute )?certificate signature is invalid)$/, certRejected],
  [/^certificate is revoked$/, (m) => [draft('cert-status', { ok: false, reason: m[0] }), draft('auth', { ok: false, method: 'cert', direction: 'local', reason: 'certificate revoked' })]],
  [/^failed to installed? IPsec Child SAs$/, kernelFailed('child-sa')],
  [/^NAT-T detected, moving to port 4500$/, () => [draft('nat-t-float', {})]],
  [/^NAT-Traversal: ESPINUDP\(\d+\) not supported by kernel/, nat],
  [/^Warning: peer is NATed but source port is still udp\/\d+/, (m) => [draft('nat', { remoteBehindNat: true, detail: m[0] })]],
  [/^DPD: No response from peer - declaring peer dead$/, () => [draft('dpd', { mechanism: 'dpd', outcome: 'timeout' })]],
  [/subnet returned doesn't match my proposal - us: ?(\S+) vs them: ?(\S+)$/, (m) => [draft('ts-unacceptable', { direction: 'local', local: [m[1]!], remote: [m[2]!] })]],
  // this host cannot sign its own AUTH: ikev1_main.c/ikev1_aggr.c (v3.x–v5.x) "unable to locate my private key for RSA Signature",
  // keys.c v3.x "Can't find the certificate or private key from the NSS CKA_ID", v4/v5 "connection %s's %s private key not found",
  // ikev2_eap.c "private key for connection not found"
  [/^(?:unable to locate my private key for .*|Can't find the certificate or private key from the NSS CKA_ID|connection \S+'s \S+ private key not found|private key for connection not found)$/, (m) => [
    draft('auth', { ok: false, method: 'cert', direction: 'local', reason: m[0], whose: 'own', missing: 'private-key' }),
  ]],
  // timer.c: the retransmit give-up that pluto itself reads as a probable authentication failure
  [/^(\d+) second timeout exceeded after (\d+) retransmits\.\s+Possible authentication failure: /, (m) => [
    draft('give-up', { seconds: Number(m[1]), retransmits: Number(m[2]), detail: m[0] }),
  ]],
];

const GATE =
  /private key|AUTH|PSK|authentication|signature|X\.509|revoked|Child SAs|DPD|subnet returned|peer ID|[Pp]eer IDr|ID_DER|X509|certificate|EE-cert|end cert|OAKLEY|[Pp]roposal|keying material|fragment|Traffic Selector|traffic selector|TSi|NAT|netlink|kernel|IPsec SA failed|_eroute|_policy\(\)|holdpass|timeout exceeded/;

/** Last resort of decodeText: undefined when no catalogue wording matches. */
export function catalogueFailures(text: string, ctx: LineContext): Draft[] | undefined {
  if (!GATE.test(text)) return undefined;
  for (const [re, make] of RULES) {
    const m = re.exec(text);
    if (m) return make(m, ctx);
  }
  return undefined;
}
