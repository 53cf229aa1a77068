/**
 * `ip xfrm policy` / `ip -s xfrm policy` (iproute2 ip/xfrm_policy.c, printing in
 * ip/ipxfrm.c xfrm_policy_info_print): one kernel policy per entry,
 *
 *   src 10.1.0.0/24 dst 10.2.0.0/24 [proto tcp dport 443]
 *   	dir out [action block] priority 375423 ptype main
 *   	tmpl src 192.0.2.10 dst 198.51.100.20
 *   		proto esp reqid 1 mode tunnel
 *
 * `-s` adds `action allow index N … share any flag …`, the lifetime block and, per
 * template, `level required share any` and the algorithm masks; `-o` puts each entry
 * on one line. Older iproute2 omits `ptype main`.
 *
 * Per-socket policies (`socket in priority 0`, printed when the policy's direction
 * is XFRM_POLICY_MAX + dir) are the bypass that charon and pluto set on their IKE
 * sockets (IP_XFRM_POLICY); their selector is all-zero (`src 0.0.0.0/0 dst 0.0.0.0/0`)
 * and they only apply to that socket's packets. The model has no field to mark a
 * policy as a socket's, and listing them as `dir in` allow-all would read as a
 * host-wide bypass: they are left out of `policies` and their lines counted in
 * otherLines, always.
 *
 * Counters: the kernel never counts bytes or packets on a policy (it only stamps
 * curlft.add_time and use_time, net/xfrm/xfrm_policy.c), so `lifetime current:`
 * prints `0(bytes), 0(packets)` under traffic (see the fixtures, whose policies'
 * `use` time moves while the counters stay 0). bytes/packets are left undefined
 * rather than reporting that 0 as a count.
 */
import type { Diagnostic, EvidenceRef } from '../../evidence/types.js';
import type { SaTable, SaTableRead, SaTableReader, TablePolicy } from '../../evidence/sa-table-types.js';
import {
  CURRENT_LINE, LIFETIME_LINE, XFRMA_OTHER_LINE, clean, idLine, isAddress, isPrefix, maskKeys, modeOf, oneLineSegments, protocolOf,
  parserReader, ref, selectorWords, type Mode, type Protocol,
} from './xfrm-text.js';

const DECODER = 'linux/ip-xfrm-policy';
const MAX_DIAGNOSTICS = 50;

interface Template {
  src?: string;
  dst?: string;
  protocol?: Protocol;
  mode?: Mode;
  reqid?: number;
  /** its `proto … reqid … mode` line was read */
  complete: boolean;
}

interface Draft {
  at: EvidenceRef;
  src: string;
  dst: string;
  upper?: string;
  dir?: 'in' | 'out' | 'fwd';
  socket: boolean;
  /** the dir word or action was one the model has no value for (a number) */
  odd?: string;
  action: 'allow' | 'block';
  priority?: number;
  templates: Template[];
}

type Kind = 'model' | 'other' | 'unparsed';

/** `src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp dport 443 uid 0` */
function policyHeader(t: string): { src: string; dst: string; upper?: string } | undefined {
  const w = t.split(/\s+/);
  if (w[0] !== 'src' || w[2] !== 'dst' || !isPrefix(w[1] ?? '') || !isPrefix(w[3] ?? '')) return undefined;
  const words = selectorWords(w.slice(4));
  if (!words) return undefined;
  return words.upper === undefined ? { src: w[1], dst: w[3] } : { src: w[1], dst: w[3], upper: words.upper };
}

/** `dir out action block index 9 priority 375423 ptype main share any flag  (0x00000000)`, `socket in priority 0 ptype main` */
const DIR_LINE = /^(dir|socket) (in|out|fwd|\d+)(?: action (allow|block|\d+))?(?: index \d+)? priority (\d+)(?: ptype \S+)?(?: share \S+)?(?: flag.*)?$/;

/** Template lines the model has no field for: `level use` (optional template), the -s algorithm masks. */
const TEMPLATE_OTHER = /^(?:level \S+(?: share \S+)?|share \S+|enc-mask [0-9a-f]+ auth-mask [0-9a-f]+ comp-mask [0-9a-f]+)$/;

class PolicyParser {
  readonly policies: TablePolicy[] = [];
  readonly diagnostics: Diagnostic[] = [];
  lines = 0;
  otherLines = 0;
  unparsed = 0;
  /** a header followed at once by its `dir|socket … priority` line: the sniffer's proof */
  proven = 0;
  private draft?: Draft;
  private draftLines: Kind[] = [];
  private droppedDiagnostics = 0;

  constructor(private readonly source: string) {}

  feed(raw: string): void {
    const lineNo = ++this.lines;
    let kind: Kind = 'other';
    for (const seg of oneLineSegments(clean(raw))) {
      const k = this.segment(seg, lineNo);
      if (k === 'unparsed' || (k === 'model' && kind === 'other')) kind = k;
    }
    if (kind === 'other') this.otherLines++;
    else if (kind === 'unparsed') this.unparsed++;
    // a socket policy's modelled lines are counted as other once it is known to be one
    if (this.draft) this.draftLines.push(kind);
  }

