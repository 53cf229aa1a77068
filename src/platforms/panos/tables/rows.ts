/**
 * The data rows of the `show vpn` tables, read by token rather than by column: every
 * row is anchored on tokens only one column can hold (an address, `Init`/`Resp`, two
 * 8-hex SPIs, a `Mon.DD HH:MM:SS` pair), and names — which PAN-OS lets contain spaces
 * and which may overflow their column — are what lies between the anchors. Each
 * reader returns undefined for a line that is not its row; the table readers count it.
 *
 * Column layouts and their sources (examples in test/platforms/panos/fixtures/tables/):
 * - `show vpn ike-sa`, IKEv2 (PAN-OS 9.1, Cloudflare; Zscaler guide):
 *   Gateway ID | Peer-Address | Gateway Name | Role | SN | Algorithm | Established | Expiration | Xt | Child | ST
 *   (the Algorithm is fixed-width per part, so `PSK/ DH2/A128/SHA1` carries a space)
 * - IKEv2 IPsec Child SAs: Gateway Name | TnID | Tunnel | ID | Parent | Role | SPI(in) | SPI(out) | MsgID | ST
 * - IKEv1 phase-1 (PAN-OS 11.0, VyOS documentation): GwID/client IP | Peer-Address | Gateway Name | Role | Mode |
 *   Algorithm | Established | Expiration | V | ST | Xt | Phase2; older releases (a KB article) stop after Algorithm
 * - IKEv1 phase-2 (11.0): Gateway Name | TnID | Tunnel | GwID/IP | Role | Algorithm | SPI(in) | SPI(out) | MsgID | ST | Xt
 *   (an Algorithm part left blank prints as spaces: `ESP/    /tunl/SHA2`)
 * - `show vpn ipsec-sa`: GwID/client IP | TnID | Peer-Address | Tunnel(Gateway) | Algorithm | SPI(in) | SPI(out) |
 *   life(Sec/KB) [| remain-time(Sec)]; older releases (KB) stop after Algorithm and print no gateway in parentheses
 * - `show vpn flow`: id | name | state | monitor | local-ip | peer-ip [| tunnel-i/f]
 * - `show vpn gateway` / `show vpn tunnel`: configuration; of a gateway row only its local address is used (the local end
 *   of that gateway's IKE SAs, which `show vpn ike-sa` does not print)
 */
import { isAddress, isDatePair, isHex, isHex8, isInt, isRole, readCount, readRole, tokens } from './common.js';

export interface IkeRow {
  version: 1 | 2;
  gatewayId: string;
  peer: string;
  gateway: string;
  role?: 'initiator' | 'responder';
  sn?: string;
  algorithms?: string;
  state?: string;
  /** the row's Child (IKEv2) / Phase2 (IKEv1) column */
  children?: number;
}

export interface ChildRow {
  from: 'ikev2-child' | 'ikev1-p2' | 'ipsec-sa';
  gateway?: string;
  gatewayId?: string;
  tnid: string;
  tunnel: string;
  uniqueId?: string;
  parentSn?: string;
  role?: 'initiator' | 'responder';
  spiIn?: string;
  spiOut?: string;
  algorithms?: string;
  state?: string;
  peer?: string;
  remainSeconds?: number;
}

export interface FlowRow {
  tnid: string;
  name: string;
  state: string;
  monitor: string;
  local: string;
  peer: string;
}

const join = (t: string[]) => t.join(' ');
/** Algorithm parts are padded to fixed widths: the spaces are layout, not content. */
const algo = (t: string[]) => t.join('');

export function ikev2SaRow(text: string): IkeRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 9 || !isAddress(t[1]) || !isInt(t[n - 3]) || !isInt(t[n - 2]) || !/^[A-Za-z][A-Za-z_-]*$/.test(t[n - 1])) return undefined;
  const r = t.findIndex((x, i) => i >= 3 && isRole(x) && isInt(t[i + 1]));
  if (r < 0 || r + 2 > n - 3) return undefined;
  let middle = t.slice(r + 2, n - 3);
  if (middle.length >= 4 && isDatePair(middle.at(-4), middle.at(-3)) && isDatePair(middle.at(-2), middle.at(-1))) middle = middle.slice(0, -4);
  return {
    version: 2, gatewayId: t[0], peer: t[1], gateway: join(t.slice(2, r)), role: readRole(t[r]), sn: t[r + 1],
    algorithms: middle.length ? algo(middle) : undefined, state: t[n - 1], children: readCount(t[n - 2]),
  };
}

export function ikev1Phase1Row(text: string): IkeRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 6 || !isAddress(t[1])) return undefined;
  const r = t.findIndex((x, i) => i >= 3 && isRole(x) && /^(?:Main|Aggr\w*)$/.test(t[i + 1] ?? ''));
  if (r < 0) return undefined;
  let rest = t.slice(r + 2);
  let state: string | undefined;
  let children: number | undefined;
  // 11.0 appends `… Established Expiration V ST Xt Phase2`
  if (rest.length >= 4 && /^v\d$/.test(rest.at(-4)!) && isInt(rest.at(-3)) && isInt(rest.at(-2)) && isInt(rest.at(-1))) {
    state = rest.at(-3);
    children = readCount(rest.at(-1));
    rest = rest.slice(0, -4);
  }
  if (rest.length >= 4 && isDatePair(rest.at(-4), rest.at(-3)) && isDatePair(rest.at(-2), rest.at(-1))) rest = rest.slice(0, -4);
  if (!rest.length) return undefined;
  return { version: 1, gatewayId: t[0], peer: t[1], gateway: join(t.slice(2, r)), role: readRole(t[r]), algorithms: algo(rest), state, children };
}

