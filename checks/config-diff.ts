import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { configPairs, loadable, type ConnectionPair } from '../src/evidence/derived/config/pairs.js';
import { endWord, refs, type ConfiguredConnection } from '../src/evidence/derived/config/connections.js';
import { authGap, humanDuration, idGap, lifetimeDiffs, pairChildren, PANOS_PROXY_ID_NOTE, proposalGap, proposalGapData, tsGaps } from '../src/evidence/derived/config/compare.js';
import type { ChildConfig } from '../src/evidence/config-types.js';
import { pskFinding } from '../src/evidence/derived/config/secrets.js';
import { PROPOSAL_GAP_TEMPLATE } from '../src/evidence/derived/words.js';

const MATCH_HINT = 'Make both configs list at least one identical proposal';

export default defineCheck({
  meta: {
    id: 'config-diff',
    title: 'Two peers\' configs agree',
    stage: 'ike',
    description:
      'Compares one peer\'s swanctl.conf/ipsec.conf/PAN-OS configuration with the other\'s (any two platforms, through the neutral config facts: PAN-OS crypto profiles as proposals, proxy IDs as selectors), connection by connection (paired by addresses, identities and names), and predicts the failures before deployment: proposals without a common transform (RFC 7296 §3.3), identities the other side does not expect (§2.15, §3.5), authentication methods, traffic selectors that are not mirrored (§2.9), IKE version, lifetimes. Uses the daemons\' documented defaults where a setting is not written. DPD differences between the two peers are reported by dead-peer-detection (DPD_MISMATCH).',
    requires: ['configs'],
    codes: {
      IKE_VERSION_MISMATCH: {
        severity: 'error',
        message: '{connA} ({fileA}) speaks only IKEv{versionA} but {connB} ({fileB}) speaks only IKEv{versionB}: no IKE SA can be negotiated.',
        hint: 'Use the same version on both: swanctl `version = 2`, ipsec.conf `keyexchange=ikev2`, PAN-OS `set network ike gateway <gateway> protocol version ikev2` (PAN-OS defaults to ikev1 when the version is not written).',
      },
      IKE_PROPOSAL_MISMATCH: {
        severity: 'error',
        message: 'IKE proposals of {connA} and {connB} share no proposal (' + PROPOSAL_GAP_TEMPLATE + '): {fileA} offers {aProposals}; {fileB} accepts {bProposals}.',
        hint: `${MATCH_HINT}: swanctl \`proposals\`, ipsec.conf \`ike=\`, PAN-OS the gateway's IKE crypto profile (\`set network ike crypto-profiles ike-crypto-profiles <profile> encryption|hash|dh-group [ … ]\`). For example add {fixForA} in {fileA}, or {fixForB} in {fileB}. The responder will answer NO_PROPOSAL_CHOSEN.`,
      },
      CHILD_PROPOSAL_MISMATCH: {
        severity: 'error',
        stage: 'child',
        message: 'ESP/AH proposals of child {childA} ({fileA}) and {childB} ({fileB}) share no proposal (' + PROPOSAL_GAP_TEMPLATE + '): {fileA} offers {aProposals}; {fileB} accepts {bProposals}; {onlyAtRekey?IKEv2 negotiates the first CHILD_SA without a KE exchange, so the tunnel comes up and fails at its first rekey, after {firstRekeyAfter}|the CHILD_SA will not be created}.',
        hint: `${MATCH_HINT}: swanctl \`esp_proposals\`/\`ah_proposals\`, ipsec.conf \`esp=\` (libreswan \`phase2alg=\`), PAN-OS the tunnel's IPsec crypto profile (\`set network ike crypto-profiles ipsec-crypto-profiles <profile> esp encryption|authentication [ … ]\`, \`… dh-group\`). For example add {fixForA} in {fileA}, or {fixForB} in {fileB}.`,
      },
      PEER_ID_MISMATCH: {
        severity: 'error',
        stage: 'auth',
        message: '{fileFrom} ({connFrom}) identifies itself as {sent} but {fileTo} ({connTo}) expects {expected}: authentication will fail (strongSwan: no matching peer config; libreswan: peer ID mismatch).',
        hint: 'Make them agree: on {fileFrom} set the local id (swanctl `local { id = … }`, ipsec.conf `{fromWord}id=`, PAN-OS `set network ike gateway <gateway> local-id type fqdn|ipaddr|ufqdn|keyid|dn` + `… local-id id …`), or on {fileTo} the expected remote id (swanctl `remote { id = … }`, ipsec.conf `{toWord}id=`, PAN-OS `… peer-id type …` + `… peer-id id …`). `@` marks an FQDN id in ipsec.conf; a PAN-OS gateway without local-id sends its IP address.',
      },
      AUTH_METHOD_MISMATCH: {
        severity: 'error',
        stage: 'auth',
        message: '{fileFrom} ({connFrom}) authenticates with {uses} but {fileTo} ({connTo}) expects {expects} from it.',
        hint: 'Use the same method for this end on both sides: swanctl `local { auth }` / `remote { auth }`, ipsec.conf `authby=` or `leftauth=`/`rightauth=`, PAN-OS `set network ike gateway <gateway> authentication pre-shared-key key …` or `… authentication certificate …`; a PSK also needs a matching secret on both sides.',
      },
      TS_MISMATCH: {
        severity: 'error',
        stage: 'child',
        message: 'Selectors of child {childA} ({fileA}) and {childB} ({fileB}) are not mirrored: {fileA} {aKey} {aTs} vs {fileB} {bKey} {bTs} ({narrowing?{relation}: only the intersection can be negotiated|no overlap: TS_UNACCEPTABLE}).',
        hint: 'Mirror them: one side\'s local_ts/leftsubnet must equal the other\'s remote_ts/rightsubnet. {narrowing?An IKEv2 responder narrows to the intersection (RFC 7296 §2.9): the tunnel carries only the overlap, which part depending on who initiates. IKEv1 Quick Mode and libreswan without narrowing=yes do not narrow: there it works only when the side with the narrower selectors initiates.|With no overlap the responder answers TS_UNACCEPTABLE (IKEv1: INVALID_ID_INFORMATION).}{panos? ' + PANOS_PROXY_ID_NOTE + '}',
      },
      PSK_MISMATCH: {
        severity: 'error',
        message: '{fileA} and {fileB} hold different pre-shared keys for {idA} and {idB} (connection {connA}): authentication will fail.',
        hint: 'Put the same key on both peers for this ID pair: in swanctl.conf the `secret` of a `secrets { ike-… }` section whose `id-…` entries name both ids, in ipsec.secrets a `PSK` line whose selectors name both ids, on PAN-OS the gateway\'s `authentication pre-shared-key`. The keys were compared in memory by a keyed digest; no part of either is shown.',
      },
      PSK_MISSING: {
        severity: 'warning',
        message: '{fileWith} holds a pre-shared key for {idA} and {idB} (connection {connWith}), but no key in {fileWithout} fits this ID pair.',
        hint: 'Give {fileWithout} the same key for this ID pair (swanctl.conf a `secrets { ike-… }` section whose `id-…` entries name both ids, ipsec.secrets a `PSK` line whose selectors name both ids); if its keys live in another file, pass that file with -c so the two can be compared. {severityReason}',
      },
      PSK_NOT_COMPARED: {
        severity: 'info',
        message: 'Pre-shared keys of {connA} ({fileA}) and {connB} ({fileB}) were not compared: {reason}.',
        hint: 'Compare the keys by hand on both peers, or pass the files that hold them with -c.',
      },
      LIFETIME_DIFFERS: {
        severity: 'info',
        stage: 'liveness',
        message: '{what} of {connA} differs: {fileA} {aValue}, {fileB} {bValue}; {ikev1?IKEv1 negotiates lifetimes: the responder may refuse a longer one or impose its own.|IKEv2 does not negotiate lifetimes (RFC 7296 §2.8): each side rekeys on its own schedule, the shorter one wins.}',
        hint: 'Not an error; align them (swanctl `rekey_time`/`life_time`, ipsec.conf `ikelifetime=`/`lifetime=`, PAN-OS the crypto profiles\' `lifetime hours|minutes|seconds`) so rekeys are predictable and do not collide.',
      },
      PEER_CONNECTION_NOT_FOUND: {
        severity: 'warning',
        message: 'Connection {conn} in {file} has no counterpart in {other}: no connection there matches its addresses or identities.',
        hint: 'Check that the other peer\'s config has a connection for this one: addresses (remote_addrs / right= / PAN-OS peer-address) and ids (remote id / rightid= / PAN-OS peer-id) must point at each other.',
      },
    },
  },
  run(ctx) {
    const pairs = configPairs(ctx.evidence);
    // one config alone has no peer to be compared with: not applicable, never "the configs agree"
    ctx.judged(pairs.length === 1 ? 'pair of connections across two configs' : 'pairs of connections across two configs', pairs.length);
    for (const p of pairs) comparePair(ctx, p);
    reportUnpaired(ctx, pairs);
  },
});

