import { defineCheck } from '../src/engine/define-check.js';
import type { FindingInput } from '../src/engine/types.js';
import { halfUp, knowsChildSasOf, selectorDifferences, spiMismatches, dirRefs, spiList, pairKey } from '../src/evidence/derived/tables/peers.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';

export default defineCheck({
  meta: {
    id: 'sa-state',
    title: "SA tables: half-up tunnels, the two peers' SPIs and selectors",
    stage: 'child',
    description:
      'Reads SA state tables (swanctl --list-sas, ipsec statusall, ip xfrm state, ipsec status) as the peers hold them. An SA is simplex and ' +
      'named by its SPI and destination (RFC 4301 §4.1), so both peers hold the same SPI for each direction: a table whose SPI the other ' +
      "lacks is an SA mismatch (the peers' SAs went out of step: a rekey or restart one side missed). An IKE SA established with no Child SA " +
      'is a half-up tunnel (the Child SA was refused or deleted: RFC 7296 §1.2 creates it with IKE_AUTH). Tables of the two ends with ' +
      'different selectors show a selector mismatch as state rather than as a refusal.',
    requires: ['saTables'],
    codes: {
      SA_SPI_MISMATCH: {
        severity: 'error',
        message: '{holder} holds SA {spis} for traffic from {src} to {dst}, but {other} has {otherSpis} for that direction: the two peers are not using the same SA.',
        hint: 'The peers went out of step (a rekey, restart or DPD action on one side only, or a stale SA left behind). Packets sent on one side\'s SA are dropped by the other (no SA for that SPI: `ip -s xfrm state` shows no count, PAN-OS/strongSwan log "no SA found"). Re-establish the tunnel from one side (`swanctl --terminate --ike NAME` then `--initiate`, `ipsec auto --down/--up NAME`), and make DPD (`dpd_delay`, `dpdaction=restart`) and rekeying (`rekey_time`, `reauth_time`) consistent on both peers so it does not recur.',
      },
      CHILD_SA_MISSING: {
        severity: 'error',
        message: 'The IKE SA {ike} between {local} and {remote} is {state} in {tables} but has no Child SA: the tunnel is half up and carries no traffic.',
        hint: 'Unless this IKE SA carries no Child SA by design (a strongSwan mediation connection, an RFC 6023 childless IKE SA), the Child SA (IPsec SA, phase 2) was refused or deleted: look in the responder\'s log for TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN or a kernel install failure at the IKE_AUTH / Quick Mode, or for a Child SA deleted and not re-created. Compare the selectors (`local_ts`/`remote_ts`, `leftsubnet`/`rightsubnet`) and ESP proposals (`esp_proposals`, `esp=`/`phase2alg=`) of both peers, then bring the Child SA up (`swanctl --initiate --child NAME`, `ipsec auto --up NAME`).',
      },
      TS_MISMATCH: {
        severity: 'error',
        message: 'The two peers\' SA tables install different traffic selectors: {tableA} has {pairsA}, {tableB} has {pairsB}.',
        hint: 'Each peer\'s local selectors must be the other\'s remote ones (strongSwan `local_ts`/`remote_ts`, libreswan `leftsubnet`/`rightsubnet`). Traffic outside the selectors the other side installed is dropped or sent in clear. Make the subnets mirror each other, or narrow both to the intersection.',
      },
    },
  },
  run(ctx) {
    // said, not implied (-v): one table alone is looked at only for IKE SAs without their Child SA;
    // SPIs and selectors are compared only between two tables
    const tables = ctx.evidence.saTables ?? [];
    ctx.judged('established IKE SAs checked for a Child SA', tables.reduce((n, t) => n + t.ikeSas.filter((ike) => ike.established && knowsChildSasOf(t, ike)).length, 0));
    ctx.judged('pairs of SA tables compared for SPIs and selectors', (tables.length * (tables.length - 1)) / 2);
    for (const m of spiMismatches(ctx.evidence)) {
      ctx.report({
        code: 'SA_SPI_MISMATCH',
        data: { holder: name(m.has.table.source), spis: spiList(m.has.dirs), src: m.src, dst: m.dst, other: name(m.other.table.source), otherSpis: spiList(m.other.dirs), tables: [m.has.table.source, m.other.table.source] },
        evidence: [...dirRefs(m.has.dirs), ...dirRefs(m.other.dirs)],
      });
    }
    reportHalfUp(ctx.report, halfUp(ctx.evidence));
    for (const d of selectorDifferences(ctx.evidence)) {
      ctx.report({
        code: 'TS_MISMATCH',
        severity: 'warning',
        data: {
          tableA: name(d.a.table.source), pairsA: d.a.pairs.join('; '), tableB: name(d.b.table.source), pairsB: d.b.pairs.join('; '), hosts: d.hosts,
          basis: 'SA tables', severityReason: 'seen in the installed state, not in a refusal: the daemons may have narrowed the selectors, and a log of the negotiation says which side refused what',
        },
        evidence: [...d.a.sas, ...d.b.sas].flatMap((sa) => sa.refs.filter((r) => r === sa.child.at || /===|local|remote|\//.test(r.excerpt)).slice(0, 3)),
      });
    }
  },
});

/** One finding per pair of hosts: both peers' tables of the same half-up IKE SA say it once. */
function reportHalfUp(report: (f: FindingInput) => void, list: ReturnType<typeof halfUp>): void {
  const byHosts = new Map<string, typeof list>();
  for (const h of list) pushTo(byHosts, pairKey(h.ike.local?.address ?? '?', h.ike.remote?.address ?? '?'), h);
  for (const group of byHosts.values()) {
    const [first] = group;
    // one table alone may show an IKE SA without Child SA by design (strongSwan mediation connections,
    // RFC 6023 childless IKE SAs) or between a Child SA's delete and its re-creation; IKEv1 runs Quick
    // Mode after Main Mode: both peers' tables of an IKEv2 SA make it certain
    const reason = first.ike.childSasNegotiated !== undefined && first.ike.version === 1 ? 'IKEv1: the table counts the Quick Mode SAs ever established under this ISAKMP SA and says 0: Quick Mode may still be under way (a phase 1 a few seconds old) or have failed'
      : first.ike.version === 1 ? 'IKEv1: an ISAKMP SA may stay up between Quick Modes, so a missing IPsec SA can be momentary'
      : group.length < 2 ? "one peer's table only: an IKE SA may carry no Child SA by design (a mediation connection, an RFC 6023 childless IKE SA) or for a moment between a Child SA's delete and its re-creation" : undefined;
    report({
      code: 'CHILD_SA_MISSING',
      ...(reason ? { severity: 'warning' as const } : {}),
      data: {
        ike: [first.ike.name, first.ike.uniqueId && `#${first.ike.uniqueId.replace(/^#/, '')}`].filter(Boolean).join(' ') || '(unnamed)', local: first.ike.local?.address ?? 'this host', remote: first.ike.remote?.address ?? 'the peer',
        state: stateInWords(first.ike.state), rawState: first.ike.state, tables: group.map((h) => name(h.table.source)).join(' and '), ageSeconds: first.ike.ageSeconds,
        ...(reason ? { severityReason: reason } : {}),
      },
      evidence: group.map((h) => h.ike.at),
    });
  }
}

/** An established IKE SA's state as the sentence says it: a printed code (racoonctl's `ST 9`) with what it means. */
function stateInWords(state: string): string {
  return /establish/i.test(state) ? state.toLowerCase().replace(/_/g, ' ') : `established (${state})`;
}

/** An input as given (the redactor replaces input paths wherever they appear). */
function name(source: string): string {
  return source;
}
