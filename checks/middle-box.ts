import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { EvidenceRef } from '../src/evidence/types.js';
import { algRows, algServers, boxFacts, boxName, carriesIke, decisions, flowTables, ikeOneWay, isEsp, isIpsecDecision, isIpsecFlow, returnEspRefused, ruleText } from '../src/evidence/derived/middlebox/passthrough.js';
import { algWithoutNatT, natSeen, natTBlockedServers } from '../src/evidence/derived/middlebox/nat-t-box.js';
import { passthroughSeen, teardowns, tunnelStatesOnly } from '../src/evidence/derived/middlebox/seen.js';
import { bothSides } from '../src/engine/corroborate.js';

export default defineCheck({
  meta: {
    id: 'middle-box',
    title: 'A box between the peers passes IPsec both ways', stage: 'path',
    description:
      'F5 BIG-IP AFM in passthrough, from its firewall events, its flow table (Sys::Connections) and its configuration: a flow is made only for a packet ' +
      'a rule allows; with ipsec.lookupspi enabled (the default) each ESP direction is its own flow and needs its own rule; the IPsec ALG needs lookupspi, ' +
      'runs on Standard virtual servers only and does not handle UDP 4500; only the peer whose IKE is let in can start the tunnel (seed "Passthrough IPSec ' +
      'with AFM"; F5 K31591013, K93873214, K97997482, K04116537). An SA state on either end says nothing about such a box.',
    requires: ['logEvents', 'saTables', 'rulesets'],
    codes: {
      MIDDLEBOX_REJECTS_RETURN_ESP: {
        severity: 'error',
        message: '{box} {refuses} ESP from {from} to {to} ({direction}) with {rule}, while {how}: the tunnel comes up and carries traffic towards {from} only.',
        hint: 'Let that direction make its own flow: {fix}.',
      },
      MIDDLEBOX_NO_RETURN_ESP_FLOW: {
        severity: 'warning',
        message: '{box} holds an ESP flow from {sender} to {silent} and none back ({table}): with ipsec.lookupspi enabled each ESP direction needs a rule that lets it make its flow, so return ESP from {silent} is refused or was never sent.',
        hint: 'Look for the refusal in the AFM log (tmm 23003137, action Reject or Drop from {silent}) and allow that direction, or use one ESP flow for both directions: `tmsh modify sys db ipsec.lookupspi value disable`.',
      },
      MIDDLEBOX_IKE_ONE_WAY: {
        severity: 'warning',
        message: '{box} refuses IKE from {blocked} to {starter} with {rule}{passesFrom? while IKE from {passesFrom} passes}: {consequence}.',
        hint: 'If {blocked} must be able to initiate, allow UDP 500 (and UDP 4500 when NAT-T is used) from it: {fix}.',
      },
      IPSEC_ALG_WITHOUT_LOOKUPSPI: {
        severity: 'error',
        message: '{basis}: the ALG relies on ipsec.lookupspi, so return ESP never gets a flow and the tunnel carries nothing back; an extra firewall rule does not help (F5 K93873214).',
        hint: 'Enable the DB key: `tmsh modify sys db ipsec.lookupspi value enable`.',
      },
      IPSEC_ALG_NAT_T: {
        severity: 'warning',
        message: 'The IPsec ALG on virtual server {server} does not handle UDP 4500 (F5 K97997482) and no other virtual server here carries it{natSeen?, and {natSeenIn} shows the peers use NAT-T: their IKE and ESP in UDP 4500 find no flow|: should a NAT appear between the peers, they move to UDP 4500 and the tunnel stops without a word}.',
        hint: 'Add a virtual server and firewall rules for UDP 4500 between the peers (IKE and ESP in UDP once a NAT is detected, RFC 3947/3948).',
      },
      VIRTUAL_SERVER_ALG_ON_FASTL4: {
        severity: 'error',
        message: 'Virtual server {server} lists the IPsec ALG profile with a FastL4 profile: the ALG attaches only to Standard virtual servers, so it is not in effect here (and FastL4 flows bypass it).',
        hint: 'Use a Standard virtual server for the ALG (no ePVA acceleration then), or drop the ALG and write the firewall rules for each IPsec flow.',
      },
      VIRTUAL_SERVER_SENDS_IKE_TO_POOL: {
        severity: 'warning',
        message: 'Virtual server {server} carries IKE with {what}: the box sends IKE on to the pool member, not to the address the peer sent it to, {others?which works only while each direction has such a server with the far peer as its pool member|so only the peer in front of this server can start the tunnel}.',
        hint: 'For passthrough where both peers initiate, set `translate-address disabled` (the box then routes by destination, F5 K04116537), or use two virtual servers, each with the far peer as its pool member.',
      },
      SA_STATE_NOT_PROOF: {
        severity: 'info',
        message: '{table} shows the tunnel state ({states}) and nothing else: an SA state says the peers agreed, not that ESP crosses the path; a box in the middle may still drop one direction.',
        hint: 'Compare the byte counters of each direction (`tmsh show net ipsec ipsec-sa all-properties`, Current Usage) or capture ESP on both peers.',
      },
      PASSTHROUGH_SEEN: {
        severity: 'info',
        message: '{box} passes the tunnel between {peers}: {seen}.',
        hint: 'Nothing to change for these flows.',
      },
      MIDDLEBOX_FLOWS_TORN_DOWN: {
        severity: 'info',
        message: '{box} logged the teardown of IPsec passthrough flows ({what}): expected after the flows are deleted (for example `tmsh delete sys connection`), not a fault.',
        hint: 'Nothing to change; the next packet a rule allows makes the flow again.',
      },
    },
  },
  run(ctx) {
    const facts = boxFacts(ctx.evidence);
    // an endpoint's log or table says nothing of a box in the middle, nor its verdicts on other traffic
    ctx.judged('middle-box records of IPsec (firewall decisions on IKE, NAT-T, ESP or AH, their flow-table rows, box configurations)', decisions(ctx.evidence).filter(isIpsecDecision).length + flowTables(ctx.evidence).reduce((n, t) => n + t.flows.filter(isIpsecFlow).length, 0) + (facts ? 1 : 0));
    reportReturnEsp(ctx);
    for (const o of ikeOneWay(ctx.evidence)) {
      const d = o.refused;
      ctx.report({
        code: 'MIDDLEBOX_IKE_ONE_WAY',
        data: {
          box: boxName(d, facts), blocked: o.blocked, starter: o.starter, rule: ruleText(d),
          passesFrom: o.passes.length ? o.starter : undefined,
          consequence: o.passes.length ? `only ${o.starter} can start the tunnel, and rekeys, reauthentications and restarts begun by ${o.blocked} fail` : `${o.blocked} cannot start the tunnel, nor rekey, reauthenticate or restart it`,
          fix: `tmsh modify security firewall policy <policy> rules add { allow-ike-from-${o.blocked} { action accept-decisively ip-protocol udp source { addresses add { ${o.blocked} } } destination { addresses add { ${o.starter} } ports add { 500 4500 } } place-before first } }`,
        },
        evidence: [{ ...d.at, excerpt: d.excerpt }, ...o.passes],
      });
    }
    reportAlg(ctx);
    for (const v of facts?.virtualServers ?? []) {
      if (v.ipsecAlg && v.kind === 'fastl4') ctx.report({ code: 'VIRTUAL_SERVER_ALG_ON_FASTL4', data: { server: v.name }, evidence: [v.ipsecAlg, v.at] });
      if (v.disabled || !carriesIke(v)) continue;
      const what = v.pool ? `pool ${v.pool.value}` : v.translateAddress?.value ? `translate-address enabled${v.translateAddress.implicit ? ' (the default for a Standard server, not written in this listing)' : ''}` : undefined;
      // one server per direction, each with the far peer as its pool member, is the seed's own design for both-sides initiation
      const others = facts!.virtualServers.filter((o) => o !== v && !o.disabled && carriesIke(o) && (o.pool || o.translateAddress?.value)).length;
      if (what && (v.pool || v.kind === 'standard')) ctx.report({ code: 'VIRTUAL_SERVER_SENDS_IKE_TO_POOL', ...(others ? { severity: 'info' as const } : {}), data: { server: v.name, what, destination: v.destination, others: others || undefined, ...(others ? { severityReason: 'another virtual server translating IKE may carry the other direction' } : {}) }, evidence: [v.at, ...(v.pool ? [v.pool.at] : v.translateAddress && !v.translateAddress.implicit ? [v.translateAddress.at] : [])] });
    }
    for (const t of tunnelStatesOnly(ctx.evidence)) ctx.report({ code: 'SA_STATE_NOT_PROOF', data: { table: t.table, states: t.states }, evidence: t.refs });
    for (const s of passthroughSeen(ctx.evidence)) {
      if (s.kind === 'healthy') ctx.report({ code: 'PASSTHROUGH_SEEN', data: { box: s.box, peers: s.peers, seen: s.seen.join('; ') }, evidence: s.refs });
      else if (!returnEspRefused(ctx.evidence).some((r) => r.from === s.silent)) ctx.report({ code: 'MIDDLEBOX_NO_RETURN_ESP_FLOW', data: { box: s.box, sender: s.sender, silent: s.silent, table: s.refs[0].source, seen: s.seen }, evidence: s.refs });
    }
    const t = teardowns(ctx.evidence);
    if (t) ctx.report({ code: 'MIDDLEBOX_FLOWS_TORN_DOWN', data: { box: t.box, what: t.what }, evidence: t.refs });
  },
});

