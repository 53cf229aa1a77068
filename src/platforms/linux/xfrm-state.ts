/**
 * `ip xfrm state` / `ip -s xfrm state` (iproute2 ip/xfrm_state.c, printing in
 * ip/ipxfrm.c xfrm_state_info_print): one kernel SA per entry,
 *
 *   src 192.0.2.10 dst 198.51.100.20
 *   	proto esp spi 0xc1a00001 reqid 1 mode tunnel
 *   	replay-window 32
 *   	auth-trunc hmac(sha256) 0x… 128
 *   	enc cbc(aes) 0x…
 *   	encap type espinudp sport 4500 dport 4500 addr 0.0.0.0
 *   	sel src 10.1.0.0/24 dst 10.2.0.0/24
 *   	lifetime current:            (-s only, with lifetime config and stats)
 *   	  876(bytes), 7(packets)
 *
 * `-s -s` and `-d` print the same as `-s` and the plain list; `-o` puts each entry on
 * one line (see oneLineSegments); `list nokeys` prints `<<Keys hidden>>`. Keys are
 * masked in every excerpt and never kept: the algorithms keep their names only.
 */
import type { Diagnostic, EvidenceRef } from '../../evidence/types.js';
import type { SaDirection, SaTable, SaTableRead, SaTableReader, TableChildSa } from '../../evidence/sa-table-types.js';
import {
  CURRENT_LINE, LIFETIME_LINE, XFRMA_OTHER_LINE, clean, idLine, isAddress, isPrefix, maskKeys, modeOf, oneLineSegments,
  parserReader, protocolOf, ref, selectorWords, trafficSelector, type IdLine,
} from './xfrm-text.js';

const DECODER = 'linux/ip-xfrm-state';
const MAX_DIAGNOSTICS = 50;

/** `src A dst B` alone on its line: a state's header (a policy's and a selector's addresses carry a /prefix). */
function stateHeader(t: string): { src: string; dst: string } | undefined {
  const m = /^src (\S+) dst (\S+)$/.exec(t);
  return m && isAddress(m[1]) && isAddress(m[2]) ? { src: m[1], dst: m[2] } : undefined;
}

/** `auth-trunc hmac(sha256) 0x… 128`, `aead rfc4106(gcm(aes)) 0x… (160 bits) 128`, `enc cbc(aes) <<Keys hidden>>`, `comp deflate` */
const ALGO_LINE = /^(enc|auth|auth-trunc|aead|comp) (\S+)(?: (?:0x[0-9a-f]*|<<Keys hidden>>))?(?: \(\d+ bits\))?(?: (\d+))?$/i;

/** Lines of an entry the model has no field for: replay state, flags, last use, the stats block. */
const OTHER_LINE = /^(?:replay-window \d+(?: .*)?|anti-replay context: .*|anti-replay esn context:|seq-hi 0x[0-9a-f]+, .*|replay_window \d+, bitmap-length \d+|(?:[0-9a-fx]{8} ?)+|lastused .*|stats:|replay-window \d+ replay \d+ failed \d+)$/i;

/** Lines that iproute2 prints after `encap`: once one is seen, an entry without `encap` has none. */
const AFTER_ENCAP = /^(?:anti-replay|sel |lastused|lifetime|stats:|dir |if_id|coa |tfcpad|crypto offload|security context)/;

interface Draft {
  at: EvidenceRef;
  src: string;
  dst: string;
  id?: IdLine;
  idLine?: number;
  algorithms: string[];
  encapType?: string;
  pastEncap: boolean;
  localTs: string[];
  remoteTs: string[];
  bytes?: number;
  packets?: number;
  dir?: 'in' | 'out';
  lines: EvidenceRef[];
}

type Kind = 'model' | 'other' | 'unparsed';

class StateParser {
  readonly childSas: TableChildSa[] = [];
  readonly diagnostics: Diagnostic[] = [];
  lines = 0;
  otherLines = 0;
  unparsed = 0;
  /** a header followed at once by its `proto … spi … reqid … mode` line: the sniffer's proof */
  proven = 0;
  private draft?: Draft;
  private droppedDiagnostics = 0;

  constructor(private readonly source: string) {}

  feed(raw: string): void {
    const lineNo = ++this.lines;
    // a physical line counts once: unparsed if any of its one-line segments is, else modelled if any is
    let kind: Kind = 'other';
    for (const seg of oneLineSegments(clean(raw))) {
      const k = this.segment(seg, lineNo);
      if (k === 'unparsed' || (k === 'model' && kind === 'other')) kind = k;
    }
    if (kind === 'other') this.otherLines++;
    else if (kind === 'unparsed') this.unparsed++;
  }

  private segment(seg: string, lineNo: number): Kind {
    const t = seg.trim();
    if (t === '') return 'other';
    const head = stateHeader(t);
    if (head) {
      this.finish();
      this.draft = { at: ref(this.source, lineNo, t), ...head, algorithms: [], pastEncap: false, localTs: [], remoteTs: [], lines: [] };
      return 'model';
    }
    const d = this.draft;
    if (!d) return 'unparsed';
    if (d.id === undefined) {
      // the id line comes right after the header (xfrm_id_info_print); anything else means this is no state
      const id = idLine(t);
      if (!id) return 'unparsed';
      d.id = id;
      d.idLine = lineNo;
      if (d.at.line === lineNo - 1 || d.at.line === lineNo) this.proven++;
      return 'model';
    }
    return this.body(d, t, lineNo);
  }

