/**
 * PAN-OS configuration records (./records.ts, from XML or `set` commands) → neutral
 * ConfigFacts: one ConnectionConfig per IKE gateway (`network ike gateway`), whose children
 * are the proxy IDs of the IPsec tunnels (`network tunnel ipsec`) bound to it — or one
 * 0.0.0.0/0 ↔ 0.0.0.0/0 child per tunnel without proxy IDs, which is what PAN-OS proposes
 * then (PAN-OS 10.0 admin guide "Set Up an IPSec Tunnel"; KB kA10g000000ClUFCA0 "Why Use a
 * VPN Proxy ID?": "source ip: 0.0.0.0/0, destination ip: 0.0.0.0/0 and application: any").
 *
 * Defaults, where a setting is not written, are PAN-OS's documented ones and marked implicit:
 * `protocol version ikev1`, crypto profile `default`, DPD/liveness interval 5 and retry 5,
 * exchange mode auto, peer ID matching exact (PaloAltoNetworks/pan-os-codegen
 * specs/network/ike-gateway.yaml), tunnel monitoring off. Whether IKEv1 DPD or IKEv2 liveness
 * runs when `dpd enable` is not written changed between releases (KB kA10g000000ClgcCAC,
 * PAN-OS 7.0: liveness "not enabled by default"; PAN-OS 11.0 "Set Up Tunnel Monitoring":
 * "enabled by default"), so that one is left undetermined: the delay is then implicit (0, keyed
 * `protocol ikev1|ikev2 dpd enable`) and the DPD view does not judge it.
 *
 * Nothing here judges; no secret value is kept (the PSK is recorded as present, masked).
 */
import type { Diagnostic, Location } from '../../../evidence/types.js';
import type { ChildConfig, ConfigFacts, ConnectionConfig, IkeVersion, RouteConfig, SecretEntry, Setting, TunnelMonitorConfig } from '../../../evidence/config-types.js';
import { DiagnosticSink, implicit } from '../../freeswan/config-common.js';
import { MASKED, below, entriesUnder, leaf, subEntries, type EntryRecord, type PanosEntry, type PanosRecord } from './records.js';
import { DEFAULT_IKE_LIFETIME, DEFAULT_IPSEC_LIFETIME, FACTORY_IKE, FACTORY_IPSEC, FACTORY_MONITOR, ahProposals, espProposals, ikeProposals, lifetimeSeconds, unknownNames } from './crypto.js';

const GATEWAYS = ['network', 'ike', 'gateway'];
const TUNNELS = ['network', 'tunnel', 'ipsec'];
const IKE_PROFILES = ['network', 'ike', 'crypto-profiles', 'ike-crypto-profiles'];
const IPSEC_PROFILES = ['network', 'ike', 'crypto-profiles', 'ipsec-crypto-profiles'];
const MONITOR_PROFILES = ['network', 'profiles', 'monitor-profile'];

/** Key labels as the `set` command words, so hints and data name what to type. */
const key = (rel: readonly string[]) => rel.join(' ');

function setting<T>(r: PanosRecord & { rel?: string[] }, value: T, keyLabel?: string): Setting<T> {
  return { value, at: r.at, excerpt: r.excerpt, key: keyLabel ?? (r.rel ? key(r.rel) : undefined) };
}

const yes = (r: PanosRecord | undefined) => r?.values[0]?.toLowerCase() === 'yes';
const first = (r: PanosRecord | undefined) => r?.values[0];

interface Scope {
  name: string;
  records: PanosRecord[];
  /** address objects (shared and every vsys): name → ip-netmask / fqdn / ip-range */
  addresses: Map<string, string>;
  /** interface name → its addresses as written (names of address objects resolved) */
  interfaceIps: Map<string, string[]>;
  ikeProfiles: Map<string, PanosEntry>;
  ipsecProfiles: Map<string, PanosEntry>;
  monitorProfiles: Map<string, PanosEntry>;
}

