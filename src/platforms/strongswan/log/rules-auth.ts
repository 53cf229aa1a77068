/**
 * Authentication, identities, peer-config lookup and certificate status.
 * Format strings: strongswan/strongswan @ 3b902ea, files named per rule.
 */
import type { LogEventData } from '../../../evidence/log-events.js';
import type { LineContext } from './context.js';
import type { RuleTable } from './rule-table.js';
import { parseHostIdPair } from './host-id-pair.js';

type AuthMethod = NonNullable<LogEventData['auth']['method']>;

// psk_authenticator.c:175, pubkey_authenticator.c:654, eap_authenticator.c:534: "authentication of '%Y' with %N successful"
const AUTH_OK_RE = /^authentication of '(.*)' with (.+) successful$/;
// pubkey_authenticator.c / psk_authenticator.c: "authentication of '%Y' (myself) with %N[ successful]"
const AUTH_SELF_RE = /^authentication of '(.*)' \(myself\) with (.+?)(?: successful)?$/;
const AUTH_FAILED_RE = /^authentication of '(.*)' with (.+) failed$/;
// psk_authenticator.c:190 "tried %d shared key%s for '%Y' - '%Y', but MAC mismatched"
const MAC_MISMATCH_RE = /^tried (\d+) shared keys? for '(.*)' - '(.*)', but MAC mismatched$/;
// psk_authenticator.c:90,187 / ikev1/phase1.c:121,199
const NO_PSK_RE = /^no shared key found for (.+) - (.+)$/;
// pubkey_authenticator.c:685 "no trusted %N public key found for '%Y'"
const NO_TRUSTED_KEY_RE = /^no trusted (\S+) public key found for '(.*)'$/;
// ikev2/authenticators/pubkey_authenticator.c:525, ikev1/phase1.c:452 (5.9.14) "no private key found for '%Y'": this host cannot sign
const NO_PRIVATE_KEY_RE = /^no private key found for '(.*)'$/;
// ike_auth.c:408 "looking for peer configs matching %H[%Y]...%H[%Y]"
const LOOKUP_RE = /^looking for peer configs matching (.*)$/;
// ikev1/phase1.c:569 "looking for %N peer configs matching %H...%H[%Y]"
const LOOKUP_V1_RE = /^looking for (.+) peer configs matching (\S+)\.\.\.(\S+?)\[(.*)\]$/;
// ikev1/tasks/main_mode.c:710
const IDIR_RE = /^IDir '(.*)' does not match to '(.*)'$/;
// ike_auth.c:1247
const IDR_RE = /^received IDr (.*), but require (.*)$/;
// auth_cfg.c:975-997
const ID_CONSTRAINT_RE = /^constraint check failed: (?:EAP )?identity '(.*)' (?:\(\S+\) )?required(?:, not matched by '(.*)'.*)?$/;
const CERT_ID_RE = /^constraint check failed: certificate does not confirm identity '(.*)'/;
const EAP_FAILED_RE = /^EAP method (\S+) failed for peer (.*)$/;
const EAP_OK_RE = /^EAP method (\S+) succeeded/;
// ikev1/phase1.c:608 — configs match the IDs but not the authentication method / mode
const NONE_ALLOWS_RE = /^found \d+ matching configs?, but none allows .+ authentication using (?:Main|Aggressive) Mode$/;
// ikev1/tasks/xauth.c:440-491 (RFC draft-beaulieu-ike-xauth: user/password after Main Mode)
const XAUTH_RE = /^XAuth authentication of '(.*)' (\(myself\) )?(successful|failed)$/;
const CHECKING_STATUS_RE = /^checking certificate status of "(.*)"$/;
const REVOKED_RE = /^certificate was revoked on (.*), reason: (.*)$/;

/** "'id'[1.2.3.4]" (IKEv1 phase1.c) or "'id'" or "id" → id */
function bareIdentity(text: string): string {
  let t = text;
  if (t.endsWith(']')) {
    const open = t.lastIndexOf('[');
    if (open > 0) t = t.slice(0, open);
  }
  return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1) : t;
}

