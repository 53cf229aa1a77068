/**
 * Cisco ASA / FTD syslog: `[<PRI>]Mmm dd [yyyy] hh:mm:ss host: %ASA-<level>-<id>: body`, and the
 * ASA's `debug crypto isakmp` / `debug crypto ikev1` console lines, `[Mmm dd hh:mm:ss ][IKEv1]: body`
 * / `[IKEv1 DEBUG]: body`, whose bodies are the same texts without the message ID (read by text).
 * Only IKE/IPsec message IDs are decoded (reference/log-signatures.md §6.1; ids
 * marked [U] there are decoded from Cisco's documented wording but were not seen in
 * real output). Other ASA messages are recognised and say nothing ([]), including
 * the traps: 106023 "Deny protocol 47" is GRE, not ESP (50); 113019 "Reason: User
 * Requested" is an orderly disconnect; 313005/302016 are connection-table noise.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';
import { AsaIkev2Debug, IKEV2_DEBUG } from './ikev2-debug.js';

const ASA = /%(?:ASA|FTD|PIX)(?:-[a-z]+)?-(\d)-(\d{6}): (.*)$/;
const STAMP = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) +(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})/;
/** ASA debug console: `Feb 16 13:36:40 [IKEv1]: IP = …, …` / `[IKEv1 DEBUG]: Group = …, …` */
const DEBUG_LINE = /^(?:[A-Z][a-z]{2} +\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2} )?\[IKEv1(?: DEBUG)?\]:?\s?(.*)$/;

/**
 * The message ID whose text a debug body carries (the syslog IDs' bodies, reference/log-signatures.md §6.1),
 * so that one decoder reads both; undefined for narration.
 */
function idOfDebugBody(body: string): string | undefined {
  const rest = groupAndIp(body).rest;
  if (/^All (?:(?:IPSec|IKE) )?SA proposals found unacceptable/.test(rest)) return '713902';
  if (/^Rejecting IPSec tunnel: no matching crypto map entry/.test(rest)) return '713061';
  if (/^PHASE 1 COMPLETED/.test(rest)) return '713119';
  if (/^PHASE 2 COMPLETED/.test(rest)) return '713120';
  if (/^Security negotiation complete/.test(rest)) return '713049';
  if (/^Duplicate first packet detected/.test(rest)) return '713202';
  if (/^IKE lost contact with remote peer/.test(rest)) return '713123';
  if (/^Automatic NAT Detection Status/.test(rest)) return '713172';
  if (/^Session is being torn down\./.test(rest)) return '713259';
  if (/^No crypto map bound to interface/.test(rest)) return 'debug:no-crypto-map';
  return undefined;
}
const MONTH: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** "Group = 81.2.69.144, Username = u, IP = 81.2.69.144, rest" → the tunnel-group, peer IP and the rest. */
function groupAndIp(body: string): { group?: string; ip?: string; rest: string } {
  let rest = body;
  let group: string | undefined;
  let ip: string | undefined;
  for (;;) {
    const m = /^(Group|Username|IP) = ([^,]*), /.exec(rest);
    if (!m) break;
    if (m[1] === 'Group') group = m[2];
    if (m[1] === 'IP') ip = m[2];
    rest = rest.slice(m[0].length);
  }
  return { group, ip, rest };
}

/** "Local:81.2.69.144:7777 Remote:host2.test.com:7777 Username:admin rest" (750xxx, IKEv2) */
function localRemote(body: string): { local?: string; remote?: string; rest: string } {
  const m = /^Local:(\S+?)(?::\d+)? Remote:(\S+?)(?::\d+)? Username:\S* (.*)$/.exec(body);
  return m ? { local: m[1], remote: m[2], rest: m[3] } : { rest: body };
}

