/**
 * ipsec.conf as strongSwan's starter (ipsec.conf(5), src/starter/keywords.txt) and
 * libreswan's pluto (ipsec.conf(5), configs/d.ipsec.conf/) read it: `config setup`,
 * `conn name` and `ca name` sections start in column 0, their `key=value` lines
 * are indented; `conn %default` applies to every conn; `also=` pulls in other conns
 * (a conn's own keys win, cycles are cut and reported); `include` splices files.
 *
 * The same keyword can mean different things per dialect, so defaults come from the
 * dialect: strongSwan dpdaction=none (no DPD), dpddelay=30s, keyexchange=ike,
 * ikelifetime=3h, lifetime=1h; libreswan keyexchange=ikev2, dpddelay=0 (off),
 * ikelifetime=8h, salifetime=8h, and `dpdaction` is an obsolete keyword (libreswan 5
 * logs "obsolete keyword ignored: dpdaction=…").
 * Pure and total: lines it cannot read become located Diagnostics.
 */
import type { Diagnostic, Location } from '../../evidence/types.js';
import type { AuthRound, ChildConfig, ConfigDialect, ConfigFacts, ConnectionConfig, EndConfig, IkeVersion, Setting } from '../../evidence/config-types.js';
import { DiagnosticSink, MAX_INCLUDE_DEPTH, configExcerpt, implicit, isSecretKey, maskInline, parseDuration, splitList, type IncludeResolver } from './config-common.js';

interface RawKey {
  value: string;
  at: Location;
  excerpt: string;
}

interface RawSection {
  kind: 'config' | 'conn' | 'ca';
  name: string;
  at: Location;
  excerpt: string;
  keys: Map<string, RawKey>;
  also: RawKey[];
}

const MAX_ALSO_DEPTH = 16;

/** How strongly the text looks like libreswan rather than strongSwan (positive) or the reverse (negative). */
export function detectIpsecConfDialect(text: string): ConfigDialect {
  let score = 0;
  const lib = /^\s*(keyexchange\s*=\s*ikev[12]\s*$|ikev2\s*=|phase2alg\s*=|phase2\s*=|(left|right)rsasigkey\s*=|(left|right)(ckaid|nexthop)\s*=|plutodebug|logfile\s*=|ikev1-policy|virtual[-_]private|protostack|nat[-_]traversal\s*=|encapsulation\s*=|salifetime\s*=|pfs\s*=|sha2[-_]truncbug|narrowing|nhelpers|retransmit-timeout|auto\s*=\s*(ondemand|up|keep)\b)/gim;
  const ss = /^\s*(charondebug|keyexchange\s*=\s*ike\s*$|(left|right)auth2?\s*=|(left|right)firewall\s*=|(left|right)(cert|sourceip)\s*=\s*\S+\.(pem|der|crt)|forceencaps|closeaction|reauth\s*=|margintime|rekeyfuzz|(ike|esp)\s*=\s*\S+!|dpdaction\s*=\s*(restart|hold|clear)|mobike\s*=|uniqueids\s*=\s*(never|replace|keep)|keylife\s*=|installpolicy)/gim;
  score += (text.match(lib) ?? []).length;
  score -= (text.match(ss) ?? []).length;
  if (/^version\s+2(\.0)?\s*$/m.test(text)) score += 1;
  return score > 0 ? 'libreswan' : 'strongswan';
}