function scopeOf(name: string, records: PanosRecord[], sharedAddresses: Map<string, string>): Scope {
  const addresses = new Map(sharedAddresses);
  for (const e of entriesUnder(records, ['address']).values()) {
    const v = first(leaf(e, 'ip-netmask')) ?? first(leaf(e, 'fqdn')) ?? first(leaf(e, 'ip-range'));
    if (v) addresses.set(e.name, v);
  }
  const interfaceIps = new Map<string, string[]>();
  for (const r of records) {
    // network interface <kind> … <name> [layer3] ip <addr|object>: the interface name is the word before `ip` (or before `layer3`)
    if (r.path[0] !== 'network' || r.path[1] !== 'interface' || r.path[r.path.length - 1] !== 'ip') continue;
    const before = r.path[r.path.length - 2];
    const ifName = before === 'layer3' ? r.path[r.path.length - 3] : before;
    if (!ifName) continue;
    interfaceIps.set(ifName, [...(interfaceIps.get(ifName) ?? []), ...r.values.map((v) => addresses.get(v) ?? v)]);
  }
  return {
    name,
    records,
    addresses,
    interfaceIps,
    ikeProfiles: entriesUnder(records, IKE_PROFILES),
    ipsecProfiles: entriesUnder(records, IPSEC_PROFILES),
    monitorProfiles: entriesUnder(records, MONITOR_PROFILES),
  };
}

/** An address as the peers use it: an address object resolved, an interface address without its prefix length. */
function hostAddress(scope: Scope, written: string): string {
  const v = scope.addresses.get(written) ?? written;
  const m = /^([0-9a-f.:]+)\/(\d{1,3})$/i.exec(v);
  // `203.0.113.254/24` is the interface's address and subnet: the IKE endpoint is the address
  return m ? m[1] : v;
}

export function panosFacts(records: PanosRecord[], source: string, type: 'panos-xml' | 'panos-set', sink: DiagnosticSink): { facts: ConfigFacts; diagnostics: Diagnostic[] } {
  const byScope = new Map<string, PanosRecord[]>();
  for (const r of records) {
    const list = byScope.get(r.scope);
    if (list) list.push(r);
    else byScope.set(r.scope, [r]);
  }
  const shared = new Map<string, string>();
  for (const e of entriesUnder(byScope.get('') ?? [], ['address']).values()) {
    const v = first(leaf(e, 'ip-netmask')) ?? first(leaf(e, 'fqdn'));
    if (v) shared.set(e.name, v);
  }
  const connections: ConnectionConfig[] = [];
  const secrets: SecretEntry[] = [];
  const routes: RouteConfig[] = [];
  const multi = [...byScope.keys()].filter((s) => entriesUnder(byScope.get(s)!, GATEWAYS).size > 0).length > 1;
  for (const [name, recs] of byScope) {
    const scope = scopeOf(name, recs, shared);
    const tunnels = entriesUnder(recs, TUNNELS);
    const gateways = entriesUnder(recs, GATEWAYS);
    const byGateway = new Map<string, PanosEntry[]>();
    for (const t of tunnels.values()) {
      // manual-key or GlobalProtect satellite tunnels have no IKE gateway; a disabled tunnel never negotiates
      if (yes(leaf(t, 'disabled'))) continue;
      for (const r of below(t, ['auto-key', 'ike-gateway']).filter((x) => x.rel.length === 2)) {
        for (const g of r.values) {
          byGateway.set(g, [...(byGateway.get(g) ?? []), t]);
          if (!gateways.has(g)) sink.add(r.at, `tunnel ${t.name} names IKE gateway ${g}, which this file does not define`);
        }
      }
    }
    for (const gw of gateways.values()) {
      const conn = gatewayToConnection(gw, byGateway.get(gw.name) ?? [], scope, sink);
      if (multi && name) conn.name = `${name}/${conn.name}`;
      connections.push(conn);
      const psk = leaf(gw, 'authentication/pre-shared-key/key');
      if (psk) {
        const ids = [conn.local.rounds[0]?.id?.value, conn.remote.rounds[0]?.id?.value].filter((x): x is string => !!x);
        secrets.push({
          type: 'PSK', ids, at: psk.at, excerpt: psk.excerpt.includes(MASKED) ? psk.excerpt : `authentication pre-shared-key key ${MASKED}`,
          ...(psk.secret?.encrypted === false && psk.secret.digest ? { digest: psk.secret.digest } : { encrypted: true }),
        });
      }
    }
    routes.push(...staticRoutes(recs, scope));
  }
  return { facts: { source, type, dialect: 'panos', files: [source], connections, secrets, routes }, diagnostics: sink.list };
}

