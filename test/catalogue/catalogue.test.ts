/**
 * Generated from docs/catalogue/{strongswan,libreswan}.json (issue 20 §1): every failure-class
 * template the daemons' own source prints, filled with realistic values, in every prefix shape
 * the daemon is met in, must be classified by its dialect's decoder. Templates that cannot be
 * mapped sensibly are listed in KNOWN_GAPS with one line of why, so the printed figure is honest.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { strongswanDialect } from '../../src/platforms/strongswan/log.js';
import { libreswanDialect } from '../../src/platforms/libreswan/log.js';
import type { LogEvent, LogEventKind } from '../../src/evidence/log-events.js';
import type { LogDialect } from '../../src/platforms/log-dialect.js';

interface Entry {
  template: string;
  class: FailureClass;
  versions: string[];
  file: string;
  composed?: boolean;
}
interface Catalogue {
  daemon: 'strongswan' | 'libreswan' | 'openswan';
  tags: string[];
  entries: Entry[];
}
type FailureClass = 'success-ike' | 'success-child' | 'auth' | 'identity' | 'proposal' | 'ts' | 'give-up' | 'dpd' | 'nat' | 'frag' | 'kernel' | 'cert';

const DOCS = fileURLToPath(new URL('../../docs/catalogue/', import.meta.url));
const load = (name: string): Catalogue => JSON.parse(readFileSync(DOCS + name + '.json', 'utf8')) as Catalogue;

/** Which LogEvent kinds count as "classified" for a template of a class. */
const ACCEPT: Record<FailureClass, LogEventKind[]> = {
  'success-ike': ['ike-established'],
  'success-child': ['child-established'],
  auth: ['auth', 'id-mismatch', 'no-config', 'negotiation-failed'],
  identity: ['no-config', 'id-mismatch', 'auth'],
  proposal: ['no-proposal-chosen', 'invalid-ke', 'proposals', 'child-failed'],
  ts: ['ts-unacceptable', 'no-config'],
  'give-up': ['give-up', 'retransmit', 'negotiation-failed'],
  dpd: ['dpd', 'dpd-action', 'give-up'],
  nat: ['nat', 'nat-t-float'],
  frag: ['ike-fragment', 'fragmentation-support'],
  kernel: ['sa-install-failed', 'child-failed'],
  cert: ['cert-status', 'auth'],
};

/** template → why it is not classified (kept short; the figure counts these as misses). */
const KNOWN_GAPS: Record<string, string> = {
  'no issuer certificate found for "%Y"':
    'a step of trust-chain building that may still succeed through another path; the verdict is the next line ("no trusted … public key found"), which is read',
  'giving up after %d path probings': 'MOBIKE path probing gave up on one path, not on the peer: deliberately no give-up event (rules-liveness.ts)',
};

// ---- value substitution (charon printf hooks: %H host[port], %Y identity, %N enum name, %R selector, %P proposal, %T time, %B hex)

function charonEnum(before: string): string {
  if (/(?:DH group|key exchange method|requesting|requested|it requested|method|group) $/i.test(before)) return 'MODP_2048';
  if (/sending $/.test(before)) return 'NO_PROPOSAL_CHOSEN';
  if (/received $/.test(before)) return 'AUTHENTICATION_FAILED';
  if (/state $/.test(before)) return 'IKE_CREATED';
  if (/reason: $/.test(before)) return 'key compromise';
  if (/EAP method $/.test(before) || /type %d-$/.test(before)) return 'EAP_MD5';
  if (/with $/.test(before)) return 'crypto';
  if (/algorithm $/.test(before)) return 'AES_GCM_16';
  if (/=== \S+ $/.test(before)) return 'out';
  if (/cert type $/.test(before)) return 'X509_AC';
  return 'IKEV2';
}

/** %s: glued to a word it is an optional fragment ("%sCHILD_SA", "with%s EAP") and printed empty here. */
function charonString(before: string, after: string): string {
  if (/[A-Za-z]$/.test(before) || /^(?:[A-Za-z]|%s)/.test(after)) return '';
  if (before === '') return /certificate/.test(after) ? 'subject' : /EAP/.test(after) ? 'server' : 'local';
  if (/(?:ocsp request to) $/.test(before)) return 'http://ocsp.strongswan.org';
  return 'home';
}