export function decodeIpsecConf(text: string, source: string, resolve?: IncludeResolver, dialect: ConfigDialect = detectIpsecConfDialect(text)): { facts: ConfigFacts; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink('ipsec-conf');
  const sections: RawSection[] = [];
  const files = [source];
  readSections(text, source, resolve, sink, sections, files, 0);
  const conns = sections.filter((s) => s.kind === 'conn');
  const byName = new Map<string, RawSection>();
  for (const c of conns) if (!byName.has(c.name)) byName.set(c.name, c);
  const setup = sections.find((s) => s.kind === 'config');
  const alsoTargets = new Set(conns.flatMap((c) => c.also.map((a) => a.value)));
  const defaults = conns.filter((d) => d.name === '%default').reverse();
  const connections: ConnectionConfig[] = [];
  for (const c of conns) {
    if (c.name === '%default') continue;
    const merged = mergeAlso(c, byName, sink);
    // every %default applies to every conn wherever it stands; with several, the last value wins
    // (libreswan confread.c loads all %default sections first; ipsec.conf(5) "the last value is used")
    for (const d of defaults) for (const [k, v] of d.keys) if (!merged.has(k)) merged.set(k, v);
    const conn = toConnection(c, merged, dialect, sink);
    if (alsoTargets.has(c.name) && !c.keys.has('auto')) conn.template = true;
    connections.push(conn);
  }
  const setupKeys: Record<string, Setting<string>> = {};
  if (setup) for (const [k, v] of setup.keys) setupKeys[k] = { ...v, key: k };
  return { facts: { source, type: 'ipsec.conf', dialect, files, connections, secrets: [], setup: setupKeys }, diagnostics: sink.list };
}

function readSections(text: string, source: string, resolve: IncludeResolver | undefined, sink: DiagnosticSink, out: RawSection[], files: string[], depth: number): void {
  const lines = text.split('\n');
  let cur: RawSection | undefined;
  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx].replace(/\r$/, '');
    const at = { source, line: idx + 1 };
    const body = stripComment(raw);
    if (!body.trim()) continue;
    if (/^\S/.test(body)) {
      const t = body.trim();
      const head = /^(conn|ca|config)\s+(\S+)\s*$/.exec(t);
      if (head) {
        cur = { kind: head[1] as RawSection['kind'], name: head[2], at, excerpt: configExcerpt(raw), keys: new Map(), also: [] };
        out.push(cur);
        continue;
      }
      const inc = /^include\s+(\S+)\s*$/.exec(t);
      if (inc) {
        cur = undefined;
        if (!resolve) sink.add(at, `include ${inc[1]} not followed (no file access)`);
        else if (depth >= MAX_INCLUDE_DEPTH) sink.add(at, `include ${inc[1]} not followed: more than ${MAX_INCLUDE_DEPTH} levels deep (include loop?)`);
        else {
          const r = resolve(inc[1], source);
          if (r.error) sink.add(at, `include ${inc[1]}: ${r.error}`);
          for (const f of r.files) {
            if (!files.includes(f.path)) files.push(f.path);
            readSections(f.text, f.path, resolve, sink, out, files, depth + 1);
          }
        }
        continue;
      }
      if (/^version\s+\S+$/.test(t)) continue;
      sink.add(at, `'${t.slice(0, 60)}' in column 0 is not a section header (conn NAME, ca NAME, config setup) or include; settings must be indented`);
      cur = undefined;
      continue;
    }
    const kv = /^\s+([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$/.exec(body);
    if (!kv) {
      sink.add(at, `'${body.trim().slice(0, 60)}' is not key=value`);
      continue;
    }
    if (!cur) {
      sink.add(at, `${kv[1]}= outside any conn/config section; ignored`);
      continue;
    }
    const key = kv[1].toLowerCase();
    const value = isSecretKey(key) ? '<secret masked>' : maskInline(unquote(kv[2]));
    const item = { value, at, excerpt: configExcerpt(raw, key) };
    if (key === 'also') cur.also.push(item);
    else cur.keys.set(key, item);
  }
}