function versionOf(gw: PanosEntry, sink: DiagnosticSink): Setting<IkeVersion> {
  const r = leaf(gw, 'protocol/version');
  if (!r) return implicit<IkeVersion>(1, gw.at, gw.excerpt, 'protocol version');
  const v = first(r)?.toLowerCase();
  if (v === 'ikev1') return setting(r, 1 as IkeVersion);
  if (v === 'ikev2') return setting(r, 2 as IkeVersion);
  // ikev2-preferred: IKEv2 first, IKEv1 when the peer does not answer it (PAN-OS "IKE Gateway" concepts)
  if (v === 'ikev2-preferred') return setting(r, 0 as IkeVersion);
  sink.add(r.at, `protocol version ${v}: PAN-OS accepts ikev1, ikev2, ikev2-preferred`);
  return setting(r, 1 as IkeVersion);
}

function gatewayToConnection(gw: PanosEntry, tunnels: PanosEntry[], scope: Scope, sink: DiagnosticSink): ConnectionConfig {
  const keys: Record<string, Setting<string>> = {};
  for (const r of gw.records) if (!r.opensEntry) keys[key(r.rel)] = setting(r, r.values.join(' '));
  const ikeVersion = versionOf(gw, sink);
  const v = ikeVersion.value;
  const auth = authOf(gw);
  const ike = ikeProfileOf(gw, v, scope, sink);
  const passive = leaf(gw, 'protocol-common/passive-mode');
  const natt = leaf(gw, 'protocol-common/nat-traversal/enable');
  const frag = leaf(gw, 'protocol-common/fragmentation/enable');
  const mode = leaf(gw, 'protocol/ikev1/exchange-mode');
  const disabled = leaf(gw, 'disabled');
  const natTraversal = natt ? setting(natt, yes(natt)) : implicit(false, gw.at, gw.excerpt, 'protocol-common nat-traversal enable');
  // a passive gateway never initiates ("Enable passive mode (responder only)", pan-os-python IkeGateway / pan-os-codegen ike-gateway.yaml);
  // otherwise traffic routed into the tunnel interface starts the negotiation, like a trap policy
  const startAction = passive && yes(passive) ? setting(passive, 'none') : implicit('trap', gw.at, gw.excerpt, 'protocol-common passive-mode');
  const children = tunnels.flatMap((t) => tunnelChildren(t, scope, startAction, sink));
  return {
    name: gw.name,
    at: gw.at,
    excerpt: gw.excerpt,
    symmetric: false,
    ikeVersion,
    local: { addrs: localAddrs(gw, scope), rounds: [{ name: 'local', auth: auth.auth, id: idOf(gw, 'local-id'), certs: auth.certs }] },
    remote: { addrs: peerAddrs(gw, scope, sink), rounds: [{ name: 'remote', auth: auth.auth, id: idOf(gw, 'peer-id') }] },
    proposals: ike.proposals,
    // PAN-OS offers exactly its profile; nothing is appended
    proposalsStrict: true,
    espStrict: true,
    dpd: dpdOf(gw, v),
    encap: { ...natTraversal, value: natTraversal.value ? 'auto' : 'no' },
    fragmentation: frag ? setting(frag, yes(frag) ? 'yes' : 'no') : implicit('no', gw.at, gw.excerpt, 'protocol-common fragmentation enable'),
    keyingtries: implicit(0, gw.at, gw.excerpt, 'keyingtries'),
    aggressive: mode ? setting(mode, first(mode)?.toLowerCase() === 'aggressive') : implicit(false, gw.at, gw.excerpt, 'protocol ikev1 exchange-mode'),
    ikeRekeyTime: ike.lifetime,
    ikeLifeTime: ike.lifetime,
    reauthTime: ike.reauth,
    children,
    keys,
    passive: passive ? setting(passive, yes(passive)) : implicit(false, gw.at, gw.excerpt, 'protocol-common passive-mode'),
    natTraversal,
    disabled: disabled ? setting(disabled, yes(disabled)) : undefined,
  };
}