function fillCharon(t: string): string {
  let out = '';
  const re = /%(%|[-#+ 0-9.]*(?:hh|h|ll|l|z|j)?[sdiuxXHYNRPTBbc])/g;
  let last = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    out += t.slice(last, m.index);
    last = m.index + m[0].length;
    const spec = m[1]!;
    const conv = spec.slice(-1);
    if (spec === '%') out += '%';
    else if (conv === 'H') out += '192.0.2.10[500]';
    else if (conv === 'Y') out += 'moon.strongswan.org';
    else if (conv === 'N') out += charonEnum(out);
    else if (conv === 'R') out += '10.1.0.0/24';
    else if (conv === 'P') out += 'IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048';
    else if (conv === 'T') out += 'Dec 07 15:00:00 UTC 2026';
    else if (conv === 'B' || conv === 'b') out += 'a1:b2:c3';
    else if (conv === 'x' || conv === 'X') out += 'c1a2b3d4';
    else if (conv === 's') out += charonString(out, t.slice(last));
    else out += '3';
  }
  return out + t.slice(last);
}

function plutoString(before: string, after: string, cls: FailureClass): string {
  // glued to a word it is an optional fragment ("notification %s%s", "%sIPsec"): printed empty here
  if (/[A-Za-z0-9]$/.test(before) || /^[A-Za-z]/.test(after)) return '';
  if (before === '') {
    if (after.startsWith(':')) return 'STATE_MAIN_I3';
    if (after.startsWith(' failed, responder SA processing')) return 'CREATE_CHILD_SA request';
    if (after.startsWith(' subnet')) return 'peer client';
    if (after.startsWith(' traffic selector')) return 'TSi';
    return 'IKE_AUTH';
  }
  if (/^STATE_\w+: $/.test(before)) return '10';
  if (/reached $/.test(before)) return after.includes('Quick Mode') ? 'STATE_QUICK_I1' : after.includes('encrypted') ? 'STATE_MAIN_I3' : 'STATE_MAIN_I1';
  if (/(?:us|them): ?$/.test(before)) return /us: ?$/.test(before) ? '192.0.1.0/24' : '192.0.2.0/24';
  if (/netlink $/.test(before)) return 'XFRM_MSG_NEWPOLICY';
  if (/response for flow $/.test(before)) return 'eroute_connection add';
  if (/netlink response for $/.test(before)) return 'Add SA';
  if (/response for Add SA $/.test(before)) return 'esp.c1a2b3d4@192.1.2.23';
  if (/will wait $/.test(before)) return '0.5';
  if (/second timeout exceeded after 3 retransmits\.\s+No response \(or no acceptable response\) to our $/.test(before)) return 'IKEv2';
  if (/^responding to $/.test(before)) return 'CREATE_CHILD_SA';
  if (/ with $/.test(before) && after.startsWith(' notification')) return 'encrypted';
  // the notify name is the class word of these templates (catalogue: "responding to … notification %s", "… returned %s")
  if (/(?:notification|returned) $/.test(before) && cls === 'proposal') return 'NO_PROPOSAL_CHOSEN';
  if (/(?:notification|peer:) $/.test(before)) return 'AUTHENTICATION_FAILED';
  if (/(?:DH|KEM|requesting|suggested|response to) $/.test(before) || /group \($/.test(before)) return 'MODP2048';
  if (/ID_FQDN $/.test(before)) return "'@east'";
  if (/Result using $/.test(before)) return 'RFC 3947 (NAT-Traversal)';
  if (/Result using RFC 3947 \(NAT-Traversal\): $/.test(before)) return 'i am NATed';
  if (/'$/.test(before)) return '@east';
  if (/IPsec tunnel \[$/.test(before)) return '192.0.1.0/24===192.0.2.0/24';
  if (/-> \[$/.test(before)) return '192.0.2.0/24';
  if (/xfrm=$/.test(before)) return 'AES_CBC_128-HMAC_SHA1_96';
  if (/auth=$/.test(before)) return 'PRESHARED_KEY';
  if (/cipher=$/.test(before)) return 'AES_CBC_256';
  if (/integ=$/.test(before)) return 'HMAC_SHA2_256';
  if (/group=$/.test(before)) return 'MODP2048';
  if (/(?:from|on|to|for) $/.test(before)) return '192.1.2.45:500';
  return 'westnet-eastnet';
}

function fillPluto(t: string, cls: FailureClass): string {
  let out = '';
  const re = /%(%|[-#+ 0-9.*]*(?:hh|h|ll|l|z|j)?[sdiuxXc])/g;
  let last = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    out += t.slice(last, m.index);
    last = m.index + m[0].length;
    const spec = m[1]!;
    const conv = spec.slice(-1);
    if (spec === '%') out += '%';
    else if (conv === 's') out += plutoString(out, t.slice(last), cls);
    else if (conv === 'x' || conv === 'X') out += 'c1a2b3d4';
    else out += /timeout exceeded after $/.test(out) ? '3' : /: $/.test(out) && /second/.test(t) ? '10' : '3';
  }
  return out + t.slice(last);
}

// ---- prefix shapes

const CHARON_GROUP: Partial<Record<FailureClass, string>> = { kernel: 'KNL', cert: 'CFG', identity: 'CFG', ts: 'CHD', 'success-child': 'IKE' };

function charonShapes(body: string, cls: FailureClass): Record<string, string> {
  const g = CHARON_GROUP[cls] ?? 'IKE';
  return {
    'filelog+time': `Dec  7 15:04:05 08[${g}] <home|1> ${body}`,
    filelog: `08[${g}] <home|1> ${body}`,
    syslog: `Dec  7 15:04:05 moon charon[1234]: 08[${g}] <home|1> ${body}`,
    journald: `Dec  7 15:04:05 moon charon-systemd[1234]: ${body}`,
    bare: body,
  };
}

function plutoShapes(body: string): Record<string, string> {
  const state = `"westnet-eastnet" #1: ${body}`;
  return {
    syslog: `Dec  7 15:04:05 east pluto[1234]: ${state}`,
    'pluto.log': `Dec  7 15:04:05.123456: ${state}`,
    whack: state,
    'whack 002': `002 ${state}`,
    'whack 003': `003 ${state}`,
    bare: body,
  };
}

// ---- running

interface Result {
  entry: Entry;
  line: string;
  missedShapes: string[];
}

function classify(dialect: LogDialect, line: string): LogEvent[] {
  return dialect.createDecoder('catalogue.log').decode(line, 1) ?? [];
}

function run(cat: Catalogue): Result[] {
  const dialect = cat.daemon === 'strongswan' ? strongswanDialect : libreswanDialect;
  return cat.entries.map((entry) => {
    const body = cat.daemon === 'strongswan' ? fillCharon(entry.template) : fillPluto(entry.template, entry.class);
    const shapes = cat.daemon === 'strongswan' ? charonShapes(body, entry.class) : plutoShapes(body);
    const missedShapes = Object.entries(shapes)
      .filter(([, line]) => !classify(dialect, line).some((e) => ACCEPT[entry.class].includes(e.kind)))
      .map(([shape]) => shape);
    return { entry, line: body, missedShapes };
  });
}

function versionRanges(cat: Catalogue, results: Result[]): string[] {
  return cat.tags.map((tag) => {
    const rs = results.filter((r) => r.entry.versions.includes(tag));
    const ok = rs.filter((r) => r.missedShapes.length === 0).length;
    return `  ${cat.daemon} ${tag}: ${ok}/${rs.length}`;
  });
}

for (const name of ['strongswan', 'libreswan', 'openswan'] as const) {
  const cat = load(name);
  const results = run(cat);
  describe(`${name} message catalogue (${cat.entries.length} templates from ${cat.tags.join(', ')})`, () => {
    it('prints the coverage', () => {
      const ok = results.filter((r) => r.missedShapes.length === 0).length;
      const gaps = results.filter((r) => KNOWN_GAPS[r.entry.template] !== undefined).length;
      console.log(
        [`${name}: recognised ${ok}/${results.length} catalogued templates in every prefix shape (${gaps} known gaps)`, ...versionRanges(cat, results)].join('\n'),
      );
      expect(results.length).toBeGreaterThan(0);
    });
    for (const r of results) {
      const gap = KNOWN_GAPS[r.entry.template];
      it.skipIf(gap !== undefined)(`[${r.entry.class}] ${r.entry.template}`, () => {
        expect({ line: r.line, missed: r.missedShapes }).toEqual({ line: r.line, missed: [] });
      });
    }
  });
}

describe('pluto lines without any prefix read like bare charon lines (issue 20 §1)', () => {
  // a session as `ipsec auto --up` prints it in v5, and as a v3.32 console without the RC codes
  const bare = [
    'initiating IKEv2 connection',
    'sent IKE_SA_INIT request to 192.1.2.23:UDP/500',
    'IKE_SA_INIT_I: 10 second timeout exceeded after 3 retransmits.  No response (or no acceptable response) to our first IKEv2 message',
    'STATE_MAIN_I4: ISAKMP SA established {auth=PRESHARED_KEY cipher=AES_CBC_256 integ=HMAC_SHA2_256 group=MODP2048}',
    "established IKE SA; authenticated peer using authby=secret and ID_FQDN '@east'",
  ];

  it('are detected as pluto, not charon', () => {
    expect(libreswanDialect.sniff(bare)).toBeGreaterThan(strongswanDialect.sniff(bare));
  });

  it('are decoded with their kinds', () => {
    const decoder = libreswanDialect.createDecoder('pasted.txt');
    const kinds = bare.map((l, i) => (decoder.decode(l, i + 1) ?? []).map((e) => e.kind).join(','));
    expect(kinds).toEqual(['initiate', 'message', 'give-up', 'ike-established,auth', 'ike-established,auth']);
  });

  it('leave lines that are not pluto\'s wording unclaimed', () => {
    const decoder = libreswanDialect.createDecoder('pasted.txt');
    expect(decoder.decode('$ sudo ipsec auto --up westnet-eastnet', 1)).toBeUndefined();
    expect(decoder.decode('Connection to host lost.', 2)).toBeUndefined();
  });
});
