/**
 * strongSwan charon log dialect: every shape charon's output takes (file logger with
 * or without timestamps and in JSON, syslog, journald/charon-systemd, swanctl --log
 * and --initiate, stroke `ipsec up` bodies) mapped onto the LogEvent vocabulary.
 *
 * Per line: one prefix scan (strongswan/line-prefix.ts), one Map lookup on the
 * body's first word, then the few anchored patterns registered for that word.
 */
import type { LogEvent } from '../../evidence/log-events.js';
import type { LineDecoder, LogDialect } from '../log-dialect.js';
import { DecoderState, LineContext } from './log/context.js';
import { parseLine } from './log/line-prefix.js';
import { mergeRuleTables, ruleLookup, type BodyRule } from './log/rule-table.js';
import { authRules } from './log/rules-auth.js';
import { catalogueRules } from './log/rules-catalogue.js';
import { childRules } from './log/rules-child.js';
import { livenessRules } from './log/rules-liveness.js';
import { negotiationRules, responding } from './log/rules-negotiation.js';
import { LISTING_REACH } from './log/rules-child.js';
import { QuietScanner, wordHashes } from './log/quiet-bytes.js';
import { QUIET_SHAPES } from './log/quiet-shapes.js';
import { YearRollover } from './log/timestamp.js';

// the catalogue's rules come last: the topic tables keep first say on the lines they know
const RULES = mergeRuleTables(negotiationRules, authRules, childRules, livenessRules, catalogueRules);
const rulesFor = ruleLookup(RULES);
/** the first words some rule reads, as the byte scan compares them; '' (indented listing lines) is decided apart */
const RULE_WORDS = wordHashes([...RULES.keys()].filter((w) => w !== ''));
/**
 * The shapes written for the rules as they are: a word that has gained or lost a rule since has its
 * lines decoded (slower, never wrong) until its shape is read again (quiet-shapes.test.ts says which).
 */
const SHAPES = QUIET_SHAPES.filter((s) => RULES.get(s.word)?.length === s.rules);

/** The rules filed under a body's first word (for tests that check what a shape says of them). */
export function rulesOf(word: string): readonly BodyRule[] {
  return RULES.get(word) ?? [];
}

/**
 * Our patterns expect charon's ordinary messages; anything longer is a hex dump or
 * garbage, and skipping it keeps the cost of a hostile 16 KiB line bounded.
 */
const MAX_BODY_CHARS = 4096;

/**
 * Bodies charon prints that say nothing a check needs. They matter for output with
 * no prefix (stroke `ipsec up` consoles also hold shell prompts and other programs'
 * lines): a body starting like one of these is charon's, anything else is not ours.
 */
const QUIET_BODY_PREFIXES = [
  'scheduling rekeying in ',
  'scheduling reauthentication in ',
  'scheduling rekeying ',
  'maximum IKE_SA lifetime ',
  'establishing CHILD_SA ',
  'establishing connection ',
  "connection '",
  'initiating EAP_',
  'received cert request for ',
  'sending cert request for ',
  'received end entity cert ',
  'received issuer cert ',
  'using trusted certificate ',
  'using trusted ca certificate ',
  'using trusted intermediate ca certificate ',
  'using certificate ',
  'reached self-signed root ca ',
  'requesting ocsp status from ',
  'fetching crl from ',
  'ocsp response ',
  'crl correctly signed by ',
  'crl is valid',
  'certificate status is ',
  'checking certificate status of ',
  'selected peer config ',
  'peer supports MOBIKE',
  'peer supports MOBIKE, but disabled in config',
  'sending keep alive ',
  'sending DPD ',
  'sending DELETE for ',
  'received DELETE for ',
  'received AUTH_LIFETIME ',
  'received ESP_TFC_PADDING_NOT_SUPPORTED',
  'DPD not supported by peer',
  'checking if current path still works',
  'authentication of ',
  'IKE_SA ',
  'CHILD_SA ',
  'reauthenticating IKE_SA ',
  'rekeying IKE_SA ',
  'closing CHILD_SA ',
  'deleting IKE_SA ',
  'restarting CHILD_SA ',
  'no acceptable ',
  'giving up after ',
  'received proposals',
  'configured proposals',
  'splitting IKE message ',
  'installing new virtual IP ',
  'installing DNS server ',
  'initiate completed successfully',
];

function isQuietCharonBody(body: string): boolean {
  for (const p of QUIET_BODY_PREFIXES) if (body.startsWith(p)) return true;
  return false;
}

class StrongswanLineDecoder implements LineDecoder {
  private readonly state: DecoderState;
  private readonly context: LineContext;
  private readonly years = new YearRollover();
  private readonly quiet = new QuietScanner(RULE_WORDS, SHAPES);
  /** the line the byte scan read up to its body and left to be decoded (QuietScanner.prefixOf), or -1 */
  private scannedLine = -1;