function authOf(gw: PanosEntry): { auth: Setting<string>; certs?: Setting<string[]> } {
  const psk = leaf(gw, 'authentication/pre-shared-key/key');
  const cert = below(gw, ['authentication', 'certificate']);
  if (cert.length) {
    const name = leaf(gw, 'authentication/certificate/local-certificate/name') ?? leaf(gw, 'authentication/certificate/local-certificate');
    return { auth: setting(cert[0], 'pubkey', 'authentication certificate'), certs: name ? setting(name, name.values) : undefined };
  }
  if (psk) return { auth: setting(psk, 'psk', 'authentication pre-shared-key') };
  return { auth: implicit('psk', gw.at, gw.excerpt, 'authentication pre-shared-key') };
}

/** `local-id` / `peer-id` in the identity syntax the other readers use: keyid as `@#hex`, the rest as written. */
function idOf(gw: PanosEntry, which: 'local-id' | 'peer-id'): Setting<string> | undefined {
  const id = leaf(gw, `${which}/id`);
  if (!id || !first(id)) return undefined;
  const type = first(leaf(gw, `${which}/type`))?.toLowerCase();
  const value = first(id)!;
  return setting(id, type === 'keyid' ? `@#${value.replace(/^0x/i, '')}` : value);
}

function localAddrs(gw: PanosEntry, scope: Scope): Setting<string[]> {
  const ip = leaf(gw, 'local-address/ip') ?? leaf(gw, 'local-address/floating-ip') ?? leaf(gw, 'local-address/ip/ipv4') ?? leaf(gw, 'local-address/floating-ip/ipv4');
  if (ip) return setting(ip, ip.values.map((x) => hostAddress(scope, x)));
  const iface = leaf(gw, 'local-address/interface');
  if (iface) {
    // no address chosen: the interface's own, when it has exactly one (PAN-OS "Local IP Address" is needed only with several)
    const ips = scope.interfaceIps.get(first(iface) ?? '') ?? [];
    if (ips.length === 1) return setting(iface, [hostAddress(scope, ips[0])]);
    return setting(iface, ['%any']);
  }
  return implicit(['%any'], gw.at, gw.excerpt, 'local-address');
}

function peerAddrs(gw: PanosEntry, scope: Scope, sink: DiagnosticSink): Setting<string[]> {
  const ip = leaf(gw, 'peer-address/ip');
  if (ip) return setting(ip, ip.values.map((x) => hostAddress(scope, x)));
  const fqdn = leaf(gw, 'peer-address/fqdn');
  if (fqdn) return setting(fqdn, fqdn.values);
  const dyn = leaf(gw, 'peer-address');
  if (dyn && first(dyn) === 'dynamic') return setting(dyn, ['%any']);
  sink.add(gw.at, `IKE gateway ${gw.name} has no peer-address`);
  return implicit(['%any'], gw.at, gw.excerpt, 'peer-address');
}

