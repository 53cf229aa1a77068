/**
 * PAN-OS System-log descriptions (subtype `vpn`) → neutral events. The same sentence
 * arrives in every form of the System log (syslog CSV, CEF `msg=`, the GUI's
 * "Event:" view, a `show log system` row), so it is read here once.
 *
 * Only sentences a public source shows are matched; the source of each template is
 * named beside it and listed in docs/platforms/panos-logs.md. Tags as in
 * reference/platforms.md: [T] real output in a public fixture, [D] vendor docs or
 * KB, [C] secondary public source (wording right, spacing may differ).
 */
import { privateV4Kind } from '../../../evidence/derived/log/nat-clues.js';
import type { Endpoint, Phase } from '../../../evidence/log-events.js';
import { draft, endpointOf, type Draft } from './draft.js';

export interface DescriptionContext {
  /** the System log's Event ID, when the form carries one */
  eventId?: string;
  /** the remote endpoint of the previous record of this file (a bare "received ID_I …" line follows its "Failed SA" line) */
  lastRemote?: Endpoint;
}

export interface DescriptionResult {
  drafts: Draft[];
  /** the gateway a description names itself (`[IKE-GW-FGT]: …`) */
  conn?: string;
  /** the peer endpoint the description names, remembered for a following line */
  remote?: Endpoint;
}

const HEX16 = '([0-9a-fA-F]{16})';
// "A[port]-B[port]": this firewall first, the peer second (the forum and lab-notes lines put the PAN-OS side first whatever its role)
const ENDPOINTS = String.raw`(\S+?)\[(\d{1,5})\]-(\S+?)\[(\d{1,5})\]`;

// [C] paloaltofirewalls.com TestVPNConnectivity-1: "IKE phase-1 negotiation is failed as initiator, main mode. Failed SA: x.x.x.x[500]-y.y.y.y[500] cookie:84222f276c2fa2e9:0000000000000000 due to timeout."
const P1_FAILED = new RegExp(String.raw`^IKE phase-1 negotiation is failed as (initiator|responder), (main|aggressive) mode\. Failed SA: ${ENDPOINTS} cookie:${HEX16}:${HEX16} due to (.+?)\.?$`);
// [C] same page, with the typographic apostrophe it prints: "IKE phase 1 negotiation is failed. Couldn’t find configuration for IKE phase-1 request for peer IP x.x.x.x[1929]"
const P1_NO_CONFIG = /^IKE phase 1 negotiation is failed\. Couldn['’]t find configuration for IKE phase-1 request for peer IP (\S+?)\[(\d{1,5})\]\.?$/;
// [C] forum post (MikroTik peer behind carrier NAT): "IKEv2 IKE SA negotiation is failed as responder, non-rekey. Failed SA: 111.111.111.111[4500]-176.238.239.255[51435] SPI:0239b91635ed0e98:426762ab448185a9."
const V2_FAILED = new RegExp(String.raw`^IKEv2 IKE SA negotiation is failed as (initiator|responder), (non-rekey|rekey)\. Failed SA: ${ENDPOINTS} SPI:${HEX16}:${HEX16}\.\s*(.*)$`);
// the same sentence head with another tail (log-signatures.md §5: prefix [C], tails unconfirmed): role and failure only
const V2_FAILED_OTHER = /^IKEv2 IKE SA negotiation is failed as (initiator|responder), (non-rekey|rekey)\.(?: (.+\.))?$/;
// [C] same forum post, second sentence of that description: "received ID_I (type ipaddr [10.222.191.127]) does not match peers id"
const ID_MISMATCH = /^received ID_I \(type (\S+?) ?\[([^\]]*)\]\) does not match peers id\.?$/;
// [C] PAN-OS 11.2.5 lab notes: "IKEv2 IKE SA negotiation is started as responder, non-rekey. Initiated SA: 10.0.0.2[500]-10.0.0.1[500] SPI:07f21c0fd2236540:ac9d9ee491cd49d9."
const V2_STARTED = new RegExp(String.raw`^IKEv2 IKE SA negotiation is started as (initiator|responder), (non-rekey|rekey)\. Initiated SA: ${ENDPOINTS} SPI:${HEX16}:${HEX16}\.?$`);
// [C] same lab notes, quoted there only up to the role: "IKEv2 IKE SA negotiation is succeeded as responder", "IKEv2 child SA negotiation is succeeded"
const V2_SUCCEEDED = /^IKEv2 IKE SA negotiation is succeeded as (initiator|responder)\b/;
const CHILD_SUCCEEDED = /^IKEv2 child SA negotiation is succeeded\b/;
// [C] same lab notes (event ikev2-nego-enc-mismatch): "[IKE-GW-FGT]: Configured encryption algorithm 'AES256-CBC' was not presented in the IKE proposal. Please ensure that matching proposals are configured on both sides."
const ENC_MISMATCH = /^\[([^\]]+)\]: Configured encryption algorithm '([^']+)' was not presented in the IKE proposal\./;
// [C] same lab notes (event ike-generic-event): "no proposal chosen." — too short to be read without its Event ID
const NO_PROPOSAL = /^no proposal chosen\.?$/i;
// [T] pan-os-syslog fixture system_8_1_A (event ike-send-p2-delete): "IKE protocol IPSec SA delete message sent to peer. SPI:0xA1CD910F."
const P2_DELETE_SENT = /^IKE protocol IPSec SA delete message sent to peer\. SPI:(0x[0-9a-fA-F]+)\.?$/;

