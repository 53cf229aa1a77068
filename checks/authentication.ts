import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent, LogEventData } from '../src/evidence/log-events.js';
import type { FindingInput } from '../src/engine/types.js';
import { mergePeerViews, sameHostsKey } from '../src/engine/corroborate.js';
import { isNotify, logFiles, ofKind, refsOf, roleOf, seenBy, sessionAddresses, type LogSession } from '../src/evidence/derived/log/sessions.js';
import { aggregate, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { pskFailureSymptoms } from '../src/evidence/derived/log/retransmits.js';

/** RFC 7296 §2.21.2: AUTHENTICATION_FAILED hides the reason from the initiator on purpose. */
const INITIATOR_SIDE_CAUSES = [
  'pre-shared key differs between the peers',
  'no pre-shared key for this ID pair on the responder',
  'the identity we sent matches no peer config on the responder (leftid/rightid, local.id/remote.id)',
  'certificate not trusted or revoked on the responder (CA, CRL/OCSP)',
];

/**
 * This host's own certificate handling failed (Windows 786, 13806, 13820): its machine certificate is missing or
 * unusable, or (13806, per Microsoft and Always On VPN practice) it does not trust the server's chain. No refusal
 * came from the peer, so the peer's log may show the exchange start and then nothing, or the SA deleted by this host.
 */
const OWN_CREDENTIAL = 'This is this host\'s own certificate verdict, not a refusal by the peer: look first at its certificate stores; the peer\'s log may show the exchange start and then nothing, or the SA deleted by this host.';
const OWN_CAUSES = [
  'no machine certificate of its own with its private key (Windows: Local Computer\\Personal; for IKEv2 with the Client Authentication EKU)',
  'its certificate is not issued by a CA the peer asks for (the CERTREQ lists the CAs the peer trusts)',
  'it does not trust the peer\'s certificate chain (root or intermediate CA missing; Windows: Local Computer\\Trusted Root)',
  'on a Windows (RRAS) server: its machine or root certificate missing (Microsoft)',
];
const OWN_KEY_WHERE = 'This log holds the reason: this host could not sign its own AUTH payload, so the peer\'s credentials were never judged.';
const OWN_KEY_CAUSES = ['the private key of this host\'s certificate is not installed (libreswan: the NSS database, `ipsec import host.p12`; strongSwan: a key file in swanctl/private/, or an RSA/ECDSA entry in ipsec.secrets naming it)', 'the configured certificate (`leftcert=`, `local.certs`) is not the one whose key is installed'];

export default defineCheck({
  meta: {
    id: 'authentication',
    title: 'Authentication',
    stage: 'auth',
    description:
      'Finds failed IKE authentication (RFC 7296 §2.15, §2.21.2 AUTHENTICATION_FAILED): PSK MAC mismatch ("tried N shared keys … but MAC mismatched", ' +
      'libreswan "computed hash does not match"), missing PSKs, signature/certificate failures, and AUTHENTICATION_FAILED received from the peer. ' +
      'Also notes certificate status (OCSP/CRL) that could not be established while authentication went on.',
    requires: ['logEvents'], reads: ['auth', 'identity', 'id-mismatch', 'cert-status', 'ike-established', 'child-established', 'message', 'notify', 'negotiation-failed', 'give-up'],
    codes: {
      AUTH_FAILED: {
        severity: 'error',
        message: 'Authentication failed ({method}) seen from {seenFrom}: {reason}.',
        hint: '{whereToLook} {keyMissing?Install the private key of the certificate this host presents, or point the config at the certificate whose key is installed.|For PSK: make the secret identical on both peers for this ID pair (strongSwan swanctl.conf `secrets.ike-<name>.id` and `.secret` / ipsec.secrets, libreswan ipsec.secrets) and check `local.id`/`remote.id` (`leftid`/`rightid`), which select the key. For certificates: install the issuing CA (`remote.cacerts`, `rightca`) and check the peer certificate.} Likely causes: {causes}.',
      },
      CERT_STATUS_UNAVAILABLE: {
        severity: 'warning',
        message: 'Revocation status of {subjects} could not be checked ({reasons}); authentication went on without it.',
        hint: 'Make the OCSP responder / CRL distribution point reachable from this host, or set the revocation policy on purpose (strongSwan `revocation = strict|ifuri|relaxed`, libreswan `ocsp-strict=`/`crl-strict=`).',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

/** Repeated failed attempts of the same connection collapse into one finding per file. */
function checkLogs(ctx: CheckContext): void {
  const failures: Occurrence[] = [];
  // hosts whose own log refused the peer's identity (peer-identity reports it as PEER_ID_MISMATCH)
  const refusedIdentity = new Set<string>();
  for (const file of logFiles(ctx.evidence)) {
    const pskSymptoms = pskFailureSymptoms(file.sessions);
    for (const session of file.sessions) {
      authFailures(failures, file.source, session, pskSymptoms);
      const local = refusesIdentity(session) ? sessionAddresses(session).local : undefined;
      if (local) refusedIdentity.add(local);
    }
    certStatus(ctx, file.events);
  }
  const found: FindingInput[] = aggregate(failures).map(({ data, evidence }) => ({ code: 'AUTH_FAILED', data, evidence }));
  // the initiator's "received AUTHENTICATION_FAILED" and the responder's reason for it are one failure
  for (const f of mergePeerViews(found, sameHostsKey(['AUTH_FAILED']))) {
    const peer = f.data?.peerAddress;
    if (f.data?.side === 'initiator' && typeof peer === 'string' && refusedIdentity.has(peer)) {
      // RFC 7296 §2.21.2: the verdict the initiator got is explained by the responder's own log
      f.severity = 'info';
      const why = `${peer}'s own log shows why: no peer config matches the identity this side presented (PEER_ID_MISMATCH)`;
      f.data = { ...f.data, reason: `${String(f.data.reason)}, and ${why}`, explainedBy: 'PEER_ID_MISMATCH', severityReason: why };
    }
    ctx.report(f);
  }
}

function authFailures(out: Occurrence[], source: string, session: LogSession, pskSymptoms: LogEvent<'retransmit'>[]): void {
  // an explicit ID mismatch on the same line is the precise diagnosis (peer-identity)
  const idLines = new Set(ofKind(session.events, 'id-mismatch').map((e) => e.at.line));
  const failed = ofKind(session.events, 'auth').filter((e) => !e.data.ok && !idLines.has(e.at.line));
  const notified = session.events.filter((e) => isNotify(e, 'AUTHENTICATION_FAILED', 'received') || isNotify(e, 'AUTHENTICATION_FAILED', 'sent'));
  if (!failed.length && !notified.length) return;
  // a bare AUTHENTICATION_FAILED we sent because no peer config matched the IDs is an identity problem (peer-identity)
  const idExplained = refusesIdentity(session);
  const onlySentVerdicts = failed.every((e) => e.data.direction === 'sent') && notified.every((e) => isNotify(e, 'AUTHENTICATION_FAILED', 'sent'));
  if (idExplained && onlySentVerdicts) return;
  const local = failed.filter((e) => e.data.direction === 'local');
  const received = failed.filter((e) => e.data.direction === 'received');
  const sentNotify = notified.some((e) => isNotify(e, 'AUTHENTICATION_FAILED', 'sent')) || failed.some((e) => e.data.direction === 'sent');
  // this daemon verified the peer (or told it so): it knows the reason
  const verifier = local.length > 0 || sentNotify;
  const decisive = local[0] ?? received[0] ?? failed[0];
  const method = methodOf(decisive?.data);
  const reason = decisive?.data.reason ?? (verifier ? 'the peer\'s AUTH payload did not verify' : 'the peer answered AUTHENTICATION_FAILED');
  // this host's own credential failed (no private key, Windows 786/13806/13820): the peer refused nothing, whichever side this is
  const own = decisive?.data.whose === 'own';
  const keyMissing = own && decisive?.data.missing === 'private-key';
  const role = own ? roleOf(session.events) ?? (session.events.some((e) => e.kind === 'initiate') ? 'initiator' : undefined) : undefined;
  const data = {
    method, ...seenBy(session, role ?? (verifier ? 'responder' : 'initiator')), ...(own && !role ? { side: undefined, seenFrom: 'this host' } : {}), reason, id: decisive?.data.id, keyMissing: keyMissing || undefined,
    whereToLook: keyMissing ? OWN_KEY_WHERE : own ? OWN_CREDENTIAL : verifier ? 'This log holds the reason.' : 'The responder\'s log holds the reason; this initiator only received the verdict.',
    causes: keyMissing ? OWN_KEY_CAUSES : own ? OWN_CAUSES : verifier ? causesFor(method) : INITIATOR_SIDE_CAUSES,
  };
  // libreswan IKEv1 responder: the peer's encrypted message did not decrypt, so both sides kept resending (retransmits.ts)
  const symptoms = failed.some((e) => e.data.method === 'psk') ? pskSymptoms.filter((r) => r.conn === session.conn) : [];
  if (symptoms.length) Object.assign(data, { symptoms: `${symptoms.length} retransmission${symptoms.length === 1 ? '' : 's'} of this responder's last Main/Aggressive Mode message while it waited for one that decrypts: the failure's symptom, not a silent peer` });
  out.push({ key: JSON.stringify([source, session.conn, data.side, method, reason]), data, events: [...failed, ...notified, ...symptoms] });
}

/** The daemon refused the peer's identity (an ID mismatch, or no peer config for it): peer-identity's PEER_ID_MISMATCH. */
function refusesIdentity(session: LogSession): boolean {
  return ofKind(session.events, 'id-mismatch').length > 0 || ofKind(session.events, 'no-config').some((e) => e.data.scope === 'peer');
}

function methodOf(d: LogEventData['auth'] | undefined): string {
  if (!d?.method || d.method === 'unknown') return 'method not named in the log';
  return d.method === 'psk' ? 'pre-shared key' : d.method === 'cert' ? 'certificate/signature' : 'EAP';
}

function causesFor(method: string): string[] {
  if (method === 'pre-shared key') return ['pre-shared key differs between the peers', 'no pre-shared key for this ID pair', 'the peer uses another ID, which selects another key'];
  if (method === 'certificate/signature') return ['issuing CA not installed or not trusted', 'certificate revoked or expired', 'wrong private key / certificate pair'];
  return INITIATOR_SIDE_CAUSES;
}

function certStatus(ctx: CheckContext, events: readonly LogEvent[]): void {
  const failures = ofKind(events, 'cert-status').filter((e) => !e.data.ok);
  if (!failures.length) return;
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const subjects = uniq(failures.map((e) => e.data.subject));
  const reasons = uniq(failures.map((e) => e.data.reason));
  ctx.report({
    code: 'CERT_STATUS_UNAVAILABLE',
    data: { subjects: subjects.length ? subjects : 'the peer certificate', reasons: reasons.length ? reasons : 'status not available', count: failures.length },
    evidence: refsOf(failures.length > 10 ? [...failures.slice(0, 5), ...failures.slice(-5)] : failures),
  });
}
