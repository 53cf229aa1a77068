/**
 * Failure lines found by the source catalogue (docs/catalogue/strongswan.json, issue 20 §1)
 * that the topic rule files did not read: EAP/AUTH payload failures, certificate validity and
 * OCSP/CRL fetch failures, DH group and proposal-selection failures, missing ID/TS payloads,
 * IKE fragmentation failures and kernel SPI/SA/policy/trap failures. Each pattern names the
 * file that prints it; wording varies across 4.6–6.0 where the pattern allows alternatives.
 */
import type { LogEventData } from '../../../evidence/log-events.js';
import type { LineContext } from './context.js';
import type { BodyRule, RuleTable } from './rule-table.js';

type Emit = (m: RegExpExecArray, c: LineContext) => void;

const authFailed =
  (method: LogEventData['auth']['method'], direction: LogEventData['auth']['direction'] = 'local'): Emit =>
  (m, c) =>
    c.emit('auth', { ok: false, method, direction, reason: m[0] });
const certFailed: Emit = (m, c) => c.emit('cert-status', { ok: false, reason: m[0] });
const certAuthFailed: Emit = (m, c) => c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: m[0] });
const ikeNoProposal: Emit = (m, c) => c.emit('no-proposal-chosen', { phase: 'ike', direction: 'local', reason: m[0] });
const kernelFailed =
  (what: string): Emit =>
  (m, c) =>
    c.emit('sa-install-failed', { what, detail: m[0] });

