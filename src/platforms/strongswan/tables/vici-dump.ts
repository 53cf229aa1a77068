/**
 * The text dump of a vici message, as `swanctl --raw` and `--pretty` print it
 * (libcharon/plugins/vici/vici_message.c, method dump, unchanged since 5.2):
 *
 *   --raw, one message per line:
 *     list-sa event {lab {uniqueid=1 version=2 … child-sas {net-1 {name=net … local-ts=[10.1.0.0/24]}}}}
 *   --pretty, one item per line, indented by two:
 *     list-sa event {
 *       lab {
 *         uniqueid = 1
 *         local-ts = [
 *           10.1.0.0/24
 *         ]
 *       }
 *     }
 *
 * The single-line form does not quote values and a value may hold spaces (a DN
 * `C=CH, O=strongSwan Project, CN=moon`), so a value ends where ` key=` / ` key {`
 * begins with a lower-case vici key that does not follow a comma (DN attributes are
 * upper-case and separated by ", "). List items are separated by single spaces;
 * traffic selectors keep their `[tcp/443]` brackets. Non-printable values are
 * dumped as `0x…` hex and read as that text.
 */

export interface ViciKeyValue {
  kind: 'kv';
  key: string;
  value: string;
  line: number;
  /** the trimmed text of the line it is on */
  text: string;
}

export interface ViciList {
  kind: 'list';
  key: string;
  items: string[];
  line: number;
  text: string;
}

export interface ViciSection {
  kind: 'section';
  name: string;
  line: number;
  /** the trimmed text of the line the section starts on (evidence excerpt) */
  text: string;
  entries: (ViciKeyValue | ViciList | ViciSection)[];
}

export interface ViciMessage {
  /** `list-sa event`, `list-sas reply`, `ike-updown event`, … */
  label: string;
  line: number;
  body: ViciSection;
  /** how many input lines the message took (1 for --raw) */
  lineCount: number;
  /** the closing brace was seen */
  complete: boolean;
}

export interface ViciProblem {
  line: number;
  message: string;
}