type Role = 'initiator' | 'responder';

function roleEvent(role: Role, peer: string | undefined, ikeVersion: 1 | 2, mode: 'main' | 'aggressive' | 'ikev2'): Draft {
  return role === 'initiator' ? draft('initiate', { peer, ikeVersion, mode }) : draft('respond', { peer, ikeVersion, mode });
}

/**
 * The SA's two endpoints as a 'packet' event, the neutral fact that carries both
 * addresses (derived/log/sessions.ts reads a session's hosts from it): as responder
 * the firewall received the peer's request at A from B; as initiator it sent to B.
 */
function endpointsEvent(role: Role, local: Endpoint, remote: Endpoint): Draft {
  return draft('packet', { direction: role === 'initiator' ? 'sent' : 'received', local, remote });
}

/** Phase named by the Event ID (ike-nego-p1-* / ikev2-nego-ike-* = IKE SA; ike-nego-p2-* / ikev2-nego-child-* = Child SA). */
export function phaseOfEventId(eventId: string | undefined): Phase | undefined {
  if (!eventId) return undefined;
  if (/^(?:ike-nego-p1-|ikev2-nego-ike-)/.test(eventId)) return 'ike';
  if (/^(?:ike-nego-p2-|ikev2-nego-child-)/.test(eventId)) return 'child';
  return undefined;
}

function idMismatch(type: string, id: string, description: string, remote: Endpoint | undefined): Draft {
  const facts = [description];
  const kind = type === 'ipaddr' ? privateV4Kind(id) : undefined;
  if (kind) facts.push(`ID_I ${id} is ${kind}`);
  if (remote) facts.push(`the peer's IKE packets came from ${remote.address}${remote.port !== undefined ? `[${remote.port}]` : ''}`);
  return draft('id-mismatch', {
    received: `${type}:${id}`,
    ...(remote ? { from: remote.address } : {}),
    // PAN-OS names only "peers id": the Peer Identification configured on the IKE gateway, whose value it does not print
    expected: "the peer ID configured on this IKE gateway (PAN-OS does not print it: “does not match peers id”)",
    detail: facts.join('; '),
  });
}

/**
 * Templates that stand on their own: a line holding only one of these sentences is a
 * PAN-OS description however it was copied (GUI Description column, a ticket, a KB).
 */