function comparePair(ctx: CheckContext, { a, b }: ConnectionPair): void {
  const names = { connA: a.conn.name, connB: b.conn.name, fileA: a.facts.source, fileB: b.facts.source };
  const [va, vb] = [a.conn.ikeVersion, b.conn.ikeVersion];
  if (va.value !== 0 && vb.value !== 0 && va.value !== vb.value) {
    ctx.report({ code: 'IKE_VERSION_MISMATCH', data: { ...names, versionA: va.value, versionB: vb.value }, evidence: refs(va, vb) });
    return; // everything else is moot without an IKE SA
  }
  const dialects = [a.facts.dialect, b.facts.dialect] as [typeof a.facts.dialect, typeof b.facts.dialect];
  const ike = proposalGap(a.conn.proposals, a.conn.proposalsStrict, b.conn.proposals, b.conn.proposalsStrict, 'IKE', dialects);
  if (ike) ctx.report({ code: 'IKE_PROPOSAL_MISMATCH', data: { ...names, ...proposalGapData(ike), closest: ike.delta.closest }, evidence: refs(a.conn.proposals, b.conn.proposals) });
  for (const [from, to] of [[a, b], [b, a]] as const) {
    const names2 = { connFrom: from.conn.name, connTo: to.conn.name, fileFrom: from.facts.source, fileTo: to.facts.source, fromWord: from.conn.symmetric ? endWord(from, 'local') : 'left', toWord: to.conn.symmetric ? endWord(to, 'remote') : 'right' };
    const id = idGap(from, to);
    if (id) ctx.report({ code: 'PEER_ID_MISMATCH', data: { ...names2, sent: id.sent.shown, expected: id.expected.shown }, evidence: refs(id.sent.setting ?? from.conn, id.expected.setting ?? to.conn) });
    const auth = authGap(from, to);
    if (auth) ctx.report({ code: 'AUTH_METHOD_MISMATCH', data: { ...names2, uses: auth.uses.value, expects: auth.expects.value, usesFamily: auth.usesFamily, expectsFamily: auth.expectsFamily }, evidence: refs(auth.uses, auth.expects) });
  }
  const psk = pskFinding(ctx.evidence, a, b);
  if (psk) ctx.report({ ...psk, data: { ...names, ...psk.data } });
  const ikev1 = va.value === 1 || vb.value === 1;
  for (const { a: ca, b: cb } of pairChildren(a, b)) {
    const childNames = { ...names, childA: ca.name, childB: cb.name };
    const esp = proposalGap(ca.espProposals, a.conn.espStrict, cb.espProposals, b.conn.espStrict, 'ESP', dialects);
    if (esp) {
      // RFC 7296 §1.2: the first CHILD_SA rides in IKE_AUTH without KE; a PFS group is only used at rekey
      const onlyAtRekey = !ikev1 && esp.delta.types.every((t) => t === 'KE');
      ctx.report({
        code: 'CHILD_PROPOSAL_MISMATCH',
        data: { ...childNames, ...proposalGapData(esp), onlyAtRekey, ...(onlyAtRekey ? { firstRekeyAfter: humanDuration(Math.min(ca.rekeyTime.value, cb.rekeyTime.value)) } : {}) },
        evidence: refs(ca.espProposals, cb.espProposals),
      });
    }
    if (ca.ahProposals && cb.ahProposals) {
      const ah = proposalGap(ca.ahProposals, a.conn.espStrict, cb.ahProposals, b.conn.espStrict, 'AH', dialects);
      if (ah) ctx.report({ code: 'CHILD_PROPOSAL_MISMATCH', data: { ...childNames, ...proposalGapData(ah) }, evidence: refs(ca.ahProposals, cb.ahProposals) });
    }
    reportTs(ctx, a, b, ca, cb, childNames);
  }
  reportLifetimes(ctx, a, b, names);
}

