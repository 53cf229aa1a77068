/**
 * One dialect for everything a Palo Alto firewall writes about IKE: the System log
 * (syslog CSV, CEF, the GUI's "Event:" view, `show log system` rows, bare description
 * sentences) and ikemgr.log. One id ('panos') keeps detection simple: the log loader
 * picks one primary dialect per file and offers the lines it leaves to the others.
 *
 * PAN-OS records that are not IPsec (TRAFFIC, THREAT, USERID, other System subtypes)
 * are recognised and say nothing, as FortiGate's SSL-VPN lines do in its dialect: a
 * THREAT record naming "tunnel.2341" or a GlobalProtect event is not IKE evidence.
 */
import type { Diagnostic } from '../../../evidence/types.js';
import type { Endpoint, LogEvent } from '../../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../../log-dialect.js';
import { decodeDescription, decodeEventId } from './descriptions.js';
import { guiEventHeader, parseCefRecord, parseCsvRecord, parseShowLogRow, type SystemRecord } from './system-log.js';
import { isIkemgrLine, parseIkemgr } from './ikemgr.js';
import type { Decoded, Draft } from './draft.js';

// the CLI prompt in front of a pasted `less mp-log ikemgr.log` or `show log system` (pastebin.com/Bc5d4haz)
const PROMPT = /^[\w.-]+@[\w.-]+(?:\([\w-]+\))?[>#] ?(?:less mp-log ikemgr\.log|tail (?:follow yes )?mp-log ikemgr\.log|show log system\b.*)\s*$/;
const MAX_DIAGNOSTICS = 20;
/** Description (opaque) is "up to a maximum of 512 bytes" (docs.paloaltonetworks.com System Log Fields): a GUI record never runs longer. */
const MAX_RECORD_CHARS = 600;
const MAX_RECORD_LINES = 8;

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) {
    const csv = parseCsvRecord(line);
    if (csv || parseCefRecord(line) || isIkemgrLine(line) || guiEventHeader(line) || parseShowLogRow(line) || PROMPT.test(line) || decodeDescription(line.trim())) n++;
  }
  return n;
}

/** A GUI record being read: its Event ID, then its description over the next lines. */
interface OpenRecord {
  eventId: string;
  text: string;
  lines: number;
  /** its events were emitted (a template matched, or the Event ID spoke for it) */
  done: boolean;
}

class PanosDecoder implements LineDecoder {
  private readonly diags: Diagnostic[] = [];
  private dropped = 0;
  private record?: OpenRecord;
  private lastRemote?: Endpoint;

  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    // the peer a "Failed SA" named is the context of the very next line only (a "received ID_I …" sentence copied onto its own line), or of the rest of its GUI record
    const carried = this.lastRemote;
    this.lastRemote = undefined;
    const system = parseCsvRecord(line) ?? parseCefRecord(line) ?? parseShowLogRow(line);
    if (system) {
      this.record = undefined;
      return this.emit(this.systemRecord(system, lineNo, carried), line, lineNo);
    }
    const ikemgr = parseIkemgr(line);
    if (ikemgr) {
      this.record = undefined;
      return this.emit(ikemgr, line, lineNo);
    }
    if (PROMPT.test(line)) return [];
    const header = guiEventHeader(line);
    if (header) {
      this.record = { eventId: header, text: '', lines: 0, done: false };
      return [];
    }
    const text = line.trim();
    if (this.record) {
      this.lastRemote = carried;
      return this.continueRecord(this.record, text, lineNo);
    }
    const bare = decodeDescription(text, { lastRemote: carried });
    if (!bare) return undefined;
    return this.emit(this.described(bare, undefined), line, lineNo);
  }

  diagnostics(): Diagnostic[] {
    return this.dropped ? [...this.diags, { at: { source: this.source }, decoder: 'panos', message: `${this.dropped} more PAN-OS lines could not be read` }] : this.diags;
  }

  private systemRecord(r: SystemRecord, lineNo: number, lastRemote: Endpoint | undefined): Decoded {
    if (r.malformed) this.diagnose(lineNo, r.malformed);
    if (r.type !== 'SYSTEM' || r.subtype !== 'vpn' || r.malformed) return { drafts: [] };
    const found = decodeDescription(r.description, { eventId: r.eventId, lastRemote });
    const decoded = found ? this.described(found, r.object) : { drafts: decodeEventId(r.eventId, r.description), conn: r.object };
    return { ...decoded, time: r.time, t: r.t };
  }

  private described(found: NonNullable<ReturnType<typeof decodeDescription>>, object: string | undefined): Decoded {
    if (found.remote) this.lastRemote = found.remote;
    return { drafts: found.drafts, conn: object ?? found.conn };
  }

  /**
   * A description line of a GUI record. The lab notes wrap it over several lines, so
   * the text read so far is tried after each line; the events land on the line that
   * completes a sentence, with the record so far as their excerpt.
   */
  private continueRecord(rec: OpenRecord, text: string, lineNo: number): LogEvent[] | undefined {
    if (rec.done) {
      // a sentence of its own after the one that matched (a "received ID_I …" after its "Failed SA"), else the wrapped rest of the record
      const own = decodeDescription(text, { eventId: rec.eventId, lastRemote: this.lastRemote });
      if (own) return this.emit(this.described(own, undefined), `Event: ${rec.eventId} … ${text}`, lineNo);
      if (rec.lines >= MAX_RECORD_LINES || /[.!]$/.test(rec.text)) {
        this.record = undefined;
        return undefined;
      }
      rec.text = `${rec.text} ${text}`;
      rec.lines++;
      return [];
    }
    rec.text = rec.text ? `${rec.text} ${text}` : text;
    rec.lines++;
    const found = decodeDescription(rec.text, { eventId: rec.eventId, lastRemote: this.lastRemote });
    if (found) {
      rec.done = true;
      return this.emit(this.described(found, undefined), `Event: ${rec.eventId} ${rec.text}`, lineNo);
    }
    const ended = /[.!]$/.test(rec.text) || rec.lines >= MAX_RECORD_LINES || rec.text.length > MAX_RECORD_CHARS;
    if (!ended) return [];
    rec.done = true;
    // a description that is none of the templates: what its Event ID says
    return this.emit({ drafts: decodeEventId(rec.eventId, rec.text) }, `Event: ${rec.eventId} ${rec.text}`, lineNo);
  }

  private emit(d: Decoded, line: string, lineNo: number): LogEvent[] {
    if (d.drafts.length === 0) return [];
    const excerpt = excerptOf(line);
    return d.drafts.map((dr: Draft) => ({
      kind: dr.kind,
      at: { source: this.source, line: lineNo },
      excerpt,
      impl: 'panos',
      time: d.time,
      t: d.t,
      conn: d.conn,
      sa: d.sa,
      data: dr.data,
    })) as LogEvent[];
  }

  private diagnose(line: number, message: string): void {
    if (this.diags.length < MAX_DIAGNOSTICS) this.diags.push({ at: { source: this.source, line }, decoder: 'panos', message });
    else this.dropped++;
  }
}

export const panosDialect: LogDialect = {
  id: 'panos',
  name: 'PAN-OS system log / ikemgr.log',
  sniff,
  createDecoder: (source) => new PanosDecoder(source),
};
