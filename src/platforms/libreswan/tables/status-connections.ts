/**
 * After the whole status is read: each SA gets what its connection's lines say — the
 * endpoints and IDs and the selectors from the topology line, the negotiated algorithms
 * from `IKEv2 algorithm newest:` / `ESP algorithm newest:` (they describe the
 * connection's newest SAs, the ones whose state line says `newest`), the kernel reqid
 * (5.x `reqid: N;`) — and each Child SA its IKE SA (`IKE SA #1`, `ISAKMP SA #1`,
 * 3.x `isakmp#1`). Connections come before states in the output, but grep'd or
 * reordered input is resolved the same way.
 */
import type { EvidenceRef } from '../../../evidence/types.js';
import type { SaEndpoint, SaTable } from '../../../evidence/sa-table-types.js';
import { isAddress } from './designation.js';
import { parseTopology, selectorOf, type TopologyEnd } from './topology.js';

export interface ConnInfo {
  /** every line of the connection, by line number */
  lines: Map<number, EvidenceRef>;
  topology?: { text: string; line: number };
  details?: { text: string; line: number }[];
}

/** what the reader keeps about an SA's state line until the end */
export interface SaMeta {
  /** connection key: `"name"` plus instance numbers */
  key: string;
  /** the instance's peer address printed after the name */
  peer?: string;
  port?: number;
  newest: boolean;
  /** serial of the IKE SA a Child SA names */
  link?: string;
  line: number;
  protocolKnown?: boolean;
}

interface Detail { value: string; line: number }

interface ConnFacts {
  local?: TopologyEnd;
  remote?: TopologyEnd;
  topologyLine?: number;
  ikeAlg?: Detail;
  childAlg?: Detail;
  policy?: Detail;
  reqid?: Detail;
}

/** Returns how many connection lines the SAs used (the others are otherLines). */
export function resolveConnections(
  table: SaTable, conns: Map<string, ConnInfo>, ikeMeta: SaMeta[], childMeta: SaMeta[],
  diag: (line: number, message: string) => void,
): number {
  const facts = new Map<string, ConnFacts>();
  for (const [key, info] of conns) facts.set(key, connFacts(info));
  const used = new Set<number>();
  const ikeBySerial = new Map<string, number>();

  table.ikeSas.forEach((sa, i) => {
    const meta = ikeMeta[i];
    ikeBySerial.set(sa.uniqueId?.slice(1) ?? '', i);
    const f = facts.get(meta.key);
    const local = endpoint(f?.local);
    const remote = endpoint(f?.remote, meta.peer, meta.port);
    if (local !== undefined) sa.local = local;
    if (remote !== undefined) sa.remote = remote;
    if (f?.topologyLine !== undefined) used.add(f.topologyLine);
    if (meta.newest && f?.ikeAlg !== undefined) {
      sa.algorithms = f.ikeAlg.value;
      used.add(f.ikeAlg.line);
    }
  });

  table.childSas.forEach((child, i) => {
    const meta = childMeta[i];
    const f = facts.get(meta.key);
    const info = conns.get(meta.key);
    const cite = (line: number) => {
      used.add(line);
      const ref = info?.lines.get(line);
      if (ref !== undefined) (child.lines ??= []).push(ref);
    };
    if (f?.local !== undefined && f.remote !== undefined && f.topologyLine !== undefined) {
      const l = selectorOf(f.local);
      const r = selectorOf(f.remote);
      child.localTs = l === undefined ? [] : [l];
      child.remoteTs = r === undefined ? [] : [r];
      cite(f.topologyLine);
    }
    if (meta.newest && f?.childAlg !== undefined) {
      child.algorithms = f.childAlg.value;
      cite(f.childAlg.line);
    }
    if (f?.reqid !== undefined) {
      child.reqid = Number(f.reqid.value);
      cite(f.reqid.line);
    }
    if (meta.link !== undefined) {
      const ike = ikeBySerial.get(meta.link);
      if (ike !== undefined) child.ikeSa = ike;
    }
    if (!meta.protocolKnown && f?.policy !== undefined) {
      // no Traffic line: the connection's policy says which protocol it negotiates
      const words = f.policy.value.split('+');
      if (words.includes('ENCRYPT')) child.protocol = 'esp';
      else if (words.includes('AUTHENTICATE')) child.protocol = 'ah';
      else diag(meta.line, `policy of ${meta.key} names neither ENCRYPT nor AUTHENTICATE`);
      cite(f.policy.line);
    }
  });
  return used.size;
}

function connFacts(info: ConnInfo): ConnFacts {
  const f: ConnFacts = {};
  if (info.topology !== undefined) {
    const topo = parseTopology(info.topology.text);
    if (topo !== undefined) {
      f.local = topo.local;
      f.remote = topo.remote;
      f.topologyLine = info.topology.line;
    }
  }
  for (const d of info.details ?? []) {
    let m: RegExpExecArray | null;
    if ((m = /^IKEv[12] algorithm newest: (\S+)/.exec(d.text)) !== null) f.ikeAlg = { value: m[1], line: d.line };
    else if ((m = /^(?:ESP|AH) algorithm newest: ([^;\s]+)/.exec(d.text)) !== null) f.childAlg = { value: m[1], line: d.line };
    else if ((m = /^policy: ([^;\s]+)/.exec(d.text)) !== null) f.policy = { value: m[1], line: d.line };
    else if ((m = /^reqid: (\d{1,10});/.exec(d.text)) !== null) f.reqid = { value: m[1], line: d.line };
  }
  return f;
}

function endpoint(end: TopologyEnd | undefined, peer?: string, port?: number): SaEndpoint | undefined {
  const e: SaEndpoint = {};
  const address = peer !== undefined && isAddress(peer) ? peer : end?.host !== undefined && isAddress(end.host) ? end.host : undefined;
  if (address !== undefined) e.address = address;
  const p = port ?? end?.port;
  if (p !== undefined) e.port = p;
  if (end?.id !== undefined) e.id = end.id;
  return Object.keys(e).length > 0 ? e : undefined;
}
