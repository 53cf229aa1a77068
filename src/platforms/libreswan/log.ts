/**
 * libreswan / Openswan pluto log dialect: syslog and journal lines
 * (`pluto[123]: "conn" #1: …`), pluto.log with `logtime=yes`, whack/console
 * output (`"conn" #1: …`, v3/v4 `002 "conn" #1: …`), packet-level lines and the
 * allow-listed debug lines. Line shapes: reference/log-signatures.md §2.2.
 */
import type { Diagnostic } from '../../evidence/types.js';
import type { LogEvent } from '../../evidence/log-events.js';
import { excerptOf, type LineDecoder, type LogDialect } from '../log-dialect.js';
import { splitPrefix } from './log/line-prefix.js';
import { parseBody } from './log/body.js';
import { decodeConnectionText, decodeDebug, decodeText } from './log/messages.js';
import type { Draft, LineContext, StateMemory } from './log/draft.js';
import { parseEndpoint } from './log/fields.js';

const SNIFF = [
  /\bpluto\[\d+\]: /,
  /"[^"]+"(?:\[\d+\])?(?: [^\s#"]+)? #\d+: /,
  /\bSTATE_(?:MAIN|AGGR|QUICK|PARENT|V2)_[IR]\d/,
  /\b(?:IKE_SA_INIT_I|IKE_AUTH_I|ESTABLISHED_IKE_SA): /,
  /^"[^"]+": added (?:oriented )?IKEv[12] connection/,
  // logtime=yes: the microsecond stamp is followed directly by ": "
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{6}: /,
  // bodies with no prefix at all (pasted from `ipsec whack` / `ipsec auto --up`, a GUI or a forum
  // post): wordings only pluto prints (issue 20 §1), as charon's FINGERPRINT_RE does for its bodies
  /^(?:\d{3} )?(?:[A-Z][A-Z0-9_]+: )?(?:initiating IKEv[12] connection|(?:sent \w+, )?(?:ISAKMP|IPsec) SA established|established (?:IKE|Child) SA[;:]|sent (?:IKE_SA_INIT|IKE_AUTH) request to \S+:UDP\/\d+|\d+ second timeout exceeded after \d+ retransmits|retransmission; will wait |initial (?:Main|Aggressive) Mode (?:message|packet)|IKE SA authentication request rejected by peer: )/,
];

function sniff(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) {
    for (const re of SNIFF) {
      if (re.test(line)) {
        n++;
        break;
      }
    }
  }
  return n;
}

const MAX_STATES = 50_000;
const MAX_DIAGNOSTICS = 20;
const OBSOLETE_KEYWORD = /^(?:ipsec \S+: )?warning: .*obsolete keyword ignored/;
const PLUTO_START = /^(?:Starting Pluto|pluto starting)\b/i;

class PlutoDecoder implements LineDecoder {
  private readonly states = new Map<string, StateMemory>();
  private readonly diags: Diagnostic[] = [];
  private droppedDiagnostics = 0;
  private lastChildRefusal: { conn?: string; serial: string; lineNo: number } | undefined;
  private readonly linkChild = (child: string, parent: string): void => {
    if (child !== parent) this.state(child).parent = parent;
  };