function reportReturnEsp(ctx: CheckContext): void {
  const facts = boxFacts(ctx.evidence);
  const alg = algServers(facts).length > 0 && facts?.espFlows?.value === 'bidirectional' && !facts.espFlows.implicit;
  for (const r of returnEspRefused(ctx.evidence)) {
    const d = r.refused;
    const rule = `tmsh modify security firewall policy ${d.data.policy ?? '<policy>'} rules add { allow-esp-from-${r.from} { action accept-decisively ip-protocol esp source { addresses add { ${r.from} } } destination { addresses add { ${r.to} } } place-before first } }`;
    const lead: EvidenceRef[] = [{ ...d.at, excerpt: d.excerpt }, ...r.passes];
    ctx.report({
      code: 'MIDDLEBOX_REJECTS_RETURN_ESP', data: {
        box: boxName(d, facts), refuses: d.data.verdict === 'reject' ? 'rejects' : 'drops', from: r.from, to: r.to, rule: ruleText(d), how: r.how,
        direction: d.data.vlan ? `arriving on ${d.data.vlan}` : 'the return direction',
        // with the ALG and lookupspi disabled, no rule makes the return flow (K93873214)
        fix: alg ? '`tmsh modify sys db ipsec.lookupspi value enable` (the IPsec ALG needs it; an extra rule does not help, F5 K93873214)' : `an accept rule for ip-protocol esp from ${r.from}, \`${rule}\`, or \`tmsh modify sys db ipsec.lookupspi value disable\` (one ESP flow for both directions)`,
        flowCreated: d.data.flowCreated, ...(r.peerBasis ? { seenIn: `${boxName(d, facts)} log and ${r.peerBasis}`, peerEvidence: r.peerBasis } : {}),
      },
      evidence: r.peerEvidence.length ? bothSides(lead, r.peerEvidence) : lead,
    });
  }
}

