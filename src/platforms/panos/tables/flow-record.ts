/**
 * One `show vpn flow tunnel-id N` record (see detail.ts for what the sources show of
 * it): its `key: value` lines gathered, then turned into one Child SA with both
 * directions — encap (what this firewall sent) outbound on the `remote spi`, decap
 * (what it received) inbound on the `local spi`.
 */
import type { SaDirection, TableChildSa } from '../../../evidence/sa-table-types.js';
import type { EvidenceRef } from '../../../evidence/types.js';
import { NOT_PRINTED, isAddress, readCount, readSpi } from './common.js';
import { PROXY_KEYS, agoValue, secondsValue, type KeyValue } from './detail.js';

export interface FlowRecord {
  at: EvidenceRef;
  /** opened by its `tunnel NAME` line (counted once the record turns out to hold something) */
  headerOnly: boolean;
  name?: string;
  tnid?: string;
  /** an `id:` line was read: the next one starts another record */
  idSeen: boolean;
  gatewayId?: string;
  local?: string;
  peer?: string;
  state?: string;
  spiIn?: string;
  spiOut?: string;
  protocol?: 'esp' | 'ah';
  enc?: string;
  auth?: string;
  remain?: number;
  age?: number;
  counters: { encapPackets?: number; decapPackets?: number; encapBytes?: number; decapBytes?: number };
  /** the counter lines of each direction (encap: out, decap: in), cited with that direction */
  countedAt: { out: EvidenceRef[]; in: EvidenceRef[] };
  proxy?: Partial<Record<'local ip' | 'remote ip' | 'protocol' | 'local port' | 'remote port', string>>;
  inProxy: boolean;
  lines: EvidenceRef[];
  /** lines that carried a modelled fact */
  facts: number;
}

export function newFlowRecord(at: EvidenceRef, name: string | undefined, tunnelId: string | undefined): FlowRecord {
  return { at, headerOnly: name !== undefined, name, tnid: tunnelId, idSeen: false, counters: {}, countedAt: { out: [], in: [] }, inProxy: false, lines: [], facts: 0 };
}

const COUNTERS: Record<string, keyof FlowRecord['counters']> = {
  'encap packets': 'encapPackets', 'decap packets': 'decapPackets', 'encap bytes': 'encapBytes', 'decap bytes': 'decapBytes',
};

/** An outer address; `0.0.0.0` is what a tunnel shows before any SA was negotiated (no peer yet), not an address. */
function outerAddress(v: string): string | undefined {
  return isAddress(v) && v !== '0.0.0.0' && v !== '::' ? v : undefined;
}