/** `list-sa event {` … a message label is lower-case words; the brace opens its body. */
const MESSAGE_START = /^([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)*) \{(.*)$/;
const PRETTY_SECTION = /^(\S+) \{$/;
const PRETTY_LIST = /^([^\s=]+) = \[$/;
const PRETTY_KV = /^([^\s=]+) = (.*)$/;
/** a vici key (lower-case, digits, '-', '_') followed by `=` or ` {` */
const KEY_AHEAD = /[a-z0-9][a-z0-9_-]*(?:=| \{)/y;

export type ViciLineKind = 'message' | 'blank' | 'unparsed';

/**
 * Feeds lines one at a time; says for each whether it belongs to a message. Messages
 * are handed to `onMessage` when complete, or at `finish()` when the input ends inside one.
 */
export class ViciDumpParser {
  readonly problems: ViciProblem[] = [];
  private open: { message: ViciMessage; stack: ViciSection[]; list?: ViciList } | undefined;

  constructor(private readonly onMessage: (m: ViciMessage) => void) {}

  feed(lineNo: number, raw: string): ViciLineKind {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const text = line.trim();
    if (this.open) return this.feedPretty(lineNo, text);
    if (text === '') return 'blank';
    const m = MESSAGE_START.exec(text);
    if (!m) return 'unparsed';
    const body: ViciSection = { kind: 'section', name: '', line: lineNo, text, entries: [] };
    const message: ViciMessage = { label: m[1], line: lineNo, body, lineCount: 1, complete: false };
    if (m[2] === '') {
      this.open = { message, stack: [body] };
      return 'message';
    }
    this.parseInline(lineNo, text, m[2], message);
    this.onMessage(message);
    return 'message';
  }

  finish(lineNo: number): void {
    if (!this.open) return;
    this.problems.push({ line: lineNo, message: `the input ends inside the '${this.open.message.label}' message that starts on line ${this.open.message.line}` });
    this.onMessage(this.open.message);
    this.open = undefined;
  }

  private feedPretty(lineNo: number, text: string): ViciLineKind {
    const open = this.open!;
    if (text === '') return 'blank';
    if (open.list) {
      if (text === ']') open.list = undefined;
      else open.list.items.push(text);
      open.message.lineCount++;
      return 'message';
    }
    const top = open.stack[open.stack.length - 1];
    if (text === '}') {
      open.stack.pop();
      open.message.lineCount++;
      if (open.stack.length === 0) {
        open.message.complete = true;
        this.onMessage(open.message);
        this.open = undefined;
      }
      return 'message';
    }
    // section names have no spaces; a message label has one (`list-sa event {`)
    let m = PRETTY_SECTION.exec(text);
    if (m) {
      const section: ViciSection = { kind: 'section', name: m[1], line: lineNo, text, entries: [] };
      top.entries.push(section);
      open.stack.push(section);
      open.message.lineCount++;
      return 'message';
    }
    if (MESSAGE_START.test(text)) {
      // a new message begins: the previous one was cut off
      this.finish(lineNo - 1);
      return this.feed(lineNo, text);
    }
    m = PRETTY_LIST.exec(text);
    if (m) {
      const list: ViciList = { kind: 'list', key: m[1], items: [], line: lineNo, text };
      top.entries.push(list);
      open.list = list;
      open.message.lineCount++;
      return 'message';
    }
    m = PRETTY_KV.exec(text);
    if (m) {
      top.entries.push({ kind: 'kv', key: m[1], value: m[2], line: lineNo, text });
      open.message.lineCount++;
      return 'message';
    }
    return 'unparsed';
  }

  /** One whole message on one line: `s` is what follows `label {`. */
  private parseInline(lineNo: number, text: string, s: string, message: ViciMessage): void {
    const stack: ViciSection[] = [message.body];
    const n = s.length;
    let pos = 0;
    const problem = (what: string) => this.problems.push({ line: lineNo, message: what });
    while (pos < n) {
      const c = s[pos];
      if (c === ' ') {
        pos++;
        continue;
      }
      if (c === '}') {
        stack.pop();
        pos++;
        if (stack.length === 0) {
          message.complete = true;
          if (s.slice(pos).trim() !== '') problem(`text after the end of the '${message.label}' message`);
          return;
        }
        continue;
      }
      const start = pos;
      while (pos < n && !' ={}[]'.includes(s[pos])) pos++;
      const name = s.slice(start, pos);
      const top = stack[stack.length - 1];
      if (name === '') {
        problem(`unexpected '${s[pos]}' at column ${text.length - n + pos + 1}`);
        pos++;
        continue;
      }
      if (s.startsWith(' {', pos)) {
        const section: ViciSection = { kind: 'section', name, line: lineNo, text, entries: [] };
        top.entries.push(section);
        stack.push(section);
        pos += 2;
        continue;
      }
      if (s[pos] !== '=') {
        problem(`'${name.length > 40 ? name.slice(0, 37) + '...' : name}' is followed by neither '=' nor ' {'`);
        while (pos < n && s[pos] !== ' ') pos++;
        continue;
      }
      pos++;
      if (s[pos] === '[') {
        const list: ViciList = { kind: 'list', key: name, items: [], line: lineNo, text };
        top.entries.push(list);
        pos++;
        let depth = 1;
        let itemStart = pos;
        for (; pos < n; pos++) {
          const ch = s[pos];
          if (ch === '[') depth++;
          else if (ch === ']') {
            depth--;
            if (depth === 0) break;
          } else if (ch === ' ' && depth === 1) {
            if (pos > itemStart) list.items.push(s.slice(itemStart, pos));
            itemStart = pos + 1;
          }
        }
        if (pos > itemStart) list.items.push(s.slice(itemStart, pos));
        if (pos >= n) problem(`the list '${name}' has no closing ']'`);
        else pos++;
        continue;
      }
      const valueStart = pos;
      for (; pos < n; pos++) {
        const ch = s[pos];
        if (ch === '}') break;
        if (ch === ' ' && (pos === valueStart || s[pos - 1] !== ',')) {
          KEY_AHEAD.lastIndex = pos + 1;
          if (KEY_AHEAD.test(s)) break;
        }
      }
      top.entries.push({ kind: 'kv', key: name, value: s.slice(valueStart, pos), line: lineNo, text });
    }
    problem(`the '${message.label}' message on this line has no closing '}'`);
  }
}
