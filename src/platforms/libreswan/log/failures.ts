/**
 * What pluto says when a negotiation goes wrong: notifies sent/received/ignored,
 * "no local proposal matches", INVALID_KE_PAYLOAD, no connection for the peer,
 * identity and authentication failures, traffic selectors, kernel install errors.
 * Exact wordings: reference/log-signatures.md §4 (libreswan @0c4e3ec and v3.32).
 */
import type { Phase } from '../../../evidence/log-events.js';
import { draft, exchangeOfMode, type Draft, type LineContext } from './draft.js';
import { notifyDrafts } from './notifies.js';
import { parseEndpoint, parseProposalList, parseSelectors } from './fields.js';
import { authMethod } from './exchanges.js';

const IGNORING_INFO = /^ignoring (?:(unsecured|secured) )?informational payload,? (?:type )?(\S+?)(?:, msgid=(\S+?))?(?:, length=\d+)?$/;
const SENDING_NOTIFY = /^sending (encrypted )?notification (\S+) to (\S+)/;
// v3.32-v5.0 unencrypted "responding to %s (%d) message (Message ID %u)[ from %s] with unencrypted notification %s";
// v3.32+ "responding to %s message (ID %u) from %s with [un]encrypted notification %s"; v5.2+ "responding to %s request with Message ID %u with unencrypted notification %s, …"
const RESPONDING_WITH = /^responding to (\S+) (?:\(\d+\) message \(Message ID \d+\)(?: from \S+)?|message \(ID \d+\) from \S+|request with Message ID \d+) with (?:unencrypted |encrypted )?notification ([A-Z0-9_]+)/;
// "IKE_AUTH responder matching remote ESP/AH proposals failed, responder SA processing returned NO_PROPOSAL_CHOSEN" (v4+),
// "… returned STF_FAIL+v2N_NO_PROPOSAL_CHOSEN" (v3.x); the text before "failed" names the exchange and who compared
// (ikev2_child.c / ikev2_create_child_sa.c: "CREATE_CHILD_SA request" is the responder, "CREATE_CHILD_SA responder matching
// remote …" and "IKE_AUTH initiator accepting remote …" the initiator checking the answer; v3.26 "IKE SA responder …" is IKE_AUTH)
const SA_PROCESSING_FAILED = /^(IKE_AUTH|CREATE_CHILD_SA|IKE SA) (.*?) failed, responder SA processing returned (?:STF_FAIL\+)?(\S+)$/;
const IGNORING_CONTAINING = /^ignoring (\S+) (request|response) containing (\S+) notification/;
const REJECTED_CHILD = /^(\S+) response rejected Child SA with (\S+)/;
// ikev2_child.c (v5.x): the responder's own refusal, answered with FAILED_CP_REQUIRED (RFC 7296 §3.10.1)
const CP_REQUIRED = /^IKE_AUTH request does not include a CP payload required by \S*modecfgserver=true; Child SA ignored$/;
const CHILD_REJECTED = /^response for Child SA #\d+ was rejected with (\S+?);?(?: |$)/;
const FAILED_WITH_NOTIFY = /^(\S+) failed with error notification (\S+)(?: response suggesting (\S+) instead of (\S+))?/;
const CONTAINED_ERROR = /^(\S+) (?:response|request) contained the error notification (\S+)/;
const AUTH_REJECTED = /^IKE SA authentication request rejected(?: by peer)?: (\S+)/;
const NO_LOCAL_PROPOSAL = /^no local proposal matches remote proposals (.*)$/;
const INVALID_KE_RESEND = /INVALID_KE_PAYLOAD response to (?:.* )?(\S+); resending with suggested (?:.* )?(\S+)$/;
const INVALID_KE_DISCARD = /INVALID_KE_PAYLOAD response to (?:.* )?(\S+); suggested (?:.* )?(\S+) is not acceptable/;
const PEER_ID_NOMATCH = /peer ID (\S+) '([^']*)' does not match expected '([^']*)'/;
const SAN_NOMATCH = /peer certificate subjectAltName extension does not match (\S+) '([^']*)'/;
const PEER_ID_MISMATCHED = /^Peer ID '([^']*)' mismatched on first found connection and no better connection found/;
const V1_REQUIRE_ID = /^we require IKEv1 peer to have ID '([^']*)', but peer declares '([^']*)'/;
const PEER_ID_IS = /^(?:(?:IKEv2|Main|Aggressive) mode )?[Pp]eer ID is (\S+): '([^']*)'/;
const NO_CONN_KNOWN = /^cannot respond to IPsec SA request because no connection is known for (.*)$/;
const TS_RESPONDING = /^(.*) does not match any (?:permanent )?IKEv2 (?:connection|group template); responding with TS_UNACCEPTABLE/;
const TS_NOT_FIT = /^Child SA's Traffic Selector response \{(.*)\} does not fit the proposal \{(.*)\}/;
const SUBNET_RETURNED = /^peer client subnet returned doesn't match my proposal - us: (\S+) vs them: (\S+)/;
// pluto: "ERROR: asynchronous network error report on %s (sport=%d)%s, complainant %s: %s [errno %u, origin %s]", %s = " for message to A port N"
const NETWORK_ERROR = /^asynchronous network error report on (\S+)(?: \(sport=(\d+)\))?(?: for message to (\S+) port (\d+))?, complainant (\S+?): (.*?)(?: \[errno (\d+).*)?$/;

/** Notifications and explicit rejections. */
export function notifications(text: string, ctx: LineContext): Draft[] | undefined {
  let m = IGNORING_INFO.exec(text);
  if (m) {
    // informational payloads are IKEv1 (RFC 2408 §4.8): a phase 2 rejection refers to Quick Mode
    const phase = ignoredInfoPhase(m[1], m[2], m[3], ctx);
    return notifyDrafts(m[2], 'received', { phase, exchange: phase === 'child' ? 'QUICK_MODE' : phase === 'ike' ? exchangeOfMode(ctx.state?.mode) : undefined });
  }
  if ((m = SENDING_NOTIFY.exec(text))) {
    // unencrypted notifications only exist before the ISAKMP SA (phase 1); an encrypted
    // NO_PROPOSAL_CHOSEN can only answer Quick Mode (phase 1 proposals travel in clear)
    const encrypted = Boolean(m[1]);
    const phase: Phase | undefined = !encrypted ? 'ike' : m[2] === 'NO_PROPOSAL_CHOSEN' ? 'child' : phaseOfState(ctx);
    return notifyDrafts(m[2], 'sent', { phase, exchange: phase === 'child' ? 'QUICK_MODE' : exchangeOfMode(ctx.state?.mode), idMismatchKnown: ctx.state?.idMismatch });
  }
  if ((m = RESPONDING_WITH.exec(text))) {
    // v3.2x names IKE_SA_INIT "SA_INIT"; IKE proposals travel in it: a later exchange's NO_PROPOSAL_CHOSEN refuses a Child SA
    const exchange = m[1] === 'SA_INIT' ? 'IKE_SA_INIT' : m[1];
    return notifyDrafts(m[2], 'sent', { phase: exchange === 'IKE_SA_INIT' ? 'ike' : 'child', exchange });
  }
  if ((m = SA_PROCESSING_FAILED.exec(text))) {
    const exchange = m[1] === 'CREATE_CHILD_SA' ? 'CREATE_CHILD_SA' : 'IKE_AUTH';
    // this host compared the peer's ESP/AH proposals (or its answer) with its own and found none
    return notifyDrafts(m[3], 'local', { phase: 'child', exchange, reason: text });
  }
  if ((m = IGNORING_CONTAINING.exec(text))) return notifyDrafts(m[3], 'received', { phase: m[1] === 'IKE_SA_INIT' ? 'ike' : 'child', exchange: m[1] });
  if ((m = REJECTED_CHILD.exec(text))) {
    return [...notifyDrafts(m[2], 'received', { phase: 'child', exchange: m[1] }), draft('child-failed', { reason: m[2] })];
  }
  if (CP_REQUIRED.test(text)) return [...notifyDrafts('FAILED_CP_REQUIRED', 'sent', { phase: 'child', exchange: 'IKE_AUTH' }), draft('child-failed', { reason: 'FAILED_CP_REQUIRED' })];
  if ((m = CHILD_REJECTED.exec(text))) return [...notifyDrafts(m[1], 'received', { phase: 'child' }), draft('child-failed', { reason: m[1] })];
  if ((m = FAILED_WITH_NOTIFY.exec(text))) {
    if (m[3]) return [draft('invalid-ke', { direction: 'received', offered: m[4], requested: m[3] })];
    return [...notifyDrafts(m[2], 'received', { phase: 'child', exchange: m[1] }), draft('child-failed', { reason: m[2] })];
  }
  if ((m = CONTAINED_ERROR.exec(text))) return notifyDrafts(m[2], 'received', { phase: m[1] === 'IKE_SA_INIT' ? 'ike' : 'child', exchange: m[1] });
  if ((m = AUTH_REJECTED.exec(text))) return [draft('auth', { ok: false, direction: 'received', reason: m[1] })];
  return undefined;
}

function ignoredInfoPhase(secured: string | undefined, name: string, msgid: string | undefined, ctx: LineContext): Phase | undefined {
  if (secured === 'unsecured') return 'ike';
  if (secured === 'secured') return name === 'NO_PROPOSAL_CHOSEN' || ctx.state?.established ? 'child' : 'ike';
  // v3 prints neither: phase 1 informationals carry message ID 0 (RFC 2408 §3.1)
  if (msgid !== undefined && /^0+$/.test(msgid)) return 'ike';
  if (msgid !== undefined) return 'child';
  return undefined;
}

function phaseOfState(ctx: LineContext): Phase | undefined {
  const mode = ctx.state?.mode;
  if (mode === 'quick') return 'child';
  if (mode === 'main' || mode === 'aggressive') return ctx.state?.established ? 'child' : 'ike';
  return undefined;
}

/** Proposals and key exchange. */
export function proposals(text: string): Draft[] | undefined {
  let m = NO_LOCAL_PROPOSAL.exec(text);
  if (m) {
    const list = parseProposalList(m[1]);
    const phase: Phase = list.some((p) => p.startsWith('IKE')) ? 'ike' : 'child';
    return [draft('proposals', { phase, source: 'received', proposals: list }), draft('no-proposal-chosen', { phase, direction: 'local', reason: 'no local proposal matches remote proposals' })];
  }
  if (text === 'no acceptable Oakley Transform') return [draft('no-proposal-chosen', { phase: 'ike', direction: 'local', reason: text })];
  if (text.startsWith('no acceptable Proposal in IPsec SA')) return [draft('no-proposal-chosen', { phase: 'child', direction: 'local', reason: text })];
  if (text.startsWith('policy dictates ')) return [draft('no-proposal-chosen', { phase: 'child', direction: 'local', reason: text })];
  if ((m = INVALID_KE_RESEND.exec(text)) || (m = INVALID_KE_DISCARD.exec(text))) {
    return [draft('invalid-ke', { direction: 'received', offered: m[1], requested: m[2] })];
  }
  return undefined;
}

/** No connection for this peer. */
export function noConnection(text: string, ctx: LineContext): Draft[] | undefined {
  const m = NO_CONN_KNOWN.exec(text);
  if (m) {
    // responder's view: our-client===us[id]...them[id]===their-client
    const parts = m[1].split('===');
    const local = parts.length >= 2 ? [parts[0]] : undefined;
    const remote = parts.length >= 2 ? [parts[parts.length - 1]] : undefined;
    return [draft('ts-unacceptable', { direction: 'local', local, remote, exchange: 'QUICK_MODE' })];
  }
  if (/no suitable connection|no (?:\(wildcard\) |matching )?connection has been (?:authorized|configured)|has no connection loaded/.test(text)) {
    const from = /\bfrom (\S+)/.exec(text)?.[1];
    const on = /\breceived on (\S+)/.exec(text)?.[1];
    return [
      draft('no-config', {
        scope: 'ike',
        remote: (from ? parseEndpoint(from)?.address : undefined) ?? ctx.prefixPeer?.address,
        local: on ? parseEndpoint(on)?.address : undefined,
        detail: text,
      }),
    ];
  }
  return undefined;
}

/** Identities and authentication. */
export function identityAndAuth(text: string): Draft[] | undefined {
  let m = PEER_ID_NOMATCH.exec(text);
  if (m) return [draft('id-mismatch', { received: m[2], expected: m[3], detail: `peer ID type ${m[1]}` })];
  if ((m = SAN_NOMATCH.exec(text))) return [draft('id-mismatch', { expected: m[2], detail: 'peer certificate subjectAltName does not match' })];
  if ((m = PEER_ID_MISMATCHED.exec(text))) return [draft('id-mismatch', { received: m[1], detail: 'no connection matches the peer ID' })];
  if ((m = V1_REQUIRE_ID.exec(text))) return [draft('id-mismatch', { expected: m[1], received: m[2] })];
  if ((m = PEER_ID_IS.exec(text))) return [draft('identity', { direction: 'received', id: m[2] })];
  if (text.startsWith('authenticated peer ') || text.startsWith('Authenticated using ')) {
    return [draft('auth', { ok: true, method: authMethod(text), direction: 'local', id: /'([^']*)'/.exec(text)?.[1] })];
  }
  if ((m = /^authentication failed: (.*)$/.exec(text))) {
    const id = /'([^']*)'$/.exec(m[1])?.[1];
    return [draft('auth', { ok: false, method: /PSK|hash/.test(m[1]) ? 'psk' : authMethod(m[1]), direction: 'local', reason: m[1], id })];
  }
  if (text.startsWith('PSK Authentication failed')) return [draft('auth', { ok: false, method: 'psk', direction: 'local', reason: text })];
  if (/^(?:Digital Signature|RSA|ECDSA) authentication .*failed|^Signature check .*failed|^no (?:RSA|ECDSA) public key known/.test(text)) {
    return [draft('auth', { ok: false, method: 'cert', direction: 'local', reason: text.slice(0, 200) })];
  }
  if (text.startsWith('X509: ') && /fail|reject|invalid|expired|revoked|not valid/i.test(text)) {
    return [draft('auth', { ok: false, method: 'cert', direction: 'local', reason: text.slice(6) })];
  }
  return undefined;
}

