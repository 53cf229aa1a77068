/**
 * The two `key: value` forms: `show vpn flow tunnel-id N` (one record per tunnel, its
 * counters at the bottom) and `show vpn ike-sa detail` (one record per gateway).
 *
 * What the sources show of them:
 * - tunnel-id: the Palo Alto KB "CLI Commands to Status, Clear, Restore and Monitor an
 *   IPSEC VPN Tunnel" prints the counter lines (`encap packets:`, `decap packets:`,
 *   `encap bytes:`, `decap bytes:`, `key acquire requests:`) and says they "should be
 *   increasing as the traffic flows". The other field names read here (`state`, `local ip`,
 *   `peer ip`, `local spi`, `remote spi`, `proxy-id` with its `local ip`/`remote ip`/
 *   `protocol`/`local port`/`remote port`, `lifetime remain`, `latest rekey`) are the
 *   names PAN-OS documentation and runbooks use for that output; no complete public copy
 *   was found, so they are read leniently (any indentation, tabs) and every other
 *   `key: value` line of a record is counted as the format's but not modelled.
 *   Encap is what this firewall sent (outbound), decap what it received (inbound); the
 *   `local spi` is the SPI this firewall chose, i.e. the inbound SA's (RFC 4301 §4.1:
 *   the receiver picks the SPI).
 * - ike-sa detail: KB kA10g000000ClgcCAC prints the record flattened onto two lines
 *   (`IKE Gateway GW, ID 35 2.2.2.2 => 1.1.1.1 Current time: …` and `IKE SA: SPI: … Init
 *   State: Established SN: 4 … Proposal: … ID local: ipaddr:2.2.2.2 remote: ipaddr:1.1.1.1
 *   … NAT: Not detected …`); the labels are found wherever they stand, so the same
 *   labels one per line read the same.
 */
import { isAddress } from './common.js';

export interface KeyValue {
  /** lower-case, single-spaced: `enc  algorithm` → `enc algorithm` */
  key: string;
  value: string;
}

/** Keys only `show vpn flow tunnel-id` prints: one of them opens a record even without its `tunnel NAME` line. */
const DISTINCTIVE = new Set([
  'encap packets', 'decap packets', 'encap bytes', 'decap bytes', 'key acquire requests', 'local spi', 'remote spi',
  'en/decap context', 'inner interface', 'outer interface', 'tunnel mtu', 'monitor packets seen', 'monitor packets reply',
  'anti replay check', 'latest rekey', 'lifesize remain',
]);

/** The inner selectors' keys under `proxy-id:` (`local ip`/`protocol` also name the outer addresses / ESP above it). */
export const PROXY_KEYS = new Set(['local ip', 'remote ip', 'protocol', 'local port', 'remote port']);

export function keyValue(text: string): KeyValue | undefined {
  const m = /^\s*([a-z][a-z0-9/ ()_-]{0,40}?)\s*:\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  return { key: m[1].replace(/\s+/g, ' '), value: m[2] };
}

/** A line that opens a tunnel-id record on its own: a distinctive key with the value that key takes. */
export function isDistinctiveKey(kv: KeyValue): boolean {
  if (!DISTINCTIVE.has(kv.key)) return false;
  if (kv.key.endsWith(' spi')) return /^(?:0x)?[0-9A-Fa-f]{8}$/.test(kv.value);
  if (/(?:packets|bytes|requests|mtu|context|seen|reply)$/.test(kv.key)) return /^\d+$/.test(kv.value);
  return kv.value !== '';
}

/**
 * `tunnel  localzs3:primarytunnel`: the first line of a tunnel-id record. A name may hold
 * a colon (tunnel:proxy-id), so the caller tries the known keys (`tunnel mtu: 1436`) first.
 */
export function tunnelHeader(text: string): string | undefined {
  return /^\s*tunnel\s+(\S(?:.*\S)?)\s*$/.exec(text)?.[1];
}

/** Every key of a tunnel-id record this reader models or knows (the rest are counted as the format's). */
export const FLOW_KEYS = new Set([
  ...DISTINCTIVE, ...PROXY_KEYS, 'id', 'type', 'gateway id', 'peer ip', 'state', 'session', 'soft lifetime', 'hard lifetime',
  'lifetime remain', 'monitor', 'key type', 'auth algorithm', 'enc algorithm', 'proxy-id', 'copy tos', 'initiator',
  'authentication errors', 'decryption errors', 'inner packet warnings', 'replay packets', 'when lifetime expired',
  'when lifesize expired', 'sending sequence', 'receive sequence', 'owner state', 'owner cpuid', 'ownership',
]);

/** `3576 sec`, `3576` */
export function secondsValue(value: string): number | undefined {
  const m = /^(\d{1,10})(?:\s*(?:sec|secs|seconds|s))?$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** `24 seconds ago` */
export function agoValue(value: string): number | undefined {
  const m = /^(\d{1,10})\s*(?:sec|secs|seconds|s)\s+ago$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

export interface IkeDetailHeader {
  gateway: string;
  gatewayId: string;
  local?: string;
  remote?: string;
}

/** `IKE Gateway GW, ID 35 2.2.2.2 => 1.1.1.1 [Current time: Mar.01 13:49:56]` */
export function ikeDetailHeader(text: string): IkeDetailHeader | undefined {
  const m = /^\s*IKE Gateway (.+?), ID (\d+)\s+(\S+)\s+=>\s+(\S+?)(?:\s+Current time:.*)?\s*$/.exec(text);
  if (!m) return undefined;
  const addr = (s: string) => {
    const a = s.replace(/\[\d+\]$/, '');
    return isAddress(a) ? a : undefined;
  };
  return { gateway: m[1], gatewayId: m[2], local: addr(m[3]), remote: addr(m[4]) };
}

export interface IkeDetailFields {
  spiInitiator?: string;
  spiResponder?: string;
  role?: 'initiator' | 'responder';
  state?: string;
  sn?: string;
  proposal?: string;
  idLocal?: string;
  idRemote?: string;
}

/** The labels of an `IKE SA:` record found anywhere on the line. */
export function ikeDetailFields(text: string): IkeDetailFields {
  const f: IkeDetailFields = {};
  const spi = /\bSPI:\s*([0-9A-Fa-f]{16}):([0-9A-Fa-f]{16})(?:\s+(Init|Resp)\b)?/.exec(text);
  if (spi) {
    f.spiInitiator = spi[1].toLowerCase();
    f.spiResponder = spi[2].toLowerCase();
    if (spi[3]) f.role = spi[3] === 'Init' ? 'initiator' : 'responder';
  }
  const state = /\bState:\s*([A-Za-z][\w-]*)/.exec(text);
  if (state) f.state = state[1];
  const sn = /\bSN:\s*(\d{1,12})\b/.exec(text);
  if (sn) f.sn = sn[1];
  const proposal = /\bProposal:\s*(\S+)/.exec(text);
  if (proposal) f.proposal = proposal[1];
  const idLocal = /\bID local:\s*(\S+)/.exec(text);
  if (idLocal) f.idLocal = idLocal[1];
  const idRemote = /(?:^|\s)remote:\s*(\S+)/.exec(text);
  if (idRemote) f.idRemote = idRemote[1];
  return f;
}

/** A label line of the one-per-line form (`  NAT:   Not detected`), for counting. */
export function isIkeDetailLabel(text: string): boolean {
  return /^\s*(?:IKE SA|SPI|State|SN|Authentication|Proposal|ID local|remote|ID_i|ID_r|NAT|Message ID|Liveness check|Current time)\s*:/.test(text);
}