  constructor(private readonly source: string) {}

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    const pre = splitPrefix(line);
    if (pre.foreign) return undefined;
    let body = pre.body;
    // fault-injection notices of libreswan's test harness: not pluto's account of the negotiation
    if (body.startsWith('IMPAIR:')) return undefined;
    let error = false;
    if (body.startsWith('ERROR: ')) {
      error = true;
      body = body.slice(7);
    }
    const shape = parseBody(body);
    if (pre.time !== undefined && pre.t === undefined && pre.plutoPrefix) this.diagnose(lineNo, `unreadable timestamp '${pre.time.slice(0, 40)}'`);
    const base = { lineNo, line, time: pre.time, t: pre.t };
    switch (shape.shape) {
      case 'state': {
        const state = this.state(shape.serial);
        const ctx = this.context(state, shape.serial, shape.peer, error);
        const drafts = decodeText(shape.text, ctx, shape.conn);
        const serial = this.answeredChild(drafts, shape.conn, shape.serial, lineNo);
        return this.events(drafts, base, shape.conn, serial, serial === shape.serial ? state.parent : this.state(serial).parent);
      }
      case 'connection':
        return this.events(decodeConnectionText(shape.text, this.context(undefined, undefined, shape.peer, error), shape.conn), base, shape.conn);
      case 'packet':
        return this.events(decodeText(shape.text, { prefixPeer: shape.from, error }, undefined), base);
      case 'debug':
        return this.events(decodeDebug(shape.text), base);
      case 'listing':
        return [];
      case 'other':
        if (pre.plutoPrefix) {
          this.diagnose(lineNo, 'pluto line with an unterminated or malformed connection name');
          return [];
        }
        return undefined;
      case 'bare': {
        if (OBSOLETE_KEYWORD.test(shape.text)) return [];
        if (PLUTO_START.test(shape.text)) this.states.clear();
        const drafts = decodeText(shape.text, { error }, undefined);
        // a body with no prefix at all (pasted from `ipsec whack`, `ipsec auto --up`, a GUI or a
        // forum post) is pluto's only when its wording is: as for bare charon bodies (issue 20 §1)
        if (!pre.plutoPrefix && !error && drafts.length === 0) return undefined;
        return this.events(drafts, base);
      }
    }
  }

  diagnostics(): Diagnostic[] {
    if (this.droppedDiagnostics === 0) return this.diags;
    return [...this.diags, { at: { source: this.source }, decoder: 'libreswan', message: `${this.droppedDiagnostics} more malformed pluto lines` }];
  }

  /**
   * pluto refuses a CREATE_CHILD_SA request on the larval Child state ("#4: CREATE_CHILD_SA request failed, …")
   * and answers it on the IKE SA ("#2: responding to CREATE_CHILD_SA message … NO_PROPOSAL_CHOSEN",
   * ikev2_create_child_sa.c record_v2N_response): the answer belongs to the Child state's refusal, one failure.
   */
  private answeredChild(drafts: readonly Draft[], conn: string | undefined, serial: string, lineNo: number): string {
    const refusal = drafts.find((d) => d.kind === 'no-proposal-chosen' && d.data.exchange === 'CREATE_CHILD_SA');
    if (!refusal || refusal.kind !== 'no-proposal-chosen') return serial;
    const last = this.lastChildRefusal;
    if (refusal.data.direction === 'local') this.lastChildRefusal = { conn, serial, lineNo };
    else if (refusal.data.direction === 'sent' && last && last.conn === conn && last.serial !== serial && lineNo - last.lineNo <= 3) {
      this.lastChildRefusal = undefined;
      return last.serial;
    }
    return serial;
  }

  private state(serial: string): StateMemory {
    let s = this.states.get(serial);
    if (!s) {
      // memory grows with SAs, not lines; a runaway file evicts its oldest states
      if (this.states.size >= MAX_STATES) this.states.delete(this.states.keys().next().value as string);
      s = { retransmits: 0 };
      this.states.set(serial, s);
    }
    return s;
  }

  private context(state: StateMemory | undefined, serial: string | undefined, peer: string | undefined, error: boolean): LineContext {
    return {
      state,
      serial,
      error,
      prefixPeer: peer ? parseEndpoint(peer.replace(/^\.\.\./, '')) : undefined,
      linkChild: this.linkChild,
    };
  }

  private events(drafts: Draft[], base: { lineNo: number; line: string; time?: string; t?: number }, conn?: string, serial?: string, parent?: string): LogEvent[] {
    if (drafts.length === 0) return [];
    const excerpt = excerptOf(base.line);
    return drafts.map((d) => ({
      kind: d.kind,
      at: { source: this.source, line: base.lineNo },
      excerpt,
      impl: 'libreswan',
      time: base.time,
      t: base.t,
      conn,
      sa: serial === undefined ? undefined : `#${serial}`,
      parentSa: parent === undefined ? undefined : `#${parent}`,
      data: d.data,
    })) as LogEvent[];
  }

  private diagnose(line: number, message: string): void {
    if (this.diags.length < MAX_DIAGNOSTICS) this.diags.push({ at: { source: this.source, line }, decoder: 'libreswan', message });
    else this.droppedDiagnostics++;
  }
}

export const libreswanDialect: LogDialect = {
  id: 'libreswan',
  name: 'libreswan pluto',
  sniff,
  createDecoder: (source) => new PlutoDecoder(source),
};