function reportTs(ctx: CheckContext, a: ConfiguredConnection, b: ConfiguredConnection, ca: ChildConfig, cb: ChildConfig, names: Record<string, string>): void {
  for (const g of tsGaps(a, ca, b, cb)) {
    const data = { ...names, aKey: g.aTs.key, bKey: g.bTs.key, aTs: g.aTs.value, bTs: g.bTs.value, relation: g.relation, narrowing: g.narrowing, panos: g.panos };
    ctx.report({ code: 'TS_MISMATCH', severity: g.severity, data, evidence: refs(g.aTs, g.bTs) });
  }
}

function reportLifetimes(ctx: CheckContext, a: ConfiguredConnection, b: ConfiguredConnection, names: Record<string, string>): void {
  for (const d of lifetimeDiffs(a, b)) {
    ctx.report({ code: 'LIFETIME_DIFFERS', data: { ...names, what: d.what, aValue: humanDuration(d.a.value), bValue: humanDuration(d.b.value), ikev1: d.ikev1 }, evidence: refs(d.a, d.b) });
  }
}

function reportUnpaired(ctx: CheckContext, pairs: ConnectionPair[]): void {
  const configs = (ctx.evidence.configs ?? []).filter((c) => c.connections.length > 0);
  if (configs.length !== 2) return;
  const paired = new Set(pairs.flatMap((p) => [p.a.original, p.b.original]));
  for (const [self, other] of [[configs[0], configs[1]], [configs[1], configs[0]]] as const) {
    for (const conn of loadable(self)) {
      if (paired.has(conn)) continue;
      // templates and pass/drop conns have no peer
      if (conn.children.every((c) => c.mode.value === 'pass' || c.mode.value === 'drop') || conn.children.every((c) => c.startAction.value === 'ignore' && c.startAction.implicit === false)) continue;
      // a gateway's other clients have no counterpart in one client's config: only worth a warning when nothing pairs
      ctx.report({ code: 'PEER_CONNECTION_NOT_FOUND', severity: pairs.length ? 'info' : undefined, data: { conn: conn.name, file: self.source, other: other.source, pairedElsewhere: pairs.length }, evidence: refs(conn) });
    }
  }
}
