/**
 * Per-file decoding state and the per-line context the body rules write into.
 *
 * Some facts are only in earlier lines: the exchange a "received NO_PROPOSAL_CHOSEN"
 * belongs to, the packet a retransmit repeats, whether a DPD request is pending when
 * charon gives up. State is kept per IKE SA (charon's unique id) and is bounded, so
 * memory grows with SAs, not with lines.
 */
import type { Diagnostic, Location } from '../../../evidence/types.js';
import type { Endpoint, LogEvent, LogEventData, LogEventKind, Phase } from '../../../evidence/log-events.js';
import { excerptOf } from '../../log-dialect.js';

export interface SaState {
  ikeVersion?: 1 | 2;
  /** exchange of the last message generated or parsed */
  lastExchange?: string;
  /** phase of the last message whose exchange has one */
  lastPhase?: Phase;
  /** phase of the last "received/configured proposals" line, and that line's number */
  proposalPhase?: Phase;
  proposalLine?: number;
  /** line of the last message that set lastPhase */
  phaseLine?: number;
  /** exchange of each request we sent, by message ID (a few recent ones) */
  sentRequests: Map<number, string>;
  lastSentExchange?: string;
  /** a DPD / liveness request is outstanding */
  dpdPending: boolean;
  dpdTimedOut: boolean;
  /** subject of the last "checking certificate status of …" */
  certSubject?: string;
  /** line of the last "looking for a child config for …" (the responder choosing a CHILD config) */
  childLookupLine?: number;
  /** the selector list being printed line by line after "proposing/selecting traffic selectors for us|other:" */
  tsListing?: { side: 'local' | 'remote'; source: 'proposed' | 'configured'; line: number };
  /** last "looking for peer configs matching …" */
  lookup?: LogEventData['peer-config-lookup'];
  /** last packets of this SA, when charon tagged the packet lines with it (5.x does) */
  lastSent?: { local: Endpoint; remote: Endpoint };
  lastReceived?: { local: Endpoint; remote: Endpoint };
}

const MAX_SAS = 4096;
const MAX_REQUESTS_PER_SA = 8;
const MAX_DIAGNOSTICS = 50;
const MAX_PEERS = 4096;

export class DecoderState {
  private readonly sas = new Map<string, SaState>();
  /** conn name learnt for a unique id, for lines that carry only `<N>` */
  private readonly connOfSa = new Map<string, string>();
  /** exchange of the latest requests generated in this file, by message ID */
  private readonly recentRequests = new Map<number, string>();
  /** last remote port we sent to, per remote address (RFC 3947 / RFC 7296 §2.23 port float) */
  readonly remotePort = new Map<string, number>();
  lastSent?: { local: Endpoint; remote: Endpoint };
  lastSentExchange?: string;
  lastReceived?: { local: Endpoint; remote: Endpoint };
  /** stroke / bare output has no prefix: the IKE SA named by the last body that named one */
  bareConn?: string;
  bareSa?: string;
  /** line of the latest selector-list heading of any SA (the quiet-line scan leaves lines near one to the rules) */
  lastListingLine?: number;
  private readonly diags: Diagnostic[] = [];
  private extraDiags = 0;

  constructor(readonly source: string) {}

  sa(key: string): SaState {
    let s = this.sas.get(key);
    if (!s) {
      if (this.sas.size >= MAX_SAS) this.sas.delete(this.sas.keys().next().value as string);
      s = { sentRequests: new Map(), dpdPending: false, dpdTimedOut: false };
      this.sas.set(key, s);
    }
    return s;
  }

  rememberRequest(s: SaState, msgid: number, exchange: string): void {
    if (s.sentRequests.size >= MAX_REQUESTS_PER_SA) s.sentRequests.delete(s.sentRequests.keys().next().value as number);
    s.sentRequests.set(msgid, exchange);
    s.lastSentExchange = exchange;
    if (this.recentRequests.size >= MAX_REQUESTS_PER_SA) this.recentRequests.delete(this.recentRequests.keys().next().value as number);
    this.recentRequests.delete(msgid);
    this.recentRequests.set(msgid, exchange);
    this.lastSentExchange = exchange;
  }

  /**
   * The exchange of a request we retransmit. Falls back to the file's latest request
   * with that message ID: lines without `<N>`, or logged under the SA being replaced,
   * do not reach the SA's own state.
   */
  exchangeOfRequest(s: SaState, msgid: number): string | undefined {
    return s.sentRequests.get(msgid) ?? this.recentRequests.get(msgid);
  }