function methodOf(text: string): AuthMethod {
  if (text.startsWith('pre-shared key')) return 'psk';
  if (text.startsWith('EAP')) return 'eap';
  if (/signature|RSA|ECDSA|ED25519|ED448|BLISS|public key/i.test(text)) return 'cert';
  return 'unknown';
}

function looking(body: string, c: LineContext): boolean {
  const m = LOOKUP_RE.exec(body);
  if (m) {
    const pair = parseHostIdPair(m[1]);
    if (!pair) {
      c.diagnose('peer config lookup without a readable "A[id]...B[id]" pair');
      return false;
    }
    c.state.lookup = pair;
    c.emit('peer-config-lookup', pair);
    return true;
  }
  const v1 = LOOKUP_V1_RE.exec(body);
  if (v1) {
    const data = { local: v1[2], remote: v1[3], remoteId: v1[4] };
    c.state.lookup = data;
    c.emit('peer-config-lookup', data);
    return true;
  }
  return false;
}

function authentication(body: string, c: LineContext): boolean {
  let m = AUTH_SELF_RE.exec(body);
  if (m) {
    c.emit('identity', { direction: 'sent', id: m[1] });
    return true;
  }
  m = AUTH_OK_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: true, method: methodOf(m[2]), direction: 'local', id: m[1] });
    return true;
  }
  m = AUTH_FAILED_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: false, method: methodOf(m[2]), direction: 'local', id: m[1], reason: body });
    return true;
  }
  return false;
}

function tried(body: string, c: LineContext): boolean {
  const m = MAC_MISMATCH_RE.exec(body);
  if (!m) return false;
  c.emit('auth', { ok: false, method: 'psk', direction: 'local', reason: `tried ${m[1]} shared key${m[1] === '1' ? '' : 's'} for '${m[2]}' - '${m[3]}', but MAC mismatched`, id: m[3] });
  return true;
}

function noAuthOrConfig(body: string, c: LineContext): boolean {
  if (body === 'no matching peer config found' || body === 'no peer config found' || body === 'no alternative config found') {
    const l = c.state.lookup;
    c.emit('no-config', {
      scope: 'peer',
      ...(l?.local ? { local: l.local } : {}),
      ...(l?.remote ? { remote: l.remote } : {}),
      detail: body,
    });
    return true;
  }
  let m = NO_PSK_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: false, method: 'psk', direction: 'local', reason: body, id: bareIdentity(m[2]) });
    return true;
  }
  m = NO_PRIVATE_KEY_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: body, id: m[1], whose: 'own', missing: 'private-key' });
    return true;
  }
  m = NO_TRUSTED_KEY_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: body, id: m[2] });
    return true;
  }
  return false;
}

function idir(body: string, c: LineContext): boolean {
  const m = IDIR_RE.exec(body);
  if (!m) return false;
  c.emit('id-mismatch', { received: m[1], expected: m[2], detail: body });
  return true;
}

function receivedIdr(body: string, c: LineContext): boolean {
  const m = IDR_RE.exec(body);
  if (!m) return false;
  c.emit('id-mismatch', { received: m[1], expected: m[2], detail: body });
  return true;
}

function constraint(body: string, c: LineContext): boolean {
  if (!body.startsWith('constraint check failed: ')) return false;
  const id = ID_CONSTRAINT_RE.exec(body);
  if (id) {
    c.emit('id-mismatch', { expected: id[1], ...(id[2] !== undefined ? { received: id[2] } : {}), detail: body });
    return true;
  }
  const cert = CERT_ID_RE.exec(body);
  if (cert) {
    c.emit('id-mismatch', { expected: cert[1], detail: body });
    return true;
  }
  // CA, revocation and group constraints (auth_cfg.c:939-1208): the peer's credentials are not acceptable
  c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: body.slice(25) });
  return true;
}

function signature(body: string, c: LineContext): boolean {
  if (body !== 'signature validation failed, looking for another key') return false;
  c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: body });
  return true;
}

function eap(body: string, c: LineContext): boolean {
  let m = EAP_FAILED_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: false, method: 'eap', direction: 'local', reason: body, id: m[2] });
    return true;
  }
  m = EAP_OK_RE.exec(body);
  if (m) {
    c.emit('auth', { ok: true, method: 'eap', direction: 'local' });
    return true;
  }
  return false;
}

