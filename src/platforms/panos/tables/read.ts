/**
 * One pass over PAN-OS `show vpn …` output, whichever commands it holds. People paste
 * several commands into one file (the Zscaler guide prints `show vpn flow`, `gateway`,
 * `ike-sa`, `ipsec-sa` and `tunnel` one after the other), so every reader reads every
 * section; what tells the readers apart is only which command's lines they count when
 * sniffing (`distinctive`), and the format id of the table they return.
 *
 * The same IPsec SA appears in several commands (an IKEv2 Child SA row, an ipsec-sa row,
 * a flow row, a tunnel-id record); within one input they are one Child SA, joined by its
 * SPI pair, else by the tunnel id (TnID) every command prints. Child SAs are tied to their
 * IKE SA by gateway name and serial number (Parent = SN), else by gateway id.
 */
import type { SaDirection, SaTableFormat, SaTableRead, TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';
import type { Diagnostic, EvidenceRef } from '../../../evidence/types.js';
import { MAX_LINE, NOT_PRINTED, clip, readSpi, refOf } from './common.js';
import { FLOW_KEYS, ikeDetailFields, ikeDetailHeader, isDistinctiveKey, isIkeDetailLabel, keyValue, tunnelHeader, type IkeDetailHeader } from './detail.js';
import { SECTION_FAMILY, structural, type Family, type Section } from './lines.js';
import { flowRow, gatewayRow, type GatewayRow, ikev1Phase1Row, ikev1Phase2Row, ikev2ChildRow, ikev2SaRow, ipsecSaRow, tunnelConfigRow, type ChildRow, type FlowRow, type IkeRow } from './rows.js';
import { flowRecordChild, flowRecordKey, newFlowRecord, type FlowRecord } from './flow-record.js';
import { linkChildren, type ChildMeta, type IkeMeta } from './link.js';
import { counted } from '../../../evidence/plural.js';

const DECODER = 'panos-show-vpn';
/** Lines cited per Child SA beyond its first: its sightings in the other commands of a paste. */
const MAX_REFS = 64;

function spiPair(c: TableChildSa): string | undefined {
  return c.in?.spi && c.out?.spi ? `${c.in.spi}/${c.out.spi}` : undefined;
}

/** How much a Child SA's state says: an SA row's own state beats its tunnel's, which beats "listed". */
const RANK = { listed: 0, flow: 1, detail: 2, sa: 3 } as const;

export interface PanosRead {
  read: SaTableRead;
  /** lines only one command prints, per command: what the readers' sniff counts */
  distinctive: Record<Family, number>;
  /** lines that carried an SA's facts (with otherLines and unparsed: every line once) */
  used: number;
}

/**
 * States read as up. PAN-OS documents none of these values; each is the one printed by
 * a working tunnel in the public outputs: IKEv2 `Established` / `Mature` (Cloudflare,
 * Zscaler), IKEv1 phase-1 `13` and phase-2 `9` (PAN-OS 11.0 in the VyOS interop example,
 * its OSPF adjacency up over the tunnel), `show vpn flow` `active`. Anything else is kept
 * as printed and not called up.
 */
const IKE_UP: Record<1 | 2, string> = { 1: '13', 2: 'Established' };
const CHILD_UP: Record<ChildRow['from'], string | undefined> = { 'ikev2-child': 'Mature', 'ikev1-p2': '9', 'ipsec-sa': undefined };

export function readPanos(input: Iterable<string>, source: string, format: SaTableFormat): PanosRead {
  const diagnostics: Diagnostic[] = [];
  const ikeSas: TableIkeSa[] = [];
  const childSas: TableChildSa[] = [];
  const distinctive: Record<Family, number> = { 'ike-sa': 0, 'ike-sa-detail': 0, 'ipsec-sa': 0, flow: 0, gateway: 0, tunnel: 0 };
  const metas: ChildMeta[] = [];
  const bySpis = new Map<string, ChildMeta>();
  /** per tunnel id: how many Child SAs, the first, and those without SPIs yet (a flow row, an old ipsec-sa row) */
  const byTnid = new Map<string, { count: number; first: ChildMeta; spiless: ChildMeta[] }>();
  const ikes: IkeMeta[] = [];
  /** an IKE SA printed twice (the same paste twice, ike-sa and ike-sa detail) is one: version, gateway and SN */
  const ikeKeys = new Set<string>();
  /** IKE versions whose Child SA section the input prints (rows or "There is no … found") */
  const childSections = new Set<1 | 2>();
  let lines = 0;
  let used = 0;
  let other = 0;
  let unparsed = 0;
  let configRows = 0;
  /** `show vpn gateway` rows with the gateway's own address: the local end of its IKE SAs */
  const gatewayLocals: GatewayRow[] = [];
  let detailIkes = 0;
  let section: Section | undefined;
  let pendingTunnelId: string | undefined;
  /** the last command echo was `show vpn ipsec-sa` with no filter: its output is every IPsec SA of the firewall */
  let allIpsecSas = false;
  let flow: FlowRecord | undefined;
  let ikeDetail: { header?: IkeDetailHeader; ike?: IkeMeta } | undefined;

  const ref = (line: number, text: string): EvidenceRef => refOf(source, line, text);
  const diagnose = (line: number, message: string) => diagnostics.push({ at: { source, line }, decoder: DECODER, message });

  for (const raw of input) {
    lines++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let kind: 'used' | 'other' | 'unparsed';
    try {
      kind = readLine(text);
    } catch (err) {
      // a reader bug must not cost the whole table: the line is counted and said
      kind = 'unparsed';
      diagnose(lines, `the reader failed on this line (${(err as Error).message})`);
    }
    if (kind === 'used') used++;
    else if (kind === 'other') other++;
    else unparsed++;
  }
  closeFlow();
  link();
  if (detailIkes && !childSas.length) {
    // the one public copy of the detail form lists no Child SAs: their absence here says nothing
    diagnostics.push({
      at: { source }, decoder: DECODER,
      message: '`show vpn ike-sa detail` shows the IKE SA, not its IPsec SAs: whether the tunnel has one is not in this input (give `show vpn ike-sa` or `show vpn ipsec-sa` with it)',
    });
  }
  if (!ikeSas.length && !childSas.length && configRows) {
    diagnostics.push({
      at: { source }, decoder: DECODER,
      message: '`show vpn gateway` and `show vpn tunnel` list configuration (gateways, tunnels and their proxy IDs), not SAs: give `show vpn ike-sa`, `show vpn ipsec-sa` and `show vpn flow tunnel-id N` for the tunnels\' state and counters',
    });
  }
  // every IPsec SA of an established IKE SA is in the input only where its version's Child SA section is printed
  // ("There is no IKEv1 phase-2 SA found." says nothing of the IKEv2 SAs beside it)
  const listed = childSections.size > 0 && ikeSas.every((i) => !i.established || (i.version !== undefined ? childSections.has(i.version) : childSections.has(1) && childSections.has(2)));
  const table = { source, format, platform: 'panos', ikeSas, childSas, policies: [], lines, otherLines: other, unparsed, ...(listed ? { listsChildSas: true } : {}) };
  return { read: { table, diagnostics }, distinctive, used };

  function readLine(text: string): 'used' | 'other' | 'unparsed' {
    if (text.length > MAX_LINE) {
      diagnose(lines, `line of ${text.length} characters: longer than PAN-OS prints a table line; not read`);
      return 'unparsed';
    }
    if (text.trim() === '') return 'other';
    const s = structural(text);
    if (s) {
      if (s.kind !== 'dashes') {
        closeFlow();
        ikeDetail = undefined;
        if (s.family) distinctive[s.family]++;
      }
      if (s.kind === 'echo') {
        section = undefined;
        pendingTunnelId = s.tunnelId;
        allIpsecSas = s.family === 'ipsec-sa' && Boolean(s.unfiltered);
      } else if (s.section) {
        section = s.section;
        if (s.section === 'ikev2-child') childSections.add(2);
        if (s.section === 'ikev1-p2') childSections.add(1);
      } else if (s.kind === 'none-found' || s.kind === 'footer' || s.kind === 'preamble') {
        section = undefined;
        if (s.emptyChildren) childSections.add(s.emptyChildren);
        // `show vpn ipsec-sa` unfiltered lists the IPsec SAs of IKEv1 and IKEv2 tunnels alike: "There is no
        // IPSec SA found." after it (the Semtech guide's output) says the firewall holds none, so every IKE SA
        // in the paste is without one. After `… ipsec-sa tunnel X` it says so of tunnel X only.
        if (s.kind === 'none-found' && s.family === 'ipsec-sa' && allIpsecSas) {
          childSections.add(1);
          childSections.add(2);
        }
      }
      return 'other';
    }
    if (section) {
      const r = tableRow(section, text);
      if (r) {
        distinctive[SECTION_FAMILY[section]]++;
        return r;
      }
    }
    const kv = keyValue(text);
    if (kv && FLOW_KEYS.has(kv.key) && (flow || isDistinctiveKey(kv))) {
      section = undefined;
      if (isDistinctiveKey(kv)) distinctive.flow++;
      if (!flow || (kv.key === 'id' && flow.idSeen)) openFlow(lines, text);
      return flowKey(flow!, kv, text);
    }
    const header = ikeDetailHeader(text);
    if (header) {
      closeFlow();
      section = undefined;
      ikeDetail = { header };
      distinctive['ike-sa-detail']++;
      return 'other';
    }
    if (/^\s*IKE SA:/.test(text)) {
      closeFlow();
      section = undefined;
      distinctive['ike-sa-detail']++;
      ikeDetail = { header: ikeDetail?.header, ike: newDetailIke(text, ikeDetail?.header) };
      return 'used';
    }
    if (ikeDetail && isIkeDetailLabel(text)) return detailLabel(ikeDetail.ike, text);
    const name = tunnelHeader(text);
    if (name !== undefined) {
      section = undefined;
      openFlow(lines, text, name);
      return 'other';
    }
    // inside a tunnel-id record: a key this reader does not know, or a sub-heading (`packets received`)
    if (flow && (kv || /^\s*[a-z][a-z ]*$/.test(text))) return 'other';
    return 'unparsed';
  }

  function tableRow(sec: Section, text: string): 'used' | 'other' | undefined {
    switch (sec) {
      case 'ikev2-sa':
      case 'ikev1-p1': {
        const row = sec === 'ikev2-sa' ? ikev2SaRow(text) : ikev1Phase1Row(text);
        if (!row) return undefined;
        addIke(row, text);
        return 'used';
      }
      case 'ikev2-child':
      case 'ikev1-p2':
      case 'ipsec-sa': {
        const row = sec === 'ikev2-child' ? ikev2ChildRow(text) : sec === 'ikev1-p2' ? ikev1Phase2Row(text) : ipsecSaRow(text);
        if (!row) return undefined;
        place(childOfRow(row, text));
        return 'used';
      }
      case 'flow': {
        const row = flowRow(text);
        if (!row) return undefined;
        place(childOfFlow(row, text));
        return 'used';
      }
      case 'gateway': {
        const row = gatewayRow(text);
        if (!row) return undefined;
        configRows++;
        if (row.local) gatewayLocals.push(row);
        return 'other';
      }
      case 'tunnel':
        if (!tunnelConfigRow(text)) return undefined;
        configRows++;
        return 'other';
    }
  }

  function addIke(row: IkeRow, text: string): void {
    if (row.sn !== undefined) {
      const key = `${row.version}|${row.gateway}|${row.sn}`;
      if (ikeKeys.has(key)) return;
      ikeKeys.add(key);
    }
    const sa: TableIkeSa = { at: ref(lines, text), state: row.state ?? NOT_PRINTED, established: row.state === IKE_UP[row.version], version: row.version, remote: { address: row.peer } };
    if (row.gateway) sa.name = row.gateway;
    if (row.sn !== undefined) sa.uniqueId = row.sn;
    if (row.role) sa.role = row.role;
    if (row.algorithms) sa.algorithms = row.algorithms;
    ikeSas.push(sa);
    ikes.push({ index: ikeSas.length - 1, sa, gateway: row.gateway, gatewayId: row.gatewayId, sn: row.sn, children: row.children, line: lines });
  }

  function childOfRow(row: ChildRow, text: string): ChildMeta {
    const up = CHILD_UP[row.from];
    const spiIn = spiOf(row.spiIn, 'SPI(in)');
    const spiOut = spiOf(row.spiOut, 'SPI(out)');
    const proto = /^AH\//i.test(row.algorithms ?? '') ? 'ah' : 'esp';
    const child: TableChildSa = {
      at: ref(lines, text),
      // `show vpn ipsec-sa` prints no state: a row is an SA the firewall holds
      state: row.state ?? NOT_PRINTED,
      installed: up === undefined ? true : row.state === up,
      // IKEv2 Child SA rows name no protocol: ESP is what PAN-OS tunnels carry unless set to AH
      protocol: proto,
      localTs: [],
      remoteTs: [],
    };
    if (row.tunnel) child.name = row.tunnel;
    if (row.uniqueId !== undefined) child.uniqueId = row.uniqueId;
    if (row.algorithms) child.algorithms = row.algorithms;
    // the IKEv1 phase-2 algorithm names the mode: `ESP/    /tunl/SHA2`
    if (/\/tunl\//.test(row.algorithms ?? '')) child.mode = 'tunnel';
    if (row.remainSeconds !== undefined) child.expiresSeconds = row.remainSeconds;
    const inbound: SaDirection = {};
    const outbound: SaDirection = {};
    if (spiIn) inbound.spi = spiIn;
    if (spiOut) outbound.spi = spiOut;
    if (row.peer) {
      inbound.src = row.peer;
      outbound.dst = row.peer;
    }
    if (Object.keys(inbound).length) child.in = inbound;
    if (Object.keys(outbound).length) child.out = outbound;
    return {
      child, tnid: row.tnid, gateway: row.gateway, gatewayId: row.gatewayId, parentSn: row.parentSn,
      version: row.from === 'ipsec-sa' ? undefined : row.from === 'ikev2-child' ? 2 : 1, rank: row.from === 'ipsec-sa' ? RANK.listed : RANK.sa,
    };
  }

  function childOfFlow(row: FlowRow, text: string): ChildMeta {
    const child: TableChildSa = {
      at: ref(lines, text), name: row.name, state: row.state, installed: row.state === 'active',
      // `show vpn flow` says "type IPSec", not ESP or AH: ESP unless the tunnel is set to AH
      protocol: 'esp', localTs: [], remoteTs: [],
      out: { src: row.local, dst: row.peer }, in: { src: row.peer, dst: row.local },
    };
    return { child, tnid: row.tnid, rank: RANK.flow };
  }

  function spiOf(text: string | undefined, what: string): string | undefined {
    if (text === undefined) return undefined;
    const spi = readSpi(text);
    if (!spi) diagnose(lines, `${what} '${clip(text)}' is not 8 hex digits`);
    return spi;
  }

  /** One Child SA per SA: a second sighting (another command's row, a tunnel-id record) adds to the first. */
  function place(inc: ChildMeta): void {
    const c = inc.child;
    const pair = spiPair(c);
    let target = pair ? bySpis.get(pair) : undefined;
    if (!target && inc.tnid !== undefined) {
      const same = byTnid.get(inc.tnid);
      if (same && (c.in?.spi || c.out?.spi)) target = same.spiless.length === 1 ? same.spiless[0] : undefined;
      else if (same) target = same.count === 1 ? same.first : undefined;
    }
    if (!target) {
      metas.push(inc);
      childSas.push(c);
      if (pair) bySpis.set(pair, inc);
      if (inc.tnid !== undefined) indexTnid(inc.tnid, inc);
      return;
    }
    const hadSpis = Boolean(target.child.in?.spi || target.child.out?.spi);
    merge(target, inc);
    const merged = spiPair(target.child);
    if (merged && !bySpis.has(merged)) bySpis.set(merged, target);
    if (target.tnid !== undefined && !hadSpis && (target.child.in?.spi || target.child.out?.spi)) {
      const same = byTnid.get(target.tnid);
      if (same) same.spiless = same.spiless.filter((m) => m !== target);
    }
    if (inc.tnid !== undefined && target.tnid === undefined) {
      target.tnid = inc.tnid;
      indexTnid(inc.tnid, target);
    }
  }

  function indexTnid(tnid: string, m: ChildMeta): void {
    const spiless = !m.child.in?.spi && !m.child.out?.spi;
    const same = byTnid.get(tnid);
    if (!same) byTnid.set(tnid, { count: 1, first: m, spiless: spiless ? [m] : [] });
    else {
      same.count++;
      if (spiless) same.spiless.push(m);
    }
  }

  function merge(t: ChildMeta, inc: ChildMeta): void {
    const a = t.child;
    const b = inc.child;
    // a paste repeated many times cites its first sightings, not every one (memory grows with SAs, not lines)
    const refs = (a.lines ??= []);
    for (const r of [b.at, ...(b.lines ?? [])]) if (refs.length < MAX_REFS) refs.push(r);
    if (inc.rank > t.rank) {
      a.state = b.state;
      a.installed = b.installed;
      t.rank = inc.rank;
    }
    a.name ??= b.name;
    a.uniqueId ??= b.uniqueId;
    a.algorithms ??= b.algorithms;
    a.mode ??= b.mode;
    a.ageSeconds ??= b.ageSeconds;
    a.expiresSeconds ??= b.expiresSeconds;
    if (b.protocol === 'ah') a.protocol = 'ah';
    if (!a.localTs.length) a.localTs = b.localTs;
    if (!a.remoteTs.length) a.remoteTs = b.remoteTs;
    for (const dir of ['in', 'out'] as const) if (b[dir]) a[dir] = { ...b[dir], ...a[dir] };
    t.gateway ??= inc.gateway;
    t.gatewayId ??= inc.gatewayId;
    t.parentSn ??= inc.parentSn;
    t.version ??= inc.version;
  }

  function openFlow(line: number, text: string, name?: string): void {
    closeFlow();
    // `show vpn flow tunnel-id N` names the first record that follows it only
    flow = newFlowRecord(ref(line, text), name, pendingTunnelId);
    pendingTunnelId = undefined;
  }

  function flowKey(rec: FlowRecord, kv: { key: string; value: string }, text: string): 'used' | 'other' {
    const r = flowRecordKey(rec, kv, ref(lines, text));
    if (r.bad) diagnose(lines, `${kv.key} '${clip(kv.value)}' is not ${r.bad}`);
    return r.used ? 'used' : 'other';
  }

  function closeFlow(): void {
    if (!flow) return;
    const rec = flow;
    flow = undefined;
    const made = flowRecordChild(rec);
    if (!made) {
      // a `tunnel NAME` line with nothing under it is not a record
      if (rec.headerOnly) {
        other--;
        unparsed++;
      }
      return;
    }
    if (rec.headerOnly) {
      other--;
      used++;
    }
    // the KB's copy prints only the counters at the bottom of the record: a record without its state line
    // says nothing of the state, so the tunnel's `show vpn flow` row keeps its say
    place({ child: made, tnid: rec.tnid, gatewayId: rec.gatewayId, rank: rec.state === undefined ? RANK.listed : RANK.detail });
  }

  function newDetailIke(text: string, header: IkeDetailHeader | undefined): IkeMeta {
    const f = ikeDetailFields(text);
    const sa: TableIkeSa = { at: ref(lines, text), state: f.state ?? NOT_PRINTED, established: f.state === 'Established' };
    if (header) sa.name = header.gateway;
    if (f.sn) sa.uniqueId = f.sn;
    if (header?.local || f.idLocal) sa.local = { ...(header?.local ? { address: header.local } : {}), ...(f.idLocal ? { id: f.idLocal } : {}) };
    if (header?.remote || f.idRemote) sa.remote = { ...(header?.remote ? { address: header.remote } : {}), ...(f.idRemote ? { id: f.idRemote } : {}) };
    if (f.spiInitiator) sa.spiInitiator = f.spiInitiator;
    if (f.spiResponder) sa.spiResponder = f.spiResponder;
    if (f.role) sa.role = f.role;
    if (f.proposal) sa.algorithms = f.proposal;
    ikeSas.push(sa);
    detailIkes++;
    const meta: IkeMeta = { index: ikeSas.length - 1, sa, gateway: header?.gateway, gatewayId: header?.gatewayId, sn: f.sn, line: lines };
    ikes.push(meta);
    return meta;
  }

  /** A label line of the one-per-line detail form: fills the open IKE SA. */
  function detailLabel(ike: IkeMeta | undefined, text: string): 'used' | 'other' {
    if (!ike) return 'other';
    const f = ikeDetailFields(text);
    const sa = ike.sa;
    let got = false;
    if (f.state && sa.state === NOT_PRINTED) {
      sa.state = f.state;
      sa.established = f.state === 'Established';
      got = true;
    }
    if (f.sn && sa.uniqueId === undefined) {
      sa.uniqueId = ike.sn = f.sn;
      got = true;
    }
    if (f.spiInitiator && !sa.spiInitiator) {
      sa.spiInitiator = f.spiInitiator;
      sa.spiResponder = f.spiResponder;
      if (f.role) sa.role = f.role;
      got = true;
    }
    if (f.proposal && !sa.algorithms) {
      sa.algorithms = f.proposal;
      got = true;
    }
    if (f.idLocal) {
      sa.local = { ...sa.local, id: f.idLocal };
      got = true;
    } else if (f.idRemote) {
      sa.remote = { ...sa.remote, id: f.idRemote };
      got = true;
    }
    return got ? 'used' : 'other';
  }

  /** Ties each Child SA to its IKE SA; says when an IKE SA's Child SAs are counted but not in the input. */
  function link(): void {
    // `show vpn ike-sa` prints the peer's address only; the gateway's configured local address is this end's
    for (const i of ikes) {
      if (i.sa.local?.address) continue;
      const g = gatewayLocals.find((r) => (i.gatewayId !== undefined && r.gatewayId === i.gatewayId) || (i.gateway !== undefined && r.name === i.gateway));
      if (g?.local) i.sa.local = { ...i.sa.local, address: g.local };
    }
    for (const i of linkChildren(metas, ikes, childSections)) {
      const v = i.sa.version;
      diagnose(i.line, `the ${i.sa.name ? `gateway ${clip(i.sa.name)}'s ` : ''}IKE SA counts ${counted(i.children ?? 0, 'Child SA', 'Child SAs')} that this input does not list (its ${v === 1 ? 'IKEv1 phase-2' : 'IKEv2 IPsec Child SA'} section is missing): paste the whole \`show vpn ike-sa\` output, or \`show vpn ipsec-sa\`, so that the tunnel is not taken for half up`);
    }
  }
}