  private body(d: Draft, t: string, lineNo: number): Kind {
    if (AFTER_ENCAP.test(t)) d.pastEncap = true;
    const alg = ALGO_LINE.exec(t);
    if (alg) {
      // the name and the truncation / ICV length, never the key
      d.algorithms.push(maskKeys(alg[3] === undefined ? `${alg[1]} ${alg[2]}` : `${alg[1]} ${alg[2]} ${alg[3]}`));
      return 'model';
    }
    const encap = /^encap type (\S+) sport \d+ dport \d+ addr \S+$/.exec(t);
    if (encap) {
      d.encapType = encap[1];
      d.pastEncap = true;
      return 'model';
    }
    if (t.startsWith('sel ')) return this.selector(d, t, lineNo);
    const cur = CURRENT_LINE.exec(t);
    if (cur) {
      d.bytes = Number(cur[1]);
      d.packets = Number(cur[2]);
      d.lines.push(ref(this.source, lineNo, t));
      return 'model';
    }
    const dir = /^dir (in|out)$/.exec(t);
    if (dir) {
      // XFRMA_SA_DIR (Linux 6.10+, iproute2 6.10+): here the table does say which way the SA goes
      d.dir = dir[1] as 'in' | 'out';
      d.lines.push(ref(this.source, lineNo, t));
      return 'model';
    }
    if (/^add (?:-|\S+ \S+) use /.test(t) || /^replay-window \d+ replay \d+ failed \d+$/.test(t)) {
      // last use and the replay / integrity failure counters: no field in the model, kept as evidence lines
      d.lines.push(ref(this.source, lineNo, t));
      return 'other';
    }
    if (LIFETIME_LINE.test(t) || OTHER_LINE.test(t) || XFRMA_OTHER_LINE.test(t) || /^dir other/.test(t)) return 'other';
    return 'unparsed';
  }

  private selector(d: Draft, t: string, lineNo: number): Kind {
    const w = t.split(/\s+/);
    const words = w[1] === 'src' && w[3] === 'dst' && isPrefix(w[2] ?? '') && isPrefix(w[4] ?? '') ? selectorWords(w.slice(5)) : undefined;
    if (!words) return 'unparsed';
    // A state's selector is printed src/dst. Which side is local depends on the SA's
    // direction, which `ip xfrm state` does not print (before XFRMA_SA_DIR): the model's
    // localTs/remoteTs hold the selector's src/dst as printed, not local/remote.
    d.localTs = [trafficSelector(w[2], words, 'src')];
    d.remoteTs = [trafficSelector(w[4], words, 'dst')];
    d.lines.push(ref(this.source, lineNo, t));
    return 'model';
  }

  /** Turns the entry read so far into a Child SA. */
  finish(): void {
    const d = this.draft;
    this.draft = undefined;
    if (!d) return;
    if (!d.id) {
      this.diagnose(d.at.line ?? 0, 'state header without its `proto … spi … reqid … mode` line: not read');
      return;
    }
    const protocol = protocolOf(d.id.proto);
    if (!protocol) return; // Mobile IPv6 route2/hao states: not IPsec SAs
    if (d.id.spi === undefined) this.diagnose(d.idLine ?? 0, `SPI ${maskKeys(d.id.spiText ?? '(none)').slice(0, 40)} is not 8 hex digits: the state is kept without its direction`);
    const sa: TableChildSa = {
      at: d.at,
      reqid: d.id.reqid,
      // SPI 0 is reserved (RFC 4303 2.1): the kernel shows it for the larval state it
      // holds while it asks the daemon for an SA (XFRM_MSG_ACQUIRE); it carries nothing
      state: d.id.spi === '00000000' ? 'acquire' : 'installed',
      installed: d.id.spi !== '00000000',
      protocol,
      localTs: d.localTs,
      remoteTs: d.remoteTs,
    };
    if (d.lines.length > 0) sa.lines = d.lines;
    const mode = modeOf(d.id.mode);
    if (mode) sa.mode = mode;
    if (d.encapType !== undefined) sa.udpEncap = d.encapType.startsWith('espinudp');
    else if (d.pastEncap) sa.udpEncap = false;
    if (d.algorithms.length > 0) sa.algorithms = d.algorithms.join(', ');
    if (d.id.spi !== undefined) {
      const way: SaDirection = { spi: d.id.spi, src: d.src, dst: d.dst };
      if (d.bytes !== undefined) way.bytes = d.bytes;
      if (d.packets !== undefined) way.packets = d.packets;
      // no idleSeconds: the `use` time is a wall-clock time and the table prints no "now" to subtract it from
      if (d.dir === 'in') sa.in = way;
      else if (d.dir === 'out') sa.out = way;
      else sa.unpaired = way;
    }
    this.childSas.push(sa);
  }

  private diagnose(line: number, message: string): void {
    if (this.diagnostics.length < MAX_DIAGNOSTICS) this.diagnostics.push({ at: { source: this.source, line }, decoder: DECODER, message });
    else this.droppedDiagnostics++;
  }

  result(): SaTableRead {
    this.finish();
    const diagnostics = [...this.diagnostics];
    if (this.droppedDiagnostics > 0) diagnostics.push({ at: { source: this.source }, decoder: DECODER, message: `${this.droppedDiagnostics} more diagnostics not kept` });
    const table: SaTable = {
      source: this.source,
      format: 'ip-xfrm-state',
      platform: 'linux',
      ikeSas: [],
      childSas: this.childSas,
      policies: [],
      lines: this.lines,
      otherLines: this.otherLines,
      unparsed: this.unparsed,
    };
    return { table, diagnostics };
  }
}

export const xfrmStateReader: SaTableReader = parserReader('ip-xfrm-state', 'Linux ip xfrm state', DECODER, (source) => new StateParser(source));
