/**
 * One finding when a daemon log and a capture show the same symptom: the log's
 * finding (it knows the connection and what the daemon concluded) keeps its
 * message, gains the capture's frames as evidence and the capture's figures under
 * `data.capture`. Without it, `--log` and `--pcap` of the same failed attempt read
 * as two problems.
 */
import type { FindingInput } from './types.js';
import type { EvidenceRef } from '../evidence/types.js';
import { pushTo } from '../evidence/derived/aggregate.js';

/** Evidence lines kept from each side of a merged finding (the engine keeps 20 in all). */
const LOG_EVIDENCE = 12;
const CAPTURE_EVIDENCE = 8;
const LEAD = 3;

/**
 * Capture findings with a key (e.g. peer and stage; several keys: any may match) that a
 * log finding has too are folded into it; the others are returned as they are, after
 * the log findings.
 */
export function corroborate(
  fromLog: FindingInput[],
  fromCapture: FindingInput[],
  keyOf: (f: FindingInput) => string | string[] | undefined,
  /** what the lead findings were read from: a daemon log, or an SA table (`seenIn: "SA table and capture"`) */
  lead: 'log' | 'SA table' = 'log',
): FindingInput[] {
  const keys = (f: FindingInput): string[] => {
    const k = keyOf(f);
    return k === undefined ? [] : Array.isArray(k) ? k : [k];
  };
  const byKey = new Map<string, FindingInput>();
  for (const f of fromLog) for (const k of keys(f)) if (!byKey.has(k)) byKey.set(k, f);
  const out = [...fromLog];
  for (const c of fromCapture) {
    const log = keys(c).map((k) => byKey.get(k)).find((f) => f !== undefined);
    if (!log || log.data?.capture) {
      out.push(c);
      continue;
    }
    log.data = { ...log.data, seenIn: log.data?.seenIn === "both peers' logs" ? "both peers' logs and the capture" : `${lead} and capture`, capture: c.data ?? {} };
    // the wire can prove more than the log: a capture finding raised to error (with its reason) raises the merged one
    if (c.severity === 'error' && log.severity === undefined) {
      log.severity = 'error';
      if (c.data?.severityReason !== undefined) log.data.severityReason = c.data.severityReason;
    }
    // ... and a symptom the capture shows to be explained by another finding (data.explainedBy) is lowered with it
    if (c.data?.explainedBy !== undefined && c.severity !== undefined && log.severity === undefined) {
      log.severity = c.severity;
      log.data.explainedBy = c.data.explainedBy;
      if (c.data.severityReason !== undefined) log.data.severityReason = c.data.severityReason;
    }
    log.evidence = bothSides(log.evidence, c.evidence);
  }
  return out;
}

/** Both sides among the first lines (a text report shows the first six), the rest after: up to LOG_EVIDENCE of the lead's, CAPTURE_EVIDENCE of the other's. */
export function bothSides(lead: EvidenceRef[], other: EvidenceRef[]): EvidenceRef[] {
  return [...lead.slice(0, LEAD), ...other.slice(0, LEAD), ...lead.slice(LEAD, LOG_EVIDENCE), ...other.slice(LEAD, CAPTURE_EVIDENCE)];
}

/**
 * corroborate() keys of the NAT findings: the peers they name. A capture's verdict from
 * NAT-D source hashes alone (which forced encapsulation also produces) may join a
 * UDP_ENCAPSULATION_FORCED of the same peers; a destination-hash verdict (a real NAT) not.
 */
export function natKeys(f: FindingInput): string[] | undefined {
  const peers = f.code === 'NAT_DETECTED' || f.code === 'UDP_ENCAPSULATION_FORCED' ? natPeers(f) : undefined;
  if (!peers) return undefined;
  const faked = peers.map((p) => `faked ${p}`);
  if (f.code === 'UDP_ENCAPSULATION_FORCED') return faked;
  return /source hash mismatch only/.test(String(f.data?.basis)) ? [...peers, ...faked] : peers;
}

/**
 * The peer addresses a NAT_DETECTED names: the capture's IKE SA pairs (`A ⇄ B`), or the
 * address the log's IKE moved to (`198.51.100.20:4500`), else the peer its packet lines name.
 */