/** IKEv2 IPsec Child SAs: anchored on `Role SPI SPI MsgID ST` at the end. */
export function ikev2ChildRow(text: string): ChildRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 10 || !isRole(t[n - 5]) || !isHex8(t[n - 4]) || !isHex8(t[n - 3]) || !isHex(t[n - 2]) || !isInt(t[n - 6]) || !isInt(t[n - 7])) return undefined;
  const front = t.slice(0, n - 7);
  const k = front.findIndex((x, i) => i >= 1 && i <= front.length - 2 && isInt(x));
  if (k < 0) return undefined;
  return {
    from: 'ikev2-child', gateway: join(front.slice(0, k)), tnid: front[k], tunnel: join(front.slice(k + 1)),
    uniqueId: t[n - 7], parentSn: t[n - 6], role: readRole(t[n - 5]), spiIn: t[n - 4], spiOut: t[n - 3], state: t[n - 1],
  };
}

/** IKEv1 phase-2 SAs: anchored on `SPI SPI MsgID ST Xt` at the end and the role before the algorithm. */
export function ikev1Phase2Row(text: string): ChildRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 11 || !isInt(t[n - 1]) || !isInt(t[n - 2]) || !isHex(t[n - 3]) || !isHex8(t[n - 4]) || !isHex8(t[n - 5])) return undefined;
  const r = t.findIndex((x, i) => i >= 4 && i < n - 5 && isRole(x));
  if (r < 0 || r + 1 > n - 6) return undefined;
  const front = t.slice(0, r - 1);
  const k = front.findIndex((x, i) => i >= 1 && i <= front.length - 2 && isInt(x));
  if (k < 0) return undefined;
  return {
    from: 'ikev1-p2', gateway: join(front.slice(0, k)), tnid: front[k], tunnel: join(front.slice(k + 1)), gatewayId: t[r - 1],
    role: readRole(t[r]), algorithms: algo(t.slice(r + 1, n - 5)), spiIn: t[n - 5], spiOut: t[n - 4], state: t[n - 2],
  };
}

/** `show vpn ipsec-sa`: `Tunnel(Gateway)` between the address and the `ESP/…` algorithm. */
export function ipsecSaRow(text: string): ChildRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 5 || !isInt(t[1]) || !isAddress(t[2])) return undefined;
  const a = t.findIndex((x, i) => i >= 4 && /^(?:ESP|AH)\//i.test(x));
  if (a < 0) return undefined;
  const s = t.findIndex((x, i) => i > a && isHex8(x) && isHex8(t[i + 1]));
  const named = join(t.slice(3, a));
  const paren = /^(.*\S)\(([^()]*)\)$/.exec(named);
  const row: ChildRow = {
    from: 'ipsec-sa', gatewayId: t[0], tnid: t[1], peer: t[2], tunnel: paren ? paren[1] : named,
    algorithms: algo(t.slice(a, s < 0 ? n : s)),
  };
  if (paren) row.gateway = paren[2];
  if (s < 0) return row;
  row.spiIn = t[s];
  row.spiOut = t[s + 1];
  const tail = t.slice(s + 2);
  // life(Sec/KB) `3600/Unlimited`, then remain-time(Sec) when the release prints it
  if (tail.length > 2 || (tail[0] !== undefined && !/^\S+\/\S+$/.test(tail[0])) || (tail[1] !== undefined && !isInt(tail[1]))) return undefined;
  if (tail[1] !== undefined) row.remainSeconds = readCount(tail[1]);
  return row;
}

export function flowRow(text: string): FlowRow | undefined {
  const t = tokens(text);
  const n = t.length;
  if (n < 6 || !isInt(t[0])) return undefined;
  // tunnel-i/f is absent in older releases: then the row ends with the two addresses
  const j = isAddress(t[n - 1]) && isAddress(t[n - 2]) ? n : n - 1;
  if (!isAddress(t[j - 1]) || !isAddress(t[j - 2]) || j - 4 < 2) return undefined;
  const state = t[j - 4];
  const monitor = t[j - 3];
  if (!/^[a-z][a-z-]*$/i.test(state) || !/^[a-z][a-z-]*$/i.test(monitor)) return undefined;
  return { tnid: t[0], name: join(t.slice(1, j - 4)), state, monitor, local: t[j - 2], peer: t[j - 1] };
}

export interface GatewayRow {
  gatewayId: string;
  name: string;
  /** the gateway's own address (`Local Address/ID` without its `(type:id)` part), when it is an address */
  local?: string;
}

/** `show vpn gateway` row: GwID, name, peer, local, `IKEv1`/`IKEv2`…, proposals. Configuration: only the local address is used. */
export function gatewayRow(text: string): GatewayRow | undefined {
  const t = tokens(text);
  const p = t.findIndex((x, i) => i >= 2 && /^IKEv[12]\b/.test(x));
  if (t.length < 4 || !isInt(t[0]) || p < 0) return undefined;
  // Zscaler's copy: `10.96.19.238(email:pa220@ec2.c` — the address, then the local ID cut at the column's width
  const local = p >= 4 ? t[p - 1].split('(')[0] : undefined;
  return { gatewayId: t[0], name: join(t.slice(1, Math.max(2, p - 2))), ...(local && isAddress(local) ? { local } : {}) };
}

/** `show vpn tunnel` row: TnID, Name(Gateway), proxy IDs with `Ptl:Port`, `ESP tunl …`. Configuration only. */
export function tunnelConfigRow(text: string): boolean {
  const t = tokens(text);
  return t.length >= 6 && isInt(t[0]) && t.some((x) => /^\d+:\d+$/.test(x)) && t.some((x) => /^(?:ESP|AH)$/.test(x));
}