/** `#` starts a comment outside double quotes (DNs in leftid="…" may hold #). */
function stripComment(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') q = !q;
    else if (c === '#' && !q && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function unquote(v: string): string {
  return /^".*"$/.test(v) || /^'.*'$/.test(v) ? v.slice(1, -1) : v;
}

/** The conn's own keys, then each also= target's (depth first, in order), cycles cut. */
function mergeAlso(conn: RawSection, byName: Map<string, RawSection>, sink: DiagnosticSink): Map<string, RawKey> {
  const merged = new Map(conn.keys);
  const visit = (sec: RawSection, path: string[]) => {
    for (const a of sec.also) {
      const target = byName.get(a.value);
      if (!target) {
        sink.add(a.at, `also=${a.value}: no conn of that name`);
        continue;
      }
      if (path.includes(target.name)) {
        sink.add(a.at, `also=${a.value}: cycle (${[...path, target.name].join(' → ')}); not followed again`);
        continue;
      }
      if (path.length > MAX_ALSO_DEPTH) {
        sink.add(a.at, `also=${a.value}: more than ${MAX_ALSO_DEPTH} also= levels; not followed`);
        continue;
      }
      for (const [k, v] of target.keys) if (!merged.has(k)) merged.set(k, v);
      visit(target, [...path, target.name]);
    }
  };
  visit(conn, [conn.name]);
  return merged;
}

// ---------------------------------------------------------------------------
// interpretation with the dialect's defaults

interface Ctx {
  sec: RawSection;
  keys: Map<string, RawKey>;
  sink: DiagnosticSink;
}

function get(ctx: Ctx, ...names: string[]): Setting<string> | undefined {
  for (const k of names) {
    const v = ctx.keys.get(k);
    if (v) return { ...v, key: k };
  }
  return undefined;
}

function str(ctx: Ctx, names: string[], dflt: string): Setting<string> {
  return get(ctx, ...names) ?? implicit(dflt, ctx.sec.at, ctx.sec.excerpt, names[0]);
}

function dur(ctx: Ctx, names: string[], dflt: number): Setting<number> {
  const v = get(ctx, ...names);
  if (!v) return implicit(dflt, ctx.sec.at, ctx.sec.excerpt, names[0]);
  const d = parseDuration(v.value);
  if (d === undefined) {
    ctx.sink.add(v.at, `${v.key}=${v.value}: not a duration`);
    return { ...v, value: dflt };
  }
  return { ...v, value: d };
}

function yes(v: string): boolean {
  return /^(yes|true|1|on|y|force)$/i.test(v);
}

function toConnection(sec: RawSection, keys: Map<string, RawKey>, dialect: ConfigDialect, sink: DiagnosticSink): ConnectionConfig {
  const ctx: Ctx = { sec, keys, sink };
  const lib = dialect === 'libreswan';
  const ikeVersion = version(ctx, lib);
  // strongSwan: ikelifetime 3h, lifetime 1h, margintime 9m; libreswan: 8h, 8h, rekeymargin 9m
  const ikeLife = dur(ctx, ['ikelifetime', 'ike_lifetime'], lib ? 8 * 3600 : 3 * 3600);
  const saLife = dur(ctx, ['lifetime', 'keylife', 'salifetime', 'sa_lifetime'], lib ? 8 * 3600 : 3600);
  const margin = dur(ctx, ['margintime', 'rekeymargin'], 540);
  const noRekey = get(ctx, 'rekey');
  const rekeys = !noRekey || yes(noRekey.value);
  const at = (s: Setting<number>, v: number): Setting<number> => ({ ...s, value: Math.max(0, v) });
  const ikeRekey = rekeys ? at(ikeLife, ikeLife.value - margin.value) : { ...noRekey!, value: 0 };
  // strongSwan IKEv2 reauthenticates instead of rekeying unless reauth=no
  const reauthKey = get(ctx, 'reauth');
  const reauths = !lib && ikeVersion.value !== 1 && rekeys && (!reauthKey || yes(reauthKey.value));
  const reauthTime = reauths ? ikeRekey : implicit(0, sec.at, sec.excerpt, 'reauth');

  const dpdDelay = dur(ctx, ['dpddelay'], lib ? 0 : 30);
  const dpdTimeout = dur(ctx, ['dpdtimeout', 'ikev1-dpdtimeout'], lib ? 0 : 150);
  const dpdAction = str(ctx, ['dpdaction'], lib ? 'hold' : 'none');

  const keyingtries = get(ctx, 'keyingtries');
  let tries: Setting<number> = implicit(lib ? 0 : 3, sec.at, sec.excerpt, 'keyingtries');
  if (keyingtries) {
    const n = keyingtries.value === '%forever' ? 0 : Number(keyingtries.value);
    if (Number.isInteger(n) && n >= 0) tries = { ...keyingtries, value: n };
    else sink.add(keyingtries.at, `keyingtries=${keyingtries.value}: not a number or %forever`);
  }

  const ike = get(ctx, 'ike', 'ike_proposals');
  const enc = get(ctx, 'encapsulation');
  const force = get(ctx, 'forceencaps');
  let encap: Setting<string> = implicit('auto', sec.at, sec.excerpt, lib ? 'encapsulation' : 'forceencaps');
  if (enc) encap = { ...enc, value: yes(enc.value) ? 'yes' : /^no$/i.test(enc.value) ? 'no' : 'auto' };
  else if (force) encap = { ...force, value: yes(force.value) ? 'yes' : 'auto' };

  const known: Record<string, Setting<string>> = {};
  for (const [k, v] of keys) known[k] = { ...v, key: k };
  const mobike = get(ctx, 'mobike');
  const aggr = get(ctx, 'aggressive', 'aggrmode');
  return {
    name: sec.name,
    at: sec.at,
    excerpt: sec.excerpt,
    symmetric: true,
    ikeVersion,
    local: toEnd(ctx, 'left', lib),
    remote: toEnd(ctx, 'right', lib),
    proposals: ike ? { ...ike, value: splitProposals(ike.value) } : implicit(['default'], sec.at, sec.excerpt, 'ike'),
    proposalsStrict: lib ? true : ike ? ike.value.trim().endsWith('!') : false,
    espStrict: lib ? true : (get(ctx, 'esp')?.value.trim().endsWith('!') ?? false),
    dpd: { delay: dpdDelay, timeout: dpdTimeout, action: dpdAction },
    encap,
    fragmentation: str(ctx, ['fragmentation', 'ike_frag'], 'yes'),
    keyingtries: tries,
    mobike: mobike ? { ...mobike, value: yes(mobike.value) } : implicit(!lib, sec.at, sec.excerpt, 'mobike'),
    aggressive: aggr ? { ...aggr, value: yes(aggr.value) } : undefined,
    ikeRekeyTime: ikeRekey,
    reauthTime,
    ikeLifeTime: ikeLife,
    children: [toChild(ctx, lib, rekeys ? at(saLife, saLife.value - margin.value) : { ...noRekey!, value: 0 }, saLife)],
    keys: known,
  };
}

function version(ctx: Ctx, lib: boolean): Setting<IkeVersion> {
  const kx = get(ctx, 'keyexchange');
  if (kx) {
    const v = kx.value.toLowerCase();
    if (v === 'ikev1') return { ...kx, value: 1 };
    if (v === 'ikev2') return { ...kx, value: 2 };
    // strongSwan `ike`: initiates IKEv2, answers either
    if (v === 'ike') return { ...kx, value: lib ? 2 : 0 };
    ctx.sink.add(kx.at, `keyexchange=${kx.value}: expected ike, ikev1 or ikev2`);
  }
  const v2 = get(ctx, 'ikev2');
  if (v2) {
    const v = v2.value.toLowerCase();
    // libreswan < 3.28 `propose`/`permit` allowed either version; `no`/`never` meant IKEv1 only
    if (v === 'no' || v === 'never') return { ...v2, value: 1 };
    if (v === 'propose' || v === 'permit') return { ...v2, value: 0 };
    return { ...v2, value: 2 };
  }
  return implicit<IkeVersion>(lib ? 2 : 0, ctx.sec.at, ctx.sec.excerpt, 'keyexchange');
}

function splitProposals(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim().replace(/!$/, ''))
    .filter(Boolean);
}

/** authby= names the method for both ends; leftauth=/rightauth= (strongSwan) override per end. */
function authOf(ctx: Ctx, side: 'left' | 'right', lib: boolean): Setting<string> {
  const own = get(ctx, `${side}auth`);
  if (own) return own;
  const by = get(ctx, 'authby');
  if (by) {
    const first = by.value.split(',')[0].trim().toLowerCase();
    const map: Record<string, string> = { secret: 'psk', psk: 'psk', rsasig: 'pubkey', rsa: 'pubkey', pubkey: 'pubkey', ecdsa: 'pubkey', 'ecdsa-sha2': 'pubkey', eddsa: 'pubkey', 'rsa-sha2': 'pubkey', xauthpsk: 'psk', xauthrsasig: 'pubkey', null: 'null', never: 'never' };
    return { ...by, value: map[first] ?? first };
  }
  // strongSwan authby default pubkey; libreswan authby default rsasig,ecdsa (signatures)
  return implicit('pubkey', ctx.sec.at, ctx.sec.excerpt, 'authby');
}

function toEnd(ctx: Ctx, side: 'left' | 'right', lib: boolean): EndConfig {
  const addr = get(ctx, side);
  const rounds: AuthRound[] = [];
  const id = get(ctx, `${side}id`);
  const cert = get(ctx, `${side}cert`);
  const pub = get(ctx, `${side}rsasigkey`, `${side}pubkey`, `${side}sigkey`, `${side}ckaid`);
  rounds.push({
    name: side,
    auth: authOf(ctx, side, lib),
    id,
    certs: cert && { ...cert, value: [cert.value] },
    // public keys are not secrets, but long and useless in a report: keep that one is set
    pubkeys: pub && { ...pub, value: [`${pub.key}=(set)`] },
  });
  const auth2 = get(ctx, `${side}auth2`);
  if (auth2) rounds.push({ name: `${side}2`, auth: auth2, id: get(ctx, `${side}id2`) });
  const updown = get(ctx, `${side}updown`);
  const fw = get(ctx, `${side}firewall`);
  const vip = get(ctx, `${side}sourceip`, `${side}vti`);
  return {
    addrs: addr ? { ...addr, value: splitList(addr.value) } : implicit(['%any'], ctx.sec.at, ctx.sec.excerpt, side),
    rounds,
    ts: toEndTs(ctx, side),
    updown,
    firewall: fw && { ...fw, value: yes(fw.value) },
    sourceIp: vip && { ...vip, value: splitList(vip.value) },
  };
}

function toChild(ctx: Ctx, lib: boolean, rekeyTime: Setting<number>, lifeTime: Setting<number>): ChildConfig {
  const { sec } = ctx;
  const esp = get(ctx, 'esp', 'phase2alg', 'esp_proposals');
  const ah = get(ctx, 'ah');
  const phase2 = get(ctx, 'phase2');
  const isAh = (phase2 && /^ah$/i.test(phase2.value)) || (!!ah && !get(ctx, 'esp'));
  const espProposals: Setting<string[]> = esp && !isAh ? { ...esp, value: splitProposals(esp.value) } : implicit(isAh ? [] : ['default'], sec.at, sec.excerpt, 'esp');
  const ahSetting = isAh ? (ah ?? esp) : undefined;
  const auto = str(ctx, ['auto'], 'ignore');
  const startMap: Record<string, string> = { add: 'none', route: 'trap', ondemand: 'trap', start: 'start', up: 'start', keep: 'start', ignore: 'ignore' };
  const pfs = get(ctx, 'pfs');
  const type = str(ctx, ['type'], 'tunnel');
  return {
    name: sec.name,
    at: sec.at,
    excerpt: sec.excerpt,
    localTs: toEndTs(ctx, 'left'),
    remoteTs: toEndTs(ctx, 'right'),
    espProposals,
    ahProposals: ahSetting && { ...ahSetting, value: splitProposals(ahSetting.value) },
    mode: { ...type, value: type.value.toLowerCase() === 'passthrough' ? 'pass' : type.value.toLowerCase() },
    startAction: { ...auto, value: startMap[auto.value.toLowerCase()] ?? auto.value },
    closeAction: str(ctx, ['closeaction'], 'none'),
    // in ipsec.conf the DPD action is connection-wide; mirrored here so that both syntaxes read alike
    dpdAction: str(ctx, ['dpdaction'], lib ? 'hold' : 'none'),
    rekeyTime,
    lifeTime,
    updown: get(ctx, 'leftupdown'),
    pfs: pfs ? { ...pfs, value: yes(pfs.value) } : lib ? implicit(true, sec.at, sec.excerpt, 'pfs') : undefined,
  };
}

function toEndTs(ctx: Ctx, side: 'left' | 'right'): Setting<string[]> {
  const subnets = get(ctx, `${side}subnets`, `${side}subnet`);
  const proto = get(ctx, `${side}protoport`);
  if (!subnets) return implicit(['dynamic'], ctx.sec.at, ctx.sec.excerpt, `${side}subnet`);
  return { ...subnets, value: splitList(subnets.value).map((s) => (proto ? `${s}[${proto.value}]` : s)) };
}
