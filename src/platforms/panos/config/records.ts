/**
 * The one shape both PAN-OS configuration syntaxes are read into: a flat list of
 * records `path → values`, where the path is the XML element path with each
 * `<entry name="X">` replaced by X — exactly the words of the equivalent `set`
 * command. So `<network><ike><gateway><entry name="GW"><protocol><version>ikev2`
 * and `set network ike gateway GW protocol version ikev2` are the same record
 * (network, ike, gateway, GW, protocol, version) = [ikev2]. An empty element is its
 * parent's value (`<peer-address><dynamic/>` = `peer-address dynamic`), a `<member>`
 * list is a list value (`hash [ sha256 sha1 ]`). Element paths: PaloAltoNetworks/
 * pan-os-python panos/network.py (IkeGateway, IpsecTunnel, IkeCryptoProfile,
 * IpsecCryptoProfile), reference/platforms.md §1.4.
 *
 * Secret values never enter a record: the pre-shared key (PAN-OS stores it encrypted,
 * `-AQ==…`, but it is masked anyway) and every other key/password leaf become
 * `<secret masked>`, and the excerpts are masked the same way.
 */
import { SecretDigest } from '../../../evidence/secret-digest.js';
import type { Location } from '../../../evidence/types.js';
import { MAX_EXCERPT } from '../../freeswan/config-common.js';

export interface PanosRecord {
  /** the element path with entry names in place, after the device/template/vsys prefix */
  path: string[];
  values: string[];
  /** where it is written: the line of the leaf (XML) or of the `set` command */
  at: Location;
  excerpt: string;
  /** the template (Panorama) or '' for the device's own configuration */
  scope: string;
  /** an `<entry name=…>` opening with children: marks where an entry starts, carries no value */
  opensEntry?: boolean;
  /** a secret leaf (values masked): stored encrypted, or typed in clear and kept only as a keyed digest */
  secret?: { encrypted: boolean; digest?: SecretDigest };
}

export const MASKED = '<secret masked>';

/**
 * What a secret leaf's value allows: PAN-OS writes keys encrypted under the firewall's
 * master key (`-AQ==…`, the form `show config running` and exports hold), which says
 * nothing about the key itself; a `set` script may carry the key as typed.
 */
export function secretOf(values: readonly string[]): { encrypted: boolean; digest?: SecretDigest } {
  const v = values[0] ?? '';
  if (v.startsWith('-AQ==') || v === '') return { encrypted: true };
  return { encrypted: false, digest: SecretDigest.of(v) };
}

// leaves that hold secrets anywhere in a running config: the IKE pre-shared key, manual-key keys,
// admin password hashes, SNMP/LDAP/RADIUS secrets, private keys of certificates
const SECRET_LEAF = /^(key|phash|password|passwd|secret|private-key|bind-password|auth-password|priv-password|community|shared-secret|psk|pre-shared-key)$/i;

export function isSecretLeaf(path: readonly string[]): boolean {
  const last = path[path.length - 1] ?? '';
  return SECRET_LEAF.test(last);
}

/** A line as evidence: trimmed, capped, with secret values masked in both syntaxes. */
export function panosExcerpt(line: string): string {
  let t = line.trim();
  // XML leaves: <key>-AQ==…</key>, <phash>…</phash>, <private-key>…</private-key>
  t = t.replace(/<(key|phash|password|passwd|secret|private-key|bind-password|auth-password|priv-password|community|shared-secret|psk)>[^<]*(<\/\1>|$)/gi, (_m, tag: string) => `<${tag}>${MASKED}</${tag}>`);
  // set commands end in the value: `… pre-shared-key key -AQ==…`, `… phash $1$…`, `… password "…"`
  // (a whole word before it: `auto-key ike-gateway GW` is no secret)
  t = t.replace(/(\s(?:key|phash|password|passwd|secret|private-key|bind-password|auth-password|priv-password|community|shared-secret|psk)\s+)("[^"]*"?|[^\s"<]\S*)\s*$/i, (_m, head: string) => `${head}${MASKED}`);
  return t.length > MAX_EXCERPT ? t.slice(0, MAX_EXCERPT) + '…' : t;
}