  learnConn(sa: string, conn: string): void {
    if (this.connOfSa.size >= MAX_SAS) this.connOfSa.delete(this.connOfSa.keys().next().value as string);
    this.connOfSa.set(sa, conn);
  }

  connOf(sa: string): string | undefined {
    return this.connOfSa.get(sa);
  }

  notePort(address: string, port: number): number | undefined {
    const before = this.remotePort.get(address);
    if (before === undefined && this.remotePort.size >= MAX_PEERS) this.remotePort.delete(this.remotePort.keys().next().value as string);
    this.remotePort.set(address, port);
    return before;
  }

  diagnose(at: Location, message: string): void {
    if (this.diags.length < MAX_DIAGNOSTICS) this.diags.push({ at, decoder: 'strongswan', message });
    else this.extraDiags++;
  }

  diagnostics(): Diagnostic[] {
    if (this.extraDiags === 0) return this.diags.slice();
    return [...this.diags, { at: { source: this.source }, decoder: 'strongswan', message: `${this.extraDiags} more lines could not be read fully` }];
  }
}

/** What a line gave when it gave nothing: one shared, frozen array (most decoded lines emit no event). */
export const NO_EVENTS: LogEvent[] = Object.freeze([]) as unknown as LogEvent[];

/**
 * Everything a body rule needs for one line. One per decoder, set again for each line it decodes
 * (readLine, then keyFromPrefix): one object per decoded line was a fifth of what decoding allocated.
 * Rules read it while they run and keep nothing of it but the events it hands over.
 */
export class LineContext {
  /** created by the first emit: a line without events allocates none */
  private emitted?: LogEvent[];
  conn?: string;
  sa?: string;
  time?: string;
  t?: number;
  /** the line had no prefix naming its SA: bodies naming one set it for later bare lines */
  bare = false;
  private stateKey = '';
  line = '';
  lineNo = 0;

  constructor(readonly file: DecoderState) {}

  /** Starts a line: nothing of the line before stays. */
  readLine(line: string, lineNo: number): void {
    this.line = line;
    this.lineNo = lineNo;
    this.emitted = undefined;
    this.time = undefined;
    this.t = undefined;
  }

  keyFromPrefix(conn: string | undefined, sa: string | undefined, bare: boolean): void {
    this.bare = bare;
    this.sa = sa;
    this.conn = conn ?? (sa !== undefined ? this.file.connOf(sa) : undefined);
    if (sa !== undefined && conn !== undefined) this.file.learnConn(sa, conn);
    if (bare && sa === undefined && this.file.bareSa !== undefined) {
      this.sa = this.file.bareSa;
      this.conn = this.file.bareConn;
    }
    this.stateKey = this.sa ?? '';
  }

  /**
   * A body named its IKE SA ("IKE_SA name[3] …"). The body wins over the prefix:
   * when charon re-creates an SA (dpd_action=restart, reauthentication) the job still
   * logs under the old SA's `<conn|N>` while printing "initiating IKE_SA conn[N+1]".
   */
  namedSa(conn: string, sa: string): void {
    if (this.bare) {
      this.file.bareConn = conn;
      this.file.bareSa = sa;
    }
    this.sa = sa;
    this.conn = conn;
    this.stateKey = sa;
    this.file.learnConn(sa, conn);
  }

  /** The line's events, in the order emitted. */
  get events(): LogEvent[] {
    return this.emitted ?? NO_EVENTS;
  }

  get state(): SaState {
    return this.file.sa(this.stateKey);
  }

  emit<K extends LogEventKind>(kind: K, data: LogEventData[K]): void {
    const at = { source: this.file.source, line: this.lineNo };
    const excerpt = excerptOf(this.line);
    const { time, t, conn, sa } = this;
    // Most lines have all four: then one literal holds every field in the object itself. Fields
    // added after a literal go to a separate property array (64 bytes per kept event, ~4 MB of a
    // big log's 63k kept events, and more to copy in each young-generation collection).
    if (time !== undefined && t !== undefined && conn !== undefined && sa !== undefined) {
      (this.emitted ??= []).push({ kind, at, excerpt, impl: 'strongswan', data, time, t, conn, sa } as LogEvent<K> as unknown as LogEvent);
      return;
    }
    const e: LogEvent<K> = { kind, at, excerpt, impl: 'strongswan', data };
    if (time !== undefined) e.time = time;
    if (t !== undefined) e.t = t;
    if (conn !== undefined) e.conn = conn;
    if (sa !== undefined) e.sa = sa;
    (this.emitted ??= []).push(e as unknown as LogEvent);
  }

  diagnose(message: string): void {
    this.file.diagnose({ source: this.file.source, line: this.lineNo }, message);
  }
}
