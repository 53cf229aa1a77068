/**
 * The Windows built-in VPN client's failure events (RasClient, Application log), in the
 * shapes people paste them:
 * - the message alone (Event Viewer's General tab): `CoId={…}: The user DOMAIN\user dialed a
 *   connection named NAME which has failed. The error code returned on failure is 13868.`
 *   (some copies lose the space: `failed.The error code …`);
 * - Event Viewer's "Copy details" text (`Log Name:`, `Source: RasClient`, `Event ID: 20227`,
 *   `Description:` and the message);
 * - `Get-EventLog -LogName Application -Source RasClient | Format-List` (`EventID :`,
 *   `Message :` wrapped over two lines, `ReplacementStrings : {{CoId}, user, name, code}`) and
 *   `Get-WinEvent` tables (`TimeCreated  Id LevelDisplayName Message`);
 * - RRAS site-to-site (demand-dial) failures, RemoteAccess event 20111 `A demand dial connection to
 *   the remote interface NAME … failed to complete successfully because of the following error:
 *   TEXT`, where Windows prints the error's text instead of its number (mapped back by that text).
 * The error code alone names the cause (./error-codes.ts, from Microsoft's documentation); the
 * Windows client is the initiator. The event names no address, so it cannot be matched to the
 * server's log by host: the checks pair an address-less initiator finding with the one
 * responder finding of the same code (engine/corroborate.ts).
 */
import type { LogEvent, LogEventData, LogEventKind } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';
import { WINDOWS_ERRORS } from './error-codes.js';

type Draft = { [K in LogEventKind]: { kind: K; data: LogEventData[K] } }[LogEventKind];
const d = <K extends LogEventKind>(kind: K, data: LogEventData[K]): Draft => ({ kind, data }) as Draft;

/** RasClient 20227 (ROUTERLOG_RASCONNECTION_FAILED) message, or its second half when Format-List wrapped it */
const FAILED = /which has failed\.\s*The error code returned on failure is (-?\d{1,10})\b/;
const NAMED = /dialed a connection named (.+?) which has failed\./;
const WRAPPED_NAME = /dialed a connection named\s*$/;
/** Get-EventLog | Format-List: `ReplacementStrings : {{B4000371-…}, SYSTEM, AzureGateway, 809}` */
const REPLACEMENT = /^\s*ReplacementStrings\s*:\s*\{\{[0-9A-Fa-f-]{36}\},\s*(.*?),\s*(.*?),\s*(-?\d{1,10})\}\s*$/;
/** RemoteAccess 20111 (demand dial): the interface, then the error's text, possibly wrapped over lines */
const DEMAND_DIAL = /A demand dial connection to the remote\s*$|A demand dial connection to the remote\s+interface (\S+)/i;
const DIAL_ERROR = /because of the\s+following error:\s*(.*)$/;
/** the fields Event Viewer and PowerShell print around the message */
const FIELD = /^\s*(ReplacementStrings|EventID|MachineName|Data|Index|Category|CategoryNumber|EntryType|Message|Source|InstanceId|TimeGenerated|TimeWritten|UserName|Site|Container|Log Name|Date|Event ID|Task Category|Level|Keywords|User|Computer|Description|TimeCreated|Id|LevelDisplayName|ProviderName|LogName|RecordId|Opcode|Task)\s*:/;
const RASCLIENT = /^\s*(?:Source|ProviderName)\s*:\s*(?:Ras ?Client|RemoteAccess)\b|^\s*(?:Event ?ID|InstanceId|Id)\s*:\s*20(?:22\d|111)\b/;
const TABLE_HEAD = /^\s*TimeCreated\s+Id\s+LevelDisplayName\s+Message\s*$|^\s*-{5,}\s+--\s+-{5,}\s+-{5,}\s*$/;
/** `3/18/2016 1:29:21 PM` (PowerShell and Event Viewer in en-US) */
const US_TIME = /(?:^|:\s*)(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ?([AP]M))?/;

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (FAILED.test(l) || RASCLIENT.test(l) || REPLACEMENT.test(l) || DEMAND_DIAL.test(l)) n++;
  return n;
}

/** The error code whose text RRAS printed instead of its number (ras.h / winerror.h texts, see ./error-codes.ts). */
export function codeOfText(text: string): number | undefined {
  const t = text.replace(/\s+/g, ' ');
  if (/could not be established because the remote server is not responding/i.test(t)) return 809;
  if (/IKE\)? authentication credentials are unacceptable/i.test(t)) return 13801;
  if (/IKE security attributes are unacceptable/i.test(t)) return 13802;
  if (/IKE failed to find (?:a )?valid machine certificate/i.test(t)) return 13806;
  if (/Policy match error/i.test(t)) return 13868;
  if (/Negotiation timed out/i.test(t)) return 13805;
  return undefined;
}

