import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext, FindingInput } from '../src/engine/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log/sessions.js';
import { aggregate, pushTo, type Occurrence } from '../src/evidence/derived/aggregate.js';
import { exchangeInWords, spiSpelling } from '../src/evidence/derived/words.js';

export default defineCheck({
  meta: {
    id: 'tunnel-state',
    title: 'Tunnel state',
    stage: 'state',
    description:
      'Says plainly when the tunnel came up: an IKE SA (RFC 7296 §1.2; IKEv1 ISAKMP SA) and at least one Child SA / IPsec SA established, ' +
      'or why a Child SA was refused when no other check explains it (FAILED_CP_REQUIRED, INTERNAL_ADDRESS_FAILURE, SINGLE_PAIR_REQUIRED), ' +
      'with the identities, SPIs and traffic selectors the daemon printed.',
    requires: ['logEvents'], reads: ['ike-established', 'child-established', 'child-failed', 'sa-deleted', 'negotiation-failed', 'notify', 'rekey', 'give-up'],
    codes: {
      TUNNEL_ESTABLISHED: {
        severity: 'info',
        message: 'Tunnel {conn} established, as {seenBy}: IKE SA {ike}, Child SA {child}{spis? with {spis|SPI|SPIs} {spis}}{local?, selectors {local} === {remote}|; the log does not print its selectors}.',
        hint: 'Nothing to fix for this connection. If traffic still does not flow, look at the data plane: routes, firewall rules for ESP (IP protocol 50) or UDP 4500, and whether the selectors cover the traffic.',
      },
      CHILD_SA_REFUSED: {
        severity: 'error',
        stage: 'child',
        message:
          'The Child SA of {conn} was refused by {direction=sent?this host|the peer} with {notify} in {request}{occurrences=1?|, {occurrences} times}: ' +
          '{notify=FAILED_CP_REQUIRED?the responder requires the initiator to ask for an internal address (a configuration payload) and it did not|{notify=INTERNAL_ADDRESS_FAILURE?the responder could not assign an internal address|the responder accepts only one pair of traffic selectors per Child SA}}; no traffic flows through it.',
        hint:
          '{notify=FAILED_CP_REQUIRED?Make the initiator request a virtual IP (strongSwan swanctl `vips = 0.0.0.0`, ipsec.conf `leftsourceip=%config`, libreswan `leftmodecfgclient=yes`), or stop requiring one on the responder (libreswan `modecfgserver`, strongSwan `pools` only for clients that ask).' +
          '|{notify=INTERNAL_ADDRESS_FAILURE?Give the responder an address pool with free addresses for this connection (strongSwan `pools`, libreswan `addresspool=`) and check the pool is not exhausted.' +
          '|Propose one subnet pair per Child SA: one child (or conn) per pair of subnets on both sides.}} RFC 7296 §3.10.1 defines {notify}.',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
    childRefusals(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  const found: FindingInput[] = [];
  for (const file of logFiles(ctx.evidence)) {
    const childrenByConn = new Map<string, LogEvent<'child-established'>[]>();
    for (const c of ofKind(file.events, 'child-established')) {
      const k = c.conn ?? '';
      pushTo(childrenByConn, k, c);
    }
    const named = [...childrenByConn].filter(([conn]) => conn).flatMap(([, cs]) => cs.flatMap((c) => c.data.spis ?? []));
    const unnamed = childrenByConn.get('') ?? [];
    for (const [conn, children] of childrenByConn) {
      // SAs without a connection name that a named Child SA line of this log lists again (Juniper kmd) are that one
      if (!conn && children.every((c) => c.data.spis?.length && c.data.spis.every((spi) => named.includes(spi)))) continue;
      const child = children[children.length - 1];
      const ike = ikeOf(file.events, conn, child);
      const ids = ike ? [ike.data.localId ?? ike.data.local, ike.data.remoteId ?? ike.data.remote].filter(Boolean).join(' ... ') : '';
      found.push({
        code: 'TUNNEL_ESTABLISHED',
        data: {
          seenBy: 'the log shows', conn: conn || child.data.name || '(unnamed)', ike: ike ? (ids || 'up') : 'up (its line is not in this log)', ikeVersion: ike?.data.ikeVersion,
          child: child.data.name || conn || 'up', spis: child.data.spis?.map(spiSpelling), local: child.data.local?.length ? child.data.local : undefined,
          remote: child.data.remote?.length ? child.data.remote : undefined, mode: child.data.mode, encap: child.data.encap, childSas: children.length,
        },
        // the lines the SPIs come from, when a named line repeats them (kmd's KMD_PM_SA_ESTABLISHED)
        evidence: refsOf([ike, ...(conn ? unnamed.filter((u) => u.data.spis?.some((spi) => child.data.spis?.includes(spi))) : []), child].sort((a, b) => (a?.at.line ?? 0) - (b?.at.line ?? 0))),
      });
    }
  }
  for (const f of sameChildSa(found)) ctx.report(f);
}

const IKE_AFTER_CHILD_S = 60;

/**
 * The IKE SA line of a Child SA: the last one before it, as most daemons print them; else one soon
 * after it (Juniper kmd prints "IKE negotiation successfully completed" after KMD_PM_SA_ESTABLISHED
 * and the VPN-up line of the same IKE_AUTH).
 */
function ikeOf(events: readonly LogEvent[], conn: string, child: LogEvent<'child-established'>): LogEvent<'ike-established'> | undefined {
  const line = child.at.line ?? 0;
  const ikes = ofKind(events, 'ike-established').filter((e) => !conn || !e.conn || e.conn === conn);
  const before = ikes.filter((e) => (e.at.line ?? 0) < line).pop();
  if (before) return before;
  return ikes.find((e) => (e.at.line ?? 0) > line && e.t !== undefined && child.t !== undefined && e.t >= child.t && e.t - child.t <= IKE_AFTER_CHILD_S);
}

/**
 * Both peers' logs of one Child SA name the same two SPIs (each its inbound one
 * first, RFC 4301 §4.1: one SA per direction): one finding, the first log's view,
 * saying the other agrees; the other's values under `otherLog`.
 */
function sameChildSa(found: FindingInput[]): FindingInput[] {
  const key = (f: FindingInput) => (Array.isArray(f.data?.spis) && f.data.spis.length === 2 ? [...(f.data.spis as string[])].sort().join(' ') : undefined);
  const out: FindingInput[] = [];
  for (const f of found) {
    const k = key(f);
    const first = k === undefined ? undefined : out.find((o) => key(o) === k && !o.data?.otherLog && o.evidence[0]?.source !== f.evidence[0]?.source);
    if (!first) {
      out.push(f);
      continue;
    }
    first.data = { ...first.data, seenBy: "both peers' logs show", seenIn: "both peers' logs", otherLog: f.data ?? {} };
    first.evidence = [...first.evidence, ...f.evidence];
  }
  return out;
}

/** Child SA refusals no other check explains (proposals, selectors and authentication have their own): RFC 7296 §3.10.1. */
const CHILD_REFUSALS = new Set(['FAILED_CP_REQUIRED', 'INTERNAL_ADDRESS_FAILURE', 'SINGLE_PAIR_REQUIRED']);

function childRefusals(ctx: CheckContext): void {
  const refusals: Occurrence[] = [];
  for (const file of logFiles(ctx.evidence)) {
    for (const n of ofKind(file.events, 'notify')) {
      if (!CHILD_REFUSALS.has(n.data.name)) continue;
      const data = { conn: n.conn ?? '(unnamed)', notify: n.data.name, direction: n.data.direction, exchange: n.data.exchange, request: exchangeInWords(n.data.exchange ?? 'IKE_AUTH') };
      refusals.push({ key: JSON.stringify([file.source, data.conn, data.notify, data.direction]), data, events: [n] });
    }
  }
  for (const { data, evidence } of aggregate(refusals)) ctx.report({ code: 'CHILD_SA_REFUSED', data, evidence });
}
