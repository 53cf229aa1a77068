/**
 * Log events grouped the way a reader of the log thinks about them: per source
 * file, then per SA (charon unique id `<conn|N>`, pluto state serial `#N`), with the
 * role this daemon played inferred per SA and per file. Derived once per Evidence.
 */
import type { Evidence, EvidenceRef } from '../../types.js';
import type { Implementation, LogEvent, LogEventKind, LogEventData } from '../../log-events.js';
import { derivedFromLogs } from '../memo.js';

export type Role = 'initiator' | 'responder';

export interface LogSession {
  source: string;
  /** stable key within the file: `sa:N`, `conn:name` or `file` when the log names neither */
  key: string;
  conn?: string;
  sa?: string;
  impl: Implementation;
  role?: Role;
  events: LogEvent[];
}

export interface LogFile {
  source: string;
  impl: Implementation;
  /** initiator or responder when every SA with a known role agrees; 'both' when they differ */
  role?: Role | 'both';
  sessions: LogSession[];
  events: LogEvent[];
}

/** The evidence line a finding points at. */
export function refOf(e: LogEvent): EvidenceRef {
  return { source: e.at.source, line: e.at.line, excerpt: e.excerpt };
}

/** Evidence lines, ordered by file and line, without duplicates. */
export function refsOf(events: readonly (LogEvent | undefined)[]): EvidenceRef[] {
  const seen = new Set<string>();
  const out: LogEvent[] = [];
  for (const e of events) {
    if (!e) continue;
    const k = `${e.at.source}:${e.at.line}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  out.sort((a, b) => (a.at.source === b.at.source ? (a.at.line ?? 0) - (b.at.line ?? 0) : a.at.source < b.at.source ? -1 : 1));
  return out.map(refOf);
}

/**
 * The two IKE addresses a session talked between, when its log names them: charon
 * "sending packet: from A[500] to B[500]" / "received packet: from B to A", else the
 * peer of a retransmit, give-up or "initiating … to B" line (the local one then unknown).
 */
export function sessionAddresses(session: LogSession): { local?: string; peer?: string } {
  let found = addressesOf.get(session);
  if (!found) addressesOf.set(session, (found = scanAddresses(session)));
  return found;
}

// several checks ask for each session's hosts; a libreswan session has no packet lines, so the scan reads it whole
const addressesOf = new WeakMap<LogSession, { local?: string; peer?: string }>();

function scanAddresses(session: LogSession): { local?: string; peer?: string } {
  let peer: string | undefined;
  for (const e of session.events) {
    if (isKind(e, 'packet') && e.data.local?.address && e.data.remote?.address) return { local: e.data.local.address, peer: e.data.remote.address };
    if (peer) continue;
    if (isKind(e, 'initiate')) peer = e.data.peer;
    else if (isKind(e, 'retransmit') || isKind(e, 'give-up')) peer = e.data.peer?.address;
  }
  return peer ? { peer } : {};
}

/** The peer the session's first "initiating … to B" line names (a session whose packet lines give no address). */
export function initiatedPeer(session: LogSession): string | undefined {
  for (const e of session.events) if (isKind(e, 'initiate') && e.data.peer) return e.data.peer;
  return undefined;
}

/** The request whose retransmissions these are (e.g. a DPD/liveness INFORMATIONAL): the last one sent before, of the same connection and message ID. */
export function requestOf(file: LogFile, first: LogEvent<'retransmit'> | undefined): LogEvent | undefined {
  if (!first) return undefined;
  const messages = fileEventsOfKind(file, 'message');
  // walk back from the retransmit's line: the nearest match is the answer (a filter of the whole file per call was quadratic on long logs)
  for (let i = firstAtOrAfter(messages, first.at.line ?? 0) - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.data.direction === 'sent' && m.data.role === 'request' && sameConn(m, first) && (first.data.msgid === undefined || m.data.msgid === first.data.msgid)) return m;
  }
  return undefined;
}

const kindsOfFile = new WeakMap<LogFile, Map<string, LogEvent[]>>();

/**
 * A file's events of the given kinds in file order, listed once per file: checks ask
 * "the retransmits / establishments before or after this line" for each of thousands of
 * events on a long log, and a scan of the whole file per question made them quadratic.
 */
export function fileEventsOfKind<K extends LogEventKind>(file: LogFile, ...kinds: K[]): LogEvent<K>[] {
  let byKinds = kindsOfFile.get(file);
  if (!byKinds) kindsOfFile.set(file, (byKinds = new Map()));
  const key = kinds.join('\u0000');
  let list = byKinds.get(key);
  if (!list) {
    list = file.events.filter((e) => (kinds as string[]).includes(e.kind));
    // loaders give a file's events in line order; anything else is put in it (stable), as the binary searches need
    if (list.some((e, i) => i > 0 && (e.at.line ?? 0) < (list![i - 1].at.line ?? 0))) list.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0));
    byKinds.set(key, list);
  }
  return list as LogEvent<K>[];
}

/** Index of the first event at or after `line` in a line-ordered list (its length when none). */
export function firstAtOrAfter(events: readonly LogEvent[], line: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid].at.line ?? 0) < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Events of the same connection, or one of them names none. */
export function sameConn(a: LogEvent, b: LogEvent): boolean {
  return !a.conn || !b.conn || a.conn === b.conn;
}

/** The two hosts of the session an event belongs to (the file's first session for a file-level event), as finding data. */
export function hostsAt(file: LogFile, e: LogEvent): { localAddress?: string; peerAddress?: string } {
  // an event that names its SA or connection went to the session of that key (logFiles); only a key-less one is searched for
  const key = sessionKey(e);
  const session = (key !== undefined ? file.sessions.find((s) => s.key === key) : file.sessions.find((s) => s.events.includes(e))) ?? file.sessions[0];
  const { local, peer } = session ? sessionAddresses(session) : {};
  return { localAddress: local, peerAddress: peer };
}

/** What a log-side finding carries about who saw it: side, connection, and the two hosts (engine/corroborate.ts mergePeerViews keys on them). */
export function seenBy(session: LogSession, side: 'initiator' | 'responder') {
  const { local, peer } = sessionAddresses(session);
  return { side, seenFrom: `the ${side}`, conn: session.conn, sa: session.sa, localAddress: local, peerAddress: peer };
}

export function isKind<K extends LogEventKind>(e: LogEvent, kind: K): e is LogEvent<K> {
  return e.kind === kind;
}

export function ofKind<K extends LogEventKind>(events: readonly LogEvent[], kind: K): LogEvent<K>[] {
  return events.filter((e): e is LogEvent<K> => e.kind === kind);
}

/** Files in input order, each with its sessions. */
export const logFiles = derivedFromLogs((evidence: Evidence): LogFile[] => {
  const files = new Map<string, LogFile>();
  const sessionsByFile = new Map<string, Map<string, LogSession>>();
  const lastKey = new Map<string, string>();
  for (const e of evidence.logEvents ?? []) {
    const source = e.at.source;
    let file = files.get(source);
    if (!file) {
      file = { source, impl: e.impl, sessions: [], events: [] };
      files.set(source, file);
      sessionsByFile.set(source, new Map());
    }
    file.events.push(e);
    const sessions = sessionsByFile.get(source)!;
    // lines that name no SA (pluto debug lines, charon packet lines before the SA is checked
    // out) belong to the SA being processed at the time: the last one the file named
    const key = sessionKey(e) ?? lastKey.get(source) ?? 'file';
    lastKey.set(source, key);
    let s = sessions.get(key);
    if (!s) {
      s = { source, key, conn: e.conn, sa: e.parentSa ?? e.sa, impl: e.impl, events: [] };
      sessions.set(key, s);
      file.sessions.push(s);
    }
    if (!s.conn && e.conn) s.conn = e.conn;
    s.events.push(e);
  }
  for (const file of files.values()) {
    for (const s of file.sessions) s.role = roleOf(s.events);
    const roles = new Set(file.sessions.map((s) => s.role).filter((r): r is Role => r !== undefined));
    file.role = roles.size === 0 ? roleOf(file.events) : roles.size === 1 ? [...roles][0] : 'both';
  }
  return [...files.values()];
});

/** Every session of every file. */
export const logSessions = derivedFromLogs((evidence: Evidence): LogSession[] => logFiles(evidence).flatMap((f) => f.sessions));

function sessionKey(e: LogEvent): string | undefined {
  // pluto gives a Child SA its own serial; it belongs to the IKE SA that negotiated it
  if (e.parentSa) return `sa:${e.parentSa}`;
  if (e.sa) return `sa:${e.sa}`;
  if (e.conn) return `conn:${e.conn}`;
  return undefined;
}

/**
 * The role from what the daemon did first: it initiated, or a peer initiated with
 * it. Falls back to the direction of the IKE_SA_INIT / Main Mode request
 * (RFC 7296 §1.2: the initiator sends the first request).
 */
export function roleOf(events: readonly LogEvent[]): Role | undefined {
  for (const e of events) {
    if (e.kind === 'initiate') {
      const d = e.data as LogEventData['initiate'];
      if (d.mode === 'child' || d.mode === 'quick') continue;
      return 'initiator';
    }
    if (e.kind === 'respond') {
      const d = e.data as LogEventData['respond'];
      if (d.mode === 'child' || d.mode === 'quick') continue;
      return 'responder';
    }
    if (e.kind === 'message') {
      const d = e.data as LogEventData['message'];
      if (!isFirstExchange(d.exchange) || !d.role) continue;
      const sentRequest = d.direction === 'sent' && d.role === 'request';
      const gotResponse = d.direction === 'received' && d.role === 'response';
      return sentRequest || gotResponse ? 'initiator' : 'responder';
    }
  }
  return undefined;
}

/** IKE_SA_INIT, IKEv1 Main/Aggressive Mode: the unencrypted first exchange. */
export function isFirstExchange(exchange: string | undefined): boolean {
  if (!exchange) return false;
  return /^(IKE_SA_INIT|ID_PROT|MAIN|MAIN_MODE|AGGRESSIVE|AGGRESSIVE_MODE|STATE_MAIN_I1|STATE_AGGR_I1|IKE_SA_INIT_I)$/i.test(exchange.replace(/\s+/g, '_'));
}

/** The exchange that carries authentication: IKE_AUTH, or the encrypted Main Mode messages. */
export function isAuthExchange(exchange: string | undefined): boolean {
  if (!exchange) return false;
  return /IKE_AUTH|MAIN_I3|MAIN_R2|AGGR_I2|MAIN_I2/i.test(exchange);
}

/** Child SA exchanges (IKEv2 IKE_AUTH carries the first Child SA; Quick Mode in IKEv1). */
export function isChildExchange(exchange: string | undefined): boolean {
  if (!exchange) return false;
  return /IKE_AUTH|CREATE_CHILD_SA|QUICK/i.test(exchange);
}

/** The first event of a kind at or after an index. */
export function firstAfter<K extends LogEventKind>(events: readonly LogEvent[], from: LogEvent, kind: K): LogEvent<K> | undefined {
  const i = events.indexOf(from);
  for (let j = i + 1; j < events.length; j++) if (events[j].kind === kind) return events[j] as LogEvent<K>;
  return undefined;
}

/** The last event of a kind before an event. */
export function lastBefore<K extends LogEventKind>(events: readonly LogEvent[], before: LogEvent, kind: K): LogEvent<K> | undefined {
  const i = events.indexOf(before);
  for (let j = i - 1; j >= 0; j--) if (events[j].kind === kind) return events[j] as LogEvent<K>;
  return undefined;
}

/** Did the IKE SA of this session come up before this event? (then a failure is a Child SA / liveness matter) */
export function establishedBefore(events: readonly LogEvent[], e: LogEvent): boolean {
  return lastBefore(events, e, 'ike-established') !== undefined;
}

/** Is this file's IKE SA up at some point (any session)? */
export function fileHasEstablished(file: LogFile): boolean {
  return file.events.some((e) => e.kind === 'ike-established' || e.kind === 'child-established');
}

/** Names of notifies a message event carries (normalised by the decoders to RFC 7296 names). */
export function notifiesOf(e: LogEvent): string[] {
  if (e.kind !== 'message') return [];
  return (e.data as LogEventData['message']).notifies ?? [];
}

/**
 * Is this event a notify of `name` in the given direction: a message carrying it, a
 * `notify` event, or the dedicated kind a decoder may emit instead.
 */
export function isNotify(e: LogEvent, name: string, direction: 'sent' | 'received'): boolean {
  if (e.kind === 'message') {
    const d = e.data as LogEventData['message'];
    return d.direction === direction && (d.notifies ?? []).includes(name);
  }
  if (e.kind === 'notify') {
    const d = e.data as LogEventData['notify'];
    return d.direction === direction && d.name === name;
  }
  return false;
}

/** The exchange of the nearest IKE message at or before this event in its session, e.g. IKE_SA_INIT. */
export function exchangeAt(events: readonly LogEvent[], e: LogEvent): string | undefined {
  if (e.kind === 'message') return (e.data as LogEventData['message']).exchange;
  const m = lastBefore(events, e, 'message');
  return m ? (m.data as LogEventData['message']).exchange : undefined;
}