/** What one error code amounts to, from the initiator's side. */
export function draftsFor(code: number, conn: string | undefined): Draft[] {
  const known = WINDOWS_ERRORS.get(code);
  const reason = known ? `Windows error ${code} (${known.name}): ${known.text}` : `Windows error ${code}`;
  // RasMan reports an L2TP/IPsec (IKEv1) failure as its ERROR_OAKLEY_* code (786-793) and hands IKEv2's
  // ERROR_IPSEC_IKE_* (138xx) through: the code tells the IKE version
  const ikeVersion = code >= 786 && code <= 793 ? 1 : code >= 13800 && code < 13900 ? 2 : undefined;
  const out: Draft[] = [d('initiate', { ikeVersion, mode: ikeVersion === 1 ? 'main' : ikeVersion === 2 ? 'ikev2' : undefined }), d('negotiation-failed', { phase: 'ike', reason })];
  switch (known?.cause.kind) {
    case 'no-response':
      out.push(d('give-up', { detail: reason, state: `connection setup${conn ? ` of ${conn}` : ''} (Windows names no exchange)` }));
      break;
    case 'auth':
      // the client only has the verdict; which side refused is in the server's log — unless the code is the client's
      // own certificate handling (786, 13806, 13820: no usable machine certificate, or no trust in the server's chain)
      out.push(d('auth', { ok: false, method: known.cause.method ?? 'unknown', direction: known.cause.own ? 'local' : 'received', reason, ...(known.cause.own ? { whose: 'own' as const } : {}) }));
      break;
    case 'proposal':
      out.push(d('no-proposal-chosen', { phase: 'ike', direction: 'received', reason }));
      break;
    default:
  }
  return out;
}

class WindowsDecoder implements LineDecoder {
  /** inside a pasted event (a RasClient field seen): its other fields are ours too */
  private inEvent = false;
  /** the event's code already read from its message: ReplacementStrings repeats it */
  private codeSeen = false;
  private wrappedName = false;
  /** a demand-dial failure's message being read: its interface and the error text so far */
  private dial: { conn?: string; text?: string; done: boolean } | undefined;
  private time: { text: string; t?: number } | undefined;
  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const failed = FAILED.exec(line);
    if (failed) {
      const named = NAMED.exec(line)?.[1] ?? (this.wrappedName ? /^\s*(?:Message\s*:\s*)?(.+?) which has failed\./.exec(line)?.[1] : undefined);
      this.wrappedName = false;
      this.codeSeen = true;
      this.inEvent = true;
      this.stampFrom(line);
      return this.events(line, lineNo, Number(failed[1]), named?.trim());
    }
    const dial = DEMAND_DIAL.exec(line);
    if (dial) {
      this.inEvent = true;
      this.dial = { conn: dial[1], done: false };
      return this.demandDial(line, lineNo);
    }
    if (this.dial && !this.dial.done && /^\s{8,}\S/.test(line)) return this.demandDial(line, lineNo);
    const rep = REPLACEMENT.exec(line);
    if (rep) {
      this.inEvent = true;
      if (this.codeSeen) return [];
      this.codeSeen = true;
      return this.events(line, lineNo, Number(rep[3]), rep[2].trim() || undefined);
    }
    if (WRAPPED_NAME.test(line) && /The user /.test(line)) {
      // Format-List wraps the message: the name and the code are on the next line
      this.wrappedName = true;
      this.inEvent = true;
      return [];
    }
    if (RASCLIENT.test(line)) {
      this.inEvent = true;
      if (/^\s*(?:Event ?ID|InstanceId)\s*:/.test(line) && !this.codeSeen) this.time = undefined;
      return [];
    }
    if (this.inEvent && (FIELD.test(line) || TABLE_HEAD.test(line))) {
      this.dial = undefined;
      // a new record starts at its first field (Format-List: EventID; Event Viewer: Log Name)
      if (/^\s*(?:EventID|Log Name|TimeCreated)\s*:/.test(line)) {
        this.codeSeen = false;
        this.time = undefined;
      }
      this.stampFrom(line);
      return [];
    }
    // Format-List continues a long value on lines indented under it
    if (this.inEvent && /^\s{12,}\S/.test(line)) return [];
    return undefined;
  }

  /** RRAS 20111: the interface name may wrap to the next line, the error text too; decided once its text is known */
  private demandDial(line: string, lineNo: number): LogEvent[] {
    const dial = this.dial!;
    dial.conn ??= /^\s*interface (\S+)/.exec(line)?.[1];
    const err = DIAL_ERROR.exec(line);
    if (err) dial.text = err[1];
    else if (dial.text !== undefined) dial.text += ` ${line.trim()}`;
    if (dial.text === undefined) return [];
    const code = codeOfText(dial.text);
    // unknown text: wait for the rest of a wrapped sentence (a known one may still complete it)
    if (code === undefined) return [];
    dial.done = true;
    this.codeSeen = true;
    return this.events(line, lineNo, code, dial.conn);
  }

  private stampFrom(line: string): void {
    const m = US_TIME.exec(line);
    if (!m) return;
    let hour = Number(m[4]) % (m[7] ? 12 : 24);
    if (m[7] === 'PM') hour += 12;
    // Event Viewer and PowerShell print local time without a zone: kept as printed, seconds as if UTC
    const ms = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6]));
    this.time = { text: m[0].replace(/^:\s*/, ''), t: Number.isFinite(ms) ? ms / 1000 : undefined };
  }

  private events(line: string, lineNo: number, code: number, conn: string | undefined): LogEvent[] {
    const excerpt = excerptOf(line);
    return draftsFor(code, conn).map((dr) => ({
      kind: dr.kind,
      at: { source: this.source, line: lineNo },
      excerpt,
      impl: 'windows',
      time: this.time?.text,
      t: this.time?.t,
      conn,
      data: dr.data,
    })) as LogEvent[];
  }
}

export const windowsDialect: LogDialect = {
  id: 'windows',
  name: 'Windows VPN client events (RasClient 20227: Event Viewer, Get-EventLog, Get-WinEvent)',
  sniff,
  createDecoder: (source) => new WindowsDecoder(source),
};