function found(body: string, c: LineContext): boolean {
  if (!NONE_ALLOWS_RE.test(body)) return false;
  const l = c.state.lookup;
  c.emit('no-config', { scope: 'peer', ...(l?.local ? { local: l.local } : {}), ...(l?.remote ? { remote: l.remote } : {}), detail: body });
  return true;
}

function xauth(body: string, c: LineContext): boolean {
  const m = XAUTH_RE.exec(body);
  if (!m) {
    if (body !== 'destroying IKE_SA after failed XAuth authentication') return false;
    c.emit('auth', { ok: false, method: 'unknown', direction: 'local', reason: body });
    return true;
  }
  const ok = m[3] === 'successful';
  // "(myself)": our own XAuth credentials, judged by the peer (the XAuth server)
  c.emit('auth', { ok, method: 'unknown', direction: m[2] ? 'received' : 'local', id: m[1], ...(ok ? {} : { reason: body }) });
  return true;
}

/** IKEv1 PSK mismatch shows as undecryptable MM5/MM6 (pfSense docs "Phase 1 Pre-Shared Key Mismatch"). */
function undecryptable(body: string, c: LineContext): boolean {
  if (body === 'invalid HASH_V1 payload length, decryption failed?' || body === 'invalid ID_V1 payload length, decryption failed?' || body === 'could not decrypt payloads') {
    c.emit('auth', { ok: false, method: 'unknown', direction: 'local', reason: body });
    return true;
  }
  return false;
}

function aggressivePsk(body: string, c: LineContext): boolean {
  // ikev1/tasks/aggressive_mode.c:428
  if (body !== 'Aggressive Mode PSK disabled for security reasons') return false;
  c.emit('auth', { ok: false, method: 'psk', direction: 'local', reason: body });
  return true;
}

function peerCertFailed(body: string, c: LineContext): boolean {
  if (body !== 'peer certificate verification failed, deleting SA') return false;
  c.emit('auth', { ok: false, method: 'cert', direction: 'local', reason: body });
  return true;
}

// revocation_validator.c / revocation_fetcher.c: status unknown but auth may go on
function certStatus(body: string, c: LineContext): boolean {
  const subject = c.state.certSubject;
  const sub = subject !== undefined ? { subject } : {};
  if (body === 'certificate status is not available' || body === 'certificate status is unknown, crl is stale') {
    c.emit('cert-status', { ok: false, reason: body, ...sub });
    return true;
  }
  if (body === 'certificate status is good') {
    c.emit('cert-status', { ok: true, ...sub });
    return true;
  }
  const m = REVOKED_RE.exec(body);
  if (m) {
    c.emit('cert-status', { ok: false, reason: `revoked on ${m[1]}: ${m[2]}`, ...sub });
    return true;
  }
  return false;
}

function fetchFailed(body: string, c: LineContext): boolean {
  if ((body.startsWith('ocsp request to ') && body.endsWith(' failed')) || body === 'ocsp check failed, fallback to crl' || body === 'crl fetching failed') {
    const subject = c.state.certSubject;
    c.emit('cert-status', { ok: false, reason: body, ...(subject !== undefined ? { subject } : {}) });
    return true;
  }
  return false;
}

function checking(body: string, c: LineContext): boolean {
  const m = CHECKING_STATUS_RE.exec(body);
  if (!m) return false;
  c.state.certSubject = m[1];
  return true;
}

export const authRules: RuleTable = {
  authentication: [authentication],
  tried: [tried],
  no: [noAuthOrConfig],
  looking: [looking],
  IDir: [idir],
  received: [receivedIdr],
  constraint: [constraint],
  signature: [signature],
  EAP: [eap],
  XAuth: [xauth],
  found: [found],
  destroying: [xauth],
  invalid: [undecryptable],
  could: [undecryptable],
  Aggressive: [aggressivePsk],
  peer: [peerCertFailed],
  certificate: [certStatus],
  ocsp: [fetchFailed],
  crl: [fetchFailed],
  checking: [checking],
};