const RULES: [RegExp, Emit][] = [
  // eap_authenticator.c
  [/^(?:\S+ )?EAP vendor type \d+-\S+ method failed$/, authFailed('eap')],
  [/^(?:EAP vendor specific method|vendor specific EAP method) \d+-\S+ failed(?: for peer .*)?$/, authFailed('eap')],
  [/^verification of AUTH payload with(?:out)? EAP MSK failed$/, authFailed('eap')],
  [/^AUTH payload missing$/, authFailed('unknown')],
  // pubkey_v1_authenticator.c / pubkey_authenticator.c: our own signature could not be made
  [/^authentication of '(.*)' \(myself\) failed$/, (m, c) => c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: m[0], id: m[1] })],
  // ikev1 psk_v1_authenticator.c: the IKEv1 PSK mismatch
  [/^calculated HASH does not match HASH payload$/, authFailed('psk')],
  // credential_manager.c, ike_sa.c: certificate validity period
  [/^(?:\S+ )?certificate invalid \(valid from .* to .*\)$/, certAuthFailed],
  [/^(?:subject|issuer|peer) certificate invalid \(valid from .* to .*\)$/, certAuthFailed],
  [/^rejecting certificate without digitalSignature or nonRepudiation keyUsage flags$/, certAuthFailed],
  [/^(?:no subject certificate found|unable to retrieve public key), skipping certificate verification$/, certFailed],
  [/^unable to verify peer certificate (?:as authentication information has been flushed|in state \S+)$/, certFailed],
  [/^received (?:invalid hash-and-url encoded cert, ignore|unsupported cert type \S+)$/, certFailed],
  // revocation_validator.c: OCSP / CRL could not be established
  [/^(?:OCSP|ocsp) response verification failed(?:, .*)?$/, certFailed],
  [/^(?:parsing ocsp response failed|nonce in ocsp response doesn't match|ocsp information stale, fallback to crl)$/, certFailed],
  [/^crl (?:fetched successfully but parsing failed|response verification failed)$/, certFailed],
  [/^issuer of fetched (?:delta )?CRL '.*' does not match .*$/, certFailed],
  // ike_init.c, child_create.c, aggressive_mode.c, quick_mode.c: DH groups and proposal selection
  [/^(?:configured |requested |negotiated )?DH group (?:\S+ )?not supported$/, ikeNoProposal],
  [/^DH group selection failed$|^peer DH group selection invalid$/, ikeNoProposal],
  [/^(?:peer's|peers) proposal selection invalid$/, ikeNoProposal],
  [/^(?:received proposals inacceptable|no matching proposal found, trying alternative config)$/, ikeNoProposal],
  [/^DH group (\S+) (?:in|un)acceptable, requesting (\S+)$/, (m, c) => c.emit('invalid-ke', { direction: 'sent', offered: m[1], requested: m[2] })],
  [/^requested (?:DH group|key exchange method) (\S+) not contained in any of our proposals$/, (m, c) => c.emit('invalid-ke', { direction: 'received', requested: m[1] })],
  // ike_auth.c, aggressive_mode.c, quick_mode.c: identities and selectors
  [/^(?:IDi|IDr) payload missing$|^own identity not known$/, (m, c) => c.emit('id-mismatch', { detail: m[0] })],
  // quick_mode.c: the form without selectors (the one with them is read in rules-child.ts)
  [/^no matching CHILD_SA config found$/, (m, c) => c.emit('ts-unacceptable', { direction: 'local', exchange: 'QUICK_MODE' })],
  [/^(?:local|remote) traffic selector missing in configuration$|^TS payloads missing in message$|^security labels in TSi and TSr don't match$/, (m, c) =>
    c.emit('ts-unacceptable', { direction: 'local' })],
  // task_manager_v1.c / v2 fragmentation
  [/^(?:failed to generate IKE fragment|fragmented IKE message is too large)$/, (m, c) => c.emit('ike-fragment', { direction: 'sent' })],
  // ike_init.c (COOKIE / INVALID_KE retries), task_manager.c (MOBIKE path probes)
  [/^giving up after (\d+) (?:retries|path probings)$/, (m, c) => c.emit('give-up', { retransmits: Number(m[1]), detail: m[0] })],
  // ike_sa.c: NAT gone after a MOBIKE update
  [/^(local|remote) host is not behind NAT anymore$/, (m, c) => c.emit('nat', m[1] === 'local' ? { localBehindNat: false, detail: m[0] } : { remoteBehindNat: false, detail: m[0] })],
  // kernel_netlink, child_create.c, quick_mode.c, trap_manager.c
  [/^(?:unable to allocate SPIs? from kernel|allocating SPI from kernel failed)$/, kernelFailed('spi')],
  [/^unable to install (?:\S+ )*?IPsec SA \(SAD\) in kernel$|^unable to install (?:inbound |outbound )?IPsec SA \(SAD\) in kernel$/, kernelFailed('sa')],
  [/^failed to install SA with \S+ HW offload, trying with(?:out)? .*$/, kernelFailed('sa')],
  [/^algorithm \S+ not supported by kernel!$/, kernelFailed('sa')],
  [/^unable to install policy .* for reqid \d+, the same policy for reqid \d+ exists$/, kernelFailed('policy')],
  [/^installing trap failed, (?:local|remote) address unknown(?: with dynamic traffic selector)?$/, kernelFailed('policy')],
  [/^(?:netlink request not acknowledged|Netlink request timed out after \d+ retransmits)$/, kernelFailed('netlink')],
];

function ruleFor(re: RegExp, emit: Emit): BodyRule {
  return (body, c) => {
    const m = re.exec(body);
    if (!m) return false;
    emit(m, c);
    return true;
  };
}

/** What charon prints for a leading %s in these templates (server/peer, subject/issuer, local/remote, ca/crl). */
const ANY_FIRST_WORD = ['server', 'client', 'peer', 'subject', 'issuer', 'local', 'remote', 'ca', 'attribute', 'EAP'];

/** Indexed by first word like the other tables: the words each pattern can start with. */
export const catalogueRules: RuleTable = {};
for (const [re, emit] of RULES) {
  for (const w of firstWords(re)) (catalogueRules[w] ??= []).push(ruleFor(re, emit));
}

/**
 * The literal first words of a pattern: the alternatives of a leading group, or the leading
 * literal word. A pattern that may start with any word (`(?:\S+ )?`) is also filed under the
 * word that follows it, and under the words charon puts there ("server", "peer", "subject", …).
 */
function firstWords(re: RegExp): string[] {
  const words = new Set<string>();
  for (const alt of re.source.split(/\$\|\^/)) {
    let a = alt.replace(/^\^/, '');
    if (a.startsWith('(?:\\S+ )?')) {
      a = a.slice('(?:\\S+ )?'.length);
      for (const w of ANY_FIRST_WORD) words.add(w);
    }
    const group = /^\((?:\?:)?([^()]+)\)(\?)?/.exec(a);
    if (group) {
      for (const w of group[1]!.split('|')) words.add(/^([A-Za-z'_-]+)/.exec(w)?.[1] ?? '');
      if (group[2]) words.add(/^\s*([A-Za-z'_-]+)/.exec(a.slice(group[0].length))?.[1] ?? '');
    } else words.add(/^([A-Za-z'_-]+)/.exec(a)?.[1] ?? '');
  }
  words.delete('');
  return [...words];
}