/**
 * IKEv1 DPD (`protocol ikev1 dpd enable|interval|retry`) or IKEv2 liveness
 * (`protocol ikev2 dpd enable|interval`), whichever the version runs (ikev2-preferred: the
 * IKEv2 one). delay = the interval when enabled, 0 when `enable no`; when `enable` is not
 * written the release decides (see the header) and delay is implicit with key `…dpd enable`.
 */
function dpdOf(gw: PanosEntry, v: IkeVersion): ConnectionConfig['dpd'] {
  const ver = v === 1 ? 'ikev1' : 'ikev2';
  const enable = leaf(gw, `protocol/${ver}/dpd/enable`);
  const interval = leaf(gw, `protocol/${ver}/dpd/interval`);
  const seconds = Number(first(interval) ?? 5);
  const enableKey = `protocol ${ver} dpd enable`;
  if (!enable) return { delay: implicit(0, gw.at, gw.excerpt, enableKey) };
  if (!yes(enable)) return { delay: setting(enable, 0, enableKey) };
  return { delay: interval ? setting(interval, Number.isFinite(seconds) ? seconds : 5) : { ...setting(enable, 5, enableKey) } };
}

function profileLifetime(p: PanosEntry | undefined): PanosRecord & { seconds: number } | undefined {
  if (!p) return undefined;
  for (const unit of ['seconds', 'minutes', 'hours', 'days']) {
    const r = leaf(p, `lifetime/${unit}`);
    const s = r && lifetimeSeconds(unit, first(r) ?? '');
    if (r && s !== undefined) return { ...r, seconds: s };
  }
  return undefined;
}

/** The profile's lists in one excerpt, PAN-OS names as written: `CF_IKE_Crypto_CBC: encryption aes-256-cbc; hash sha512 sha384 sha256; dh-group group14 group5`. */
function profileExcerpt(p: PanosEntry, parts: string[]): string {
  const shown = parts.map((rel) => [rel, leaf(p, rel)?.values.join(' ')] as const).filter(([, v]) => v).map(([rel, v]) => `${rel.replace(/\//g, ' ')} ${v}`);
  return `${p.name}: ${shown.join('; ')}`;
}

function ikeProfileOf(gw: PanosEntry, v: IkeVersion, scope: Scope, sink: DiagnosticSink): { proposals: Setting<string[]>; lifetime: Setting<number>; reauth?: Setting<number> } {
  const versions = v === 1 ? ['ikev1'] : v === 2 ? ['ikev2'] : ['ikev2', 'ikev1'];
  const proposals: string[] = [];
  let where: Setting<string[]> | undefined;
  let lifetime: Setting<number> | undefined;
  let reauth: Setting<number> | undefined;
  for (const ver of versions) {
    const ref = leaf(gw, `protocol/${ver}/ike-crypto-profile`);
    const name = first(ref) ?? 'default';
    const p = scope.ikeProfiles.get(name);
    const refAt: Location = ref?.at ?? gw.at;
    const refExcerpt = ref?.excerpt ?? gw.excerpt;
    if (p) {
      const lists = [leaf(p, 'encryption')?.values ?? [], leaf(p, 'hash')?.values ?? [], leaf(p, 'dh-group')?.values ?? []] as const;
      const unknown = unknownNames(...lists);
      if (unknown.length) sink.add(p.at, `IKE crypto profile ${name}: ${unknown.join(', ')} not known here, so the proposals of ${gw.name} are not compared`);
      const list = ikeProposals(...lists);
      proposals.push(...list.filter((x) => !proposals.includes(x)));
      const enc = leaf(p, 'encryption') ?? p;
      where ??= { value: [], at: enc.at, excerpt: profileExcerpt(p, ['encryption', 'hash', 'dh-group']), key: `ike-crypto-profiles ${name}` };
      const lt = profileLifetime(p);
      lifetime ??= lt ? setting(lt, lt.seconds, 'lifetime') : implicit(DEFAULT_IKE_LIFETIME, p.at, p.excerpt, 'lifetime');
      const mult = leaf(p, 'authentication-multiple');
      // IKEv2 re-authentication every authentication-multiple × lifetime; 0 = never (pan-os-python IkeCryptoProfile)
      if (mult && ver === 'ikev2') reauth ??= setting(mult, Number(first(mult) ?? 0) * lifetime.value);
    } else if (FACTORY_IKE[name]) {
      const f = FACTORY_IKE[name];
      proposals.push(...ikeProposals(f.encryption, f.hash, f.dhGroup).filter((x) => !proposals.includes(x)));
      where ??= { value: [], at: refAt, excerpt: `${refExcerpt} (factory profile ${name}: encryption ${f.encryption.join(' ')}; hash ${f.hash.join(' ')}; dh-group ${f.dhGroup.join(' ')})`, key: `protocol ${ver} ike-crypto-profile`, implicit: !ref };
      lifetime ??= implicit(f.lifetime, refAt, refExcerpt, 'lifetime');
    } else {
      sink.add(refAt, `IKE crypto profile ${name} is not in this file: the proposals of ${gw.name} are not compared`);
      // an empty list is the "daemon default" case for config-diff: not compared
      where = { value: [], at: refAt, excerpt: refExcerpt, key: `protocol ${ver} ike-crypto-profile` };
      proposals.length = 0;
      break;
    }
  }
  return {
    proposals: { ...(where ?? implicit<string[]>([], gw.at, gw.excerpt, 'ike-crypto-profile')), value: proposals },
    lifetime: lifetime ?? implicit(DEFAULT_IKE_LIFETIME, gw.at, gw.excerpt, 'lifetime'),
    reauth,
  };
}