// a NAT_T_BLOCKED (capture or log) that names the server is the diagnosis: the ALG is its cause, not a second error
const EXPLAINED = { explainedBy: 'NAT_T_BLOCKED', severityReason: 'a peer\'s capture or log shows IKE on UDP 4500 unanswered and NAT_T_BLOCKED names this virtual server as the cause' };
function reportAlg(ctx: CheckContext): void {
  const facts = boxFacts(ctx.evidence);
  const algs = algServers(facts);
  const spi = facts?.espFlows;
  for (const v of spi && !spi.implicit && spi.value === 'bidirectional' ? algs : []) ctx.report({ code: 'IPSEC_ALG_WITHOUT_LOOKUPSPI', data: { server: v.name, basis: `Virtual server ${v.name} has the IPsec ALG profile and ipsec.lookupspi is disabled` }, evidence: [v.ipsecAlg!, spi!.at] });
  for (const v of algWithoutNatT(ctx.evidence)) {
    const nat = natSeen(ctx.evidence);
    const explained = natTBlockedServers(ctx.evidence).has(v.name);
    ctx.report({
      code: 'IPSEC_ALG_NAT_T', ...(explained ? { severity: 'info' as const } : nat.seen ? { severity: 'error' as const } : {}),
      data: { server: v.name, natSeenIn: nat.seen ? nat.how : undefined, natSeen: nat.seen, ...(explained ? EXPLAINED : nat.seen ? { severityReason: 'an input shows the peers on UDP 4500' } : {}) },
      evidence: [v.ipsecAlg!, v.at],
    });
  }
  // without the configuration: the ALG's pre-created rows in the flow table and no ESP flow back is how lookupspi disabled looks
  if (algs.length || spi) return;
  for (const t of flowTables(ctx.evidence)) {
    const rows = algRows(t);
    if (!rows.length) continue;
    const far = rows[0].client.dst;
    const back = t.flows.some((f) => f.protocol === 'esp' && f.client.src === far);
    if (back || decisions(ctx.evidence).some((d) => isEsp(d) && d.data.src.address === far && d.data.verdict === 'accept')) continue;
    ctx.report({
      code: 'IPSEC_ALG_WITHOUT_LOOKUPSPI', severity: 'warning',
      data: { basis: `The flow table ${t.source} shows the ALG's pre-created AH and ESP flows towards ${far} and no ESP flow back, which is what ipsec.lookupspi disabled looks like`, severityReason: 'read from the flow table alone: the DB key is not in the inputs (`tmsh list sys db ipsec.lookupspi`)' },
      evidence: [...rows.map((r) => r.at), ...t.flows.filter((f) => !rows.includes(f)).slice(0, 2).map((f) => f.at)],
    });
  }
}
