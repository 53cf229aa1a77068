/**
 * The packets an IPsec gateway's firewall must let through, built from what the run
 * knows (configs' addresses and selectors, --local/--peer) and evaluated against each
 * ruleset: IKE (UDP 500), NAT-T (UDP 4500), ESP (50), AH (51) each way and per peer;
 * ICMP "fragmentation needed" (RFC 1191) / ICMPv6 "packet too big" (RFC 8201); and
 * decrypted traffic between the selectors, which with the kernel's native stack
 * arrives on the same interface as the ciphertext (no ipsecN device), so only a
 * policy match (`-m policy --pol ipsec`, nft `meta ipsec exists`) or a mark tells them apart.
 */
import type { Evidence } from '../../types.js';
import type { Ruleset } from '../../ruleset-types.js';
import { addrBits, baseChains, evaluate, type Evaluation, type Packet, type PacketPath } from './eval.js';
import { rulesetsAsLogged } from '../middlebox/logged-default.js';
import { derived } from '../memo.js';

export type IpsecFlow = 'ike' | 'nat-t' | 'esp' | 'ah';

export interface Endpoints {
  peers: string[];
  locals: string[];
  /** remote selector → local selector, CIDR text */
  tsPairs: Array<{ local: string; remote: string }>;
  ahInUse: boolean | undefined;
  fromConfigs: boolean;
  /**
   * The configs hold both ends of a tunnel (one config's local address is another's
   * remote address, e.g. left.swanctl.conf and right.swanctl.conf) and --local does not
   * say which end this is: the ruleset may as well be a box between them.
   */
  bothEnds: boolean;
  /** every tunnel endpoint address the configs and options name */
  ends: string[];
}

export interface FlowResult {
  ruleset: Ruleset;
  flow: IpsecFlow | 'icmp-frag' | 'decrypted' | 'decrypted-plain' | 'to-tunnel';
  path: PacketPath;
  direction: 'in' | 'out';
  peer?: string;
  /** decrypted flows: the selectors the probe packet was taken from */
  ts?: { local: string; remote: string };
  /**
   * decrypted flows: the ciphertext the probe came out of. The kernel keeps the ESP packet's
   * mark on the decrypted packet (skb->mark survives xfrm input), so a mangle rule marking
   * `-p esp` lets its decrypted traffic match `-m mark`; ESP in UDP 4500 (NAT-T) is not
   * `-p esp` and is not marked. Modelled, not observed: this kernel check cannot decrypt.
   */
  ciphertext?: 'esp' | 'esp-in-udp';
  family: 4 | 6;
  /** evaluation of a first packet (conntrack NEW, or RELATED for ICMP errors) per interface tried */
  blocked: Evaluation;
  /** the first interface's evaluation that accepted, if any */
  accepted?: Evaluation;
  /** established counterpart accepted: only conntrack state let it through so far */
  acceptedWhenEstablished: boolean;
  /** interfaces on which it is accepted (when some were and some were not) */
  acceptedOn: string[];
  /** the interface that faces the peer (`ip route get` on this host), when known: the only one judged */
  facing?: string;
  /** how the facing interface is known: this host's route to the peer, its default route (no peer address known), or its name (ppp0, wan0: the usual outside names) */
  facingBy?: 'route' | 'config' | 'default-route' | 'name';
  uncertain: boolean;
  /** the blocking rule matches only on a condition the evaluator cannot decide (payload bytes, …): it may drop the flow */
  maybe: boolean;
  /** no peer or local address is known, and the ruleset's own IPsec rules are for the other family only: probably unused */
  familyUnused?: boolean;
  /** the flow as a peer behind a port-translating NAT sends it (source port not 500/4500), blocked where the canonical one passes */
  translatedPort?: number;
}