interface IpsecProfileFacts {
  esp: Setting<string[]>;
  ah?: Setting<string[]>;
  lifetime: Setting<number>;
  pfs: Setting<boolean>;
}

function ipsecProfileOf(t: PanosEntry, scope: Scope, sink: DiagnosticSink): IpsecProfileFacts {
  const ref = leaf(t, 'auto-key/ipsec-crypto-profile');
  const name = first(ref) ?? 'default';
  const refAt = ref?.at ?? t.at;
  const refExcerpt = ref?.excerpt ?? t.excerpt;
  const p = scope.ipsecProfiles.get(name);
  if (p) {
    const dh = leaf(p, 'dh-group');
    const group = first(dh) ?? 'group2';
    const espEnc = leaf(p, 'esp/encryption');
    const ahAuth = leaf(p, 'ah/authentication');
    const lt = profileLifetime(p);
    const excerpt = profileExcerpt(p, ['esp/encryption', 'esp/authentication', 'ah/authentication', 'dh-group']);
    const unknown = unknownNames(espEnc?.values ?? [], [...(leaf(p, 'esp/authentication')?.values ?? []), ...(ahAuth?.values ?? [])], [group]);
    if (unknown.length) sink.add(p.at, `IPsec crypto profile ${name}: ${unknown.join(', ')} not known here, so the ESP/AH proposals of tunnel ${t.name} are not compared`);
    const at = (espEnc ?? ahAuth ?? p).at;
    return {
      esp: { value: espEnc ? espProposals(espEnc.values, leaf(p, 'esp/authentication')?.values ?? [], group) : [], at, excerpt, key: `ipsec-crypto-profiles ${name}` },
      ah: ahAuth ? { value: ahProposals(ahAuth.values, group), at: ahAuth.at, excerpt, key: `ipsec-crypto-profiles ${name} ah` } : undefined,
      lifetime: lt ? setting(lt, lt.seconds, 'lifetime') : implicit(DEFAULT_IPSEC_LIFETIME, p.at, p.excerpt, 'lifetime'),
      // PFS is on unless the profile says no-pfs (PAN-OS "Define IPSec Crypto Profiles"; factory dh-group group2)
      pfs: dh ? setting(dh, group.toLowerCase() !== 'no-pfs') : implicit(true, p.at, p.excerpt, 'dh-group'),
    };
  }
  const f = FACTORY_IPSEC[name];
  if (f) {
    const excerpt = `${refExcerpt} (factory profile ${name}: esp encryption ${f.encryption.join(' ')}; esp authentication ${f.authentication.join(' ')}; dh-group ${f.dhGroup})`;
    return {
      esp: { value: espProposals(f.encryption, f.authentication, f.dhGroup), at: refAt, excerpt, key: 'auto-key ipsec-crypto-profile', implicit: !ref },
      lifetime: implicit(f.lifetime, refAt, refExcerpt, 'lifetime'),
      pfs: implicit(true, refAt, refExcerpt, 'dh-group'),
    };
  }
  sink.add(refAt, `IPsec crypto profile ${name} is not in this file: the ESP proposals of tunnel ${t.name} are not compared`);
  return { esp: { value: [], at: refAt, excerpt: refExcerpt, key: 'auto-key ipsec-crypto-profile' }, lifetime: implicit(DEFAULT_IPSEC_LIFETIME, refAt, refExcerpt, 'lifetime'), pfs: implicit(true, refAt, refExcerpt, 'dh-group') };
}