/**
 * libreswan's TS payload text (ikev2_ts.c jam_traffic_selector_payload/_proposal): `{TSi=a,b;TSr=c}`,
 * a responder's proposal `{TSi=a TSr=c}`; a `label=` entry is a security label, not a selector.
 */
function tsPayloads(text: string): { i: string[]; r: string[] } | undefined {
  const m = /\{TSi=([^;\s}]*)[;\s]TSr=([^}\s]*)\}/.exec(text);
  if (!m) return undefined;
  const list = (v: string) => v.split(',').filter((x) => x.length > 0 && !x.startsWith('label='));
  return { i: list(m[1]), r: list(m[2]) };
}

/** Traffic selectors refused. */
export function selectors(text: string): Draft[] | undefined {
  let m = TS_RESPONDING.exec(text);
  if (m) {
    // responder: "Child SA's Traffic Selector request {TSi=…;TSr=…} does not match …" — the initiator's proposal
    // (TSi is the peer's side, TSr ours); pluto prints no list of its own here
    const ts = tsPayloads(m[1]);
    return [draft('ts-unacceptable', { direction: 'sent', ...(ts ? { local: ts.r, remote: ts.i } : {}) })];
  }
  if ((m = TS_NOT_FIT.exec(text))) {
    // initiator: "… response {TSi=…;TSr=…} does not fit the proposal {TSi=…;TSr=…}": what the peer answered, what we proposed
    const answered = tsPayloads(`{${m[1]}}`);
    const proposed = tsPayloads(`{${m[2]}}`) ?? (() => { const v = parseSelectors(m![2]); return v && { i: v.local, r: v.remote }; })();
    return [
      ...(answered ? [draft('ts', { source: 'received', local: answered.i, remote: answered.r })] : []),
      // the initiator refusing the peer's answer: 'received' keeps the log's side (initiator) right
      draft('ts-unacceptable', { direction: 'received', local: proposed?.i, remote: proposed?.r }),
    ];
  }
  if ((m = SUBNET_RETURNED.exec(text))) return [draft('ts-unacceptable', { direction: 'local', local: [m[1]], remote: [m[2]], exchange: 'QUICK_MODE' })];
  return undefined;
}