  constructor(source: string) {
    this.state = new DecoderState(source);
    this.context = new LineContext(this.state);
  }

  decode(line: string, lineNo: number): LogEvent[] | undefined {
    try {
      return this.decodeLine(line, lineNo);
    } catch (err) {
      // the rules are written not to throw; if one does, the line is located, not fatal
      this.state.diagnose({ source: this.state.source, line: lineNo }, `strongSwan decoder error: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  diagnostics() {
    return this.state.diagnostics();
  }

  /**
   * A line with charon's thread prefix whose first word no rule knows, or whose rules all reject
   * its shape (quiet-bytes.ts, quiet-shapes.ts): what decodeLine does with it, without the string.
   * An indented line is read by the '' rule (rules-child.ts selectorListing), which looks up the
   * SA's state (creating it) and reads a selector-list item only within LISTING_REACH lines of a
   * heading; a shape's 'quiet-state' is a rule that made the same lookup before rejecting.
   */
  quietLine(buf: Buffer, start: number, end: number, lineNo: number): boolean {
    this.scannedLine = lineNo;
    const q = this.quiet.scan(buf, start, end);
    if (!q) return false;
    if (q.maybeItem && this.state.lastListingLine !== undefined && lineNo - this.state.lastListingLine <= LISTING_REACH) return false;
    this.scannedLine = -1;
    if (q.sa !== undefined && q.conn !== undefined) this.state.learnConn(q.sa, q.conn);
    if (q.time?.t !== undefined) this.years.adjust(q.time.t, q.time.hasYear);
    if (q.indented || q.touchesState) this.state.sa(q.sa ?? '');
    return true;
  }

  private decodeLine(line: string, lineNo: number): LogEvent[] | undefined {
    if (line.length === 0) return undefined;
    // a line the byte scan just read has its prefix read already
    const p = (this.scannedLine === lineNo ? this.quiet.prefixOf(line) : undefined) ?? parseLine(line);
    this.scannedLine = -1;
    if (p.malformed) {
      this.state.diagnose({ source: this.state.source, line: lineNo }, p.malformed);
      return [];
    }
    const certain = p.certainty === 'charon';
    const body = p.body;
    if (body.length === 0) return certain ? [] : undefined;
    if (body.length > MAX_BODY_CHARS) return certain ? [] : undefined;
    const rules = rulesFor(body);
    // most of a busy log (loaded plugins, queueing jobs, vici, selecting/proposing…): no rule
    // for the first word, so no events; only what the line teaches later lines is kept
    if (!rules && !body.includes(' is initiating ')) {
      if (p.sa !== undefined && p.conn !== undefined) this.state.learnConn(p.sa, p.conn);
      if (p.time?.t !== undefined) this.years.adjust(p.time.t, p.time.hasYear);
      return certain || isQuietCharonBody(body) ? [] : undefined;
    }
    const c = this.context;
    c.readLine(line, lineNo);
    c.keyFromPrefix(p.conn, p.sa, p.shape === 'none' || p.shape === 'group');
    if (p.time) {
      c.time = p.time.text;
      if (p.time.t !== undefined) c.t = this.years.adjust(p.time.t, p.time.hasYear);
    }
    let matched = false;
    if (rules) {
      for (let i = 0; i < rules.length; i++) {
        if (rules[i](body, c)) {
          matched = true;
          break;
        }
      }
    }
    // "%H is initiating …": the first word is the peer's address
    if (!matched && body.includes(' is initiating ')) matched = responding(body, c);
    if (matched || certain) return c.events;
    return isQuietCharonBody(body) ? c.events : undefined;
  }
}

/** Bodies only charon prints (reference §2.1 "Body fingerprints unique to strongSwan"). */
const FINGERPRINT_RE =
  /^(?:(?:generating|parsed) [A-Z][A-Z0-9_]* (?:request|response) \d+ \[|initiating (?:(?:Main|Aggressive) Mode )?IKE_SA \S|IKE_SA \S+\[\d+\] established between |CHILD_SA \S+\{\d+\} established with SPIs |(?:sending|received) packet: from \S+\[\d+\] to |selected proposal: |authentication of '|\S+ is initiating |tried \d+ shared keys? for |retransmit \d+ of request with message ID )/;

function looksLikeCharon(line: string): boolean {
  const p = parseLine(line);
  if (p.certainty === 'charon') return true;
  return p.body.length <= MAX_BODY_CHARS && FINGERPRINT_RE.test(p.body);
}

export const strongswanDialect: LogDialect = {
  id: 'strongswan',
  name: 'strongSwan charon',
  sniff(lines) {
    let n = 0;
    for (const line of lines) if (line.length > 0 && looksLikeCharon(line)) n++;
    return n;
  },
  createDecoder: (source) => new StrongswanLineDecoder(source),
};