function monitorOf(t: PanosEntry, scope: Scope): TunnelMonitorConfig {
  const enable = leaf(t, 'tunnel-monitor/enable');
  const dest = leaf(t, 'tunnel-monitor/destination-ip');
  const proxy = leaf(t, 'tunnel-monitor/proxy-id');
  const prof = leaf(t, 'tunnel-monitor/tunnel-monitor-profile');
  const m: TunnelMonitorConfig = {
    // off unless `enable yes`: a destination and profile alone do not monitor (reference/platforms.md §1.4, the Cloudflare config)
    enabled: enable ? setting(enable, yes(enable)) : implicit(false, t.at, t.excerpt, 'tunnel-monitor enable'),
    destination: dest ? setting(dest, first(dest) ?? '') : undefined,
    proxyId: proxy ? setting(proxy, first(proxy) ?? '') : undefined,
    profile: prof ? setting(prof, first(prof) ?? '') : undefined,
  };
  const name = m.profile?.value;
  if (!name) return m;
  const p = scope.monitorProfiles.get(name);
  if (p) {
    const action = leaf(p, 'action');
    const interval = leaf(p, 'interval');
    const threshold = leaf(p, 'threshold');
    // PAN-OS web interface help, Network Profiles > Monitor: interval default 3, threshold default 5, action wait-recover
    m.action = action ? setting(action, first(action) ?? '') : implicit('wait-recover', p.at, p.excerpt, 'action');
    m.interval = interval ? setting(interval, Number(first(interval))) : implicit(3, p.at, p.excerpt, 'interval');
    m.threshold = threshold ? setting(threshold, Number(first(threshold))) : implicit(5, p.at, p.excerpt, 'threshold');
  } else if (FACTORY_MONITOR[name]) {
    const f = FACTORY_MONITOR[name];
    const at = m.profile!.at;
    const ex = `${m.profile!.excerpt} (factory profile ${name}: action ${f.action}, interval ${f.interval}, threshold ${f.threshold})`;
    m.action = implicit(f.action, at, ex, 'action');
    m.interval = implicit(f.interval, at, ex, 'interval');
    m.threshold = implicit(f.threshold, at, ex, 'threshold');
  }
  return m;
}

/** A proxy ID's protocol as the `[proto/port]` suffix the other readers write on selectors. */
function protoSuffix(p: PanosEntry, side: 'local' | 'remote'): string {
  const proto = leaf(p, 'protocol');
  if (proto && first(proto) === 'any') return '';
  const number = first(leaf(p, 'protocol/number'));
  if (number) return `[${number}]`;
  for (const l4 of ['tcp', 'udp']) {
    if (!below(p, ['protocol', l4]).length && first(proto) !== l4) continue;
    const port = first(leaf(p, `protocol/${l4}/${side}-port`));
    return port && port !== '0' ? `[${l4}/${port}]` : `[${l4}]`;
  }
  return '';
}

