/**
 * PAN-OS configuration XML — `show config running` with `set cli config-output-format xml`,
 * an exported running-config.xml, the XML API's `<response status="success"><result><config>`,
 * or a fragment of it — read into records (./records.ts). A small tolerant XML reader:
 * elements, attributes, text, CDATA, comments, `<?…?>`, the five predefined entities and
 * numeric references, with the line of every element. Pure and total: malformed markup
 * becomes a located diagnostic, never a throw.
 */
import type { Location } from '../../../evidence/types.js';
import { DiagnosticSink } from '../../freeswan/config-common.js';
import { MASKED, isSecretLeaf, secretOf, normalisePath, panosExcerpt, type PanosRecord } from './records.js';
import { counted } from '../../../evidence/plural.js';

interface XmlElement {
  name: string;
  nameAttr?: string;
  children: XmlElement[];
  text: string;
  line: number;
}

const MAX_DEPTH = 128;
const MAX_ELEMENTS = 500_000;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

/** Parses the markup into a tree under a synthetic root. */
function parseXml(text: string, source: string, sink: DiagnosticSink): XmlElement {
  const root: XmlElement = { name: '#root', children: [], text: '', line: 1 };
  const stack: XmlElement[] = [root];
  let i = 0;
  let line = 1;
  let count = 0;
  const n = text.length;
  const at = (l: number): Location => ({ source, line: l });
  const advanceTo = (end: number) => {
    for (let k = i; k < end && k < n; k++) if (text.charCodeAt(k) === 10) line++;
    i = Math.min(end, n);
  };
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      stack[stack.length - 1].text += decodeEntities(text.slice(i));
      advanceTo(n);
      break;
    }
    if (lt > i) {
      stack[stack.length - 1].text += decodeEntities(text.slice(i, lt));
      advanceTo(lt);
    }
    const startLine = line;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      advanceTo(end < 0 ? n : end + 3);
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      stack[stack.length - 1].text += text.slice(i + 9, end < 0 ? n : end);
      advanceTo(end < 0 ? n : end + 3);
      continue;
    }
    if (text.startsWith('<?', i) || text.startsWith('<!', i)) {
      const end = text.indexOf('>', i + 2);
      advanceTo(end < 0 ? n : end + 1);
      continue;
    }
    const gt = findTagEnd(text, i + 1);
    if (gt < 0) {
      const next = text.indexOf('<', i + 1);
      if (next < 0) {
        sink.add(at(startLine), 'unterminated tag at the end of the file');
        advanceTo(n);
        break;
      }
      // a '<' inside a tag: skip the broken one, read on from the next
      sink.add(at(startLine), "malformed tag (a '<' before its '>'): skipped");
      advanceTo(next);
      continue;
    }
    const body = text.slice(i + 1, gt);
    advanceTo(gt + 1);
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const idx = stack.map((e) => e.name).lastIndexOf(name);
      if (idx <= 0) {
        sink.add(at(startLine), `closing tag </${name}> without an open <${name}>`);
        continue;
      }
      if (idx !== stack.length - 1) sink.add(at(startLine), `<${stack[stack.length - 1].name}> (line ${stack[stack.length - 1].line}) closed by </${name}>`);
      stack.length = idx;
      continue;
    }
    const selfClosing = body.endsWith('/');
    const m = /^([^\s/>]+)([\s\S]*?)\/?$/.exec(body);
    if (!m) {
      sink.add(at(startLine), 'a tag without a name');
      continue;
    }
    if (++count > MAX_ELEMENTS) {
      sink.add(at(startLine), `more than ${MAX_ELEMENTS} elements: the rest was not read`);
      break;
    }
    const nameAttr = /\bname\s*=\s*("([^"]*)"|'([^']*)')/.exec(m[2]);
    const el: XmlElement = { name: m[1], nameAttr: nameAttr ? decodeEntities(nameAttr[2] ?? nameAttr[3] ?? '') : undefined, children: [], text: '', line: startLine };
    stack[stack.length - 1].children.push(el);
    if (selfClosing) continue;
    if (stack.length > MAX_DEPTH) {
      sink.add(at(startLine), `elements nested deeper than ${MAX_DEPTH}: <${el.name}> not descended into`);
      continue;
    }
    stack.push(el);
  }
  if (stack.length > 1) sink.add(at(line), `${counted(stack.length - 1, 'element', 'elements')} not closed at the end of the file (<${stack[stack.length - 1].name}> opened on line ${stack[stack.length - 1].line})`);
  return root;
}

/** The `>` that ends a tag, skipping quoted attribute values. */
function findTagEnd(text: string, from: number): number {
  let quote = '';
  for (let k = from; k < text.length; k++) {
    const c = text[k];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k;
    else if (c === '<') return -1;
  }
  return -1;
}

/** Reads PAN-OS configuration XML into records (./records.ts). */
export function readPanosXml(text: string, source: string, sink: DiagnosticSink): PanosRecord[] {
  const root = parseXml(text, source, sink);
  const lines = text.split('\n');
  const out: PanosRecord[] = [];
  // an XML line alone (`<enable>yes</enable>`) does not say which setting it is: the record's path follows it
  const excerptAt = (l: number, path: string[]) => panosExcerpt(`${(lines[l - 1] ?? '').trim()} [${path.join(' ')}]`);
  const emit = (path: string[], values: string[], l: number, opensEntry?: boolean) => {
    const { scope, rest } = normalisePath(path);
    if (rest.length === 0) return;
    const secret = isSecretLeaf(rest);
    out.push({ path: rest, values: secret ? values.map(() => MASKED) : values, at: { source, line: l }, excerpt: excerptAt(l, rest), scope, opensEntry, ...(secret ? { secret: secretOf(values) } : {}) });
  };
  const walk = (el: XmlElement, parent: string[]) => {
    const component = el.name === 'entry' && el.nameAttr !== undefined ? el.nameAttr : el.name;
    const path = [...parent, component];
    if (el.children.length === 0) {
      const t = el.text.trim();
      // `<dynamic/>` is its parent's value; `<entry name="GW"/>` names an entry of its parent list
      if (t) emit(path, [t], el.line);
      else emit(parent, [component], el.line);
      return;
    }
    if (el.children.every((c) => c.name === 'member')) {
      emit(path, el.children.map((c) => c.text.trim()).filter(Boolean), el.line);
      return;
    }
    if (el.name === 'entry' && el.nameAttr !== undefined) emit(path, [], el.line, true);
    for (const c of el.children) walk(c, path);
  };
  for (const c of root.children) walk(c, []);
  return out;
}

/** Whether the text is PAN-OS configuration XML: a `<config>` (or the API response around it) with PAN-OS sections, or a fragment holding IKE gateways / IPsec tunnels. */
export function looksLikePanosXml(text: string): boolean {
  // a CLI paste may start with the prompt line (`admin@PA-VM> show config running`) before the XML
  const start = text.replace(/^\uFEFF/, '').replace(/^(?:[^<\n]*\n){0,3}/, '');
  const head = start.replace(/^\s*(<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*)*/, '').slice(0, 512);
  if (!head.startsWith('<')) return false;
  if (/^<(response|config)\b/.test(head) && /<(devices|mgt-config|shared|network|deviceconfig)\b/.test(text.slice(0, 1 << 20))) return true;
  // a fragment (`show config running xpath …`, an API `get`): gateways, tunnels or crypto profiles
  return /<(gateway|ipsec|ike-crypto-profiles|ipsec-crypto-profiles)>/.test(text) && /<entry\s+name=/.test(text);
}