const PORTS: Record<IpsecFlow, { proto: number; port?: number }> = { ike: { proto: 17, port: 500 }, 'nat-t': { proto: 17, port: 4500 }, esp: { proto: 50 }, ah: { proto: 51 } };
const MAX_IFACES = 16;
/** forwarded packets are judged per (in, out) interface pair: enough for a gateway's few interfaces, bounded for a hosting box */
const MAX_PAIRS = 64;
/** Interface names that are a gateway's outside by convention: PPP/PPPoE dial-up and DSL links, `wan*`, mobile `wwan*` (the FreeS/WAN document's ppp0). */
const OUTSIDE_NAME = /^(ppp|pppoe|wan|wwan|dsl|dialer)\d/;
/**
 * Interfaces container and VM managers create for their guests — Docker's docker0 and br-<id>,
 * veth pairs, libvirt's virbrN, LXC/LXD, CNI/Flannel/Calico/Cilium, Podman: no IPsec peer is
 * reached through one, so packets from the peer are not judged as arriving there (Docker's
 * `-i docker0 ! -o docker0 -j ACCEPT` does not let the tunnel's traffic through).
 */
const GUEST_BRIDGE = /^(docker\d|br-[0-9a-f]{12}$|veth|virbr\d|lxcbr\d|lxdbr\d|cni\d|cni-|flannel\.|cali|cilium_|podman\d)/;
/** the source port of the translated-port IKE probe: any port other than 500/4500 stands for what a port-translating NAT picks */
const TRANSLATED_PORT = 1029;
/** stand-in for "an interface the ruleset does not name" */
export const OTHER_IFACE = '(other)';

export function endpointsOf(evidence: Evidence): Endpoints {
  const peers = new Set(evidence.options.peer.filter((a) => addrBits(a)));
  const locals = new Set(evidence.options.local.filter((a) => addrBits(a)));
  const tsPairs: Endpoints['tsPairs'] = [];
  let ah: boolean | undefined = evidence.configs?.length ? false : undefined;
  const configLocals = new Set<string>();
  const configRemotes = new Set<string>();
  for (const facts of evidence.configs ?? []) {
    for (const conn of facts.connections) {
      // ipsec.conf left/right: either end may be this host, so both go on both lists
      for (const a of conn.remote.addrs.value) if (addrBits(a)) peers.add(a);
      for (const a of conn.local.addrs.value) if (addrBits(a)) (conn.symmetric ? peers : locals).add(a);
      if (!conn.symmetric) {
        for (const a of conn.local.addrs.value) if (addrBits(a)) configLocals.add(a);
        for (const a of conn.remote.addrs.value) if (addrBits(a)) configRemotes.add(a);
      }
      if (conn.symmetric) for (const a of conn.remote.addrs.value) if (addrBits(a)) locals.add(a);
      for (const child of conn.children) {
        if (child.ahProposals?.value.length) ah = true;
        for (const l of child.localTs.value) for (const r of child.remoteTs.value) if (isCidr(l) && isCidr(r)) tsPairs.push({ local: l, remote: r });
      }
    }
  }
  const ends = [...new Set([...locals, ...peers])];
  const bothEnds = !evidence.options.local.length && [...configLocals].some((a) => configRemotes.has(a));
  for (const l of locals) peers.delete(l);
  return { peers: [...peers], locals: [...locals], tsPairs, ahInUse: ah, fromConfigs: Boolean(evidence.configs?.length), bothEnds, ends };
}