function natPeers(f: FindingInput): string[] | undefined {
  if (Array.isArray(f.data?.peers)) return (f.data.peers as string[]).flatMap((p) => p.split(' ⇄ '));
  const to = String(f.data?.floatedTo ?? '');
  if (/^\[?[0-9a-f.:]+\]?:\d+$/i.test(to)) return [to.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')];
  return typeof f.data?.peerAddress === 'string' ? [f.data.peerAddress] : undefined;
}

/**
 * The same refusal in both peers' logs: the initiator learns only the verdict
 * ("received NO_PROPOSAL_CHOSEN", "AUTHENTICATION_FAILED"), the responder's log says
 * why. Where a key (sameHostsKey: the code and the two hosts) names exactly one finding
 * from each side, in two different logs, they become one finding led by the
 * responder's: its message and data, `seenIn: "both peers' logs"`, the initiator's data
 * under `data.initiatorLog`, and evidence from both. Ambiguous groups (several
 * connections refused between the same two hosts) stay apart. An initiator finding
 * without addresses joins the responder's when each is the only finding of that code.
 */
export function mergePeerViews(findings: FindingInput[], keyOf: (f: FindingInput) => string | undefined): FindingInput[] {
  const groups = new Map<string, FindingInput[]>();
  for (const f of findings) {
    const k = keyOf(f);
    if (k !== undefined) pushTo(groups, k, f);
  }
  const folded = new Set<FindingInput>();
  for (const g of groups.values()) {
    const responders = g.filter((f) => f.data?.side === 'responder');
    const initiators = g.filter((f) => f.data?.side === 'initiator');
    if (responders.length !== 1 || initiators.length !== 1 || g.length !== 2) continue;
    const [lead, other] = [responders[0], initiators[0]];
    if (lead.evidence[0]?.source === undefined || lead.evidence[0].source === other.evidence[0]?.source) continue;
    fold(lead, other);
  }
  // an initiator whose log names no address (a Windows client's RasClient event) cannot be keyed by host:
  // it pairs with the responder's finding of the same code when each is the only one of its side
  const addressless = findings.filter((f) => !folded.has(f) && f.data?.side === 'initiator' && !f.data.localAddress && !f.data.peerAddress && keyOf(withHosts(f)) !== undefined);
  for (const other of addressless) {
    const sameCode = findings.filter((f) => f.code === other.code && !folded.has(f));
    const responders = sameCode.filter((f) => f.data?.side === 'responder');
    if (responders.length !== 1 || sameCode.length !== 2) continue;
    const lead = responders[0];
    if (lead.evidence[0]?.source === undefined || lead.evidence[0].source === other.evidence[0]?.source) continue;
    fold(lead, other);
  }
  return findings.filter((f) => !folded.has(f));

  function fold(lead: FindingInput, other: FindingInput): void {
    lead.data = { ...lead.data, seenIn: "both peers' logs", seenFrom: "the responder (the initiator's log shows the same refusal)", initiatorLog: other.data ?? {} };
    lead.evidence = bothSides(lead.evidence, other.evidence);
    folded.add(other);
  }
}

/** The finding as if its hosts were known: whether keyOf pairs findings of its code at all. */
function withHosts(f: FindingInput): FindingInput {
  return { ...f, data: { ...f.data, localAddress: '0.0.0.1', peerAddress: '0.0.0.2' } };
}

/**
 * A key for mergePeerViews and corroborate: the code and the two hosts, whichever side
 * wrote the finding (a log's `localAddress`/`peerAddress`, a capture's `initiator`/
 * `responder`); none unless both are known, nor for a capture finding the SA recovered from.
 */
export function sameHostsKey(codes: readonly string[]): (f: FindingInput) => string | undefined {
  return (f) => {
    if (!codes.includes(f.code) || f.data?.recovered) return undefined;
    const [a, b] = [f.data?.localAddress ?? f.data?.initiator, f.data?.peerAddress ?? f.data?.responder];
    if (typeof a !== 'string' || typeof b !== 'string' || !a || !b) return undefined;
    return `${f.code}|${a < b ? `${a} ${b}` : `${b} ${a}`}`;
  };
}

/**
 * Two logs of the same two hosts, each naming the other as its peer (`localAddress` of
 * one is `peerAddress` of the other, from different files; `samePair` may relax that,
 * e.g. across a NAT): each such pair of accepted findings is replaced by what `merge`
 * makes of it, in the place of the first.
 */
export function mergeMutual(
  findings: FindingInput[], accept: (f: FindingInput) => boolean, merge: (a: FindingInput, b: FindingInput) => FindingInput,
  samePair: (a: Record<string, unknown>, b: Record<string, unknown>) => boolean = (a, b) => b.localAddress === a.peerAddress && b.peerAddress === a.localAddress,
): FindingInput[] {
  const out = [...findings];
  for (const a of findings.filter(accept)) {
    if (!out.includes(a) || !a.data?.localAddress) continue;
    const b = out.find((x) => x !== a && accept(x) && x.data?.localAddress !== undefined && samePair(a.data!, x.data!) && x.evidence[0]?.source !== a.evidence[0]?.source);
    if (!b) continue;
    out.splice(out.indexOf(a), 1, merge(a, b));
    out.splice(out.indexOf(b), 1);
  }
  return out;
}
