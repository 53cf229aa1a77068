/**
 * The ASA's `debug crypto ikev2 protocol|platform N` console lines: `IKEv2-PROTO-<level>: (<sa>): body`,
 * `IKEv2-PLAT-<level>: [(<sa>) ]body`, and the `Proposal N: …` lines that follow `Received Policies:` /
 * `Expected Policies:` (no prefix of their own). Texts from real output: Cisco document 117337
 * ("Configure a Site-to-Site IKEv2 tunnel between ASA and Router": peer ID check, HTTP-URL certificates)
 * and a public ASA debug of a refused IKE_SA_INIT (see samples/cisco-asa-debug-ikev2-*).
 *
 * What is read:
 * - `Failed to find a matching policy` after `Received Policies:` — this ASA found none of the peer's
 *   IKE proposals acceptable (the responder's verdict); the two lists become `proposals` events in
 *   charon's printed form, so the proposal check computes the transform type without overlap;
 * - `Peer ID check failed` (PLAT) — the ID the peer sent is not in its certificate (SAN): an identity mismatch;
 * - `Unsupported cert encoding found or Peer requested HTTP URL but never sent HTTP_LOOKUP_SUPPORTED Notification`
 *   — certificate authentication failed (`crypto ikev2 http-url cert` on an IOS peer);
 * - `Auth exchange failed`, `Verify auth failed`, `Failed to locate an item in the database` — the
 *   negotiation failed (the cause, when there is one, is on an earlier line).
 */
import type { LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { DH_GROUP } from '../../wire/iana.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

export const IKEV2_DEBUG = /^(?:[A-Z][a-z]{2} +\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2} )?IKEv2-(PROTO|PLAT)-(\d):\s?(?:\((\d+)\):?\s?)?(.*)$/;
const POLICY_LINE = /^Proposal (\d+): (\S+) (\S+) (\S+) DH_GROUP_\S+\/Group (\d+)\s*$/;

const ENCR: Record<string, string> = { '3DES': '3DES_CBC', DES: 'DES_CBC' };
const PRF: Record<string, string> = { MD5: 'PRF_HMAC_MD5', SHA1: 'PRF_HMAC_SHA1', SHA256: 'PRF_HMAC_SHA2_256', SHA384: 'PRF_HMAC_SHA2_384', SHA512: 'PRF_HMAC_SHA2_512' };
const INTEG: Record<string, string> = { MD596: 'HMAC_MD5_96', SHA96: 'HMAC_SHA1_96', SHA256: 'HMAC_SHA2_256_128', SHA384: 'HMAC_SHA2_384_192', SHA512: 'HMAC_SHA2_512_256' };

/** "AES-CBC-256 SHA1 SHA96 DH_GROUP_1024_MODP/Group 2" (encryption, PRF, integrity, group) → "IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024". */
export function ikePolicyOf(line: string): string | undefined {
  const m = POLICY_LINE.exec(line.trim());
  if (!m) return undefined;
  const aes = /^AES-(CBC|GCM)-(128|192|256)$/.exec(m[2]);
  const encr = aes ? (aes[1] === 'CBC' ? `AES_CBC_${aes[2]}` : `AES_GCM_16_${aes[2]}`) : ENCR[m[2]];
  const [prf, integ, group] = [PRF[m[3]], INTEG[m[4]], DH_GROUP[Number(m[5])]];
  if (!encr || !prf || !integ || !group) return undefined;
  return `IKE:${[encr, integ, prf, group].join('/')}`;
}

/** Reads one ASA IKEv2 debug session: which policy list a `Proposal N:` line belongs to. */
export class AsaIkev2Debug {
  private list: 'received' | 'configured' | undefined;
  /** the IKEv2 SA the list's header line named: its proposals belong to that negotiation */
  listSa: string | undefined;
  /** the ID the peer sent, as the tunnel-group lookup printed it */
  private peerId: string | undefined;
  private readonly lists = { received: [] as string[], configured: [] as string[] };

  /** A `Proposal N:` line inside a policy list; undefined when the line is not one. */
  policyLine(line: string): Draft[] | undefined {
    if (!this.list || !/^\s*Proposal \d+: /.test(line)) return undefined;
    const p = ikePolicyOf(line);
    if (!p) return [];
    this.lists[this.list].push(p);
    return [d('proposals', { phase: 'ike', source: this.list, proposals: [p] })];
  }

  body(kind: string, body: string, sa: string | undefined): Draft[] {
    const text = body.trim();
    this.list = undefined;
    this.listSa = sa;
    if (text === 'Received Policies:') {
      this.list = 'received';
      this.lists.received = [];
      return [];
    }
    if (text === 'Expected Policies:') {
      this.list = 'configured';
      this.lists.configured = [];
      return [];
    }
    if (kind === 'PROTO' && text === 'Failed to find a matching policy') {
      // printed after the received list and again after the expected one: the verdict is the first
      if (this.lists.configured.length) return [];
      return [d('no-proposal-chosen', { phase: 'ike', direction: 'local', exchange: 'IKE_SA_INIT', reason: `ASA: ${text}${sa ? ` (IKEv2 SA ${sa})` : ''}` })];
    }
    let m: RegExpExecArray | null;
    if ((m = /^attempting to find tunnel group for ID: (.+)$/.exec(text))) {
      this.peerId = m[1];
      return [d('identity', { direction: 'received', id: m[1] })];
    }
    if (kind === 'PLAT' && text === 'Peer ID check failed') {
      // the ASA looks for the peer's ID in its certificate's SAN (IP, DNS, RFC822 name) unless peer-id-validate nocheck
      return [d('id-mismatch', { received: this.peerId, expected: 'that ID in the peer certificate\'s subjectAltName', detail: 'ASA peer ID check (tunnel-group peer-id-validate): the ID the peer sent is not in its certificate' })];
    }
    if (/Unsupported cert encoding found or Peer requested HTTP URL but never sent/.test(text)) {
      return [d('auth', { ok: false, method: 'cert', direction: 'local', reason: `ASA: ${text} (the peer asked for certificates by HTTP URL: IOS "crypto ikev2 http-url cert")` })];
    }
    if (/^(?:Auth exchange failed|Verify auth failed|Failed to locate an item in the database)$/.test(text)) {
      return [d('negotiation-failed', { phase: 'ike', reason: `ASA: ${text}` })];
    }
    return [];
  }
}