export const firewallFlows = derived((evidence: Evidence): FlowResult[] => {
  const ends = endpointsOf(evidence);
  const out: FlowResult[] = [];
  // addresses known for one family only: the other family's rules do not carry this tunnel
  const known = new Set([...ends.peers, ...ends.locals].map(versionOf));
  // a box's default action it logged applying (F5 AFM `(Default)` Reject) is no longer undecided
  for (const rs of rulesetsAsLogged(evidence)) {
    // a box with flows of its own (F5 AFM) is between the peers: the ends its IPsec rules name join the known ones
    const ep = rs.middleBox ? boxEnds(ends, rs.middleBox.ruleHosts) : ends;
    // this host's own ruleset (--host) meets the peers' packets on the interfaces its routes name
    const facingOf = hostRoutes(evidence, rs);
    // with no address known, the ruleset's own IPsec rules tell which family carries IPsec here
    const used = known.size ? known : ipsecFamilies(rs);
    for (const family of familiesOf(rs).filter((f) => !known.size || known.has(f))) {
      const start = out.length;
      const mid = rs.middleBox !== undefined || middleBox(rs, family, ep);
      // between two known ends, each end's packets towards the other are the flows (one per direction)
      const between = mid && ep.bothEnds;
      const peers = (between ? ep.ends : ep.peers).filter((p) => versionOf(p) === family);
      const local = mid ? undefined : ep.locals.find((l) => versionOf(l) === family);
      const paths: PacketPath[] = mid ? ['forward'] : ['input', 'output'];
      // the peer's own route; with no peer address known, this host's default route (a box in the middle has no one outside)
      const defaultDev = mid ? undefined : facingOf.get(`default/${family}`);
      const configDev = mid ? undefined : configOutside(evidence);
      const facingTo = (peer: string | undefined): Facing | undefined => {
        const routed = peer ? facingOf.get(peer) : undefined;
        if (routed) return { dev: routed, by: 'route' };
        if (configDev) return { dev: configDev, by: 'config' };
        if (!peer && defaultDev) return { dev: defaultDev, by: 'default-route' };
        return undefined;
      };
      for (const flow of ['ike', 'nat-t', 'esp', 'ah'] as IpsecFlow[]) {
        if (flow === 'ah' && ep.ahInUse === false) continue;
        const { proto, port } = PORTS[flow];
        for (const peer of peers.length ? peers : [undefined]) {
          const others = peers.filter((p) => p !== peer);
          const far = between && others.length === 1 ? others[0] : local;
          for (const path of paths) {
            for (const direction of between ? (['in'] as const) : (['in', 'out'] as const)) {
              if (path !== 'forward' && (path === 'input') !== (direction === 'in')) continue;
              const [src, dst] = direction === 'in' ? [peer, far] : [far, peer];
              const canonical = judge(rs, flow, { family, path, proto, src, dst, sport: port, dport: port, ct: 'new' }, direction, peer, facingTo(peer));
              out.push(canonical);
              // a NAT that translates ports (NAPT, RFC 3022) sends the peer's IKE from another source port: rules pinned to `--sport 500` miss it
              if (port !== undefined && direction === 'in' && canonical.blocked.decision.verdict === 'accept') {
                const translated = judge(rs, flow, { family, path, proto, src, dst, sport: TRANSLATED_PORT, dport: port, ct: 'new' }, direction, peer, facingTo(peer));
                if (translated.blocked.decision.verdict !== 'accept' && !translated.accepted) out.push({ ...translated, translatedPort: TRANSLATED_PORT });
              }
            }
          }
        }
      }
      const icmp = family === 4 ? { proto: 1, icmp: { type: 3, code: 4 } } : { proto: 58, icmp: { type: 2, code: 0 } };
      // a router sends its own fragmentation-needed (OUTPUT) when the next link is narrower, and forwards those of routers further on
      for (const path of mid ? (['forward', 'output'] as const) : (['input', 'output'] as const)) {
        // an ICMP error for a tracked flow is RELATED; even that must pass
        out.push(judge(rs, 'icmp-frag', { family, path, ...icmp, ct: 'related', dst: path === 'input' ? local : undefined, src: path === 'output' ? local : undefined }, path === 'output' ? 'out' : 'in'));
      }
      // a box between the peers sees only ciphertext: decrypted traffic never crosses it
      for (const ts of mid ? [] : ep.tsPairs.filter((t) => versionOf(t.local.split('/')[0]) === family)) {
        // a whole TCP first packet: an ephemeral source port too (an unknown port would match every `--sport` rule)
        const pkt = { family, path: 'forward' as const, proto: 6, sport: 49152, dport: 443, src: firstHost(ts.remote), dst: firstHost(ts.local), ct: 'new' as const };
        const peer = ep.peers.find((p) => versionOf(p) === family);
        const marks = { esp: cipherMark(rs, { family, proto: 50, src: peer, dst: local }), 'esp-in-udp': cipherMark(rs, { family, proto: 17, sport: 4500, dport: 4500, src: peer, dst: local }) };
        out.push({ ...judge(rs, 'decrypted', { ...pkt, ipsecIn: true }, 'in', undefined, undefined, marks.esp), ts, ciphertext: 'esp' });
        // a mark the ESP packet gets and ESP in UDP does not: the same tunnel behind a NAT loses it
        const natT = judge(rs, 'decrypted', { ...pkt, ipsecIn: true }, 'in', undefined, undefined, marks['esp-in-udp']);
        if (natT.blocked.decision.verdict !== 'accept' && !natT.accepted && out.at(-1)!.accepted) out.push({ ...natT, ts, ciphertext: 'esp-in-udp' });
        out.push({ ...judge(rs, 'decrypted-plain', { ...pkt, ipsecIn: false }, 'in'), ts });
        // the other way: from the local selector into the tunnel (matched by `--pol ipsec --dir out` / `rt ipsec exists`)
        out.push({ ...judge(rs, 'to-tunnel', { ...pkt, src: firstHost(ts.local), dst: firstHost(ts.remote), ipsecOut: true }, 'out'), ts });
      }
      if (used.size && !used.has(family)) for (let i = start; i < out.length; i++) out[i].familyUnused = true;
    }
  }
  return out;
});