/** Kernel refusals (netlink/xfrm), Child SA failures, ICMP errors on the IKE socket. */
export function kernel(text: string, ctx: LineContext): Draft[] | undefined {
  let m = /^CHILD SA failed: (\S+)/.exec(text);
  if (m) return [draft('child-failed', { reason: m[1] }), draft('sa-install-failed', { what: 'child-sa', detail: text })];
  if (text.startsWith('IKE SA established but initiator rejected Child SA response')) return [draft('child-failed', { reason: 'initiator rejected Child SA response' })];
  if ((m = NETWORK_ERROR.exec(text))) {
    return [
      draft('network-error', {
        detail: m[6],
        interface: m[1],
        localPort: m[2] ? Number(m[2]) : undefined,
        to: m[3] ? { address: m[3], port: m[4] ? Number(m[4]) : undefined } : undefined,
        complainant: m[5],
        errno: m[7] ? Number(m[7]) : undefined,
      }),
    ];
  }
  if ((m = /^netlink response for (Add|Del|Get|Update|Replace) SA (\S+?):? (.*)$/.exec(text))) {
    return [draft('sa-install-failed', { what: `${m[1].toLowerCase()}-sa`, detail: text })];
  }
  if ((m = /XFRM_MSG_([A-Z]+)/.exec(text)) && (ctx.error || /errno|fail/i.test(text))) {
    return [draft('sa-install-failed', { what: m[1].toLowerCase(), detail: text })];
  }
  if (/^kernel: .*(?:failed|error)/i.test(text) || (ctx.error && text.startsWith('kernel: '))) {
    return [draft('sa-install-failed', { what: /polic/i.test(text) ? 'policy' : 'kernel', detail: text })];
  }
  if (/^(?:cannot|unable to) install\b/.test(text)) return [draft('sa-install-failed', { what: /eroute|polic/i.test(text) ? 'policy' : 'sa', detail: text })];
  return undefined;
}