function decodeMessage(id: string, body: string): { drafts: Draft[]; conn?: string } {
  switch (id) {
    case '713049': {
      // phase 2 done: "Security negotiation complete for LAN-to-LAN Group (x) Responder, Inbound SPI = 0x…, Outbound SPI = 0x…"
      const { group, ip, rest } = groupAndIp(body);
      const spis = [/Inbound SPI = (0x[0-9a-fA-F]+)/.exec(rest)?.[1], /Outbound SPI = (0x[0-9a-fA-F]+)/.exec(rest)?.[1]].filter((s): s is string => s !== undefined);
      return { conn: group, drafts: [d('child-established', { spis, detail: `peer ${ip ?? '?'}: ${rest}`.slice(0, 200) })] };
    }
    case '713119': {
      const { group, ip } = groupAndIp(body);
      return { conn: group, drafts: [d('ike-established', { ikeVersion: 1, remote: ip })] };
    }
    case '713120': {
      const { group } = groupAndIp(body);
      return { conn: group, drafts: [d('child-established', { detail: 'PHASE 2 COMPLETED' })] };
    }
    case '602303':
    case '602304': {
      const m = /An (inbound|outbound) (.*?) SA \(SPI= (0x[0-9A-Fa-f]+)\) between (\S+) and (\S+) /.exec(body);
      if (!m) return { drafts: [] };
      const spis = [m[3]];
      return { drafts: [id === '602303' ? d('child-established', { spis, detail: `${m[1]} ${m[2]} SA created` }) : d('sa-deleted', { what: 'child', spis, reason: `${m[1]} ${m[2]} SA deleted` })] };
    }
    case '713901':
    case '713902':
    case '713903':
    case '713904':
    case '713905': {
      // generic "descriptive event" ids: only the proposal verdicts are decoded
      const { group, ip, rest } = groupAndIp(body);
      // the debug console also prints it without IKE/IPSec ("All SA proposals found unacceptable"): the phase is then told by the log around it
      const m = /^All (?:(IPSec|IKE) )?SA proposals found unacceptable/.exec(rest);
      if (!m) return { conn: group, drafts: [] };
      return { conn: group, drafts: [d('no-proposal-chosen', { phase: m[1] === 'IKE' ? 'ike' : m[1] ? 'child' : undefined, direction: 'local', reason: ip ? `${rest} (peer ${ip})` : rest })] };
    }
    case '713202':
      return { drafts: [d('peer-retransmit', { peer: /IP = ([^,]+),/.exec(body)?.[1], phase: 'ike', detail: 'Duplicate first packet detected' })] };
    case '750002': {
      const lr = localRemote(body);
      return { drafts: /IKE_INIT_SA request/.test(lr.rest) ? [d('respond', { ikeVersion: 2, mode: 'ikev2', peer: lr.remote })] : [] };
    }
    case '750003': {
      const lr = localRemote(body);
      const reason = /Negotiation aborted due to ERROR: (.*)$/.exec(lr.rest)?.[1];
      if (!reason) return { drafts: [] };
      const out: Draft[] = [d('negotiation-failed', { phase: 'ike', reason, peer: lr.remote })];
      // on ASA this IKEv2 error means the peer matched no tunnel-group / crypto map / IKEv2 policy (reference §6.1)
      if (/Failed to locate an item in the database/.test(reason)) {
        out.push(d('no-config', { scope: 'ike', local: lr.local, remote: lr.remote, detail: `ASA: ${reason} (no tunnel-group, crypto map entry or IKEv2 policy matched this peer)` }));
      }
      return { drafts: out };
    }
    case '713042': {
      // [D] "IKE Initiator unable to find policy: Intf x, Src: a, Dst: b"
      const m = /unable to find policy: Intf (\S+), Src: (\S+), Dst: (\S+)/.exec(body);
      return { drafts: m ? [d('no-config', { scope: 'ike', local: m[2], remote: m[3], detail: body })] : [] };
    }
    case '713061': {
      // [U] crypto ACLs not mirrored
      const m = /no matching crypto map entry for remote proxy (\S+) local proxy (\S+)/.exec(body);
      return { drafts: m ? [d('ts-unacceptable', { direction: 'local', local: [m[2]], remote: [m[1]] })] : [] };
    }
    case '713257': {
      // [U] "Phase 1 failure: Mismatched attribute types for class Group Description: Rcv'd: … Cfg'd: …"
      const m = /Phase (\d) failure: (.*)$/.exec(groupAndIp(body).rest);
      return { drafts: m ? [d('no-proposal-chosen', { phase: m[1] === '1' ? 'ike' : 'child', direction: 'local', reason: m[2] })] : [] };
    }
    case '713123': {
      // [U] "IKE lost contact with remote peer, deleting connection (keepalive type: DPD)"
      const { group, ip, rest } = groupAndIp(body);
      return { conn: group, drafts: /lost contact with remote peer/.test(rest) ? [d('dpd', { mechanism: 'dpd', outcome: 'timeout', action: 'delete', peer: ip })] : [] };
    }
    case '713172': {
      // [U] "Automatic NAT Detection Status: Remote end IS behind a NAT device This end is NOT behind a NAT device"
      const m = /Remote end (IS|is NOT) behind a NAT device\s+This end (IS|is NOT) behind a NAT device/.exec(body);
      return { drafts: m ? [d('nat', { remoteBehindNat: m[1] === 'IS', localBehindNat: m[2] === 'IS', detail: 'ASA automatic NAT detection' })] : [] };
    }
    case '713259': {
      // "Session is being torn down. Reason: crypto map policy not found" (the verdict, if any, was on an earlier line)
      const { group, ip } = groupAndIp(body);
      const reason = /Reason: (.*)$/.exec(body)?.[1];
      return { conn: group, drafts: [d('sa-deleted', { what: 'ike', reason: reason ?? `session with ${ip ?? 'the peer'} torn down`, direction: 'local' })] };
    }
    case 'debug:no-crypto-map': {
      // "IP = a, No crypto map bound to interface... dropping pkt": the interface the peer's IKE arrives on has no crypto map
      const { ip } = groupAndIp(body);
      return { drafts: [d('no-config', { scope: 'ike', remote: ip, detail: 'ASA: no crypto map bound to the interface the peer\'s IKE packet arrived on (crypto map … interface …)' })] };
    }
    case '113019': {
      // an orderly or idle disconnect is not a failure; the reason is kept for the checks
      const { group } = groupAndIp(body);
      const reason = /Reason: (.*)$/.exec(body)?.[1];
      return { conn: group, drafts: [d('sa-deleted', { what: 'ike', reason, direction: 'local' })] };
    }
    default:
      return { drafts: [] };
  }
}

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (/%(?:ASA|FTD|PIX)(?:-[a-z]+)?-\d-\d{6}: /.test(l) || DEBUG_LINE.test(l) || IKEV2_DEBUG.test(l)) n++;
  return n;
}