/** The interface that faces the peer, and how that is known. */
interface Facing {
  dev: string;
  by: 'route' | 'config' | 'default-route';
}

/**
 * The physical interface an ipsec.conf's `config setup` binds IPsec to: FreeS/WAN and KLIPS-era
 * Openswan/libreswan `interfaces="ipsec0=ppp0"` (virtual=physical; ipsec.conf(5)), the interface the
 * peers' packets arrive on. One physical interface only: with several, each may face some peer.
 * `%defaultroute` and `%none` name none (the default route, asked with --host, stands in).
 */
export function configOutside(evidence: Evidence): string | undefined {
  const phys = new Set<string>();
  for (const c of evidence.configs ?? []) {
    const value = c.setup?.interfaces?.value;
    if (!value) continue;
    for (const word of value.replace(/["']/g, ' ').split(/\s+/).filter(Boolean)) {
      const name = word.includes('=') ? word.slice(word.indexOf('=') + 1) : word;
      if (name && !name.startsWith('%')) phys.add(name);
    }
  }
  return phys.size === 1 ? [...phys][0] : undefined;
}

/**
 * Evaluates on the interface that faces the peer when this host's routes say which,
 * else once per interface the ruleset names (plus one it does not).
 */
function judge(rs: Ruleset, flow: FlowResult['flow'], base: Omit<Packet, 'iif' | 'oif'>, direction: 'in' | 'out', peer?: string, facingIf?: Facing, markOn?: (iface: string) => number): FlowResult {
  const facing = facingIf?.dev;
  const names = facing ? [facing] : [...interfacesOf(rs), OTHER_IFACE];
  const evals: Array<{ iface: string; iif?: string; e: Evaluation; est: Evaluation }> = [];
  for (const { iif, oif, label } of interfacePaths(rs, base.path, names, direction === 'in')) {
    const p: Packet = { ...base, iif, oif, ...(markOn && iif ? { mark: markOn(iif) } : {}) };
    // the established walk only matters when the first packet is refused
    const first = mayDrop(rs, evaluate(rs, p));
    evals.push({ iface: label, iif, e: first, est: first.decision.verdict === 'accept' ? first : mayDrop(rs, evaluate(rs, { ...p, ct: 'established' })) });
  }
  // without a route, an interface named as outside interfaces are (ppp0, wan0) that drops the flow is the one that matters
  const outside = facing ? undefined : evals.find((x) => OUTSIDE_NAME.test(x.iif ?? x.iface) && x.e.decision.verdict !== 'accept');
  const blockedAll = Boolean(outside) || evals.every((x) => x.e.decision.verdict !== 'accept');
  const acceptedOn = blockedAll ? [] : evals.filter((x) => x.e.decision.verdict === 'accept').map((x) => x.iface);
  const worst = outside ?? evals.find((x) => x.iface === OTHER_IFACE && x.e.decision.verdict !== 'accept') ?? evals.find((x) => x.e.decision.verdict !== 'accept') ?? evals[evals.length - 1];
  return {
    ruleset: rs, flow, path: base.path, direction, peer, family: base.family,
    ...(facingIf ? { facing: facingIf.dev, facingBy: facingIf.by } : outside ? { facing: outside.iif ?? outside.iface, facingBy: 'name' as const } : {}),
    blocked: worst.e,
    accepted: evals.find((x) => x.e.decision.verdict === 'accept')?.e,
    acceptedWhenEstablished: worst.est.decision.verdict === 'accept',
    acceptedOn: acceptedOn.length === evals.length ? [] : acceptedOn,
    uncertain: worst.e.undecided.length > 0,
    maybe: worst.e.decision.verdict !== 'accept' && Boolean(worst.e.decision.rule && worst.e.undecided.includes(worst.e.decision.rule)),
  };
}

/**
 * The interfaces a packet of this path is judged on. A forwarded packet has both: it comes
 * in on one and leaves on another (its route decides which; an unknown output interface
 * matched every `-o` test, so `-o eth0 -j DROP` dropped everything), so each pair of the
 * interfaces the ruleset names (and one it does not) is tried, at most MAX_PAIRS of them.
 */
function interfacePaths(rs: Ruleset, path: PacketPath, names: string[], fromPeer: boolean): Array<{ iif?: string; oif?: string; label: string }> {
  // what comes from the peer side (IKE, ESP, decrypted traffic) does not come in on a guest bridge
  const ins = fromPeer ? names.filter((n) => !GUEST_BRIDGE.test(n)) : names;
  if (path === 'input') return ins.map((n) => ({ iif: n, label: n }));
  if (path === 'output') return names.map((n) => ({ oif: n, label: n }));
  const outs = names.length === 1 && names[0] !== OTHER_IFACE ? [...interfacesOf(rs).filter((n) => n !== names[0]), OTHER_IFACE] : names;
  const pairs: Array<{ iif?: string; oif?: string; label: string }> = [];
  for (const iif of ins) for (const oif of outs) if (iif !== oif || iif === OTHER_IFACE) pairs.push({ iif, oif, label: `${iif}→${oif}` });
  return pairs.slice(0, MAX_PAIRS);
}

/**
 * An accept reached past a DROP/REJECT rule whose decidable conditions all matched and
 * whose others cannot be decided (`@th,64,32 != 0`, an unresolved set, an xt match):
 * that rule may drop the flow, which is worth a warning rather than silence.
 */
function mayDrop(rs: Ruleset, e: Evaluation): Evaluation {
  if (e.decision.verdict !== 'accept') return e;
  const rule = e.undecided.find((r) => r.verdict.kind === 'drop' || r.verdict.kind === 'reject');
  if (!rule) return e;
  for (const table of rs.tables) {
    const chain = table.chains.find((c) => c.rules.includes(rule));
    if (chain) return { ...e, decision: { verdict: rule.verdict.kind as 'drop' | 'reject', table, chain, rule, byPolicy: false } };
  }
  return e;
}

/**
 * The mark a ciphertext packet from the peer carries after this host's input hooks, per
 * interface it arrives on (decrypted packets come in on the ciphertext's interface with the
 * native stack): what its decrypted packet inherits.
 */
function cipherMark(rs: Ruleset, cipher: Omit<Packet, 'path' | 'ct' | 'iif'>): (iface: string) => number {
  return (iface) => evaluate(rs, { ...cipher, path: 'input', ct: 'new', iif: iface }).mark;
}

/** Peer → outgoing interface, from `ip route get` (host facts), for the host's own live ruleset only. */
function hostRoutes(evidence: Evidence, rs: Ruleset): Map<string, string> {
  const out = new Map<string, string>();
  const host = evidence.host;
  if (!host?.rulesetSources?.includes(rs.source)) return out;
  for (const r of host.routes ?? []) if (r.dev && !r.local) out.set(r.to === 'default' ? `default/${r.family}` : r.to, r.dev);
  return out;
}

/**
 * The families the ruleset's IPsec rules (ESP, AH, UDP 500/4500) are written for: an `ip`/`ip6`
 * table, an address of one family, or an nfproto/`ip`/`ip6` family match; a rule of an inet table
 * with none of these counts for both.
 */
function ipsecFamilies(rs: Ruleset): Set<4 | 6> {
  const out = new Set<4 | 6>();
  for (const t of rs.tables) {
    for (const c of t.chains) {
      for (const r of c.rules) {
        const ipsec = r.matches.some((m) => (m.kind === 'proto' && (m.protos.includes(50) || m.protos.includes(51))) || (m.kind === 'port' && m.ranges.some(([a, b]) => (a <= 500 && b >= 500) || (a <= 4500 && b >= 4500))));
        if (!ipsec) continue;
        const fam = r.matches.find((m) => m.kind === 'family')?.version ?? r.matches.find((m) => m.kind === 'addr')?.cidrs[0]?.version;
        if (t.family === 'ip' || (t.family === 'inet' && fam === 4)) out.add(4);
        else if (t.family === 'ip6' || (t.family === 'inet' && fam === 6)) out.add(6);
        else if (t.family === 'inet') (out.add(4), out.add(6));
      }
    }
  }
  if (rs.type === 'iptables-save' && out.size) return new Set([4]);
  if (rs.type === 'ip6tables-save' && out.size) return new Set([6]);
  return out;
}

function familiesOf(rs: Ruleset): Array<4 | 6> {
  if (rs.type === 'iptables-save') return [4];
  if (rs.type === 'ip6tables-save') return [6];
  const fams = new Set<4 | 6>();
  for (const t of rs.tables) {
    if (t.family === 'ip' || t.family === 'inet') fams.add(4);
    if (t.family === 'ip6' || t.family === 'inet') fams.add(6);
  }
  return [...fams].filter((f) => baseChains(rs, f, 'input').length + baseChains(rs, f, 'forward').length > 0);
}

/**
 * The tunnel's ends as a box between them sees them: every address the run knows (configs,
 * --local/--peer) and the single hosts its own IPsec rules name. Two of them: each one's
 * packets towards the other are the flows to judge, one per direction.
 */
function boxEnds(ep: Endpoints, ruleHosts: readonly string[]): Endpoints {
  const all = [...new Set([...ep.ends, ...ruleHosts])];
  return { ...ep, peers: all, locals: [], ends: all, bothEnds: all.length >= 2 };
}

/** No config says this box is an endpoint (or the configs are both ends'), and only the forward path mentions IKE/ESP: a firewall between the peers. */
function middleBox(rs: Ruleset, family: 4 | 6, ep: Endpoints): boolean {
  if (!ep.bothEnds && (ep.fromConfigs || ep.locals.length)) return false;
  const mentions = (path: PacketPath) =>
    baseChains(rs, family, path).some(({ chain }) => chain.rules.some((r) => r.matches.some((m) => (m.kind === 'proto' && (m.protos.includes(50) || m.protos.includes(51))) || (m.kind === 'port' && m.ranges.some(([a, b]) => a <= 4500 && b >= 500)))));
  return mentions('forward') && !mentions('input');
}

function interfacesOf(rs: Ruleset): string[] {
  const names = new Set<string>();
  // a wildcard (`-i ppp+`, `iifname "ppp*"`) stands for the interfaces it matches: judge one of them (ppp0)
  for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) for (const m of r.matches) if (m.kind === 'iface') for (const n of m.names) if (n !== 'lo' && n !== '+' && n !== '*') names.add(/[+*]$/.test(n) ? `${n.slice(0, -1)}0` : n);
  // a hosting box may name hundreds of interfaces: each costs evaluations per flow, and a few tell the story
  return [...names].sort().slice(0, MAX_IFACES);
}

function isCidr(s: string): boolean {
  return addrBits(s.split('/')[0]) !== undefined;
}

export function versionOf(addr: string): 4 | 6 {
  return addr.includes(':') ? 6 : 4;
}

/** The first host address of a selector (10.2.0.0/24 → 10.2.0.1): a representative inner address. */
export function firstHost(cidr: string): string {
  const [addr, len] = cidr.split('/');
  if (addr.includes(':') || len === '32' || len === undefined) return addr;
  const parts = addr.split('.').map(Number);
  parts[3] = Math.min(255, parts[3] + 1);
  return parts.join('.');
}