/**
 * Strips what only says where a configuration lives — the API's `response/result`, `config`,
 * `devices <name>`, a Panorama `template <T> config` (the template becomes the scope),
 * `vsys <name>`, `shared` — so that the rest starts at `network`, `address`, `zone`, … in both
 * syntaxes. A firewall with one vsys prints its vsys objects without a `vsys` prefix in `set`
 * form; the XML always has `devices/entry/vsys/entry`.
 */
export function normalisePath(path: readonly string[]): { scope: string; rest: string[] } {
  let rest = [...path];
  let scope = '';
  for (let guard = 0; guard < 16; guard++) {
    const [a, b, c] = rest;
    if (a === 'response' || a === 'result' || a === 'config') rest = rest.slice(1);
    else if (a === 'devices' && b !== undefined) rest = rest.slice(2);
    else if ((a === 'template' || a === 'template-stack') && b !== undefined && c === 'config') {
      scope = b;
      rest = rest.slice(3);
    } else if (a === 'vsys' && b !== undefined) rest = rest.slice(2);
    else if (a === 'shared') rest = rest.slice(1);
    else break;
  }
  return { scope, rest };
}

/** A record of an entry, with its path relative to the entry. */
export type EntryRecord = PanosRecord & { rel: string[] };

/** One named entry (a gateway, a tunnel, a profile) with its records, paths relative to the entry. */
export interface PanosEntry {
  name: string;
  at: Location;
  excerpt: string;
  records: EntryRecord[];
  /** relative path (joined with '/') → the last record written for it (a later `set` overrides an earlier one) */
  leaves: Map<string, EntryRecord>;
}

/**
 * Every entry under `container` (e.g. network/ike/gateway), in order of first appearance.
 * `pathOf` picks the path to match (an entry's own records are matched on their relative path
 * to find sub-entries such as a tunnel's proxy IDs).
 */
export function entriesUnder(records: readonly PanosRecord[], container: readonly string[], pathOf: (r: PanosRecord) => readonly string[] = (r) => r.path): Map<string, PanosEntry> {
  const out = new Map<string, PanosEntry>();
  const n = container.length;
  const inContainer = (p: readonly string[]) => p.length >= n && container.every((c, i) => p[i] === c);
  const ensure = (name: string, r: PanosRecord): PanosEntry => {
    let e = out.get(name);
    if (!e) {
      e = { name, at: r.at, excerpt: r.excerpt, records: [], leaves: new Map() };
      out.set(name, e);
    }
    return e;
  };
  for (const r of records) {
    const p = pathOf(r);
    if (!inContainer(p)) continue;
    // `set network ike gateway GW` alone, or `<ike-gateway><entry name="GW"/>`: the container's value names entries
    if (p.length === n) {
      for (const name of r.values) ensure(name, r);
      continue;
    }
    const e = ensure(p[n], r);
    const rel = p.slice(n + 1);
    if (r.opensEntry && rel.length === 0) {
      // the `<entry name=…>` line is where the entry is written, whatever record came first
      if (e.records.length === 0) (e.at = r.at), (e.excerpt = r.excerpt);
      continue;
    }
    const er: EntryRecord = { ...r, rel };
    e.records.push(er);
    // a nested entry's opening line locates that sub-entry (subEntries) but is no value
    if (!r.opensEntry) e.leaves.set(rel.join('/'), er);
  }
  return out;
}

/** Sub-entries of an entry below `container` (relative), e.g. a tunnel's `auto-key/proxy-id` entries. */
export function subEntries(e: PanosEntry, container: readonly string[]): Map<string, PanosEntry> {
  return entriesUnder(e.records, container, (r) => (r as EntryRecord).rel);
}

/** The last record written at `rel` (joined with '/') in an entry. */
export function leaf(e: PanosEntry | undefined, rel: string): EntryRecord | undefined {
  return e?.leaves.get(rel);
}

/** Records of an entry whose relative path starts with `prefix`. */
export function below(e: PanosEntry, prefix: readonly string[]): EntryRecord[] {
  return e.records.filter((r) => prefix.every((p, i) => r.rel[i] === p));
}