class AsaDecoder implements LineDecoder {
  private readonly diags: Diagnostic[] = [];
  private year = 2000;
  private readonly ikev2 = new AsaIkev2Debug();
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const v2 = this.ikev2Line(line.length > 20000 ? line.slice(0, 20000) : line);
    if (v2) return v2.drafts.length ? this.events(line, lineNo, v2.drafts, undefined, v2.sa) : [];
    const pct = line.indexOf('%');
    const m = pct < 0 ? null : ASA.exec(line.length - pct > 20000 ? line.slice(pct, pct + 20000) : line.slice(pct));
    let id: string | undefined;
    let body: string;
    if (m) [id, body] = [m[2], m[3]];
    else {
      const dbg = DEBUG_LINE.exec(line.length > 20000 ? line.slice(0, 20000) : line);
      if (!dbg) return undefined;
      body = dbg[1];
      id = idOfDebugBody(body);
      if (!id) return [];
    }
    const { drafts, conn } = decodeMessage(id, body);
    if (drafts.length === 0) return [];
    return this.events(line, lineNo, drafts, conn);
  }

  /** `debug crypto ikev2 protocol|platform` lines and the policy lists' `Proposal N:` lines */
  private ikev2Line(line: string): { drafts: Draft[]; sa?: string } | undefined {
    const policy = this.ikev2.policyLine(line);
    if (policy) return { drafts: policy, sa: this.ikev2.listSa };
    const m = IKEV2_DEBUG.exec(line);
    return m ? { drafts: this.ikev2.body(m[1], m[4], m[3]), sa: m[3] } : undefined;
  }

  private events(line: string, lineNo: number, drafts: Draft[], conn: string | undefined, sa?: string): LogEvent[] {
    const stamp = STAMP.exec(line);
    // ASA prints the year only with "logging timestamp" + year option: carry the last one seen
    if (stamp?.[3]) this.year = Number(stamp[3]);
    const t = stamp ? toSeconds(stamp, this.year) : undefined;
    const excerpt = excerptOf(line);
    return drafts.map((dr) => ({
      kind: dr.kind,
      at: { source: this.source, line: lineNo },
      excerpt,
      impl: 'cisco-asa',
      time: stamp ? stamp[0].replace(/^<\d+>/, '') : undefined,
      t,
      conn,
      sa,
      data: dr.data,
    })) as LogEvent[];
  }

  diagnostics(): Diagnostic[] {
    return this.diags;
  }
}

function toSeconds(s: RegExpExecArray, year: number): number | undefined {
  const month = MONTH[s[1]];
  if (month === undefined) return undefined;
  const v = Date.UTC(year, month, Number(s[2]), Number(s[4]), Number(s[5]), Number(s[6])) / 1000;
  return Number.isFinite(v) ? v : undefined;
}

export const ciscoAsaDialect: LogDialect = {
  id: 'cisco-asa',
  name: 'Cisco ASA syslog and debug crypto isakmp/ikev1/ikev2',
  sniff,
  createDecoder: (source) => new AsaDecoder(source),
};
