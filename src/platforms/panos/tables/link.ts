/**
 * Which IKE SA each Child SA of a PAN-OS paste belongs to. The commands name it in
 * different ways: an IKEv2 Child SA row by gateway name and Parent (= the IKE SA's SN),
 * an IKEv1 phase-2 row by gateway name and GwID, an ipsec-sa row by `Tunnel(Gateway)`
 * and GwID, a tunnel-id record by `gateway id`. Indexed per gateway, so that a paste of
 * many SAs is tied in linear time.
 */
import type { TableChildSa, TableIkeSa } from '../../../evidence/sa-table-types.js';

export interface ChildMeta {
  child: TableChildSa;
  tnid?: string;
  gateway?: string;
  gatewayId?: string;
  parentSn?: string;
  version?: 1 | 2;
  /** how much its state says: see RANK in read.ts */
  rank: number;
}

export interface IkeMeta {
  index: number;
  sa: TableIkeSa;
  gateway?: string;
  gatewayId?: string;
  sn?: string;
  /** the row's Child / Phase2 column */
  children?: number;
  line: number;
}

type Slot = 1 | 2 | 'any';

/** The IKE SAs of one gateway, per IKE version a Child SA may ask for ('any': the Child SA does not say). */
interface Pool {
  bySn: Map<string, IkeMeta>;
  count: Record<Slot, number>;
  first: Partial<Record<Slot, IkeMeta>>;
  firstUp: Partial<Record<Slot, IkeMeta>>;
}

function addToPool(pools: Map<string, Pool>, key: string, i: IkeMeta): void {
  let pool = pools.get(key);
  if (!pool) pools.set(key, (pool = { bySn: new Map(), count: { 1: 0, 2: 0, any: 0 }, first: {}, firstUp: {} }));
  if (i.sn !== undefined && !pool.bySn.has(i.sn)) pool.bySn.set(i.sn, i);
  // an IKE SA of unknown version (the detail form) can be any Child SA's
  const slots: Slot[] = i.sa.version === undefined ? [1, 2, 'any'] : [i.sa.version, 'any'];
  for (const k of slots) {
    pool.count[k]++;
    pool.first[k] ??= i;
    if (i.sa.established) pool.firstUp[k] ??= i;
  }
}

/**
 * Sets each Child SA's `ikeSa`: the IKE SA its Parent names, else — when it names none,
 * or its gateway has a single IKE SA — the gateway's established IKE SA. Returns the
 * established IKE SAs that count Child SAs (Child/Phase2 column) of which the input
 * lists none and whose Child SA section is missing: a cut paste, not a half-up tunnel.
 */
export function linkChildren(children: readonly ChildMeta[], ikes: readonly IkeMeta[], childSections: ReadonlySet<1 | 2>): IkeMeta[] {
  const byGateway = new Map<string, Pool>();
  const byGatewayId = new Map<string, Pool>();
  for (const i of ikes) {
    if (i.gateway !== undefined) addToPool(byGateway, i.gateway, i);
    if (i.gatewayId !== undefined) addToPool(byGatewayId, i.gatewayId, i);
  }
  const linked = new Set<number>();
  for (const m of children) {
    const pool = m.gateway !== undefined ? byGateway.get(m.gateway) : m.gatewayId !== undefined ? byGatewayId.get(m.gatewayId) : undefined;
    if (!pool) continue;
    const v: Slot = m.version ?? 'any';
    const bySn = m.parentSn !== undefined ? pool.bySn.get(m.parentSn) : undefined;
    const parent = bySn && (m.version === undefined || bySn.sa.version === undefined || bySn.sa.version === m.version)
      ? bySn
      : m.parentSn === undefined || pool.count[v] === 1 ? pool.firstUp[v] ?? pool.first[v] : undefined;
    if (!parent) continue;
    m.child.ikeSa = parent.index;
    linked.add(parent.index);
  }
  return ikes.filter((i) => {
    const v = i.sa.version;
    return i.sa.established && Boolean(i.children) && !linked.has(i.index) && !(v !== undefined && childSections.has(v));
  });
}