function tunnelChildren(t: PanosEntry, scope: Scope, startAction: Setting<string>, sink: DiagnosticSink): ChildConfig[] {
  const prof = ipsecProfileOf(t, scope, sink);
  const monitor = monitorOf(t, scope);
  const iface = leaf(t, 'tunnel-interface');
  const base = {
    espProposals: prof.esp,
    ahProposals: prof.ah,
    mode: implicit('tunnel', t.at, t.excerpt, 'mode'),
    startAction,
    closeAction: implicit('none', t.at, t.excerpt, 'close_action'),
    // after DPD/liveness gives up PAN-OS deletes the SAs (KB kA10g000000ClgcCAC) and negotiates anew on traffic
    dpdAction: implicit('clear', t.at, t.excerpt, 'dpd_action'),
    rekeyTime: prof.lifetime,
    lifeTime: prof.lifetime,
    pfs: prof.pfs,
    tunnel: t.name,
    tunnelInterface: iface ? setting(iface, first(iface) ?? '') : undefined,
    tunnelMonitor: monitor,
  };
  const out: ChildConfig[] = [];
  for (const [family, container] of [['v4', 'proxy-id'], ['v6', 'proxy-id-v6']] as const) {
    for (const p of subEntries(t, ['auto-key', container]).values()) {
      const local = leaf(p, 'local');
      const remote = leaf(p, 'remote');
      const ts = (r: EntryRecord | undefined, side: 'local' | 'remote'): Setting<string[]> => {
        const any = family === 'v6' ? '::/0' : '0.0.0.0/0';
        // a proxy ID without local or remote uses any (PAN-OS GUI: optional fields)
        return r ? setting(r, r.values.map((x) => `${scope.addresses.get(x) ?? x}${protoSuffix(p, side)}`), `proxy-id ${p.name} ${side}`) : implicit([`${any}${protoSuffix(p, side)}`], p.at, p.excerpt, `proxy-id ${p.name} ${side}`);
      };
      out.push({ ...base, name: `${t.name}/${p.name}`, at: p.at, excerpt: p.excerpt, localTs: ts(local, 'local'), remoteTs: ts(remote, 'remote') });
    }
  }
  if (out.length) return out;
  const any = implicit(['0.0.0.0/0'], t.at, t.excerpt, 'proxy-id');
  return [{ ...base, name: t.name, at: t.at, excerpt: t.excerpt, localTs: { ...any, key: 'proxy-id local (none configured)' }, remoteTs: { ...any, key: 'proxy-id remote (none configured)' } }];
}

/** network virtual-router <vr> routing-table ip static-route <name> destination|interface|nexthop ip-address|metric */
function staticRoutes(records: PanosRecord[], scope: Scope): RouteConfig[] {
  const out: RouteConfig[] = [];
  const vrs = new Set(records.filter((r) => r.path[0] === 'network' && r.path[1] === 'virtual-router' && r.path[2]).map((r) => r.path[2]));
  for (const vr of vrs) {
    for (const e of entriesUnder(records, ['network', 'virtual-router', vr, 'routing-table', 'ip', 'static-route']).values()) {
      const dest = leaf(e, 'destination');
      if (!dest) continue;
      const iface = leaf(e, 'interface');
      const nh = leaf(e, 'nexthop/ip-address');
      const metric = leaf(e, 'metric');
      const addr = (r: EntryRecord) => scope.addresses.get(first(r) ?? '') ?? first(r) ?? '';
      out.push({ name: `${vr}/${e.name}`, destination: setting(dest, addr(dest)), interface: iface && setting(iface, first(iface) ?? ''), nexthop: nh && setting(nh, addr(nh)), metric: metric && setting(metric, Number(first(metric))) });
    }
  }
  return out;
}