  private segment(seg: string, lineNo: number): Kind {
    const t = seg.trim();
    if (t === '') return 'other';
    const head = policyHeader(t);
    if (head) {
      this.finish();
      this.draftLines = [];
      this.draft = { at: ref(this.source, lineNo, t), ...head, socket: false, action: 'allow', templates: [] };
      return 'model';
    }
    const d = this.draft;
    if (!d) return 'unparsed';
    const dir = DIR_LINE.exec(t);
    if (dir) return this.direction(d, dir, lineNo);
    const tmpl = /^tmpl src (\S+) dst (\S+)$/.exec(t);
    if (tmpl && isAddress(tmpl[1]) && isAddress(tmpl[2])) {
      d.templates.push({ src: tmpl[1], dst: tmpl[2], complete: false });
      return 'model';
    }
    const id = idLine(t);
    const last = d.templates[d.templates.length - 1];
    if (id && last && !last.complete) {
      last.complete = true;
      last.reqid = id.reqid;
      const protocol = protocolOf(id.proto);
      if (protocol) last.protocol = protocol;
      const mode = modeOf(id.mode);
      if (mode) last.mode = mode;
      return 'model';
    }
    if (CURRENT_LINE.test(t) || LIFETIME_LINE.test(t) || TEMPLATE_OTHER.test(t) || XFRMA_OTHER_LINE.test(t)) return 'other';
    return 'unparsed';
  }

  private direction(d: Draft, m: RegExpExecArray, lineNo: number): Kind {
    if (d.dir !== undefined || d.socket || d.odd !== undefined) return 'unparsed';
    if (d.at.line === lineNo - 1 || d.at.line === lineNo) this.proven++;
    d.socket = m[1] === 'socket';
    if (m[2] === 'in' || m[2] === 'out' || m[2] === 'fwd') d.dir = m[2];
    else d.odd = `dir ${m[2]}`;
    if (m[3] === 'block') d.action = 'block';
    else if (m[3] !== undefined && m[3] !== 'allow') d.odd = `action ${m[3]}`;
    d.priority = Number(m[4]);
    return 'model';
  }

  finish(): void {
    const d = this.draft;
    this.draft = undefined;
    if (!d) return;
    if (d.socket) {
      // see the header comment: socket policies are counted, not listed
      const modelled = this.draftLines.filter((k) => k === 'model').length;
      this.otherLines += modelled;
      return;
    }
    if (d.odd !== undefined) {
      this.diagnose(d.at.line ?? 0, `policy with ${d.odd}: the model has no value for it, not listed`);
      return;
    }
    if (d.dir === undefined) {
      this.diagnose(d.at.line ?? 0, 'policy selector without its `dir … priority` line: not read');
      return;
    }
    const p: TablePolicy = { at: d.at, src: d.src, dst: d.dst, dir: d.dir, action: d.action };
    if (d.upper !== undefined) p.upper = d.upper;
    if (d.priority !== undefined) p.priority = d.priority;
    // The model has one template. A bundle (IPComp + ESP: two `tmpl` blocks) keeps
    // its ESP/AH template, the one that names the SA the traffic needs.
    const t = d.templates.find((x) => x.protocol === 'esp' || x.protocol === 'ah') ?? d.templates[0];
    if (t) {
      const tmpl: NonNullable<TablePolicy['tmpl']> = {};
      if (t.src !== undefined) tmpl.src = t.src;
      if (t.dst !== undefined) tmpl.dst = t.dst;
      if (t.protocol !== undefined) tmpl.protocol = t.protocol;
      if (t.mode !== undefined) tmpl.mode = t.mode;
      if (t.reqid !== undefined) tmpl.reqid = t.reqid;
      p.tmpl = tmpl;
    }
    this.policies.push(p);
  }

  private diagnose(line: number, message: string): void {
    if (this.diagnostics.length < MAX_DIAGNOSTICS) this.diagnostics.push({ at: { source: this.source, line }, decoder: DECODER, message: maskKeys(message) });
    else this.droppedDiagnostics++;
  }

  result(): SaTableRead {
    this.finish();
    const diagnostics = [...this.diagnostics];
    if (this.droppedDiagnostics > 0) diagnostics.push({ at: { source: this.source }, decoder: DECODER, message: `${this.droppedDiagnostics} more diagnostics not kept` });
    const table: SaTable = {
      source: this.source,
      format: 'ip-xfrm-policy',
      platform: 'linux',
      ikeSas: [],
      childSas: [],
      policies: this.policies,
      lines: this.lines,
      otherLines: this.otherLines,
      unparsed: this.unparsed,
    };
    return { table, diagnostics };
  }
}

export const xfrmPolicyReader: SaTableReader = parserReader('ip-xfrm-policy', 'Linux ip xfrm policy', DECODER, (source) => new PolicyParser(source));
