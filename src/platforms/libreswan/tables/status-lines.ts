/**
 * The shapes of `ipsec status` (`ipsec whack --status`, also `--showstates` and
 * `ipsec showstates`) lines the status reader models. Every parser works on the line
 * without its `000 ` reply code and returns undefined for any other shape.
 */
import { readDesignation, type Designation } from './designation.js';
import { parseSaid, type Said } from './said.js';

/**
 * A state line (programs/pluto/state.c show_state in 4.10, fmt_state in 3.32,
 * whack_showstates.c in 5.x):
 *   `#2: "conn":500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 2722s; …; idle;`
 *   `#1: "rw"[1] 192.1.2.23:500 established IKE SA; REKEY in 28s; newest; idle;` (5.4)
 * The port is the peer's (st_remote_endpoint), `(tcp)` follows it for IKE over TCP.
 */
export interface StateLine {
  serial: string;
  designation: Designation;
  /** the instance's peer address after the name, when printed */
  peer?: string;
  portText: string;
  tcp: boolean;
  /** state name, when printed (all but 5.4) */
  stateName?: string;
  story: string;
  /** the `; `-separated items after the state: events, `newest`, links, `idle` */
  items: string[];
}

export function parseStateLine(body: string): StateLine | undefined {
  const head = /^#(\d{1,12}): /.exec(body);
  if (head === null) return undefined;
  const designation = readDesignation(body, head[0].length);
  if (designation === undefined) return undefined;
  // ` PEER` (IPv6 has colons: the port is after the last one) or nothing, then `:PORT`
  const where = /^(?: (\S+?(?: \.\.\.\S+?)?))?:([^\s:;]+?)(\(tcp\))? /.exec(body.slice(designation.end, designation.end + 160));
  if (where === null) return undefined;
  let rest = body.slice(designation.end + where[0].length);
  let stateName: string | undefined;
  let story: string;
  const named = /^([A-Z][A-Z0-9_]*) \(/.exec(rest);
  if (named !== null) {
    // stories may hold parentheses: `sent IKE_SA_INIT (or IKE_INTERMEDIATE) response` (5.0)
    const close = rest.indexOf(');', named[0].length);
    if (close < 0) return undefined;
    stateName = named[1];
    story = rest.slice(named[0].length, close);
    rest = rest.slice(close + 2);
  } else {
    const semi = rest.indexOf(';');
    if (semi <= 0) return undefined;
    story = rest.slice(0, semi);
    rest = rest.slice(semi + 1);
  }
  const items = rest.split(';').map((s) => s.trim()).filter((s) => s !== '');
  return { serial: head[1], designation, peer: where[1], portText: where[2], tcp: where[3] !== undefined, stateName, story, items };
}

/** The state line ends as pluto ends every one: `; idle;`, `; crypto_calculating;`, `; crypto/dns-lookup;` */
export function endsLikeStateLine(s: StateLine): boolean {
  const last = s.items[s.items.length - 1];
  return last === 'idle' || last === 'crypto_calculating' || last === 'crypto/dns-lookup';
}

/**
 * An established Child SA's details (state.c show_established_child_details in 4.10):
 *   `#3: "conn"[ used 5s ago;] esp.OUT@PEER esp.IN@US tun.0@PEER tun.0@US Traffic: ESPin=84B ESPout=84B ESPmax=2^63B [username=U]`
 * For each protocol the SA @ the peer's address comes first: the outbound SPI (the SA
 * the peer receives on), then the inbound one @ our address — add_said(remote, outbound)
 * then add_said(local, inbound) in 4.10 state.c and 5.x whack_showstates.c; 3.32
 * fmt_state adds `that` (attrs.spi) then `this` (our_spi), and `ref=N refhim=N` before
 * Traffic.
 */
export interface TrafficLine {
  serial: string;
  designation: Designation;
  usedAgoText?: string;
  saids: Said[];
  /** `ESPin` → `84B`, `AHout` → …, as printed */
  counts: Map<string, string>;
}

export function parseTrafficLine(body: string): TrafficLine | undefined {
  const head = /^#(\d{1,12}): /.exec(body);
  if (head === null) return undefined;
  const designation = readDesignation(body, head[0].length);
  if (designation === undefined) return undefined;
  const tokens = body.slice(designation.end).split(' ').filter((t) => t !== '');
  let i = 0;
  // instance suffix (peer address, opportunistic ends) until the first SA ID or `used`
  while (i < tokens.length && tokens[i] !== 'used' && parseSaid(tokens[i]) === undefined && tokens[i] !== 'Traffic:') i++;
  let usedAgoText: string | undefined;
  if (tokens[i] === 'used' && tokens[i + 2] === 'ago;') {
    usedAgoText = tokens[i + 1];
    i += 3;
  }
  const saids: Said[] = [];
  for (let said = parseSaid(tokens[i] ?? ''); said !== undefined; said = parseSaid(tokens[i] ?? '')) {
    saids.push(said);
    i++;
  }
  while (i < tokens.length && /^ref(?:him)?=/.test(tokens[i])) i++;
  if (saids.length === 0 || tokens[i] !== 'Traffic:') return undefined;
  const counts = new Map<string, string>();
  for (i++; i < tokens.length; i++) {
    const m = /^((?:AH|ESP|IPCOMP)(?:in|out|max))=(.*)$/.exec(tokens[i]);
    if (m !== null) counts.set(m[1], m[2]);
  }
  return { serial: head[1], designation, usedAgoText, saids, counts };
}

/** `"conn"[1]: TOPOLOGY; routing; …` or a detail line `"conn":   key: value` */
export interface ConnLine {
  designation: Designation;
  /** the text after `: ` */
  text: string;
  /** detail lines are indented by two or more spaces after the colon */
  detail: boolean;
}

export function parseConnLine(body: string): ConnLine | undefined {
  const designation = readDesignation(body, 0);
  if (designation === undefined || body[designation.end] !== ':' || body[designation.end + 1] !== ' ') return undefined;
  const after = body.slice(designation.end + 2);
  return { designation, text: after.trim(), detail: after.startsWith(' ') };
}

/** A topology line ends with the routing and, 4.x, `eroute owner: #N` or, 5.x, `my_ip=…; their_ip=…;` */
export const TOPOLOGY_TAIL = /; (?:eroute owner: #\d+|my_ip=[^;]*; their_ip=[^;]*;)\s*$/;

/** Connection detail keys (4.10 / 5.4 show_connection_status); used by sniff, where log lines must not pass */
export const DETAIL_KEYS = /^(?:oriented;|host: |xauth us:|our auth:|modecfg info:|sec_label:|policy_label:|ike_life:|retransmit-interval:|initial-contact:|policy: |v2-auth-hash-policy:|conn_prio:|nflog-group:|our idtype:|dpd: |liveness: |nat-traversal: |newest (?:IKE|ISAKMP) SA: #|IKEv[12] algorithm newest: |(?:ESP|AH) algorithm newest: |routing: |conn serial: |reqid: |mycert=|my_updown=|CAs: |sendca: |cisco-split: |iptfs: )/;

/** Status lines outside the connection and state lists (4.10 and 5.4 `ipsec status`, 3.32 `ipsec auto --status`) */
export const STATUS_HEADER = /^(?:using kernel interface: \S+$|interface \S+ (?:UDP|TCP) \S+:\d+$|interface \S+ \S+:(?:UDP|TCP)\/\d+(?: \(NAT\))?$|interface \S+\/\S+ \S+:\d+$|fips mode=|SElinux=|seccomp=|config setup options:$|configdir=|nssdir=|dnssec-|sbindir=|pluto_version=|nhelpers=|logfile=|ddos-cookies-threshold=|ikebuf=|ocsp-|global-redirect=|secctx-attr-type=|debug(?::|\s|$)|nat-traversal[=:] ?|virtual-private \(|Kernel algorithms supported:$|IKE algorithms supported:$|algorithm (?:ESP|AH\/ESP|IKE) [^:]*: |stats db_ops: |Connection list:$|Total IPsec connections: loaded \d+|State Information: |IKE SAs: total\(|IPsec SAs: total\(|Bare Shunt list:$|Shunt list:$)/;

/** `#1: pending Child SA for "conn"` (5.x show_pending_child_details) */
export const PENDING_LINE = /^#\d+: pending /;