/** Reads one key of the record. `bad` says what the value should have been. */
export function flowRecordKey(rec: FlowRecord, kv: KeyValue, ref: EvidenceRef): { used: boolean; bad?: string } {
  // a record opened by a key line that carried nothing (`key acquire requests`, counted as another line) is anchored at its first fact
  const anchor = () => {
    if (!rec.headerOnly && rec.facts === 0) rec.at = ref;
  };
  const cite = () => {
    anchor();
    rec.facts++;
    if (ref.line !== rec.at.line) rec.lines.push(ref);
    return { used: true };
  };
  const fact = () => {
    anchor();
    rec.facts++;
    return { used: true };
  };
  const { key, value } = kv;
  if (rec.inProxy) {
    if (PROXY_KEYS.has(key) && rec.proxy) {
      rec.proxy[key as keyof NonNullable<FlowRecord['proxy']>] = value;
      return cite();
    }
    rec.inProxy = false;
  }
  const counter = COUNTERS[key];
  if (counter) {
    const n = readCount(value);
    if (n === undefined) return { used: false, bad: 'a whole number' };
    rec.counters[counter] = n;
    rec.countedAt[counter.startsWith('encap') ? 'out' : 'in'].push(ref);
    return cite();
  }
  switch (key) {
    case 'id':
      rec.idSeen = true;
      if (!/^\d{1,10}$/.test(value)) return { used: false, bad: 'a tunnel id' };
      rec.tnid = value;
      return fact();
    case 'gateway id':
      if (!/^\d{1,10}$/.test(value)) return { used: false };
      rec.gatewayId = value;
      return fact();
    case 'local ip':
    case 'peer ip': {
      const a = outerAddress(value);
      if (!a) return { used: false };
      if (key === 'local ip') rec.local = a;
      else rec.peer = a;
      return cite();
    }
    case 'state':
      if (!/^[A-Za-z][\w-]*$/.test(value)) return { used: false, bad: 'a tunnel state' };
      rec.state = value;
      return cite();
    case 'local spi':
    case 'remote spi': {
      const spi = readSpi(value);
      if (!spi) return { used: false, bad: 'an SPI of 8 hex digits' };
      if (key === 'local spi') rec.spiIn = spi;
      else rec.spiOut = spi;
      return cite();
    }
    case 'protocol':
      if (/^ESP$/i.test(value)) rec.protocol = 'esp';
      else if (/^AH$/i.test(value)) rec.protocol = 'ah';
      else return { used: false };
      return fact();
    case 'enc algorithm':
    case 'auth algorithm':
      if (value === '') return { used: false };
      if (key === 'enc algorithm') rec.enc = value;
      else rec.auth = value;
      return fact();
    case 'lifetime remain': {
      const s = secondsValue(value);
      if (s === undefined) return { used: false };
      rec.remain = s;
      return cite();
    }
    case 'latest rekey': {
      const s = agoValue(value);
      if (s === undefined) return { used: false };
      rec.age = s;
      return cite();
    }
    case 'proxy-id':
      rec.inProxy = true;
      rec.proxy = {};
      return cite();
    default:
      return { used: false };
  }
}

/** `10.1.0.0/24`, or `10.1.0.0/24[6/443]` when a protocol or port narrows it (strongSwan's `[proto/port]`). */
function selector(ip: string | undefined, proto: string | undefined, port: string | undefined): string[] {
  if (!ip) return [];
  const p = proto ?? '0';
  const q = port ?? '0';
  return [p === '0' && q === '0' ? ip : `${ip}[${p}/${q}]`];
}

/** The Child SA the record shows, or undefined when it held no modelled fact. */
export function flowRecordChild(rec: FlowRecord): TableChildSa | undefined {
  if (rec.facts === 0) return undefined;
  const c = rec.counters;
  const counted = (refs: EvidenceRef[]) => (refs.length ? refs : undefined);
  const out: SaDirection = strip({ spi: rec.spiOut, src: rec.local, dst: rec.peer, packets: c.encapPackets, bytes: c.encapBytes, countedAt: counted(rec.countedAt.out) });
  const inbound: SaDirection = strip({ spi: rec.spiIn, src: rec.peer, dst: rec.local, packets: c.decapPackets, bytes: c.decapBytes, countedAt: counted(rec.countedAt.in) });
  const child: TableChildSa = {
    at: rec.at,
    state: rec.state ?? NOT_PRINTED,
    // `active`: the tunnel's SAs are in the dataplane; without a state line (a paste of the counters only) it is not claimed
    installed: rec.state === 'active',
    protocol: rec.protocol ?? 'esp',
    localTs: selector(rec.proxy?.['local ip'], rec.proxy?.protocol, rec.proxy?.['local port']),
    remoteTs: selector(rec.proxy?.['remote ip'], rec.proxy?.protocol, rec.proxy?.['remote port']),
  };
  if (rec.lines.length) child.lines = rec.lines;
  if (rec.name !== undefined) child.name = rec.name;
  const algorithms = [rec.enc, rec.auth].filter((x) => x !== undefined).join('/');
  if (algorithms) child.algorithms = algorithms;
  if (rec.age !== undefined) child.ageSeconds = rec.age;
  if (rec.remain !== undefined) child.expiresSeconds = rec.remain;
  if (Object.keys(out).length) child.out = out;
  if (Object.keys(inbound).length) child.in = inbound;
  return child;
}

function strip(d: SaDirection): SaDirection {
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as SaDirection;
}