export function decodeDescription(text: string, ctx: DescriptionContext = {}): DescriptionResult | undefined {
  let m: RegExpExecArray | null;
  if ((m = P1_FAILED.exec(text))) {
    const [, role, mode, la, lp, ra, rp, , cookieR, why] = m as unknown as [string, Role, 'main' | 'aggressive', string, string, string, string, string, string, string];
    const local = endpointOf(la, lp);
    const remote = endpointOf(ra, rp);
    const drafts: Draft[] = [roleEvent(role, ra, 1, mode), endpointsEvent(role, local, remote), draft('negotiation-failed', { phase: 'ike', reason: text, peer: ra })];
    if (role === 'initiator' && /^timeout$/i.test(why)) {
      // RFC 2408 §3.1: the responder cookie stays zero until the responder's first reply, so all zeros = not one answer came back
      const silent = /^0{16}$/.test(cookieR);
      const Mode = mode === 'main' ? 'Main' : 'Aggressive';
      drafts.push(draft('give-up', {
        peer: remote,
        state: silent ? `${Mode} Mode request (message 1)` : `phase 1 (${Mode} Mode)`,
        detail: silent ? `responder cookie ${cookieR}: no reply from the peer ever came back` : `responder cookie ${cookieR}: the peer answered at least once`,
      }));
    }
    return { drafts, remote };
  }
  if ((m = P1_NO_CONFIG.exec(text))) {
    const remote = endpointOf(m[1], m[2]);
    const port = remote.port;
    return {
      remote,
      drafts: [
        draft('respond', { peer: m[1] }),
        draft('no-config', { scope: 'ike', remote: m[1], ...(port !== undefined ? { remotePort: port } : {}), detail: `“Couldn’t find configuration for IKE phase-1 request for peer IP ${m[1]}[${m[2]}]”` }),
        draft('negotiation-failed', { phase: 'ike', reason: text, peer: m[1] }),
      ],
    };
  }
  if ((m = V2_FAILED.exec(text))) {
    const [, role, , la, lp, ra, rp, , , rest] = m as unknown as [string, Role, string, string, string, string, string, string, string, string];
    const local = endpointOf(la, lp);
    const remote = endpointOf(ra, rp);
    const drafts: Draft[] = [roleEvent(role, ra, 2, 'ikev2'), endpointsEvent(role, local, remote), draft('negotiation-failed', { phase: 'ike', reason: text, peer: ra })];
    const id = ID_MISMATCH.exec(rest);
    if (id) drafts.push(idMismatch(id[1], id[2], text, remote));
    return { drafts, remote };
  }
  if ((m = ID_MISMATCH.exec(text))) return { drafts: [idMismatch(m[1], m[2], text, ctx.lastRemote)] };
  if ((m = V2_STARTED.exec(text))) {
    const role = m[1] as Role;
    const remote = endpointOf(m[5], m[6]);
    return { drafts: [roleEvent(role, m[5], 2, 'ikev2'), endpointsEvent(role, endpointOf(m[3], m[4]), remote)], remote };
  }
  if ((m = V2_SUCCEEDED.exec(text))) return { drafts: [roleEvent(m[1] as Role, undefined, 2, 'ikev2'), draft('ike-established', { ikeVersion: 2, detail: text })] };
  if (CHILD_SUCCEEDED.test(text)) return { drafts: [draft('child-established', { detail: text })] };
  if ((m = ENC_MISMATCH.exec(text))) {
    const ikev2 = ctx.eventId?.startsWith('ikev2-') ?? false;
    return {
      conn: m[1],
      drafts: [
        // PAN-OS names the configured algorithm the peer did not offer, not the peer's list
        draft('proposals', { phase: 'ike', source: 'configured', proposals: [m[2]] }),
        draft('no-proposal-chosen', { phase: 'ike', direction: 'local', exchange: ikev2 ? 'IKE_SA_INIT' : undefined, reason: m[0], missing: 'encryption' }),
      ],
    };
  }
  if ((m = P2_DELETE_SENT.exec(text))) return { drafts: [draft('sa-deleted', { what: 'child', direction: 'sent', spis: [m[1]], reason: 'delete sent to the peer' })] };
  if (ctx.eventId && NO_PROPOSAL.test(text)) {
    return { drafts: [draft('no-proposal-chosen', { phase: phaseOfEventId(ctx.eventId), direction: 'local', reason: text })] };
  }
  if ((m = V2_FAILED_OTHER.exec(text))) return { drafts: [roleEvent(m[1] as Role, undefined, 2, 'ikev2'), draft('negotiation-failed', { phase: 'ike', reason: text })] };
  return undefined;
}

/**
 * What the Event ID alone says when the description is none of the templates:
 * `ike-nego-p1-succ` (phase 1 up) and `…-fail` (log-signatures.md §5: p1 start/succ/fail
 * [C] from a public Sentinel query, p2-fail [C]). Other event IDs say nothing here.
 */
export function decodeEventId(eventId: string, description: string): Draft[] {
  const phase = phaseOfEventId(eventId);
  if (eventId === 'ike-nego-p1-succ') return [draft('ike-established', { ikeVersion: 1, detail: description || eventId })];
  if (phase && /-fail$/.test(eventId)) return [draft('negotiation-failed', { phase, reason: description || eventId })];
  return [];
}

/** Event IDs of the vpn subtype as the System log names them (ike-nego-p1-start, ikev2-nego-enc-mismatch, ike-generic-event, tunnel-status-up, …). */
export const VPN_EVENT_ID = /^(?:ikev2|ike|ipsec|tunnel)-[a-z0-9]+(?:-[a-z0-9]+)*$/;
